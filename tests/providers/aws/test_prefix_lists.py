"""Security-group rules whose source is a managed prefix list, through the real boto3 clients
against moto: a list holding 0.0.0.0/0 is the world; one whose entries could not be read is an
`error`, never a pass. The unit tests hand the hook collected lists directly."""

from __future__ import annotations

from typing import Any

import pytest

from mlpscan.content import Content
from mlpscan.providers.aws.hooks import PREFIX_LISTS, world_open_ports
from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.snapshot import Resource
from tests.providers.aws.conftest import Seeder, evaluate_level, findings, scan
from tests.providers.aws.test_errors import MOTO_SIGNATURE_GAPS, auditor

REGION = "cn-north-1"
ADMIN = "aws.ec2.admin_ports_restricted"
RISKY = "aws.ec2.security_group_risky_ports"


def prefix_list(seeder: Seeder, name: str, cidrs: list[str], family: str = "IPv4") -> str:
    answer = seeder.client("ec2").create_managed_prefix_list(
        PrefixListName=name, AddressFamily=family, MaxEntries=10,
        Entries=[{"Cidr": cidr, "Description": name} for cidr in cidrs])
    found: str = answer["PrefixList"]["PrefixListId"]
    return found


def group(seeder: Seeder, name: str, *permissions: dict[str, Any]) -> None:
    ec2 = seeder.client("ec2")
    group_id = ec2.create_security_group(GroupName=name, Description=name)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=list(permissions))


def from_list(list_id: str, low: int, high: int | None = None, protocol: str = "tcp") -> dict[str, Any]:
    return {"IpProtocol": protocol, "FromPort": low, "ToPort": high or low, "PrefixListIds": [{"PrefixListId": list_id}]}


def aws_managed_s3(seeder: Seeder) -> str:
    lists = seeder.client("ec2").describe_managed_prefix_lists()["PrefixLists"]
    [found] = [p["PrefixListId"] for p in lists if p["PrefixListName"] == f"com.amazonaws.{REGION}.s3"]
    return str(found)


def by_group(report: Any, check: str) -> dict[str, str]:
    return {f.resource.name: f.status.value for f in findings(report, check)}


def test_a_prefix_list_holding_the_world_opens_ssh(moto: str, content: Content) -> None:
    seeder = Seeder(moto, REGION)
    world = prefix_list(seeder, "everyone", ["10.0.0.0/8", "0.0.0.0/0"])
    halves = prefix_list(seeder, "halves", ["0.0.0.0/1", "128.0.0.0/1"])
    office = prefix_list(seeder, "office", ["10.0.0.0/8", "192.168.10.0/24"])
    v6 = prefix_list(seeder, "everyone-v6", ["::/0"], family="IPv6")
    group(seeder, "pl-world", from_list(world, 22), from_list(world, 3389))
    group(seeder, "pl-halves", from_list(halves, 5900))
    group(seeder, "pl-office", from_list(office, 22), from_list(office, 3389))
    group(seeder, "pl-s3", from_list(aws_managed_s3(seeder), 22))   # AWS-managed: service ranges, not the world
    group(seeder, "pl-v6", from_list(v6, 0, 65535))
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=(REGION,))], content)
    assert found.errors == []
    lists = [r for r in found.resources if r.type == PREFIX_LISTS]
    assert {r.name for r in lists} >= {"everyone", "office", f"com.amazonaws.{REGION}.s3"}
    assert next(r for r in lists if r.name == "everyone").data["GetManagedPrefixListEntries"] == [
        {"Cidr": "10.0.0.0/8", "Description": "everyone"}, {"Cidr": "0.0.0.0/0", "Description": "everyone"}]
    report = evaluate_level(found, content)
    admin = by_group(report, ADMIN)
    assert {name: admin[name] for name in ("pl-world", "pl-halves", "pl-office", "pl-s3", "pl-v6")} == {
        "pl-world": "fail", "pl-halves": "fail", "pl-office": "pass", "pl-s3": "pass", "pl-v6": "fail"}
    risky = by_group(report, RISKY)
    assert (risky["pl-world"], risky["pl-office"], risky["pl-v6"]) == ("fail", "pass", "fail")
    world_group = next(r for r in found.resources if r.name == "pl-world")
    assert world_group.data["WorldOpenPorts"] == [22, 3389]
    assert world_group.data["WorldOpenUnresolved"] == []


def test_entries_that_could_not_be_read_make_the_group_an_error(moto: str, content: Content,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    seeder = Seeder(moto, REGION)
    office = prefix_list(seeder, "office", ["10.0.0.0/8"])
    group(seeder, "pl-office", from_list(office, 22))
    group(seeder, "world-too", from_list(office, 22), {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                                       "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    group(seeder, "no-list", {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                              "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    for name, value in auditor(seeder, denied=["ec2:GetManagedPrefixListEntries"]).items():
        monkeypatch.setenv(name, value)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=(REGION,))], content,
                 wanted=lambda kind: kind not in MOTO_SIGNATURE_GAPS)
    denied = [r for r in found.resources if r.type == PREFIX_LISTS and r.name == "office"]
    assert "GetManagedPrefixListEntries" in denied[0].data["_failed_calls"]
    report = evaluate_level(found, content)
    admin = by_group(report, ADMIN)
    # the list could be the world: unknown; a rule open to the world on the same port decides anyway
    assert (admin["pl-office"], admin["world-too"], admin["no-list"]) == ("error", "fail", "pass")
    [error] = [f for f in findings(report, ADMIN) if f.resource.name == "pl-office"]
    assert office in error.message
    assert "AccessDenied" in error.message
    assert by_group(report, RISKY)["pl-office"] == "error"


def test_a_prefix_list_id_not_listed_is_unresolved() -> None:
    group = Resource(target="aws:1", type="aws.ec2.security_group", uid="sg-1", region=REGION, data={
        "GroupId": "sg-1", "IpPermissions": [from_list("pl-0123456789abcdef0", 22)]})
    context = HookContext(account=None, spec=None, resources=[group], errors=[],  # type: ignore[arg-type]
                          related={PREFIX_LISTS: []})
    [found] = world_open_ports(context)
    assert found.data["WorldOpenRanges"] is None
    assert found.data["WorldOpenPorts"] is None
    assert found.data["WorldOpenUnresolved"] == [
        "prefix list pl-0123456789abcdef0: not among the prefix lists listed in cn-north-1"]
    # ICMP names no port: its source is never read
    icmp = group.model_copy(update={"data": {"IpPermissions": [from_list("pl-0123456789abcdef0", -1, -1, "icmp")]}})
    [found] = world_open_ports(HookContext(account=None, spec=None, resources=[icmp], errors=[],  # type: ignore[arg-type]
                                           related={}))
    assert found.data["WorldOpenRanges"] == []
