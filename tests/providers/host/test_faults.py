"""Hosts that misbehave after login never cost the scan its other hosts, its time or its memory.

Each faulty host is a scripted SSH server (real SSH, scripted behaviour) scanned beside the
suite's real sshd, through the real command line: the scan completes, writes its snapshot, the
faulty host gets `error` entries naming what happened and the healthy host its resources.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlpscan import collect as collect_module
from mlpscan.content import load_content
from mlpscan.providers.host.collector import HostOptions
from mlpscan.providers.host.spec import HostSpec
from tests.conftest import REPO
from tests.providers.host.scripted_ssh import scripted_ssh
from tests.providers.host.sshd_server import Sshd
from tests.providers.host.test_ssh import mlpscan


def collect_beside(sshd: Sshd, tmp_path: Path, behaviour: str, *extra: str,
                   **server: Any) -> tuple[int, dict[str, Any], str]:
    with scripted_ssh(behaviour, tmp_path, **server) as faulty:
        known = tmp_path / "known_hosts"
        known.write_text(sshd.known_hosts.read_text(encoding="utf-8")
                         + faulty.known_hosts.read_text(encoding="utf-8"), encoding="utf-8")
        ssh_config = tmp_path / "ssh_config"
        ssh_config.write_text("", encoding="utf-8")
        out = tmp_path / "snapshot.json"
        done = mlpscan("collect", faulty.target(), sshd.target(), "-o", str(out), "--ssh-config",
                       str(ssh_config), "--known-hosts", str(known), "--identity", str(sshd.client_key),
                       "--connect-timeout", "5", *extra, cwd=tmp_path)
        assert "Traceback" not in done.stderr, done.stderr
        snapshot = json.loads(out.read_text(encoding="utf-8"))
        return done.returncode, snapshot, f"host:127.0.0.1:{faulty.port}"


def errors_of(snapshot: dict[str, Any], target: str) -> list[dict[str, Any]]:
    return [e for e in snapshot["errors"] if e["target"] == target]


def assert_healthy_host_collected(snapshot: dict[str, Any], sshd: Sshd) -> None:
    healthy = f"host:127.0.0.1:{sshd.port}"
    assert [t["id"] for t in snapshot["targets"]][1] == healthy
    assert any(r["target"] == healthy and r["type"] == "host.system" for r in snapshot["resources"])
    assert not [e for e in errors_of(snapshot, healthy) if e["type"] == "host.*"]


@pytest.mark.parametrize("behaviour", ["refuse_session", "close_after_auth"])
def test_a_host_that_refuses_the_session_is_an_error_for_it_alone(sshd: Sshd, tmp_path: Path,
                                                                   behaviour: str) -> None:
    code, snapshot, faulty = collect_beside(sshd, tmp_path, behaviour)
    assert code == 0
    [error] = errors_of(snapshot, faulty)
    assert error["type"] == "host.*"
    assert error["code"] == ("SessionRefused" if behaviour == "refuse_session" else "SessionLost")
    assert not [r for r in snapshot["resources"] if r["target"] == faulty]
    assert_healthy_host_collected(snapshot, sshd)


def test_a_host_that_never_speaks_is_an_error_for_it_alone_without_a_traceback(sshd: Sshd, tmp_path: Path) -> None:
    """Found by bench/campaign.py: paramiko logged the failed handshake's traceback from its own thread,
    and with no logging handler, Python printed it on stderr. (collect_beside asserts no traceback.)"""
    code, snapshot, faulty = collect_beside(sshd, tmp_path, "silent", "--connect-timeout", "2")
    assert code == 0
    [error] = errors_of(snapshot, faulty)
    assert error["type"] == "host.*"
    assert not [r for r in snapshot["resources"] if r["target"] == faulty]
    assert_healthy_host_collected(snapshot, sshd)


def test_a_trickling_host_meets_the_session_deadline(sshd: Sshd, tmp_path: Path) -> None:
    # one byte every 0.2 s never trips the 30 s silence timeout; the 2 s deadline ends it
    code, snapshot, faulty = collect_beside(sshd, tmp_path, "trickle", "--session-timeout", "2",
                                            "--command-timeout", "30", interval=0.2)
    assert code == 0
    [error] = errors_of(snapshot, faulty)
    assert (error["type"], error["code"]) == ("host.*", "Timeout")
    assert "--session-timeout" in error["message"]
    assert not [r for r in snapshot["resources"] if r["target"] == faulty]
    assert_healthy_host_collected(snapshot, sshd)


def test_a_flooding_host_is_read_up_to_the_session_cap(sshd: Sshd, tmp_path: Path) -> None:
    code, snapshot, faulty = collect_beside(sshd, tmp_path, "flood", "--max-session-output", "1M")
    assert code == 0
    [error] = errors_of(snapshot, faulty)
    assert (error["type"], error["code"]) == ("host.*", "OutputLimit")
    assert "--max-session-output" in error["message"]
    assert_healthy_host_collected(snapshot, sshd)


def test_a_command_past_its_cap_is_an_error_for_what_needed_it(sshd: Sshd, tmp_path: Path) -> None:
    code, snapshot, faulty = collect_beside(sshd, tmp_path, "big_command", "--max-command-output", "1M",
                                            big_command_id="os_release", big_bytes=3 * 1024 * 1024)
    assert code == 0
    truncated = [e for e in errors_of(snapshot, faulty) if e["code"] == "OutputTruncated"]
    assert [(e["type"], e["operation"]) for e in truncated] == [("host.system", "os_release")]
    # the other commands answered and were judged as usual
    assert any(r["target"] == faulty and r["type"] == "host.firewall" for r in snapshot["resources"])
    assert not [r for r in snapshot["resources"] if r["target"] == faulty and r["type"] == "host.system"]
    assert_healthy_host_collected(snapshot, sshd)


def test_an_unforeseen_exception_is_an_error_for_that_host_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The isolation is a mechanism, not a list of exception types: any exception counts."""
    real = collect_module.collect_host

    def broken_for_one(spec: HostSpec, *args: Any) -> Any:
        if spec.host == "broken.example":
            raise KeyError("a parser bug nobody foresaw")
        return real(spec, *args)

    monkeypatch.setattr(collect_module, "collect_host", broken_for_one)
    specs = [HostSpec(transport="ssh", host="broken.example"), HostSpec(transport="local")]
    snapshot = collect_module.collect(specs, load_content(REPO), HostOptions())
    assert [t.id for t in snapshot.targets] == ["host:broken.example", "host:local"]
    [error] = [e for e in snapshot.errors if e.target == "host:broken.example"]
    assert (error.type, error.code) == ("host.*", "CollectorFailed")
    assert "KeyError" in error.message
    assert any(r.target == "host:local" for r in snapshot.resources)
    assert snapshot.digest
