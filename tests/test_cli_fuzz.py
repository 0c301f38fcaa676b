"""Command-line fuzzing: generated argument vectors never crash, hang or exit outside 0-3.

Seeded, so a failure reproduces. The vectors are built from the parser itself (every command,
every option) with values drawn from good and bad pools: missing, empty, huge and NUL-bearing
paths, non-finite numbers, broken snapshots and configs, a directory or a device link where a
file goes, and undecodable bytes as they arrive in argv. Targets never leave the machine: a
closed loopback port stands for an unreachable host, and no valid cloud target is drawn.
Exit 4 (an internal error) is a defect, so it is never accepted.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from mlpscan.cli import build_parser, main
from mlpscan.content import load_content
from tests.conftest import EXAMPLES

SEED = 20261205
CASES = 300
HANG_GUARD = 60   # seconds one vector may take before it counts as a hang (not a speed check)

GENERAL = ["", "-", "0", "-1", "3", "5", "nan", "inf", "1e999", "level3", "level9", "none", "any", "high",
           "yes", "no", "all", "fail,error", "host.*", "*", "cloud.residency.mainland_region", "aws,aliyun",
           "x" * 5000, "a\0b", "é中文", "\udcff", "--", "2026-02-30", "2026-11-21", "../..", "/"]
JUNK = ["--no-such-option", "-z", "stray", "--level=7", "--format=", "--checks", "\0"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Pools:
    """Values by kind, most of them files made for the run."""

    def __init__(self, root: Path) -> None:
        port = _closed_port()
        self.targets = [f"ssh://127.0.0.1:{port}", f"ssh://ops@127.0.0.1:{port}", "ftp://x", "aws:", "gcp:prod",
                        "ssh://u:secret@h", "ssh://h:port", "", "local:x", "\udcff"]
        files = {
            "tencent.json": (EXAMPLES / "tencent.json").read_bytes(),
            "broken.json": b'{"schema": "mlpscan.snapshot/1", "targets": [}',
            "deep.json": b"[" * 100_000 + b"]" * 100_000,
            "report.json": json.dumps({"schema": "mlpscan.report/1"}).encode(),
            "empty.yaml": b"",
            "config.yaml": f"system: {{level: 4}}\ntargets: ['ssh://127.0.0.1:{port}']\n"
                           f"output: {{dir: {root / 'cfg-out'}}}\n".encode(),
            "bad-config.yaml": b"system: {level: 3\n",
            "twice.yaml": f"targets: ['ssh://127.0.0.1:{port}', 'ssh://127.0.0.1:{port}']\n".encode(),
            "profile.yaml": b"id: bank\nextends: level3\nparams: {log_retention_days: 366}\n",
            "loose.yaml": b"id: loose\nextends: level3\nparams: {log_retention_days: 3}\n",
            "waivers.yaml": b"waivers:\n  - {check: '*', resource: '*', justification: j, approver: a, "
                            b"expires: 2099-01-01}\n",
            "hosts.ini": f"[web]\nweb-down ansible_host=127.0.0.1 ansible_port={port}\n".encode(),
            "bad.ini": b"[web\nx y z\n",
            "binary.bin": bytes(range(256)),
        }
        for name, data in files.items():
            (root / name).write_bytes(data)
        # a real report of the example, for --baseline
        assert main(["evaluate", str(root / "tencent.json"), "--format", "json", "--output-dir", str(root / "base"),
                     "--quiet"]) == 1
        # values that get a command past its checks, so the later stages are reached too
        self.good: dict[str, list[str]] = {
            "snapshot": [str(root / "tencent.json")], "output_dir": [str(root / "out"), "-"],
            "output": [str(root / "snap.json"), "-"],
            "format": ["table", "json", "sarif", "junit", "table,json,sarif,junit"],
            "profile": ["level3", str(root / "profile.yaml")], "config": [str(root / "config.yaml")],
            "waivers": [str(root / "waivers.yaml")], "baseline": [str(root / "base" / "mlpscan-report.json")],
            "status": ["fail,error", "all", "pass", "manual"], "severity": ["high", "critical,high", "low"],
            "checks": ["tencent.*", "cloud.*", "tencent.cam.user_login_mfa"], "exclude_checks": ["cloud.platform.*"],
            "provider": ["tencent", "host"], "fail_on": ["high", "none", "any"], "fail_on_errors": ["yes", "no"],
            "today": ["2026-11-21"], "sarif_category": ["prod"], "sarif_anchor": [".github/workflows/scan.yml"],
            "inventory": [str(root / "hosts.ini")], "targets": self.targets[:2], "connect_timeout": ["0.5"],
            "command_timeout": ["5"], "max_workers": ["2"], "api_workers": ["4"], "known_hosts": [str(root / "empty.yaml")],
        }
        (root / "a-directory").mkdir()
        (root / "fd-link").symlink_to("/proc/self/fd/1")
        # (reading devices and FIFOs as input is bounded by the readers, not by the command line)
        paths = [root / name for name in files] + [root / "a-directory", root / "missing.json"]
        self.files = [str(p) for p in paths] + ["", "a\0b", "\udcff.json", "x" * 5000]
        self.dirs = [str(root / "out"), str(root / "out" / "deeper"), str(root / "tencent.json" / "sub"),
                     str(root / "fd-link"), "-", "", "a\0b", str(root / "a-directory")]


def _value(action: argparse.Action, pools: Pools, rng: random.Random) -> str:
    if action.dest in pools.good and rng.random() < 0.6:
        return rng.choice(pools.good[action.dest])
    if rng.random() < 0.15:
        return rng.choice(GENERAL)
    if action.choices is not None and rng.random() < 0.8:
        return str(rng.choice(list(action.choices)))
    dest = action.dest
    if dest in ("output_dir", "output"):
        return rng.choice(pools.dirs)
    if dest in ("targets",):
        return rng.choice(pools.targets)
    if dest in ("content",):
        return rng.choice([*pools.dirs, *pools.files])
    if action.metavar in ("FILE", "REPORT", "NAME|PATH", "DIR") or dest in ("snapshot", "config", "waivers",
                                                                          "baseline", "inventory", "profile"):
        return rng.choice(pools.files)
    return rng.choice(GENERAL)


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
              ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    children = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not children:
        yield path, parser
    for action in children:
        for name, child in action.choices.items():
            yield from _commands(child, (*path, name))


def vectors(pools: Pools, rng: random.Random) -> Iterator[list[str]]:
    commands = list(_commands(build_parser()))
    for _ in range(CASES):
        path, parser = rng.choice(commands)
        argv = list(path)
        options = [a for a in parser._actions if a.option_strings and a.dest not in ("help", "ask_password")]
        for action in parser._actions:
            if not action.option_strings and action.nargs in (None, 1) and rng.random() < 0.9:
                argv.append(_value(action, pools, rng))
        for _ in range(rng.randint(0, 5)):
            action = rng.choice(options)
            flag = rng.choice(action.option_strings)
            argv += [flag] if action.nargs == 0 else [flag, _value(action, pools, rng)]
        if path[0] in ("scan", "collect"):   # never the local machine or a real cloud: a loopback host
            argv.insert(1, rng.choice(pools.targets))
        if rng.random() < 0.1:
            argv.insert(rng.randrange(len(argv) + 1), rng.choice(JUNK))
        yield argv


def _hung(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError("a command-line vector did not finish")


def test_generated_command_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))        # no ~/.ssh of the machine running the tests
    # the content is immutable once loaded: load each directory once (a failure is not cached)
    cached = functools.cache(load_content)
    monkeypatch.setattr("mlpscan.cli.load_content", cached)
    monkeypatch.setattr("mlpscan.planning.load_content", cached)
    monkeypatch.delenv("MLPSCAN_SSH_PASSWORD", raising=False)
    pools = Pools(tmp_path)
    rng = random.Random(SEED)
    seen: dict[int, int] = {}
    previous = signal.signal(signal.SIGALRM, _hung)
    try:
        for argv in vectors(pools, rng):
            signal.alarm(HANG_GUARD)
            code = main(argv)
            signal.alarm(0)
            _, err = capsys.readouterr()
            seen[code] = seen.get(code, 0) + 1
            assert code in (0, 1, 2, 3), (argv, code, err[-2000:])
            assert "Traceback" not in err, (argv, err[-2000:])
            if code == 2:
                problems = [line for line in err.splitlines() if not line.startswith("mlpscan: warning: ")]
                assert len(problems) == 1, (argv, err[-2000:])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert seen.get(2, 0) > CASES // 3          # most vectors are bad input ...
    assert sum(seen.get(c, 0) for c in (0, 1, 3)) > 10   # ... and some get all the way through
