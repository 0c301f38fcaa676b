"""Whole-account scans through the real SDK clients against the fake: acceptance, paging, faults."""

from __future__ import annotations

import pytest
from tests.fakes.tencent_accounts import bucket, build, custom_policy, instance, policy_document
from tests.fakes.tencent_fake import TencentFake
from tests.providers.tencent.conftest import SECRET_ID, SECRET_KEY, Scan, env_keys, scan, source

from mlpscan.content import Content
from mlpscan.findings import Status

UIN = "100000000001"
TARGET = f"tencent:{UIN}"
RESIDENCY = "cloud.residency.mainland_region"
PLATFORM = "cloud.platform.level_at_least_system"
# The acceptance list at level 3: check -> (clause, the resource name that fails)
ACCEPTANCE = {
    "tencent.cam.user_login_mfa": ("8.1.4.1.d", "dev-zhao"),
    "tencent.cam.password_complexity": ("8.1.4.1.a", "CAM password rules"),
    "tencent.cloudaudit.track_retention": ("8.1.4.3.c", "acme-audit"),
    "tencent.cbs.disk_encrypted": ("8.1.4.8.b", "data-0001"),
    RESIDENCY: ("8.2.4.5.a", f"acme-hk-static-{1250000001}"),
}


def scan_account(content: Content, fake: TencentFake, monkeypatch: pytest.MonkeyPatch, *, weak: bool,
                 level: int = 3, **source_extra: object) -> Scan:
    fake.add_account(build(UIN, weak=weak), SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    return scan(content, [source(fake, **source_extra)], level)


def failing(result: Scan, check: str) -> dict[str, list[str]]:
    """resource name -> clauses, for the failures of one check."""
    return {f.resource.name or f.resource.uid: f.clauses for f in result.findings(check) if f.status is Status.FAIL}


def test_weak_account_fails_the_acceptance_list_with_its_clauses(content: Content, fake: TencentFake,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_account(content, fake, monkeypatch, weak=True)
    assert result.collection.errors == []
    assert [t.id for t in result.collection.targets] == [TARGET]
    for check, (clause, name) in ACCEPTANCE.items():
        failures = failing(result, check)
        assert name in failures, (check, failures)
        assert clause in failures[name], (check, failures[name])
    # the hook computed what the message quotes
    [track] = [f for f in result.findings("tencent.cloudaudit.track_retention") if f.resource.name == "acme-audit"]
    assert "keeps logs 30 days" in track.message
    assert "180" in track.message
    assert fake.rejected == []


def test_compliant_account_passes_the_acceptance_list(content: Content, fake: TencentFake,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_account(content, fake, monkeypatch, weak=False)
    assert result.collection.errors == []
    for check in ACCEPTANCE:
        statuses = set(result.statuses(check).values()) - {"not_applicable"}
        assert statuses == {"pass"}, (check, result.statuses(check))
    tencent = [f for f in result.report.findings if f.check.startswith("tencent.")]
    assert {f.status for f in tencent} <= {Status.PASS, Status.NOT_APPLICABLE}, [
        (f.check, f.resource.name, f.message) for f in tencent if f.status not in (Status.PASS, Status.NOT_APPLICABLE)]
    # Tencent's published level (3) dates from 2017-07: not current evidence, so it asks for the certificate
    [platform] = result.findings(PLATFORM)
    assert platform.status is Status.MANUAL
    assert "tencent-public (ap-guangzhou) is dated 2017-07" in platform.message


def test_every_tencent_check_is_exercised_by_the_weak_account(content: Content, fake: TencentFake,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_account(content, fake, monkeypatch, weak=True)
    checks = {c for c in content.checks if c.startswith("tencent.")}
    failed = {f.check for f in result.report.findings if f.status is Status.FAIL}
    # in the weak account too the root has MFA, the track records everything (only its topic is
    # short-lived) and the disks have running snapshot policies
    assert checks - failed == {"tencent.cam.root_login_mfa", "tencent.cloudaudit.track_enabled",
                               "tencent.cbs.disk_auto_snapshot", "tencent.cbs.snapshot_policy_active"}


def test_a_denied_call_is_an_error_naming_the_api_and_the_rest_completes(
        content: Content, fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.deny("cbs:DescribeDisks", region="ap-shanghai")
    fake.deny("cam:DescribeSafeAuthFlagColl")
    fake.deny("cos:GetBucketACL")
    result = scan_account(content, fake, monkeypatch, weak=False)
    [error] = result.collection.errors
    assert (error.operation, error.region, error.code) == ("cbs:DescribeDisks", "ap-shanghai",
                                                           "AuthFailure.UnauthorizedOperation")
    disks = result.findings("tencent.cbs.disk_encrypted")
    assert {(f.status, f.resource.region) for f in disks} == {(Status.PASS, "ap-guangzhou"),
                                                              (Status.ERROR, "ap-shanghai")}
    assert any("cbs:DescribeDisks" in f.message for f in disks if f.status is Status.ERROR)
    mfa = [f for f in result.findings("tencent.cam.user_login_mfa") if f.status is not Status.NOT_APPLICABLE]
    assert mfa
    assert all(f.status is Status.ERROR and "cam:DescribeSafeAuthFlagColl" in f.message for f in mfa)
    public = result.findings("tencent.cos.bucket_not_public")
    assert [f.status for f in public] == [Status.ERROR]
    # everything else was collected and judged
    assert set(result.statuses("tencent.cdb.encrypted").values()) == {"pass"}
    assert set(result.statuses("tencent.cos.bucket_encrypted").values()) == {"pass"}


def test_pagination_collects_every_page(content: Content, fake: TencentFake,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    account = build(UIN, weak=False, regions=("ap-guangzhou",))
    for number in range(249):
        account.add("instances", "ap-guangzhou", instance(f"ins-p{number:07d}", "ap-guangzhou"))
    account.policies += [custom_policy(40000 + n, f"team-{n}", policy_document(
        {"effect": "allow", "action": ["cos:GetObject"], "resource": ["*"]})) for n in range(230)]
    account.tracks += [{**account.tracks[0], "TrackId": 20000 + n, "Name": f"t{n}", "Status": 0}
                       for n in range(104)]
    account.buckets += [bucket(f"b{n:03d}-{account.appid}", "ap-guangzhou") for n in range(24)]
    fake.cos_page_size = 10
    fake.add_account(account, SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    result = scan(content, [source(fake)])
    kinds = [r.type for r in result.collection.resources]
    assert kinds.count("tencent.cvm.instance") == 250
    assert kinds.count("tencent.cam.policy") == 231
    assert kinds.count("tencent.cloudaudit.track") == 105
    assert kinds.count("tencent.cos.bucket") == 25
    calls = fake.operations()
    assert (calls["cvm:DescribeInstances"], calls["cam:ListPolicies"]) == (3, 2)
    assert (calls["cloudaudit:DescribeAuditTracks"], calls["cos:GetService"]) == (3, 3)
    assert len({r.uid for r in result.collection.resources}) == len(result.collection.resources)


def test_throttling_that_recovers_is_retried(content: Content, fake: TencentFake,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    fake.fail("cvm:DescribeInstances", "RequestLimitExceeded", times=2, region="ap-guangzhou")
    fake.fail("cam:ListUsers", "ServerNetworkError", status=503, times=1)
    fake.fail("cos:GetBucketVersioning", "SlowDown", times=1)
    result = scan_account(content, fake, monkeypatch, weak=False)
    assert result.collection.errors == []
    assert fake.count("cvm:DescribeInstances") == 2 + 2   # two regions, two throttled attempts
    assert set(result.statuses("tencent.cvm.no_public_ip").values()) == {"pass"}
    assert set(result.statuses("tencent.cam.user_login_mfa").values()) == {"pass", "not_applicable"}
    assert set(result.statuses("tencent.cos.bucket_versioning").values()) == {"pass"}


def test_throttling_that_does_not_recover_is_an_error_finding(content: Content, fake: TencentFake,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake.fail("cvm:DescribeInstances", "RequestLimitExceeded.UinLimitExceeded", times=None, region="ap-shanghai")
    fake.fail("cdb:DescribeBackupConfig", "InternalError", times=None)
    result = scan_account(content, fake, monkeypatch, weak=False)
    [error] = result.collection.errors
    assert (error.operation, error.code, error.region) == (
        "cvm:DescribeInstances", "RequestLimitExceeded.UinLimitExceeded", "ap-shanghai")
    assert "gave up after 3 attempts" in error.message
    assert fake.count("cvm:DescribeInstances") == 1 + 3
    instances = result.findings("tencent.cvm.no_public_ip")
    assert {(f.status, f.resource.region) for f in instances} == {(Status.PASS, "ap-guangzhou"),
                                                                  (Status.ERROR, "ap-shanghai")}
    backups = result.findings("tencent.cdb.backup_retention")
    assert backups
    assert all(f.status is Status.ERROR and "cdb:DescribeBackupConfig InternalError" in f.message
                           for f in backups)
    # the other detail of the same databases went through
    assert set(result.statuses("tencent.cdb.encrypted").values()) == {"pass"}


def test_finance_zone_account_is_judged_against_the_finance_cloud(content: Content, fake: TencentFake,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fake.add_account(build(UIN, weak=False, regions=("ap-shanghai-fsi",), data_region="ap-shanghai-fsi"),
                     SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    result = scan(content, [source(fake)], level=4)
    assert result.collection.errors == []
    assert result.collection.targets[0].regions == ["ap-shanghai-fsi"]
    [platform] = result.findings(PLATFORM)
    assert platform.status is Status.MANUAL   # level 4 published, but the claim dates from 2017-07
    assert platform.observed["published"] == {"ap-shanghai-fsi": {"platform": "tencent-finance", "level": 4,
                                                                  "as_of": "2017-07"}}
    assert "tencent-finance (ap-shanghai-fsi) is dated 2017-07" in platform.message
    regional = {r.region for r in result.collection.resources if r.region}
    assert regional == {"ap-shanghai-fsi"}
    assert set(result.statuses(RESIDENCY).values()) == {"pass"}
    assert {c.region for c in fake.calls if c.operation == "cvm:DescribeInstances"} == {"ap-shanghai-fsi"}


def test_hong_kong_resources_fail_residency(content: Content, fake: TencentFake,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_account(content, fake, monkeypatch, weak=True)
    hong_kong = {f.resource.name: f.status for f in result.findings(RESIDENCY) if f.resource.region == "ap-hongkong"}
    assert hong_kong == {f"acme-hk-static-{1250000001}": Status.FAIL, "web-0001": Status.FAIL}
    mainland = {f.status for f in result.findings(RESIDENCY) if f.resource.region != "ap-hongkong"}
    assert mainland == {Status.PASS}


def test_region_option_restricts_the_scan(content: Content, fake: TencentFake,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_account(content, fake, monkeypatch, weak=False, regions=("ap-shanghai", "ap-mars"))
    assert result.collection.targets[0].regions == ["ap-shanghai"]
    [error] = result.collection.errors
    assert (error.code, error.region, error.operation) == ("RegionNotAvailable", "ap-mars", "cvm:DescribeRegions")
    assert {c.region for c in fake.calls if c.operation == "cbs:DescribeDisks"} == {"ap-shanghai"}


def test_wrong_secret_is_an_unreached_account_not_a_crash(content: Content, fake: TencentFake,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fake.add_account(build(UIN, weak=False), SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch, secret_key="not-the-secret")
    result = scan(content, [source(fake)])
    [error] = result.collection.errors
    assert (error.operation, error.code) == ("sts:GetCallerIdentity", "AuthFailure.SignatureFailure")
    assert error.target == "tencent:default"
    assert "not-the-secret" not in error.message
    assert fake.rejected == [f"bad TC3 signature for {SECRET_ID}"]
    assert result.collection.resources == []


@pytest.mark.parametrize(("days", "expected"), [(90, "fail"), (400, "pass"), (None, "pass")])
def test_a_track_delivering_to_cos_is_judged_by_the_bucket_lifecycle(
        content: Content, fake: TencentFake, monkeypatch: pytest.MonkeyPatch, days: int | None,
        expected: str) -> None:
    account = build(UIN, weak=False)
    name = f"audit-logs-{account.appid}"
    account.buckets.append(bucket(name, "ap-shanghai", lifecycle_days=days))
    account.tracks[0]["Storage"] = {"StorageType": "cos", "StorageRegion": "ap-shanghai", "StorageName": name,
                                    "StoragePrefix": "cloudaudit"}
    fake.add_account(account, SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    [track] = scan(content, [source(fake)]).findings("tencent.cloudaudit.track_retention")
    assert track.status.value == expected, track.message
    assert fake.count("cos:GetBucketLifecycle") == 3   # each of the two buckets, and the track's hook


def test_a_track_whose_destination_cannot_be_read_is_an_error(content: Content, fake: TencentFake,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake.fail("cls:DescribeTopics", "AuthFailure.UnauthorizedOperation", times=None)
    result = scan_account(content, fake, monkeypatch, weak=False)
    [track] = result.findings("tencent.cloudaudit.track_retention")
    assert track.status is Status.ERROR
    assert "cls:DescribeTopics AuthFailure.UnauthorizedOperation" in track.message
    assert {f.status for f in result.findings("tencent.cloudaudit.track_enabled")} == {Status.PASS}


def test_a_track_delivering_to_a_deleted_topic_fails(content: Content, fake: TencentFake,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    account = build(UIN, weak=False)
    account.tracks[0]["Storage"]["StorageName"] = "topic-gone"
    fake.add_account(account, SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    [track] = scan(content, [source(fake)]).findings("tencent.cloudaudit.track_retention")
    assert track.status is Status.FAIL
    assert "topic-gone not found" in track.message
