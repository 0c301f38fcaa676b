"""The one error type that reaches the user as a single line with exit code 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: a config, profile, check, waiver, snapshot or command-line value.

    Rendered as ``FILE:LINE: message`` so an editor can jump to it, and always on one line:
    whatever a parser or a library put in the message (a caret diagram, a quoted value with a
    newline) is folded, so that a CI log shows one line per problem.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return one_line(f"{where}{self.message}")


def one_line(text: str) -> str:
    """Every run of whitespace (newlines included) as one space; unprintable characters escaped."""
    folded = " ".join(text.split())
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in folded)


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for quoting untrusted input in a message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
