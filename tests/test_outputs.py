"""Output files: all or none, the user's umask, and never replacing what is not a regular file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlpscan.errors import InputError
from mlpscan.outputs import current_umask, write_file, write_files
from tests.conftest import EXAMPLES
from tests.test_cli import one_line_error, run


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_027")
def test_new_files_follow_the_umask_and_replaced_ones_keep_their_mode(tmp_path: Path) -> None:
    assert current_umask() == 0o027
    written = write_files(tmp_path / "out", {"a.json": b"1", "b.sarif": b"2"})
    assert [p.name for p in written] == ["a.json", "b.sarif"]
    assert {mode(p) for p in written} == {0o640}
    (tmp_path / "out" / "a.json").chmod(0o600)
    write_files(tmp_path / "out", {"a.json": b"3"})
    assert (tmp_path / "out" / "a.json").read_bytes() == b"3"
    assert mode(tmp_path / "out" / "a.json") == 0o600
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]   # no temporary left


def test_the_cli_writes_with_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("evaluate", str(EXAMPLES / "host.json"), "--format", "json,sarif,junit", "--output-dir", str(out),
               cwd=tmp_path, umask=0o022)
    assert done.returncode == 1, done.stderr
    assert {p.name: mode(p) for p in out.iterdir()} == {"mlpscan-report.json": 0o644, "mlpscan.sarif": 0o644,
                                                        "mlpscan-junit.xml": 0o644}


def test_a_link_to_a_regular_file_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "kept" / "report.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "out" / "report.json"
    link.parent.mkdir()
    link.symlink_to(real)
    write_files(link.parent, {"report.json": b"new"})
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


@pytest.mark.parametrize("kind", ["fd link", "dangling link", "directory", "fifo"])
def test_what_is_not_a_regular_file_is_never_replaced(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    if kind == "fd link":       # what /dev/stdout is: a link into /proc/self/fd
        path.symlink_to("/proc/self/fd/1")
    elif kind == "dangling link":
        path.symlink_to(tmp_path / "missing" / "x.json")
    elif kind == "directory":
        path.mkdir()
    else:
        os.mkfifo(path)
    before = path.lstat()
    with pytest.raises(InputError, match="refusing"):
        write_file(path, b"data")
    after = path.lstat()
    assert (before.st_ino, before.st_mode) == (after.st_ino, after.st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_collect_refuses_a_device_link_and_writes_to_stdout_with_a_dash(tmp_path: Path) -> None:
    stdout_link = tmp_path / "stdout"
    stdout_link.symlink_to("/proc/self/fd/1")         # as /dev/stdout is on Linux
    line = one_line_error(run("collect", "-o", str(stdout_link)))
    assert "refusing to write through a link to an open file descriptor" in line
    assert str(stdout_link.readlink()) == "/proc/self/fd/1"
    done = run("collect", "-o", "-")
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("{")
    assert '"schema": "mlpscan.snapshot/1"' in done.stdout


def test_all_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_bytes(b"old a")
    (out / "b.json").mkdir()                              # b cannot be written
    with pytest.raises(InputError, match="refusing to replace a directory"):
        write_files(out, {"a.json": b"new a", "b.json": b"new b"})
    assert (out / "a.json").read_bytes() == b"old a"
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]


def test_files_rendered_one_at_a_time_are_still_written_all_or_none(tmp_path: Path) -> None:
    rendered: list[str] = []
    staged_before: list[list[str]] = []

    def render(name: str, data: bytes) -> bytes:
        # each file is rendered only once the previous one is staged (its bytes let go)
        staged_before.append(sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")))
        rendered.append(name)
        return data

    written = write_files(tmp_path, {"a.json": lambda: render("a", b"1"), "b.sarif": lambda: render("b", b"2")})
    assert rendered == ["a", "b"]
    assert len(staged_before[1]) == 1
    assert staged_before[1][0].startswith(".a.json.")
    assert [p.read_bytes() for p in written] == [b"1", b"2"]

    def broken() -> bytes:
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        write_files(tmp_path, {"a.json": b"new", "c.xml": broken})
    assert (tmp_path / "a.json").read_bytes() == b"1"          # the old output as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.sarif"]
