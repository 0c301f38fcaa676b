"""Argument types shared by the command line's modules."""

from __future__ import annotations

import argparse
from pathlib import Path


def path_argument(text: str) -> Path:
    """A path the user gave; a NUL byte would only fail later, deep in the system calls."""
    if "\0" in text:
        raise argparse.ArgumentTypeError("a path may not contain a NUL byte")
    return Path(text)
