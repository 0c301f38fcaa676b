"""Request budgets: token buckets on a fake clock, their split among shards, and retries that pay."""

from __future__ import annotations

import threading
from typing import Any

from mlpscan.config import Config
from mlpscan.planning import rate_limits
from mlpscan.providers.cloud.collect import _callers
from mlpscan.providers.cloud.ratelimit import DEFAULT_LIMITS, Budget, Limit, PacedApi, TokenBucket, limits_for
from mlpscan.providers.cloud.retry import with_retries
from mlpscan.providers.cloud.runner import ApiError
from mlpscan.providers.cloud.spec import Call, load_resource_file
from tests.conftest import REPO


class Clock:
    """Time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_a_bucket_serves_its_burst_at_once_then_its_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(Limit(rate=20, burst=100), clock, clock.sleep)
    for _ in range(100):
        bucket.take()
    assert clock.now == 0.0
    for _ in range(40):
        bucket.take()
    assert abs(clock.now - 2.0) < 1e-9        # 40 more at 20 a second
    assert abs(bucket.waited - 2.0) < 1e-9   # each of them waited a twentieth of a second


def test_a_shard_takes_its_part_of_a_shared_budget() -> None:
    assert Limit(rate=18, burst=2).shared(4) == Limit(rate=4.0, burst=1.0)   # 4 x (1 + 4) = 18 + 2
    assert Limit(rate=20, burst=100, scope="region").shared(2) == Limit(rate=10, burst=50, scope="region")
    assert Limit(rate=18, burst=2).shared(1) == Limit(rate=18, burst=2)


def test_buckets_are_per_action_and_region_as_the_provider_counts() -> None:
    clock = Clock()
    sharers: list[tuple[str, str | None, str, str]] = []

    def count(scope: str, region: str | None, service: str, action: str) -> int:
        sharers.append((scope, region, service, action))
        return 2

    budget = Budget(limits_for("aws"), count, clock, clock.sleep)   # ec2: 18/s, 90 at once, per region
    for region in ("cn-north-1", "cn-northwest-1"):
        for _ in range(45):
            budget.take("ec2", "DescribeInstances", region)
    for _ in range(45):
        budget.take("ec2", "DescribeVolumes", "cn-north-1")
    assert clock.now == 0.0                   # three buckets of 45 (90 split between 2 shards)
    budget.take("ec2", "DescribeInstances", "cn-north-1")
    assert abs(clock.now - 1 / 9) < 1e-9      # the 46th waits for a token at 9 a second
    budget.take("iam", "ListUsers", None)     # no budget for IAM: never waits
    assert abs(clock.now - 1 / 9) < 1e-9
    assert sharers == [("region", "cn-north-1", "ec2", "DescribeInstances"),
                       ("region", "cn-northwest-1", "ec2", "DescribeInstances"),
                       ("region", "cn-north-1", "ec2", "DescribeVolumes")]


class FlakyApi:
    """Answers throttled the first ``throttled`` times, through the real retry loop."""

    def __init__(self, throttled: int) -> None:
        self.throttled = throttled
        self.attempts = 0

    def call(self, call: Call, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            self.attempts += 1
            if self.attempts <= self.throttled:
                raise ApiError("RequestLimitExceeded", "slow down")
            return {"ok": True}
        return with_retries(attempt, lambda _: True, max_attempts=5, base=0.0, cap=0.0)


def test_every_retry_takes_a_token_too() -> None:
    clock = Clock()
    budget = Budget({"*": Limit(rate=1, burst=1)}, lambda scope, region, service, action: 1, clock, clock.sleep)
    api = PacedApi(FlakyApi(throttled=2), budget, threading.Semaphore(1))
    assert api.call(Call(call="cvm:DescribeInstances"), "ap-guangzhou", {}) == {"ok": True}
    assert abs(clock.now - 2.0) < 1e-9        # three attempts at one a second: two waits


def test_defaults_name_the_published_limits_and_the_config_overrides_them() -> None:
    assert DEFAULT_LIMITS["aws"]["ec2"] == Limit(rate=18, burst=90, scope="region", per="action")
    assert DEFAULT_LIMITS["tencent"]["*"] == Limit(rate=15, burst=1)
    tencent = Budget(limits_for("tencent"), lambda scope, region, service, action: 1)
    assert tencent.limit_for("cvm") == Limit(rate=15, burst=1)
    assert tencent.limit_for("cos") is None          # COS is not behind the cloud API gateway
    config = Config.model_validate({"rate_limits": {"aws": {"ec2": {"rate": 5}, "*": {"rate": 2, "per": "service"}},
                                                    "tencent": {"cvm": {"rate": 4, "burst": 4}}}})
    aws = rate_limits("aws", config.rate_limits["aws"])
    assert aws["ec2"] == Limit(rate=5, burst=90, scope="region")            # the rest from the built-in
    assert aws["*"] == Limit(rate=2, burst=2, scope="account", per="service")
    assert rate_limits("tencent", config.rate_limits["tencent"])["cvm"] == Limit(rate=4, burst=4)
    assert limits_for("aws", aws)["ec2"].rate == 5


def test_who_calls_what_comes_from_the_resource_manifest() -> None:
    callers = _callers(load_resource_file(REPO, "tencent").resources)
    assert callers["cam:ListUsers"] == {"global"}                       # only the account-wide unit's shard
    assert callers["vpc:DescribeSecurityGroupPolicies"] == {"regional"}  # only the regions' shards
    assert callers["cam"] == {"global"}
