"""What the hooks derive: world-open ports, log retention of a trail's destinations, idleness, the
zones of a cluster's worker nodes."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest

from mlpscan.providers.aliyun.export import bucket_data_export, database_data_export, trail_data_export
from mlpscan.providers.aliyun.hooks import (
    _bucket_retention,
    acl_world_open_ports,
    mask_key_id,
    nat_forwarded_ports,
    user_activity,
    world_open_ports,
)
from mlpscan.providers.aliyun.node_zones import cluster_node_zones, node_zones
from mlpscan.providers.cloud.address_sets import NamedSets, Unresolved
from mlpscan.providers.cloud.runner import Account, HookContext
from mlpscan.providers.cloud.spec import ResourceSpec
from mlpscan.snapshot import FAILED_CALLS_KEY, CollectionError, Resource
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


# -- network ACLs, NAT gateways and where data goes -----------------------------------------------

def acl(entries: list[dict[str, str]]) -> Resource:
    return Resource(target="aliyun:1", type="aliyun.vpc.network_acl", uid="nacl-1",
                    data={"IngressAclEntries": {"IngressAclEntry": entries}})


def entry(ports: str, policy: str = "accept", source: str = "0.0.0.0/0", protocol: str = "tcp") -> dict[str, str]:
    return {"Port": ports, "Policy": policy, "SourceCidrIp": source, "Protocol": protocol}


@pytest.mark.parametrize(("entries", "ports", "wide"), [
    ([entry("22/22", "drop"), entry("1/1024")], [p for p in range(1, 1025) if p != 22], []),
    ([entry("1/1024"), entry("22/22", "drop")], list(range(1, 1025)), []),          # the accept came first
    ([entry("22/22", source="10.0.0.0/8")], [], []),
    ([entry("-1/-1", protocol="all")], [], ["TCP 1/65535", "UDP 1/65535"]),
    ([entry("-1/-1", protocol="icmp")], [], []),
])
def test_network_acl_entries_apply_in_order(entries: list[dict[str, str]], ports: list[int], wide: list[str]) -> None:
    [done] = acl_world_open_ports(context(acl(entries)))
    assert done.data["WorldOpen"]["ports"] == ports
    assert done.data["WorldOpen"]["wide_ranges"] == wide


def test_network_acl_without_its_entries_is_failed_not_open() -> None:
    bare = Resource(target="aliyun:1", type="aliyun.vpc.network_acl", uid="nacl-1", data={})
    [done] = acl_world_open_ports(context(bare))
    assert "WorldOpen" not in done.data
    assert set(done.data[FAILED_CALLS_KEY]) == {"WorldOpen", "WorldOpenRanges"}


def dnat(port: str, protocol: str = "TCP", status: str = "Available", external: str = "47.96.0.20") -> dict[str, str]:
    return {"ExternalIp": external, "ExternalPort": port, "IpProtocol": protocol, "Status": status}


def test_nat_forwarded_ports_count_ranges_mappings_and_skip_pending_entries() -> None:
    def gateway(*entries: dict[str, str]) -> Resource:
        return Resource(target="aliyun:1", type="aliyun.vpc.nat_gateway", uid="ngw-1",
                        data={"ForwardTableEntries": list(entries)})

    [ports] = nat_forwarded_ports(context(gateway(dnat("443"), dnat("3306/3307"), dnat("22", status="Pending"),
                                                  dnat("1024/65535", "UDP"))))
    assert ports.data["ForwardedPorts"]["ports"] == [443, 3306, 3307]
    assert ports.data["ForwardedPorts"]["wide_ranges"] == ["UDP 1024/65535"]
    [mapped] = nat_forwarded_ports(context(gateway(dnat("443"), dnat("Any", "Any", external="47.96.0.21"))))
    assert mapped.data["ForwardedPorts"]["wide_ranges"] == ["TCP 1/65535", "UDP 1/65535"]
    assert mapped.data["ForwardedPorts"]["ip_mappings"] == ["47.96.0.21"]
    failed = Resource(target="aliyun:1", type="aliyun.vpc.nat_gateway", uid="ngw-1",
                      data={FAILED_CALLS_KEY: {"ForwardTableEntries": "vpc:DescribeForwardTableEntries Throttling"}})
    [done] = nat_forwarded_ports(context(failed))
    assert "Throttling" in done.data[FAILED_CALLS_KEY]["ForwardedPorts"]


def bucket_with(replication: Any) -> Resource:
    return Resource(target="aliyun:1", type="aliyun.oss.bucket", uid="b", region="cn-shanghai",
                    data={"Name": "b", "GetBucketReplication": replication})


def test_replication_destinations_come_from_the_rules_location() -> None:
    rules = [{"ID": "r1", "Destination": {"Bucket": "b-dr", "Location": "oss-ap-southeast-1"}}]
    [done] = bucket_data_export(context(bucket_with(rules)))
    assert done.data["DataExports"] == [
        {"kind": "replication", "via": "replication rule r1", "destination": "bucket b-dr",
         "region": "ap-southeast-1", "partition": None, "unknown": None}]
    [none] = bucket_data_export(context(bucket_with(None)))
    assert none.data["DataExports"] == []
    # a rule that names no region cannot be placed: an entry saying so (judged error), never "nothing leaves"
    [unplaced] = bucket_data_export(context(bucket_with([{"ID": "r2", "Destination": {"Bucket": "x"}}])))
    [entry] = unplaced.data["DataExports"]
    assert (entry["destination"], entry["region"]) == ("bucket x", None)
    assert "names no region" in entry["unknown"]
    # an answer not in the API's shape: the derivation fails for that bucket
    [unreadable] = bucket_data_export(context(bucket_with({"Rule": "r1"})))
    assert "DataExports" not in unreadable.data
    assert "not a list of rules" in unreadable.data[FAILED_CALLS_KEY]["DataExports"]


def test_a_trail_delivers_to_its_project_and_bucket_regions() -> None:
    audit = Resource(target="aliyun:1", type="aliyun.actiontrail.trail", uid="t", name="audit", region="cn-hongkong",
                     data={**trail("1", "audit", "cn-hongkong", project="p", bucket="logs"), "TrailRegion": "All"})
    [done] = trail_data_export(context(audit))
    assert [(e["kind"], e["via"], e["destination"], e["region"]) for e in done.data["DataExports"]] == [
        ("log_delivery", "trail audit", "Log Service project p", "cn-hongkong"),
        ("log_delivery", "trail audit", "OSS bucket logs", "cn-hongkong")]
    odd = audit.model_copy(update={"data": {**audit.data, "SlsProjectArn": "project/p", "OssBucketName": ""}})
    [unplaced] = trail_data_export(context(odd))
    [entry] = unplaced.data["DataExports"]
    assert entry["region"] is None
    assert "names no region" in entry["unknown"]


def test_database_copies_are_read_per_product() -> None:
    rds = Resource(target="aliyun:1", type="aliyun.rds.instance", uid="r", region="cn-hangzhou", data={
        "DBInstanceId": "rm-1", "DescribeInstanceCrossBackupPolicy": {
            "BackupEnabled": "Disabled", "LogBackupEnabled": "Enable", "CrossBackupRegion": "cn-hongkong"}})
    polardb = Resource(target="aliyun:1", type="aliyun.polardb.cluster", uid="p", region="cn-hangzhou", data={
        "DBClusterId": "pc-1", "DescribeBackupPolicy": {"DataLevel2BackupAnotherRegionRegion": "cn-beijing",
                                                        "DataLevel2BackupAnotherRegionRetentionPeriod": "0"}})
    denied = Resource(target="aliyun:1", type="aliyun.mongodb.instance", uid="m", region="cn-hangzhou", data={
        "DBInstanceId": "dds-1", FAILED_CALLS_KEY: {"DescribeBackupPolicy": "dds:DescribeBackupPolicy Forbidden"}})
    done = {r.uid: r for r in database_data_export(context(rds, polardb, denied))}
    assert done["r"].data["DataExports"] == [
        {"kind": "backup", "via": "RDS cross-region backup", "destination": "backup set of rm-1",
         "region": "cn-hongkong", "partition": None, "unknown": None}]
    assert done["p"].data["DataExports"] == []       # a second-region copy kept 0 days is off
    assert "dds:DescribeBackupPolicy Forbidden" in done["m"].data[FAILED_CALLS_KEY]["DataExports"]
    assert "DataExports" not in done["m"].data


def vswitches(*resources: Resource, errors: list[CollectionError] | None = None) -> NamedSets:
    used = HookContext(Account("aliyun:1", api=None, regions=[]), SPEC, [], errors or [],  # type: ignore[arg-type]
                       {"aliyun.vpc.vswitch": list(resources)})
    return NamedSets.of(used, "aliyun.vpc.vswitch", "VSwitchId", "vSwitch")


def switch(vswitch_id: str, **data: Any) -> Resource:
    return Resource(target="aliyun:1", type="aliyun.vpc.vswitch", uid=vswitch_id, region="cn-hangzhou",
                    data={"VSwitchId": vswitch_id, **data})


def pool(name: str, nodes: Any, *ids: str, kind: str = "ess") -> dict[str, Any]:
    return {"nodepool_info": {"nodepool_id": f"np-{name}", "name": name, "type": kind},
            "status": {"total_nodes": nodes}, "scaling_group": {"vswitch_ids": list(ids)}}


def test_node_zones_count_the_pools_holding_nodes() -> None:
    known = vswitches(switch("vsw-h", ZoneId="cn-hangzhou-h"), switch("vsw-i", ZoneId="cn-hangzhou-i"))
    found = node_zones([pool("a", 2, "vsw-h"), pool("b", 0, "vsw-i"), pool("e", 5, "vsw-i", kind="edge")],
                       "cn-hangzhou", known)
    assert (found["zones"], found["worker_nodes"], found["left_out"]) == (
        ["cn-hangzhou-h"], 2, ["b: no nodes", "e: edge node pool (nodes outside Alibaba Cloud zones)"])
    assert node_zones([], "cn-hangzhou", known)["evidence"] == "no node pool holds nodes"


@pytest.mark.parametrize(("pools", "switches", "errors", "reason"), [
    ({"nodepools": []}, [], [], "nodepools as dict, not a list"),
    ([pool("a", "3", "vsw-h")], [switch("vsw-h", ZoneId="cn-hangzhou-h")], [], "status.total_nodes is '3'"),
    ([pool("a", 3)], [], [], "scaling_group.vswitch_ids is [], not a list of ids"),
    ([pool("a", 3, "vsw-h")], [switch("vsw-h", ZoneId="")], [], "vSwitch vsw-h: answered without its ZoneId"),
    ([pool("a", 3, "vsw-h")], [switch("vsw-h", ZoneId="cn-hangzhou-h", _failed_calls={"x": "denied"})], [],
     "vSwitch vsw-h: denied"),
    ([pool("a", 3, "vsw-h")], [], [CollectionError(target="aliyun:1", type="aliyun.vpc.vswitch", region="cn-hangzhou",
                                                   operation="vpc:DescribeVSwitches", code="Throttling.User")],
     "vSwitch vsw-h: listing failed in cn-hangzhou (vpc:DescribeVSwitches Throttling.User"),
])
def test_node_zones_that_cannot_be_read_are_unresolved(pools: Any, switches: list[Resource],
                                                       errors: list[CollectionError], reason: str) -> None:
    with pytest.raises(Unresolved, match=re.escape(reason)):
        node_zones(pools, "cn-hangzhou", vswitches(*switches, errors=errors))


def test_failed_node_pools_fail_the_node_zones() -> None:
    cluster = Resource(target="aliyun:1", type="aliyun.cs.cluster", uid="c1", region="cn-hangzhou",
                       data={"cluster_id": "c1", FAILED_CALLS_KEY: {"NodePools": "cs:DescribeClusterNodePools 403"}})
    [done] = cluster_node_zones(HookContext(Account("aliyun:1", api=None, regions=[]), SPEC,  # type: ignore[arg-type]
                                            [cluster], [], {"aliyun.vpc.vswitch": []}))
    assert "NodeZones" not in done.data
    assert done.data[FAILED_CALLS_KEY]["NodeZones"] == (
        "derived from an answer that could not be read: cs:DescribeClusterNodePools 403")
