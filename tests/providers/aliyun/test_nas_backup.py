"""Whether Cloud Backup backs up each NAS file system, through the real SDK against the fake: backup
plans (hbr DescribeBackupPlans, SourceType NAS, PageNumber/PageSize) and backup policies bound to
file systems (hbr DescribePolicyBindings, DataSourceType NAS, NextToken/MaxResults), every page of
both; an active plan or binding passes, a disabled one does not count, and a listing that could not
be read is an `error`, never a fail or a pass by silence."""

from __future__ import annotations

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Finding, Status
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.snapshot import Snapshot
from tests.fakes.aliyun_fake import AliyunFake
from tests.fakes.aliyun_services import nas, nas_backup_plan, nas_policy_binding
from tests.providers.aliyun.conftest import Scan

ACCOUNT = "1234567890123456"
REGION = "cn-hangzhou"
CHECK = "aliyun.nas.backup_enabled"


def seeded(fake: AliyunFake) -> None:
    """Four file systems: one behind a plan (after 120 other plans: on the second page of 99), one
    behind a policy binding (after 150 other bindings: on the second page of 100), one behind only a
    disabled plan and a disabled binding, one named by nothing but an OSS plan and an OSS binding
    (a bucket may bear a file system's id), which the listings' NAS filters leave out."""
    world = fake.worlds[ACCOUNT]
    systems = {name: {**nas(REGION, number), "Description": name}
               for number, name in enumerate(("by-plan", "by-policy", "disabled", "unprotected"), start=1)}
    ids = {name: system["FileSystemId"] for name, system in systems.items()}
    world.regional["nas"][REGION] = list(systems.values())
    world.regional["hbr_plan"][REGION] = [
        *(nas_backup_plan(REGION, 1000 + n, f"other{n:06d}") for n in range(120)),
        nas_backup_plan(REGION, 1, ids["by-plan"]),
        nas_backup_plan(REGION, 2, ids["disabled"], disabled=True),
        nas_backup_plan(REGION, 3, ids["unprotected"], source="OSS"),   # an OSS plan: not a NAS backup
    ]
    world.regional["hbr_binding"][REGION] = [
        *(nas_policy_binding(REGION, 1000 + n, f"other{n:06d}") for n in range(150)),
        nas_policy_binding(REGION, 1, ids["by-policy"]),
        nas_policy_binding(REGION, 2, ids["disabled"], disabled=True),
        nas_policy_binding(REGION, 3, ids["unprotected"], source="OSS"),   # a bucket of that name
    ]


def findings(snapshot: Snapshot, content: Content) -> dict[str, Finding]:
    report = evaluate(snapshot, content, content.level_profile(3))
    return {f.resource.name or "": f for f in report.findings if f.check == CHECK}


def test_a_plan_or_a_binding_protects_and_disabled_ones_do_not(fake: AliyunFake, scan: Scan,
                                                               content: Content) -> None:
    seeded(fake)
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert snapshot.errors == []
    # every page of both listings, NAS sources only: 122 plans by 99, 152 bindings by 100
    assert [c.status for c in fake.calls("DescribeBackupPlans", product="hbr")] == [200, 200]
    assert [c.status for c in fake.calls("DescribePolicyBindings", product="hbr")] == [200, 200]
    kinds = {kind: len([r for r in snapshot.resources if r.type == kind])
             for kind in ("aliyun.hbr.nas_backup_plan", "aliyun.hbr.nas_policy_binding")}
    assert kinds == {"aliyun.hbr.nas_backup_plan": 122, "aliyun.hbr.nas_policy_binding": 152}
    found = findings(snapshot, content)
    assert {name: f.status for name, f in found.items()} == {
        "by-plan": Status.PASS, "by-policy": Status.PASS, "disabled": Status.FAIL, "unprotected": Status.FAIL}
    systems = {r.name: r.data["BackupProtection"] for r in snapshot.resources if r.type == "aliyun.nas.file_system"}
    assert systems["by-plan"]["plans"] == [{"PlanId": "plan-zhou000000000001", "PlanName": "nas-daily-1",
                                            "Schedule": "I|1704857400|P1D", "Retention": 30,
                                            "VaultId": "v-zhou0001"}]
    assert systems["by-policy"]["active"] == ["backup policy po-zhou000000000001 (binding pd-zhou000000000001)"]
    assert found["disabled"].message == (
        "NAS file system disabled in cn-hangzhou is not backed up by Cloud Backup: no backup plan or backup "
        "policy names it (not counted: backup plan nas-daily-2: disabled; backup policy po-zhou000000000002 "
        "(binding pd-zhou000000000002): disabled)")
    assert found["unprotected"].message.endswith("no backup plan or backup policy names it")


def test_a_denied_policy_binding_listing_is_an_error_unless_a_plan_protects(fake: AliyunFake, scan: Scan,
                                                                            content: Content) -> None:
    seeded(fake)
    fake.fail("DescribePolicyBindings", "Forbidden.RAM", 403, region=REGION,
              message="User not authorized to operate on the specified resource.")
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert [(e.type, e.operation, e.code) for e in snapshot.errors] == [
        ("aliyun.hbr.nas_policy_binding", "hbr:DescribePolicyBindings", "Forbidden.RAM")]
    found = findings(snapshot, content)
    # the plan is read: its file system is backed up whatever the bindings say; the others are unknown
    assert {name: f.status for name, f in found.items()} == {
        "by-plan": Status.PASS, "by-policy": Status.ERROR, "disabled": Status.ERROR, "unprotected": Status.ERROR}
    assert ("Cloud Backup policy bindings: listing failed in cn-hangzhou (hbr:DescribePolicyBindings "
            "Forbidden.RAM") in found["unprotected"].message


def test_a_throttled_plan_listing_is_an_error(fake: AliyunFake, scan: Scan, content: Content) -> None:
    seeded(fake)
    fake.fail("DescribeBackupPlans", "Throttling.User", 400, region=REGION)    # every attempt
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert [(e.type, e.code) for e in snapshot.errors] == [("aliyun.hbr.nas_backup_plan", "Throttling.User")]
    assert {name: f.status for name, f in findings(snapshot, content).items()} == {
        "by-plan": Status.ERROR, "by-policy": Status.PASS, "disabled": Status.ERROR, "unprotected": Status.ERROR}


def test_a_plan_whose_disabled_flag_cannot_be_read_is_an_error(fake: AliyunFake, scan: Scan,
                                                               content: Content) -> None:
    seeded(fake)
    plans = fake.worlds[ACCOUNT].regional["hbr_plan"][REGION]
    del plans[-2]["Disabled"]        # the plan of the file system "disabled"
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    found = findings(snapshot, content)
    assert found["disabled"].status is Status.ERROR
    assert "backup plan nas-daily-2: Disabled is None, not true or false" in found["disabled"].message


def test_a_plan_without_schedule_or_retention_does_not_count(fake: AliyunFake, scan: Scan,
                                                             content: Content) -> None:
    seeded(fake)
    plans = fake.worlds[ACCOUNT].regional["hbr_plan"][REGION]
    plans[-3]["Schedule"] = ""           # the plan of the file system "by-plan"
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    found = findings(snapshot, content)
    assert found["by-plan"].status is Status.FAIL
    assert found["by-plan"].message.endswith("(not counted: backup plan nas-daily-1: no Schedule)")
    plans[-3]["Schedule"], plans[-3]["Retention"] = "I|1704857400|P1D", 0
    found = findings(scan(fake, CloudSource(provider="aliyun", regions=(REGION,))), content)
    assert found["by-plan"].message.endswith("(not counted: backup plan nas-daily-1: Retention 0, not a number of days)")
