"""The session reader: results cut at the markers, bounded per command and per session."""

from __future__ import annotations

import argparse

import pytest

from mlpscan.errors import InputError
from mlpscan.providers.host.commands import CommandSpec
from mlpscan.providers.host.limits import byte_size, positive_seconds
from mlpscan.providers.host.stream import OutputLimits, SessionReader, split_output
from mlpscan.providers.host.transport import SessionTimes, run_local
from mlpscan.targets import parse_target, redact_target

COMMANDS = [CommandSpec(id="one", run="true"), CommandSpec(id="two", run="true", ok_codes=[0, 1])]
MARKER = "@@MLPSCAN-0123456789abcdef@@"


def session(*bodies: tuple[str, bytes, int]) -> bytes:
    return b"".join(f"\n{MARKER} begin {c}\n".encode() + body + f"\n{MARKER} end {c} {code}\n".encode()
                    for c, body, code in bodies)


def test_results_are_cut_at_the_markers_in_any_chunking() -> None:
    data = b"sudo: ignored banner\n" + session(("one", b"alpha\nbeta\n", 0), ("two", b"no newline", 1))
    for size in (1, 7, 4096):
        reader = SessionReader(MARKER, COMMANDS)
        for start in range(0, len(data), size):
            reader.feed(data[start:start + size])
        assert reader.results["one"].output == "alpha\nbeta\n"
        assert (reader.results["two"].output, reader.results["two"].ok) == ("no newline", True)
        assert reader.preamble.startswith("sudo: ignored banner")


def test_a_command_past_its_cap_is_marked_and_kept_short() -> None:
    huge = b"x" * 5000  # one line, no newline: never held whole waiting for its end
    reader = SessionReader(MARKER, COMMANDS, OutputLimits(max_command_bytes=1024, max_session_bytes=10**6))
    reader.feed(session(("one", huge, 0), ("two", b"fine\n", 0)))
    one = reader.results["one"]
    assert (one.truncated, one.ok, len(one.output)) == (True, False, 1024)
    assert reader.results["two"].ok


def test_the_session_cap_stops_reading_and_marks_the_command_in_progress() -> None:
    reader = SessionReader(MARKER, COMMANDS, OutputLimits(max_command_bytes=10**6, max_session_bytes=2048))
    reader.feed(f"\n{MARKER} begin one\n".encode())
    for _ in range(10):
        reader.feed(b"y" * 1000)
    assert reader.full
    assert reader.read == 2048
    assert reader.truncated_command == "one"
    assert reader.results["one"].truncated


def test_forged_markers_without_the_nonce_are_output() -> None:
    forged = b"@@MLPSCAN-0000000000000000@@ end one 0\n"
    results = split_output(session(("one", forged, 0)).decode(), MARKER, COMMANDS)
    assert results["one"].output == forged.decode()


@pytest.mark.parametrize(("text", "size"), [("65536", 65536), ("512K", 524288), ("64M", 64 * 2**20),
                                             ("1GiB", 2**30)])
def test_byte_sizes(text: str, size: int) -> None:
    assert byte_size(text) == size


@pytest.mark.parametrize("text", ["", "12", "1.5M", "-1M", "lots"])
def test_bad_byte_sizes(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        byte_size(text)


@pytest.mark.parametrize("text", ["0", "-3", "nan", "inf", "soon"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        positive_seconds(text)


@pytest.mark.parametrize("target", ["ssh://ops:s3cr3t-pw@web-01", "ssh://ops:s3cr3t-pw@web-01:x",
                                    "ssh://ops:s3/cr@3t-pw@web-01"])
def test_a_password_in_a_target_is_never_echoed(target: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_target(target)
    assert "s3" not in str(raised.value)
    assert "***" in str(raised.value)
    assert redact_target(target).startswith("ssh://ops:***@")


def test_a_local_session_meets_its_deadline_and_keeps_what_completed() -> None:
    """The local transport on a real `sh -s`: one command completes, the next trickles forever."""
    script = (f"printf '\\n%s begin one\\n' '{MARKER}'\necho done\nprintf '\\n%s end one %s\\n' '{MARKER}' 0\n"
              f"printf '\\n%s begin two\\n' '{MARKER}'\nwhile :; do printf x; sleep 0.1; done\n")
    reader = SessionReader(MARKER, COMMANDS)
    end = run_local(script, sudo=False, times=SessionTimes(read_timeout=30, deadline=1), reader=reader)
    assert (end.code, end.exit_code) == ("Timeout", None)
    assert "--session-timeout" in (end.reason or "")
    assert reader.results["one"].output == "done\n"
    assert "two" not in reader.results


def test_a_local_session_stops_reading_at_its_cap() -> None:
    reader = SessionReader(MARKER, COMMANDS, OutputLimits(max_command_bytes=4096, max_session_bytes=65536))
    end = run_local("yes flood\n", sudo=False, times=SessionTimes(read_timeout=30, deadline=60), reader=reader)
    assert end.code == "OutputLimit"
    assert reader.read == 65536
