"""Bounded retries with full-jitter exponential backoff, for SDKs that do not retry reads well.

A call is bounded twice: by its number of attempts and by a wall-clock deadline over all of them,
so an endpoint that accepts and never answers costs at most the deadline (plus one read timeout
already under way), not attempts x read timeout.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from mlpscan.providers.cloud.ratelimit import pace_retry
from mlpscan.providers.cloud.runner import ApiError

T = TypeVar("T")


def with_retries(
    attempt: Callable[[], T],
    retryable: Callable[[ApiError], bool],
    *,
    max_attempts: int,
    base: float,
    cap: float,
    deadline: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``attempt`` until it succeeds, fails for good, or ``max_attempts`` or ``deadline``
    seconds are spent.

    A retry first takes a token from the account's request budget, when the call runs under one
    (ratelimit.PacedApi). The last error is raised with the attempt count in its message, so an
    `error` finding says that throttling outlasted the retries rather than that one call failed.
    """
    started = clock()
    for number in range(1, max_attempts + 1):
        if number > 1:
            pace_retry()   # a retry spends the account's request budget like the first attempt
        try:
            return attempt()
        except ApiError as exc:
            if not retryable(exc):
                raise
            if number == max_attempts:
                raise ApiError(exc.code, f"{exc.message} (gave up after {max_attempts} attempts)") from exc
            pause = random.uniform(0, min(cap, base * 2 ** (number - 1)))
            spent = clock() - started
            if deadline is not None and spent + pause >= deadline:
                raise ApiError(exc.code, f"{exc.message} (gave up after {number} attempts and {spent:.0f} s: "
                                         f"the call's {deadline:.0f} s deadline)") from exc
            sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - max_attempts >= 1
