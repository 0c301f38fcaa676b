"""What the hooks derive: world-open ports, log retention of a trail's destinations, idleness."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from mlpscan.providers.aliyun.hooks import _bucket_retention, mask_key_id, user_activity, world_open_ports
from mlpscan.providers.cloud.runner import Account, HookContext
from mlpscan.providers.cloud.spec import ResourceSpec
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource
from tests.fakes.aliyun_fake import AliyunFake
from tests.fakes.aliyun_world import Bucket, trail
from tests.providers.aliyun.conftest import Scan

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)
SPEC = ResourceSpec.model_validate({"type": "aliyun.ecs.security_group", "scope": "regional",
                                    "list": {"call": "ecs:DescribeSecurityGroups"}, "uid": "x"})


def context(*resources: Resource) -> HookContext:
    return HookContext(Account("aliyun:1", api=None, regions=[]), SPEC, list(resources), [])  # type: ignore[arg-type]


def group(rules: list[dict[str, Any]], **data: Any) -> Resource:
    return Resource(target="aliyun:1", type="aliyun.ecs.security_group", uid="sg-1",
                    data={"DescribeSecurityGroupAttribute": rules, **data})


def rule(ports: str, source: str = "0.0.0.0/0", protocol: str = "TCP", **extra: str) -> dict[str, str]:
    return {"Direction": "ingress", "IpProtocol": protocol, "PortRange": ports, "SourceCidrIp": source,
            "Policy": "Accept", **extra}


@pytest.mark.parametrize(("rules", "ports", "wide"), [
    ([rule("22/22"), rule("3380/3390")], [*list(range(3380, 3391)), 22], []),
    ([rule("22/22", source="10.0.0.0/8")], [], []),
    ([rule("6379/6379", source="", Ipv6SourceCidrIp="::/0")], [6379], []),
    ([rule("-1/-1", protocol="ALL")], [], ["TCP 1/65535", "UDP 1/65535"]),
    ([rule("1/65535", protocol="UDP")], [], ["UDP 1/65535"]),
    ([rule("-1/-1", protocol="ICMP"), rule("445/445", Policy="Drop")], [], []),
])
def test_world_open_ports(rules: list[dict[str, Any]], ports: list[int], wide: list[str]) -> None:
    [found] = world_open_ports(context(group(rules)))
    assert found.data["WorldOpen"]["ports"] == sorted(ports)
    assert found.data["WorldOpen"]["wide_ranges"] == wide


# The order cases of DescribeSecurityGroupAttribute: Priority "1" is the highest (the API answers
# it as a string), and at the same priority Drop wins over Accept; each address family on its own.
@pytest.mark.parametrize(("name", "rules", "ports"), [
    ("a higher-priority drop closes a later accept",
     [rule("22/22", Priority="10"), rule("22/22", Policy="Drop", Priority="1")], []),
    ("a lower-priority drop does not close an earlier accept",
     [rule("22/22", Priority="1"), rule("22/22", Policy="Drop", Priority="10")], [22]),
    ("drop before accept at the same priority, whatever the listing order",
     [rule("22/22", Priority="5"), rule("20/30", Policy="Drop", Priority="5")], []),
    ("a drop of part of a range leaves the rest open",
     [rule("20/25", Priority="2"), rule("22/22", Policy="drop", Priority="1")], [20, 21, 23, 24, 25]),
    ("a drop for a narrower source does not close the world",
     [rule("22/22", Priority="5"), rule("22/22", source="1.2.3.0/24", Policy="Drop", Priority="1")], [22]),
    ("an IPv4 drop does not close an IPv6 accept",
     [rule("22/22", Policy="Drop", Priority="1"),
      rule("22/22", source="", Ipv6SourceCidrIp="::/0", Priority="2")], [22]),
    ("priority 100 comes after priority 9 (numbers, not text)",
     [rule("3389/3389", Priority="100"), rule("3389/3389", Policy="Drop", Priority="9")], []),
    ("no priority is the default 1",
     [rule("445/445", Policy="Drop"), rule("445/445", Priority="2")], []),
])
def test_effective_exposure_follows_priority_and_drop_first(name: str, rules: list[dict[str, Any]],
                                                             ports: list[int]) -> None:
    [found] = world_open_ports(context(group(rules)))
    assert found.data["WorldOpen"]["ports"] == ports, name
    assert [p for r in found.data["WorldOpenRanges"] for p in range(r["FromPort"], r["ToPort"] + 1)] == ports


@pytest.mark.parametrize("extra", [{"PortRangeListId": "prl-2ze8yjtq"}, {"Priority": "high"}])
def test_ports_that_cannot_be_resolved_are_unknown_not_closed(extra: dict[str, str]) -> None:
    [found] = world_open_ports(context(group([rule("22/22", **extra)])))
    assert found.data["WorldOpen"]["ports"] is None
    assert found.data["WorldOpenRanges"] is None
    assert found.data["WorldOpen"]["unresolved"]


def test_a_failed_rule_read_fails_the_derived_ports() -> None:
    broken = Resource(target="aliyun:1", type="aliyun.ecs.security_group", uid="sg-1",
                      data={FAILED_CALLS_KEY: {"DescribeSecurityGroupAttribute": "ecs:DescribeSecurityGroupAttribute X"}})
    [found] = world_open_ports(context(broken))
    assert "WorldOpen" not in found.data
    assert "WorldOpen" in found.data[FAILED_CALLS_KEY]


@pytest.mark.parametrize(("prefix", "rules", "days", "unlimited"), [
    ("", None, None, True),                                                               # no lifecycle
    ("", [{"Status": "Enabled", "Prefix": "", "Expiration": {"Days": 90}}], 90, False),  # whole bucket
    ("trail", [{"Status": "Enabled", "Prefix": "trail/AliyunLogs/", "Expiration": {"Days": 30}},
               {"Status": "Enabled", "Prefix": "images/", "Expiration": {"Days": 1}}], 30, False),
    ("", [{"Status": "Disabled", "Prefix": "", "Expiration": {"Days": 1}}], None, True),
    ("", [{"Status": "Enabled", "Prefix": "AliyunLogs/Actiontrail/", "Expiration": {"Days": 7}}], 7, False),
    ("", [{"Status": "Enabled", "Prefix": "", "Expiration": {"CreatedBeforeDate": "2026-10-22"}}], 30, False),
])
def test_bucket_retention(prefix: str, rules: list[dict[str, Any]] | None, days: int | None,
                          unlimited: bool) -> None:
    lifecycle = None if rules is None else {"LifecycleConfiguration": {"Rule": rules}}
    found = _bucket_retention("logs", prefix, lifecycle, NOW)
    assert (found["days"], found["unlimited"]) == (days, unlimited)


def test_trail_retention_through_the_fake(fake: AliyunFake, scan: Scan) -> None:
    world = fake.worlds["1234567890123456"]
    world.trails = [trail(world.account_id, "short-store-long-bucket", "cn-hangzhou", project="actiontrail-acme",
                          bucket="acme-trail-logs"),
                    trail(world.account_id, "missing-store", "cn-shanghai", project="actiontrail-gone")]
    world.logstores[("actiontrail-acme", "actiontrail_short-store-long-bucket")] = {"ttl": 30}
    world.buckets[0] = Bucket("acme-trail-logs", "cn-hangzhou",
                              lifecycle=[{"ID": "pictures", "Prefix": "img/", "Days": 3}])
    snapshot = scan(fake)
    retention = {r.name: r.data["LogRetention"] for r in snapshot.resources if r.type == "aliyun.actiontrail.trail"}
    assert retention["short-store-long-bucket"]["unlimited"] is True     # the img/ rule cannot reach the logs
    assert retention["short-store-long-bucket"]["longest_days"] == 30
    assert retention["missing-store"]["longest_days"] == 0
    assert "LogStoreNotExist" in retention["missing-store"]["evidence"]


def test_user_activity_masks_keys_and_reports_failed_inputs() -> None:
    user = Resource(target="aliyun:1", type="aliyun.ram.user", uid="u", data={
        "CreateDate": "2026-01-01T00:00:00Z", "GetLoginProfile": {"UserName": "u"},
        "ListAccessKeys": [{"AccessKeyId": "LTAI5tABCDEFGH12345678", "Status": "Active",
                            "CreateDate": "2026-06-01T00:00:00Z"},
                           {"AccessKeyId": "LTAI5tOLDOLDOLD9999", "Status": "Inactive"}],
        "GetAccessKeyLastUsed": [{"UserAccessKeyId": "LTAI5tABCDEFGH12345678", "LastUsedDate": ""}],
        FAILED_CALLS_KEY: {"GetUser": "ram:GetUser Forbidden.RAM"}})
    [found] = user_activity(context(user), clock=lambda: NOW)
    assert "LoginActivity" not in found.data
    assert "ram:GetUser" in found.data[FAILED_CALLS_KEY]["LoginActivity"]
    keys = found.data["AccessKeyActivity"]
    assert (keys["active_keys"], keys["max_idle_days"]) == (1, 173)      # never used: counted from creation
    assert "LTAI5tABCDEFGH12345678" not in str(found.data)
    assert mask_key_id("LTAI5tABCDEFGH12345678") == "LTAI****5678"
