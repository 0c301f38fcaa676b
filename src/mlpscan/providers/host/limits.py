"""Command-line values for the host session's bounds: byte sizes and durations."""

from __future__ import annotations

import argparse
import math
import re

DEFAULT_MAX_COMMAND_BYTES = 8 * 1024 * 1024     # the largest real command output seen is a few MB
DEFAULT_MAX_SESSION_BYTES = 64 * 1024 * 1024
DEFAULT_SESSION_TIMEOUT = 600.0                 # seconds; a healthy session takes a few

_SIZE = re.compile(r"^(?P<number>\d+)(?P<unit>[KMG]?)i?B?$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def byte_size(text: str) -> int:
    """`65536`, `512K`, `64M`, `1G` (binary units) -> bytes; at least 1 KiB."""
    match = _SIZE.match(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 65536, 512K, 64M, 1G)")
    size = int(match["number"]) * _UNITS[match["unit"].upper()]
    if size < 1024:
        raise argparse.ArgumentTypeError(f"{text!r} is below the 1K minimum")
    return size


def positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive, finite number of seconds")
    return seconds
