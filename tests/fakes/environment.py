"""Run with exactly these credentials in the environment, restoring the machine's afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


@contextmanager
def only_these(cleared: Iterable[str], **values: str) -> Iterator[None]:
    """Remove every variable in ``cleared``, set ``values``; put everything back on exit."""
    saved = {name: os.environ.pop(name, None) for name in {*cleared, *values}}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
