"""Sharding: K/N from the command line or a job engine's environment, and the deal of the plan's units."""

from __future__ import annotations

from collections import Counter

import pytest

from mlpscan.errors import InputError
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.providers.host.spec import HostSpec
from mlpscan.shard import Shard, parse_shard, partition, requested_shard, shard_from_environment

HOSTS = [HostSpec(transport="ssh", host=f"10.0.{n // 250}.{n % 250}") for n in range(1000)]
REGIONS = ("cn-beijing", "cn-hangzhou", "cn-shanghai", "cn-shenzhen", "cn-hongkong")
CLOUDS = [CloudSource(provider="aliyun", role_arn=f"acs:ram::{1000 + n}:role/audit") for n in range(20)]
DECLARED = [CloudSource(provider="aws", profile="audit", regions=("cn-northwest-1", "cn-north-1"))]


@pytest.mark.parametrize(("text", "shard"), [("1/1", Shard(1, 1)), ("3/8", Shard(3, 8)), (" 8 / 8 ", Shard(8, 8))])
def test_k_of_n(text: str, shard: Shard) -> None:
    assert parse_shard(text) == shard


@pytest.mark.parametrize(("text", "said"), [("0/4", "does not exist"), ("5/4", "does not exist"),
                                            ("1/0", "must be 1 to"), ("2", "is not K/N"), ("a/b", "is not K/N"),
                                            ("-1/4", "is not K/N")])
def test_bad_shards_are_one_clear_line(text: str, said: str) -> None:
    with pytest.raises(InputError, match=said) as caught:
        parse_shard(text)
    assert "--shard" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_kubernetes_indexed_job_counts_from_zero() -> None:
    assert shard_from_environment({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "4"}) == Shard(1, 4)
    assert shard_from_environment({"JOB_COMPLETION_INDEX": "3", "JOB_COMPLETIONS": "4"}) == Shard(4, 4)


def test_gitlab_parallel_counts_from_one_and_mlpscan_shard_comes_first() -> None:
    assert shard_from_environment({"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "5"}) == Shard(2, 5)
    both = {"MLPSCAN_SHARD": "1/2", "JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "2"}
    assert shard_from_environment(both) == Shard(1, 2)


@pytest.mark.parametrize(("environ", "said"), [
    ({"JOB_COMPLETION_INDEX": "2"}, "JOB_COMPLETIONS is not"),
    ({"JOB_COMPLETION_INDEX": "4", "JOB_COMPLETIONS": "4"}, "shard 5 of 4 does not exist"),
    ({"JOB_COMPLETION_INDEX": "x", "JOB_COMPLETIONS": "4"}, "whole numbers"),
    ({}, "none of MLPSCAN_SHARD"),
])
def test_an_incomplete_environment_is_said(environ: dict[str, str], said: str) -> None:
    with pytest.raises(InputError, match=said):
        shard_from_environment(environ)


def test_no_shard_unless_asked() -> None:
    assert requested_shard(None, {"JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "2"}) is None
    assert requested_shard("auto", {"JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "2"}) == Shard(2, 2)
    assert requested_shard("2/3", {}) == Shard(2, 3)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 64])
def test_every_host_lands_in_exactly_one_shard_evenly(count: int) -> None:
    taken = Counter(host for k in range(1, count + 1) for host in partition(HOSTS, [], Shard(k, count)).hosts)
    assert set(taken) == {h.id for h in HOSTS}
    assert set(taken.values()) == {1}
    sizes = [len(partition(HOSTS, [], Shard(k, count)).hosts) for k in range(1, count + 1)]
    assert max(sizes) - min(sizes) <= 1


def test_the_same_plan_gives_the_same_partition_whatever_the_order_given() -> None:
    first = partition(HOSTS, CLOUDS, Shard(2, 5))
    again = partition(list(reversed(HOSTS)), list(reversed(CLOUDS)), Shard(2, 5))
    assert set(first.hosts) == set(again.hosts)
    assert {s.key: s.owns_account for s in first.sources} == {s.key: s.owns_account for s in again.sources}
    assert first.plan_digest(["aws.account"]) == again.plan_digest(["aws.account"])
    assert first.plan_digest(["aws.account"]) != first.plan_digest(["aws.account", "aws.iam.user"])
    assert first.plan_digest([]) != partition(HOSTS[1:], CLOUDS, Shard(2, 5)).plan_digest([])


@pytest.mark.parametrize("count", [1, 2, 4, 9])
def test_each_account_and_each_of_its_regions_land_in_exactly_one_shard(count: int) -> None:
    units: Counter[tuple[str, str | None]] = Counter()
    for k in range(1, count + 1):
        for share in partition(HOSTS[:10], CLOUDS, Shard(k, count)).sources:
            if share.owns_account:
                units[(share.key, None)] += 1
            units.update((share.key, r) for r in share.regions_taken(REGIONS))
    assert len(units) == len(CLOUDS) * (1 + len(REGIONS))
    assert set(units.values()) == {1}


def test_regions_are_dealt_on_the_declared_list_before_connecting() -> None:
    holders = {}
    for k in (1, 2, 3):
        [share] = partition([], DECLARED, Shard(k, 3)).sources
        holders[k] = (share.owns_account, share.regions_taken(["cn-north-1", "cn-northwest-1"]), share.may_hold())
    assert holders == {1: (True, [], True), 2: (False, ["cn-north-1"], True),
                       3: (False, ["cn-northwest-1"], True)}
    [idle] = partition([], DECLARED, Shard(4, 4)).sources
    assert not idle.may_hold()   # nothing of this account is dealt to shard 4: it is never contacted


def test_budget_sharers_count_the_shards_drawing_on_the_same_quota() -> None:
    [share] = partition([], DECLARED, Shard(2, 3)).sources
    regions = ["cn-north-1", "cn-northwest-1"]
    assert share.sharers("account", None, regions) == 3                # every shard holding a unit of it
    assert share.sharers("region", "cn-north-1", regions) == 2         # its holder and the account's
    assert share.sharers("account", None, regions, {"global"}) == 1    # IAM: the account-wide unit's shard
    assert share.sharers("account", None, regions, {"regional"}) == 2  # the regions' shards
    assert share.sharers("region", "cn-north-1", regions, {"regional"}) == 1
    [whole] = partition([], DECLARED, Shard(1, 1)).sources
    assert whole.sharers("account", None, regions) == 1


def test_a_source_given_twice_is_two_units() -> None:
    twice = [CloudSource(provider="tencent"), CloudSource(provider="tencent")]
    keys = [s.key for s in partition([], twice, Shard(1, 2)).sources]
    assert keys == ["tencent:default", "tencent:default #2"]
