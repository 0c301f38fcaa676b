"""What the hooks derive from the answers: open ports, retention, public buckets, admin policies."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from tests.fakes.tencent_accounts import rule

from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.derive import parse_time
from mlpscan.providers.tencent.exposure import exposure, port_ranges, security_group_exposure
from mlpscan.providers.tencent.identity import grants_everything
from mlpscan.providers.tencent.storage import expiration_days, public_policy
from mlpscan.snapshot import Resource


def opened(*rules: dict[str, Any]) -> tuple[list[int] | None, list[str]]:
    found = exposure(list(rules))
    return found["public_ports"], found["public_wide_ranges"]


def test_first_matching_rule_decides_like_tencent() -> None:
    assert opened(rule(0, "TCP", "3389", "0.0.0.0/0", "DROP"), rule(1, "ALL", "ALL", "0.0.0.0/0")) == (
        [], ["tcp 1-3388", "tcp 3390-65535", "udp 1-65535"])
    # rules are applied by PolicyIndex, not by the order of the answer
    assert opened(rule(1, "TCP", "22", "0.0.0.0/0"), rule(0, "TCP", "22", "0.0.0.0/0", "DROP")) == ([], [])


def test_narrow_ranges_become_ports_and_private_sources_are_ignored() -> None:
    assert opened(rule(0, "TCP", "80,443", "0.0.0.0/0"), rule(1, "UDP", "6379-6381", "0.0.0.0/0"),
                  rule(2, "TCP", "22", "10.0.0.0/8"), rule(3, "ICMP", "ALL", "0.0.0.0/0")) == (
        [80, 443, 6379, 6380, 6381], [])
    found = exposure([rule(0, "TCP", "443", "0.0.0.0/0"), rule(1, "TCP", "443", "0.0.0.0/0")])
    assert [r["PolicyIndex"] for r in found["public_ingress"]] == [0]   # the second rule decides nothing


def test_ipv6_world_and_port_templates() -> None:
    v6 = {**rule(0, "TCP", "23", ""), "Ipv6CidrBlock": "::/0"}
    assert opened(v6) == ([23], [])
    template = {**rule(1, "", "", "0.0.0.0/0"), "ServiceTemplate": {"ServiceId": "ppm-1", "ServiceGroupId": ""}}
    assert opened(v6, template) == (None, [])   # a port template not collected: the check says error
    assert opened(v6, {**template, "Action": "DROP"}) == ([23], [])   # an unknown DROP with nothing after it
    # each address family is decided on its own: an IPv4 DROP does not close an IPv6 ACCEPT
    assert opened({**rule(0, "TCP", "22", "0.0.0.0/0"), "Action": "DROP"}, {**rule(1, "TCP", "22", ""),
                                                                           "Ipv6CidrBlock": "::/0"}) == ([22], [])


def test_derived_fields_fail_with_the_call_they_come_from() -> None:
    group = Resource(target="tencent:1", type="tencent.vpc.security_group", uid="sg", region="ap-guangzhou",
                     data={"SecurityGroupId": "sg-1", "_failed_calls": {"DescribeSecurityGroupPolicies": "denied"}})
    context = HookContext(account=None, spec=None, resources=[group], errors=[])  # type: ignore[arg-type]
    [derived] = security_group_exposure(context)
    assert derived.data["public_ports"] is None
    assert derived.data["_failed_calls"] == dict.fromkeys(
        ["DescribeSecurityGroupPolicies", "public_ports", "public_wide_ranges", "public_ingress", "WorldOpenRanges",
         "WorldOpenUnresolved"], "denied")


@pytest.mark.parametrize(("text", "ranges"), [("ALL", [(1, 65535)]), ("22", [(22, 22)]),
                                              ("80, 8000-8080", [(80, 80), (8000, 8080)]), ("x", None)])
def test_port_ranges(text: str, ranges: list[tuple[int, int]] | None) -> None:
    assert port_ranges(text) == ranges


def test_lifecycle_expiration_covering_the_prefix() -> None:
    lifecycle = {"Rule": [
        {"Status": "Enabled", "Filter": {"Prefix": "cloudaudit/"}, "Expiration": {"Days": "400"}},
        {"Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": "1"}},
        {"Status": "Disabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": "7"}},
        {"Status": "Enabled", "Filter": {"Prefix": ""}, "Transition": [{"Days": "30"}]}]}
    assert expiration_days(lifecycle, "cloudaudit/") == 400
    assert expiration_days(lifecycle, "other/") is None
    assert expiration_days(None, "cloudaudit/") is None
    dated = {"Rule": [{"Status": "Enabled", "Prefix": "", "Expiration": {"Date": "2027-01-01T00:00:00Z"}}]}
    assert expiration_days(dated, "x", today=date(2026, 12, 1)) == 31


def test_bucket_policy_public_only_without_conditions() -> None:
    anyone = {"Statement": [{"Effect": "Allow", "Principal": {"qcs": ["*"]}, "Action": ["name/cos:GetObject"],
                             "Resource": ["*"]}]}
    narrowed = {"Statement": [{**anyone["Statement"][0], "Condition": {"ip_equal": {"qcs:ip": "10.0.0.0/8"}}}]}
    assert public_policy({"GetBucketPolicy": anyone}) is True
    assert public_policy({"GetBucketPolicy": narrowed}) is False
    assert public_policy({"GetBucketPolicy": None}) is False   # NoSuchBucketPolicy
    assert public_policy({}) is None                             # the call failed


def test_grants_everything() -> None:
    assert grants_everything({"version": "2.0", "statement": [{"effect": "allow", "action": "*", "resource": "*"}]})
    assert not grants_everything({"statement": [{"effect": "allow", "action": ["cvm:*"], "resource": ["*"]}]})
    assert not grants_everything({"statement": [{"effect": "deny", "action": ["*"], "resource": ["*"]}]})
    assert grants_everything(None) is None


def test_tencent_times() -> None:
    assert parse_time("2024-02-01 16:21:13") == datetime(2024, 2, 1, 8, 21, 13, tzinfo=timezone.utc)
    assert parse_time(1671681023555) == datetime(2022, 12, 22, 3, 50, 23, 555000, tzinfo=timezone.utc)
    assert parse_time("2022-12-19") is not None
    assert parse_time("") is None
    assert parse_time(0) is None
    assert parse_time("0000-00-00 00:00:00") is None
