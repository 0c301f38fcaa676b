"""Security-group rules whose source is a prefix list (SourcePrefixListId), through the real SDK
against the fake: a list holding 0.0.0.0/0 is the world, in the Priority / Drop-before-Accept
order; one that could not be read makes the group an `error`, never a pass."""

from __future__ import annotations

from typing import Any

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Status
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.snapshot import Snapshot
from tests.fakes.aliyun_fake import AliyunFake
from tests.fakes.aliyun_prefix_lists import prefix_list
from tests.fakes.aliyun_world import permission, security_group
from tests.providers.aliyun.conftest import Scan

ACCOUNT = "1234567890123456"
REGION = "cn-hangzhou"
ADMIN = "aliyun.ecs.security_group_admin_ports"
RISKY = "aliyun.ecs.security_group_risky_ports"


def from_list(list_id: str, ports: str, *, policy: str = "Accept", priority: int = 1, number: int = 0,
              protocol: str = "TCP") -> dict[str, Any]:
    """A rule whose source is a prefix list: no CIDR, the list's id and name (DescribeSecurityGroupAttribute)."""
    return {**permission(protocol, ports, "", policy=policy, priority=priority, number=number),
            "SourcePrefixListId": list_id, "SourcePrefixListName": f"name-{list_id}"}


def seeded(fake: AliyunFake, groups: dict[int, list[dict[str, Any]]], *, padding: int = 0) -> dict[str, str]:
    """Prefix lists (after `padding` private ones, so the listing pages) and one group per entry."""
    world = fake.worlds[ACCOUNT]
    lists = [prefix_list(REGION, 900 + n, [f"10.{n % 250}.0.0/16"]) for n in range(padding)]
    named = {"world": prefix_list(REGION, 1, ["10.0.0.0/8", "0.0.0.0/0"]),
             "office": prefix_list(REGION, 2, ["10.0.0.0/8", "192.168.10.0/24"]),
             "v6": prefix_list(REGION, 3, ["::/0"], family="IPv6")}
    world.prefix_lists[REGION] = [*lists, *named.values()]
    world.security_groups[REGION] = [
        {**security_group(REGION, number, []), "Permissions": rules} for number, rules in groups.items()]
    return {name: listed["PrefixListId"] for name, listed in named.items()}


def statuses(snapshot: Snapshot, content: Content, check: str) -> dict[str, Status]:
    report = evaluate(snapshot, content, content.level_profile(3))
    return {f.resource.name or "": f.status for f in report.findings if f.check == check}


def test_a_prefix_list_holding_the_world_opens_ssh_in_priority_order(fake: AliyunFake, scan: Scan,
                                                                     content: Content) -> None:
    ids = {"world": "pl-zhou000001", "office": "pl-zhou000002", "v6": "pl-zhou000003"}
    assert seeded(fake, {
        1: [from_list(ids["world"], "22/22"), from_list(ids["world"], "3389/3389")],
        2: [from_list(ids["office"], "22/22"), from_list(ids["office"], "3389/3389")],
        # a Drop from the world list at a higher priority closes an Accept from 0.0.0.0/0
        3: [from_list(ids["world"], "22/22", policy="Drop", priority=1, number=1),
            permission("TCP", "22/22", "0.0.0.0/0", priority=10, number=2)],
        # at the same priority the Drop wins too; a Drop from a private list closes nothing
        4: [permission("TCP", "22/22", "0.0.0.0/0", priority=5, number=3),
            from_list(ids["world"], "22/22", policy="Drop", priority=5, number=4),
            from_list(ids["office"], "3389/3389", policy="Drop", priority=1, number=5),
            permission("TCP", "3389/3389", "0.0.0.0/0", priority=5, number=6)],
        # an IPv4 Drop does not close what an IPv6 world list opens
        5: [permission("TCP", "22/22", "0.0.0.0/0", policy="Drop", priority=1, number=7),
            from_list(ids["v6"], "22/22", priority=2, number=8)],
    }, padding=120) == ids   # the named lists come after 120 others: on the second page of 100
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert snapshot.errors == []
    assert len(fake.calls("DescribePrefixLists")) == 2
    lists = {r.name: r for r in snapshot.resources if r.type == "aliyun.ecs.prefix_list"}
    assert len(lists) == 123
    assert lists["list-1"].data["DescribePrefixListAttributes"] == [
        {"Cidr": "10.0.0.0/8", "Description": ""}, {"Cidr": "0.0.0.0/0", "Description": ""}]
    admin = statuses(snapshot, content, ADMIN)
    assert admin == {"sg-1": Status.FAIL, "sg-2": Status.PASS, "sg-3": Status.PASS, "sg-4": Status.FAIL,
                     "sg-5": Status.FAIL}
    groups = {r.name: r for r in snapshot.resources if r.type == "aliyun.ecs.security_group"}
    assert groups["sg-4"].data["WorldOpen"]["ports"] == [3389]
    assert groups["sg-1"].data["WorldOpenUnresolved"] == []
    risky = statuses(snapshot, content, RISKY)
    assert (risky["sg-1"], risky["sg-2"]) == (Status.FAIL, Status.PASS)


def test_a_prefix_list_that_could_not_be_read_makes_the_group_an_error(fake: AliyunFake, scan: Scan,
                                                                       content: Content) -> None:
    seeded(fake, {1: [from_list("pl-zhou000002", "22/22")],
                  2: [from_list("pl-zhou000009", "22/22")],                 # not among those listed
                  3: [permission("TCP", "443/443", "0.0.0.0/0")]})
    fake.fail("DescribePrefixListAttributes", "Forbidden.RAM", 403, region=REGION)
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    admin = statuses(snapshot, content, ADMIN)
    assert admin == {"sg-1": Status.ERROR, "sg-2": Status.ERROR, "sg-3": Status.PASS}
    report = evaluate(snapshot, content, content.level_profile(3))
    message = {f.resource.name: f.message for f in report.findings if f.check == ADMIN}
    assert "pl-zhou000002" in message["sg-1"]
    assert "Forbidden.RAM" in message["sg-1"]
    assert "not among the prefix lists listed in cn-hangzhou" in message["sg-2"]
    assert statuses(snapshot, content, RISKY)["sg-1"] is Status.ERROR


def test_a_denied_prefix_list_listing_is_an_error_for_the_groups_naming_one(fake: AliyunFake, scan: Scan,
                                                                            content: Content) -> None:
    seeded(fake, {1: [from_list("pl-zhou000001", "22/22")], 2: [permission("TCP", "22/22", "10.0.0.0/8")]})
    fake.fail("DescribePrefixLists", "Forbidden.RAM", 403, region=REGION)
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert [(e.type, e.operation, e.code) for e in snapshot.errors] == [
        ("aliyun.ecs.prefix_list", "ecs:DescribePrefixLists", "Forbidden.RAM")]
    assert statuses(snapshot, content, ADMIN) == {"sg-1": Status.ERROR, "sg-2": Status.PASS}
