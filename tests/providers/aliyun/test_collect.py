"""Collection against the fake over real HTTP: every type, pagination, retries, denials, regions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Status
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.providers.cloud.spec import load_resource_file
from mlpscan.snapshot import FAILED_CALLS_KEY, Snapshot, dump_snapshot
from tests.conftest import REPO
from tests.fakes.aliyun_fake import ROOT_SECRET, AliyunFake
from tests.fakes.aliyun_world import Bucket, User, compliant_world, database, instance, security_group
from tests.providers.aliyun.conftest import Scan

ACCOUNT = "aliyun:1234567890123456"


def by_type(snapshot: Snapshot, kind: str) -> list[dict[str, Any]]:
    return [r.model_dump() for r in snapshot.resources if r.type == kind]


def findings(snapshot: Snapshot, content: Content, check: str, level: int = 3) -> list[tuple[Status, str]]:
    report = evaluate(snapshot, content, content.level_profile(level))
    return [(f.status, f.message) for f in report.findings if f.check == check]


def test_full_scan_collects_every_declared_type(fake: AliyunFake, scan: Scan) -> None:
    snapshot = scan(fake)
    assert [t.id for t in snapshot.targets] == [ACCOUNT]
    assert snapshot.targets[0].regions == ["cn-hangzhou", "cn-shanghai"]
    assert snapshot.errors == []
    declared = {spec.type for spec in load_resource_file(REPO, "aliyun").resources}
    assert {r.type for r in snapshot.resources} == declared
    [account] = by_type(snapshot, "aliyun.account")
    assert account["uid"] == "acs:ram::1234567890123456:root"
    assert account["name"] == "acme-prod"
    buckets = {b["name"]: b["region"] for b in by_type(snapshot, "aliyun.oss.bucket")}
    assert buckets == {"acme-trail-logs": "cn-hangzhou", "acme-orders": "cn-shanghai"}
    [trail] = by_type(snapshot, "aliyun.actiontrail.trail")
    assert trail["data"]["LogRetention"]["longest_days"] == 400   # the bucket's lifecycle beats the 365-day store
    assert {s.kind for s in fake.calls()} == {"rpc", "roa", "oss", "sls"}
    # the only refusals are "not configured" answers, kept as null: an API-only user's login profile
    # and MFA device, buckets without replication rules
    assert {(s.action, s.status) for s in fake.calls() if s.status != 200} == {
        ("GetLoginProfile", 404), ("GetUserMFAInfo", 404), ("GetBucketReplication", 404)}


def test_snapshot_holds_no_secret_and_no_whole_access_key_id(fake: AliyunFake, scan: Scan) -> None:
    text = dump_snapshot(scan(fake)).decode()
    assert ROOT_SECRET not in text
    assert "LTAI5tAAAA1111BBBB2222" not in text
    assert "LTAI****2222" in text


def test_lists_follow_every_page(fake: AliyunFake, scan: Scan) -> None:
    world = fake.worlds["1234567890123456"]
    world.page_cap = 20          # the service returns fewer items than asked: every loop must go on
    world.users = [User(f"user{n:03d}", mfa=n % 2 == 0) for n in range(45)]
    world.instances["cn-hangzhou"] = [instance("cn-hangzhou", n) for n in range(45)]
    world.buckets = [Bucket(f"bucket-{n:03d}", "cn-shanghai") for n in range(45)]
    world.security_groups["cn-shanghai"] = [security_group("cn-shanghai", n, []) for n in range(41)]
    world.databases["cn-hangzhou"] = [database("cn-hangzhou", n) for n in range(21)]
    world.assets = [{"Uuid": f"uuid-{n}", "InstanceId": f"i-{n}", "RegionId": "cn-hangzhou", "ClientStatus": "online"}
                    for n in range(21)]
    snapshot = scan(fake)
    assert snapshot.errors == []
    assert len(by_type(snapshot, "aliyun.ram.user")) == 45
    assert len([r for r in by_type(snapshot, "aliyun.ecs.instance") if r["region"] == "cn-hangzhou"]) == 45
    assert len(by_type(snapshot, "aliyun.oss.bucket")) == 45
    assert len([r for r in by_type(snapshot, "aliyun.ecs.security_group") if r["region"] == "cn-shanghai"]) == 41
    assert len([r for r in by_type(snapshot, "aliyun.rds.instance") if r["region"] == "cn-hangzhou"]) == 21
    assert len(by_type(snapshot, "aliyun.sas.asset")) == 21
    pages = {action: len(fake.calls(action)) for action in ("ListUsers", "ListBuckets", "DescribeCloudCenterInstances")}
    assert pages == {"ListUsers": 3, "ListBuckets": 3, "DescribeCloudCenterInstances": 2}
    assert len([c for c in fake.calls("DescribeInstances", "ecs") if c.region == "cn-hangzhou"]) == 3
    assert len([c for c in fake.calls("DescribeSecurityGroups") if c.region == "cn-shanghai"]) == 3
    assert len([c for c in fake.calls("DescribeDBInstances", "rds") if c.region == "cn-hangzhou"]) == 2


def test_throttling_that_recovers_loses_nothing(fake: AliyunFake, scan: Scan) -> None:
    fake.throttle("ListUsers", times=2)                       # RPC 400 Throttling.User
    fake.throttle("GetBucketInfo", "oss", times=1)            # OSS 503
    fake.throttle("GetLogStore", "sls", times=1)              # SLS ReadQuotaExceed
    fake.throttle("DescribeClustersV1", "roa", times=1)       # ROA 429
    fake.fail("DescribeDisks", "ServiceUnavailable", 503, times=1, region="cn-shanghai")
    snapshot = scan(fake)
    assert snapshot.errors == []
    assert not [r for r in snapshot.resources if FAILED_CALLS_KEY in r.data]
    assert [c.status for c in fake.calls("ListUsers")] == [400, 400, 200]
    assert len(by_type(snapshot, "aliyun.cs.cluster")) == 1
    assert len(by_type(snapshot, "aliyun.ecs.disk")) == 2


def test_throttling_that_never_ends_is_an_error_finding(fake: AliyunFake, scan: Scan, content: Content) -> None:
    fake.throttle("DescribeDisks", region="cn-shanghai")
    fake.throttle("GetUserMFAInfo")
    snapshot = scan(fake)
    [error] = snapshot.errors
    assert (error.type, error.region, error.operation, error.code) == (
        "aliyun.ecs.disk", "cn-shanghai", "ecs:DescribeDisks", "Throttling.User")
    assert "gave up after 3 attempts" in error.message
    assert len([c for c in fake.calls("DescribeDisks") if c.region == "cn-shanghai"]) == 3
    assert [r["region"] for r in by_type(snapshot, "aliyun.ecs.disk")] == ["cn-hangzhou"]   # the other region goes on
    disks = findings(snapshot, content, "aliyun.ecs.disk_encrypted")
    assert (Status.PASS in {s for s, _ in disks})
    assert any(
        s is Status.ERROR and "ecs:DescribeDisks" in m for s, m in disks)
    users = findings(snapshot, content, "aliyun.ram.user_console_mfa")
    assert any(s is Status.ERROR and "ram:GetUserMFAInfo Throttling.User" in m for s, m in users)


def test_a_denied_api_is_an_error_and_the_rest_completes(fake: AliyunFake, scan: Scan, content: Content) -> None:
    fake.fail("GetSecurityPreference", "Forbidden.RAM", 403, message="User not authorized to operate on the specified resource.")
    fake.fail("ListBuckets", "AccessDenied", 403, message="You have no right to access this object.")
    snapshot = scan(fake)
    [error] = snapshot.errors
    assert (error.operation, error.code) == ("oss:ListBuckets", "AccessDenied")
    [account] = by_type(snapshot, "aliyun.account")
    assert "ram:GetSecurityPreference Forbidden.RAM" in account["data"][FAILED_CALLS_KEY]["GetSecurityPreference"]
    [(status, message)] = findings(snapshot, content, "aliyun.ram.console_mfa_enforced")
    assert status is Status.ERROR
    assert "ram:GetSecurityPreference" in message
    assert findings(snapshot, content, "aliyun.ram.root_mfa")[0][0] is Status.PASS
    [(status, message)] = findings(snapshot, content, "aliyun.oss.bucket_encrypted")
    assert status is Status.ERROR
    assert "oss:ListBuckets" in message
    assert len(by_type(snapshot, "aliyun.ecs.instance")) == 2


def test_finance_region_account_reached_by_role_assumption(fake: AliyunFake, scan: Scan, content: Content) -> None:
    finance = compliant_world("5555666677778888")
    finance.regions = ["cn-shanghai-finance-1"]
    finance.buckets = [Bucket("acme-fin-ledger", "cn-shanghai-finance-1")]
    finance.trails = []
    finance.assets = []
    role = fake.add_role(finance, external_id="mlpscan-7f3a")
    snapshot = scan(fake, CloudSource(provider="aliyun", role_arn=role, external_id="mlpscan-7f3a",
                                      regions=("cn-shanghai-finance-1",)))
    [target] = snapshot.targets
    assert (target.id, target.regions) == ("aliyun:5555666677778888", ["cn-shanghai-finance-1"])
    assert {r.region for r in snapshot.resources if r.region} == {"cn-shanghai-finance-1"}
    assert all(c.key_id and c.key_id.startswith("STS.") for c in fake.calls() if c.action != "AssumeRole")
    report = evaluate(snapshot, content, content.level_profile(4))
    platform = [f for f in report.findings if f.check == "cloud.platform.level_at_least_system"]
    # the finance cloud is published as level 4, but the claim dates from 2016-10: not current evidence
    assert [f.status for f in platform] == [Status.MANUAL]
    assert "aliyun-finance (cn-shanghai-finance-1) is dated 2016-10" in platform[0].message
    residency = {f.status for f in report.findings if f.check == "cloud.residency.mainland_region"}
    assert residency == {Status.PASS}


def test_a_wrong_external_id_stops_only_that_account(fake: AliyunFake, scan: Scan) -> None:
    role = fake.add_role(compliant_world("5555666677778888"), external_id="right")
    snapshot = scan(fake, CloudSource(provider="aliyun"),
                    CloudSource(provider="aliyun", role_arn=role, external_id="wrong"))
    assert sorted(t.id for t in snapshot.targets) == sorted([ACCOUNT, f"aliyun:{role}"])
    [error] = snapshot.errors
    assert (error.type, error.operation, error.code) == ("aliyun.*", "sts:AssumeRole", "NoPermission")
    assert snapshot.resources


def test_hong_kong_resources_fail_residency(fake: AliyunFake, scan: Scan, content: Content) -> None:
    world = fake.worlds["1234567890123456"]
    world.regions.append("cn-hongkong")
    world.instances["cn-hongkong"] = [instance("cn-hongkong", 7)]
    world.buckets.append(Bucket("acme-hk-static", "cn-hongkong"))
    snapshot = scan(fake)
    report = evaluate(snapshot, content, content.level_profile(3))
    failing = {(f.resource.type, f.resource.name) for f in report.findings
               if f.check == "cloud.residency.mainland_region" and f.status is Status.FAIL}
    assert failing == {("aliyun.ecs.instance", "app-7"), ("aliyun.oss.bucket", "acme-hk-static")}
    [bucket_call] = [c for c in fake.calls("GetBucketInfo") if c.region == "cn-hongkong"]
    assert bucket_call.status == 200   # signed for, and sent to, the bucket's own region


def test_regions_can_be_restricted_and_unknown_ones_are_errors(fake: AliyunFake, scan: Scan) -> None:
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=("cn-shanghai", "cn-atlantis-1")))
    assert snapshot.targets[0].regions == ["cn-shanghai"]
    assert {c.region for c in fake.calls("DescribeInstances", "ecs")} == {"cn-shanghai"}
    [error] = snapshot.errors
    assert (error.region, error.code, error.operation) == ("cn-atlantis-1", "UnknownRegion", "ecs:DescribeRegions")


def test_a_wrong_secret_stops_the_account_with_the_service_code(fake: AliyunFake, scan: Scan,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "wrong-secret-4f2a"
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
    snapshot = scan(fake)
    [error] = snapshot.errors
    assert (error.target, error.operation, error.code) == (
        "aliyun:default", "sts:GetCallerIdentity", "SignatureDoesNotMatch")
    assert snapshot.resources == []
    assert json.dumps(error.model_dump()).count(secret) == 0
