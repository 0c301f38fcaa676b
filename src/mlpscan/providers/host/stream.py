"""Cutting a session's output into command results as it arrives, within byte limits.

The session prints each command's output between two marker lines that carry a per-run random
nonce (see commands.build_script). This reader takes the bytes in chunks, never holds more
than the limits allow, and notes which command was cut short: a hostile or broken host that
prints gigabytes costs at most ``max_command_bytes`` per command and ``max_session_bytes`` read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlpscan.providers.host.commands import CommandResult, CommandSpec
from mlpscan.providers.host.limits import DEFAULT_MAX_COMMAND_BYTES, DEFAULT_MAX_SESSION_BYTES

PREAMBLE_BYTES = 4096   # what precedes the first marker: sudo's refusal, a login banner


@dataclass(frozen=True)
class OutputLimits:
    max_command_bytes: int = DEFAULT_MAX_COMMAND_BYTES
    max_session_bytes: int = DEFAULT_MAX_SESSION_BYTES


class _Capture:
    """The body of one command, kept up to the limit."""

    def __init__(self, command: str, limit: int) -> None:
        self.command = command
        self.limit = limit
        self.parts: list[bytes] = []
        self.kept = 0
        self.truncated = False

    def add(self, data: bytes) -> None:
        room = self.limit - self.kept
        if len(data) > room:
            self.truncated = True
            data = data[:max(room, 0)]
        if data:
            self.parts.append(data)
            self.kept += len(data)

    def text(self) -> str:
        body = b"".join(self.parts)
        if not self.truncated and body.endswith(b"\n"):
            body = body[:-1]  # the newline printf puts before the end marker
        return body.decode("utf-8", errors="replace")


class SessionReader:
    """Feed it the session's bytes; ask it for the results of the commands that completed."""

    def __init__(self, marker: str, commands: Sequence[CommandSpec], limits: OutputLimits = OutputLimits()):
        self.limits = limits
        self._specs: Mapping[str, CommandSpec] = {c.id: c for c in commands}
        self._begin = f"{marker} begin ".encode()
        self._end = f"{marker} end ".encode()
        self._longest_marker = len(self._end) + max((len(c.id) for c in commands), default=0) + 16
        self._pending = b""          # the start of a line not yet ended
        self._long_line = False      # the line in progress is too long to be a marker
        self._current: _Capture | None = None
        self._preamble = b""
        self._started = False        # a command has begun: nothing after that is preamble
        self.results: dict[str, CommandResult] = {}
        self.read = 0
        self.full = False            # max_session_bytes reached: the caller stops reading
        self.truncated_command: str | None = None

    def feed(self, data: bytes) -> None:
        if self.full:
            return
        room = self.limits.max_session_bytes - self.read
        if len(data) >= room:
            data = data[:room]
            self.full = True
        self.read += len(data)
        lines = (self._pending + data).split(b"\n")
        self._pending = lines.pop()
        for line in lines:
            self._line(line, ended=True)
        if len(self._pending) > self._longest_marker:
            self._line(self._pending, ended=False)
            self._pending = b""
        if self.full and self._current is not None:
            self._current.truncated = True
            self.truncated_command = self._current.command
            self._keep(self._current, exit_code=-1)

    def _line(self, line: bytes, *, ended: bool) -> None:
        newline = b"\n" if ended else b""
        if self._long_line or not line.startswith((self._begin, self._end)):
            self._long_line = not ended
            self._body(line + newline)
            return
        if line.startswith(self._begin):
            command = line[len(self._begin):].decode("ascii", errors="replace")
            if command in self._specs:
                self._started = True
                self._current = _Capture(command, self.limits.max_command_bytes)
            return
        words = line[len(self._end):].decode("ascii", errors="replace").split(" ")
        current = self._current
        if current is not None and len(words) == 2 and words[0] == current.command and words[1].isdigit():
            self._keep(current, exit_code=int(words[1]))
            self._current = None

    def _body(self, data: bytes) -> None:
        if self._current is not None:
            self._current.add(data)
        elif not self._started and len(self._preamble) < PREAMBLE_BYTES:
            self._preamble += data[:PREAMBLE_BYTES - len(self._preamble)]

    def _keep(self, capture: _Capture, exit_code: int) -> None:
        spec = self._specs[capture.command]
        self.results[spec.id] = CommandResult(
            id=spec.id, exit_code=exit_code, output=capture.text(),
            ok=exit_code in spec.ok_codes and not capture.truncated, truncated=capture.truncated)

    @property
    def preamble(self) -> str:
        """What the session printed before its first command (sudo's refusal, for one)."""
        return self._preamble.decode("utf-8", errors="replace")


def split_output(output: str, marker: str, commands: Sequence[CommandSpec],
                 limits: OutputLimits = OutputLimits()) -> dict[str, CommandResult]:
    """The results of a whole session's output at once (tests, and fixtures on disk)."""
    reader = SessionReader(marker, commands, limits)
    reader.feed(output.encode("utf-8", errors="surrogateescape"))
    reader.feed(b"\n")
    return reader.results
