"""Running the session script: the shared pieces and the `local` transport.

Both transports (this one and `ssh`) feed the same script to `sh -s` on the host's stdin, so
what runs is exactly the declared command list. A failure to reach, trust or log in to a host
raises `HostError` with a short code; the collector turns it into an `error` for that host only.

A session is bounded in time and size: ``read_timeout`` is the longest silence, ``deadline``
the longest whole session, and the reader's limits cap what is kept. A session cut short keeps
the commands that completed; the others become errors naming why.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import IO

from mlpscan.providers.host.stream import SessionReader

SESSION_COMMAND = "sh -s"
SUDO_SESSION_COMMAND = "sudo -n sh -s"  # -n: never prompt; a password-protected sudo fails loudly
PASSWORD_ENV = "MLPSCAN_SSH_PASSWORD"
CHUNK = 65536


class HostError(Exception):
    """The host could not be reached, trusted or logged in to, or the session failed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SessionTimes:
    read_timeout: float = 120.0   # --command-timeout: the longest the host may stay silent
    deadline: float = 600.0       # --session-timeout: the longest a whole session may take


@dataclass(frozen=True)
class SessionEnd:
    """How a session ended: exit code, or why it was cut short (then `code` names it)."""

    exit_code: int | None
    code: str | None = None       # Timeout | OutputLimit | None when it ran to its end
    reason: str | None = None


class Clock:
    """The session's deadline, and how long the next wait may be."""

    def __init__(self, times: SessionTimes) -> None:
        self.times = times
        self.ends_at = time.monotonic() + times.deadline

    def remaining(self) -> float:
        return self.ends_at - time.monotonic()

    def next_wait(self) -> float:
        return max(0.0, min(self.times.read_timeout, self.remaining()))

    def expired_end(self, where: str) -> SessionEnd:
        if self.remaining() <= 0:
            return SessionEnd(None, "Timeout", f"the session on {where} did not finish within its "
                                               f"{self.times.deadline:g} s deadline (--session-timeout)")
        return SessionEnd(None, "Timeout", f"{where} sent nothing for {self.times.read_timeout:g} s "
                                           "(--command-timeout)")


def output_limit_end(reader: SessionReader) -> SessionEnd:
    return SessionEnd(None, "OutputLimit", f"the session's output passed {reader.limits.max_session_bytes} "
                                           "bytes (--max-session-output); reading stopped there")


def run_local(script: str, *, sudo: bool, times: SessionTimes, reader: SessionReader) -> SessionEnd:
    command = SUDO_SESSION_COMMAND if sudo else SESSION_COMMAND
    clock = Clock(times)
    try:
        process = subprocess.Popen(command.split(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        raise HostError("CommandFailed", f"cannot start {command!r}: {exc.strerror}") from None
    assert process.stdin is not None
    assert process.stdout is not None
    # written from a thread: a session that prints before reading all its input cannot deadlock us
    writer = threading.Thread(target=_write_and_close, args=(process.stdin, script.encode()), daemon=True)
    writer.start()
    end: SessionEnd | None = None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while end is None:
            wait = clock.next_wait()
            if wait <= 0 or not selector.select(wait):
                end = clock.expired_end("this host")
                break
            data = os.read(process.stdout.fileno(), CHUNK)
            if not data:
                break
            reader.feed(data)
            if reader.full:
                end = output_limit_end(reader)
    process.stdout.close()
    if end is not None:
        _stop(process)
        return end
    try:
        return SessionEnd(process.wait(timeout=max(clock.remaining(), 1.0)))
    except subprocess.TimeoutExpired:  # closed its output but went on running
        _stop(process)
        return clock.expired_end("this host")


def _write_and_close(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
        stream.close()
    except OSError:
        pass  # the session ended before reading its script; its output says what happened


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the session and everything it started (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        with contextlib.suppress(OSError):
            process.kill()
    # a root child of sudo may not be ours to signal: its output is closed, it ends on its next write
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
