"""What every area of the campaign shares: the figures, the table, running mlpscan in a guarded
subprocess, and the environment that keeps it on this machine."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Address space of every mlpscan process the campaign runs: a case that reads without end (a device
# named as an input) fails with MemoryError instead of taking the shared machine's memory.
MEMORY_LIMIT = 4 * 1024**3

FIGURES = ("tracebacks", "hangs", "crashes", "targets_lost", "false_passes", "leaks", "mutating_calls")
HEADINGS = {"tracebacks": "tracebacks", "hangs": "hangs", "crashes": "crashes",
            "targets_lost": "targets lost",
            "false_passes": "false passes", "leaks": "leaks", "mutating_calls": "mutating calls",
            "bad_messages": "bad exit-2 lines"}

# Every mlpscan subprocess imports this first (PYTHONPATH): like the suite's conftest, it lets
# sockets reach loopback only, and it refuses to resolve names other than localhost, so a
# mutated inventory or a misrouted SDK never leaves the machine. Each refusal is logged.
_GUARD = '''\
import ipaddress, os, socket

_log = os.environ.get("CAMPAIGN_NET_LOG")
_connect, _resolve = socket.socket.connect, socket.getaddrinfo


def _note(what):
    if _log:
        with open(_log, "a", encoding="utf-8") as sink:
            sink.write(what + "\\n")


def _loopback(host):
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _note(f"connect {address[0]!r}")
        raise ConnectionRefusedError(f"campaign: {address[0]!r} is not loopback")
    return _connect(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _loopback(host.decode() if isinstance(host, bytes) else host):
        _note(f"resolve {host!r}")
        raise socket.gaierror(socket.EAI_NONAME, f"campaign: {host!r} is not resolved off loopback")
    return _resolve(host, *args, **kwargs)


socket.socket.connect = connect
socket.getaddrinfo = getaddrinfo
'''


@dataclass
class Figures:
    """One row of the table: an area of the campaign and what it found."""

    area: str
    cases: int = 0
    tracebacks: int = 0
    hangs: int = 0
    crashes: int = 0
    targets_lost: int = 0
    false_passes: int = 0
    leaks: int = 0
    mutating_calls: int = 0
    bad_messages: int = 0
    seconds: float = 0.0
    applies: tuple[str, ...] = FIGURES
    notes: list[str] = field(default_factory=list)   # one line per defect, enough to reproduce it
    details: dict[str, object] = field(default_factory=dict)   # what was run, for the record

    def count(self, figure: str, note: str, times: int = 1) -> None:
        setattr(self, figure, getattr(self, figure) + times)
        self.notes.append(f"{HEADINGS[figure]}: {note}")


def render_table(rows: Sequence[Figures]) -> str:
    columns = ["area", "cases", *(HEADINGS[f] for f in FIGURES), HEADINGS["bad_messages"], "seconds"]
    lines = []
    for row in rows:
        cells = [row.area, str(row.cases)]
        for figure in (*FIGURES, "bad_messages"):
            cells.append(str(getattr(row, figure)) if figure in row.applies else "-")
        cells.append(f"{row.seconds:.0f}")
        lines.append(cells)
    total = ["total", str(sum(r.cases for r in rows))]
    for figure in (*FIGURES, "bad_messages"):
        applied = [r for r in rows if figure in r.applies]
        total.append(str(sum(getattr(r, figure) for r in applied)) if applied else "-")
    total.append(f"{sum(r.seconds for r in rows):.0f}")
    lines.append(total)
    widths = [max(len(c), *(len(line[i]) for line in lines)) for i, c in enumerate(columns)]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                              enumerate(zip(line, widths, strict=True))) + " |" for line in lines]
    return "\n".join(out)


def install_guard(directory: Path) -> Path:
    """Write the network guard where PYTHONPATH will find it; returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(_GUARD, encoding="utf-8")
    return directory


def base_env(home: Path, guard: Path, net_log: Path) -> dict[str, str]:
    """The environment of an mlpscan subprocess: no credentials, proxies or endpoints of this
    machine, its own HOME, and the network guard."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("AWS_", "ALIBABA_", "ALIYUN_", "TENCENTCLOUD_", "MLPSCAN_", "JOB_", "CI_",
                                 "SSH_AUTH_SOCK", "PYTHONPATH"))
            and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    return {**keep, "HOME": str(home), "COLUMNS": "120", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
            "AWS_EC2_METADATA_DISABLED": "true", "CAMPAIGN_NET_LOG": str(net_log),
            # the network guard, then this checkout's mlpscan (whatever else is installed)
            "PYTHONPATH": os.pathsep.join([str(guard), str(REPO / "src")]),
            "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials")}


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int | None        # None: killed at the wall-clock limit
    stdout: str
    stderr: str
    seconds: float

    @property
    def hung(self) -> bool:
        return self.code is None

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stderr


def run_mlpscan(args: Sequence[str], *, env: Mapping[str, str], cwd: Path, limit: float) -> Run:
    """`python -m mlpscan ARGS` with a wall-clock limit; the whole process group is killed past it."""
    argv = (sys.executable, "-m", "mlpscan", *args)
    started = time.monotonic()
    with subprocess.Popen(argv, cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, start_new_session=True) as process:
        limit_memory(process.pid)
        try:
            out, err = process.communicate(timeout=limit)
            code: int | None = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            code = None
    return Run(tuple(args), code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
               time.monotonic() - started)


def limit_memory(pid: int = 0) -> None:
    """Cap a process's address space (0: this process) at MEMORY_LIMIT."""
    with contextlib.suppress(OSError, ValueError):   # a process already gone, or a lower hard limit
        resource.prlimit(pid, resource.RLIMIT_AS, (MEMORY_LIMIT, resource.RLIM_INFINITY))
