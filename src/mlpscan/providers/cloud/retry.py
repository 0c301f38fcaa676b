"""Bounded retries with full-jitter exponential backoff, for SDKs that do not retry reads well."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from mlpscan.providers.cloud.runner import ApiError

T = TypeVar("T")


def with_retries(
    attempt: Callable[[], T],
    retryable: Callable[[ApiError], bool],
    *,
    max_attempts: int,
    base: float,
    cap: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``attempt`` until it succeeds, fails for good, or ``max_attempts`` are spent.

    The last error is raised with the attempt count in its message, so an `error` finding says
    that throttling outlasted the retries rather than that one call failed.
    """
    for number in range(1, max_attempts + 1):
        try:
            return attempt()
        except ApiError as exc:
            if not retryable(exc):
                raise
            if number == max_attempts:
                raise ApiError(exc.code, f"{exc.message} (gave up after {max_attempts} attempts)") from exc
            sleep(random.uniform(0, min(cap, base * 2 ** (number - 1))))
    raise AssertionError("unreachable")  # pragma: no cover - max_attempts >= 1
