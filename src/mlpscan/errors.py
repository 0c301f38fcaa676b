"""The one error type that reaches the user as a single line with exit code 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: a config, profile, check, waiver, snapshot or command-line value.

    Rendered as ``FILE:LINE: message`` so an editor can jump to it.
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
        return f"{where}{self.message}"
