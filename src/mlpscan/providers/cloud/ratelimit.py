"""Per-account request budgets: token buckets that make too many calls wait instead of fail.

Every cloud throttles an account's API calls (AWS EC2: a token bucket per action and region;
Alibaba Cloud: a quota per action, region and account; Tencent Cloud: 20 calls a second per
action). Retrying throttled calls works for one process, but shards and workers that all retry
keep the account throttled and end in `error` findings. So every call, and every retry of it,
first takes a token from the account's bucket for that service (and action, and region, as the
provider counts). The workers of one process share the buckets. Shards are separate processes
that share nothing: each takes an equal part of the budget, divided by the number of shards that
draw on the same provider quota (`SourceShare.sharers`), so together they stay within it; a shard
that finishes early leaves its part unused, which costs time, never a throttling error.

The defaults come from the providers' published limits and sit a little under them, because a
provider counts calls when they arrive, not when they leave; `rate_limits:` in mlpscan.yaml
overrides them (docs in README "Fleets").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal

from mlpscan.providers.cloud.runner import Api
from mlpscan.providers.cloud.spec import Call

Scope = Literal["account", "region"]
Per = Literal["action", "service"]
ANY_SERVICE = "*"


@dataclass(frozen=True)
class Limit:
    """A token bucket: ``rate`` calls a second on average, at most ``burst`` at once."""

    rate: float
    burst: float
    scope: Scope = "account"   # one bucket for the account, or one per region
    per: Per = "action"        # one bucket per action, or one for the whole service

    def shared(self, sharers: int) -> Limit:
        """This shard's part of a budget ``sharers`` shards draw on: the parts add up to the whole in
        any window (burst + rate x seconds), even when a part's burst must be rounded up to one call."""
        if sharers <= 1:
            return self
        rate, burst = self.rate / sharers, self.burst / sharers
        if burst < 1:   # a bucket holds at least one token: what it adds is taken from the rate
            rate = max(rate - (1 - burst), rate / 10)
            burst = 1.0
        return replace(self, rate=rate, burst=burst)


# Published limits (looked up 2026-12) and buckets 10-20 % under them: a provider counts calls as
# they arrive, and arrivals bunch (measured: a budget at exactly the quota was throttled a few times
# on a loaded machine).
# - AWS EC2 "Request throttling for the Amazon EC2 API": per account and region, per action; the
#   non-mutating (Describe*) actions have a bucket of 100 tokens refilled at 20 a second.
# - Alibaba Cloud ECS 2014-05-26 API rate quotas: per account, region and action, mostly 1000
#   calls per 60 s for the Describe* actions (50 + 60 x 14 = 890 in any minute).
# - Alibaba Cloud RAM 2015-05-01 quotas: 100 calls per second per action and account (RAM is
#   global): 80/s with 5 at once.
# - Tencent Cloud "API 频率限制说明": 20 calls per second per action by default (per action,
#   access region and sub-account; all of a scan's calls share one access region): 15/s with 1 at
#   once. COS is not behind that gateway and has limits of its own (per bucket, thousands a
#   second): no budget.
# None: explicitly no budget (a service the provider-wide entry must not cover).
DEFAULT_LIMITS: dict[str, dict[str, Limit | None]] = {
    "aws": {"ec2": Limit(rate=18, burst=90, scope="region")},
    "aliyun": {"ecs": Limit(rate=14, burst=50, scope="region"), "ram": Limit(rate=80, burst=5)},
    "tencent": {ANY_SERVICE: Limit(rate=15, burst=1), "cos": None},
}


class TokenBucket:
    """Thread-safe; a caller that finds no token reserves the next one and sleeps until it is due,
    so callers are served in the order they came and never spin."""

    def __init__(self, limit: Limit, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = limit.rate
        self.burst = limit.burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = limit.burst
        self._stamp = clock()
        self._lock = threading.Lock()
        self.waited = 0.0          # seconds spent waiting, for the record

    def take(self) -> None:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
            self.waited += wait
        if wait > 0:
            self._sleep(wait)


# How many shards draw on the bucket of (scope, region, service, action): SourceShare.sharers
Sharers = Callable[[Scope, str | None, str, str], int]


class Budget:
    """One account's buckets, made when first needed."""

    def __init__(self, limits: Mapping[str, Limit | None], sharers: Sharers,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.limits = dict(limits)
        self.sharers = sharers
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def limit_for(self, service: str) -> Limit | None:
        if service in self.limits:
            return self.limits[service]
        return self.limits.get(ANY_SERVICE)

    def take(self, service: str, action: str, region: str | None) -> None:
        limit = self.limit_for(service)
        if limit is None:
            return
        region_of = region if limit.scope == "region" else None
        key = (service, action if limit.per == "action" else "", region_of or "")
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                share = limit.shared(self.sharers(limit.scope, region_of, service, key[1]))
                bucket = TokenBucket(share, self._clock, self._sleep)
                self._buckets[key] = bucket
        bucket.take()

    @property
    def waited(self) -> float:
        with self._lock:
            return sum(b.waited for b in self._buckets.values())


# The budget of the call in progress on this thread, so that every retry takes a token too
# (cloud/retry.py asks before each attempt after the first).
_PACER: ContextVar[Callable[[], None] | None] = ContextVar("mlpscan_pacer", default=None)


def pace_retry() -> None:
    """Called by the retry loop before a second or later attempt of the current call."""
    pacer = _PACER.get()
    if pacer is not None:
        pacer()


@contextmanager
def _pacing(pacer: Callable[[], None]) -> Iterator[None]:
    token = _PACER.set(pacer)
    try:
        yield
    finally:
        _PACER.reset(token)


class PacedApi:
    """An account's Api whose every call, and every retry of it, first takes a token.

    A call waits for its token before it takes one of the ``in_flight`` slots (--api-workers): the
    pool runs more threads than slots, so calls waiting on one exhausted budget leave the slots to
    calls of other actions and accounts instead of holding them while they sleep."""

    def __init__(self, api: Api, budget: Budget, in_flight: threading.Semaphore) -> None:
        self.api = api
        self.budget = budget
        self.in_flight = in_flight

    def call(self, call: Call, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        def pacer() -> None:
            self.budget.take(call.service, call.action, region)
        pacer()
        with self.in_flight, _pacing(pacer):
            return self.api.call(call, region, params)


def limits_for(provider: str, *overrides: Mapping[str, Limit]) -> dict[str, Limit | None]:
    """The provider's defaults with the config's overrides (later ones win), per service."""
    merged: dict[str, Limit | None] = dict(DEFAULT_LIMITS.get(provider, {}))
    for override in overrides:
        merged.update(override)
    return merged
