from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from mlpscan.config import PlatformDeclaration
from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.findings import Finding, Report, Severity, Status
from mlpscan.profiles import ResolvedProfile
from mlpscan.snapshot import Snapshot
from mlpscan.waivers import Waiver
from mlpscan.writers import render_json
from tests.conftest import REPO, make_snapshot, resource, target

TEST_CHECKS = {
    "aws/ec2/volume_encrypted.yaml": """\
title: EBS volumes are encrypted
severity: high
provider: aws
resource: aws.ec2.volume
family: data.encryption_at_rest
clauses: {3: [8.1.4.8.b], 4: [9.1.4.8.b]}
where: {path: State, op: ne, value: deleting}
assert: {path: Encrypted, op: eq, value: true}
message: "Volume {name} in {region} is not encrypted ({data.VolumeType}; retention {param.log_retention_days} d)"
remediation: Enable EBS encryption by default and re-create the volume encrypted.
""",
    "aws/cloudtrail/multi_region_trail.yaml": """\
title: A multi-region trail is logging
severity: high
provider: aws
resource: aws.cloudtrail.trail
match: any
family: audit.event_logging
family_divergence: a test check that applies at level 3 only
clauses: {3: [8.1.4.3.a]}
assert:
  all:
    - {path: IsMultiRegionTrail, op: eq, value: true}
    - {path: Status.IsLogging, op: eq, value: true}
""",
    "aws/logs/retention.yaml": """\
title: Log groups keep logs for the legal minimum
severity: medium
provider: aws
resource: aws.logs.log_group
match: all
family: audit.log_retention
family_divergence: a test check without the level-4 and central-retention clauses
clauses: {2: [7.1.4.3.c], 3: [8.1.4.3.c]}
assert:
  any:
    - {path: retentionInDays, op: absent}
    - {path: retentionInDays, op: gte, param: log_retention_days}
""",
}


@pytest.fixture(scope="module")
def engine_content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    root = tmp_path_factory.mktemp("content")
    for name in ("checks", "profiles", "providers"):
        shutil.copytree(REPO / name, root / name)
    for relative, text in TEST_CHECKS.items():
        path = root / "checks" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return load_content(root)


AWS = "aws:111122223333"


def aws_snapshot(resources: list[dict[str, object]], errors: list[dict[str, object]] | None = None,
                 **target_extra: object) -> Snapshot:
    account = resource(AWS, "aws.account", "arn:aws-cn:iam::111122223333:root", name="111122223333")
    return make_snapshot([target(AWS, partition="aws-cn", regions=["cn-north-1"], **target_extra)],
                         [account, *resources], errors)


def only(report: Report, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]


def volume(uid: str, encrypted: object, state: str = "in-use", region: str = "cn-north-1") -> dict[str, object]:
    return resource(AWS, "aws.ec2.volume", f"arn:aws-cn:ec2:{region}:111122223333:volume/{uid}", region,
                    {"VolumeId": uid, "VolumeType": "gp3", "State": state, "Encrypted": encrypted}, name=uid)


def test_each_gives_one_finding_per_resource(engine_content: Content) -> None:
    snapshot = aws_snapshot([volume("vol-1", True), volume("vol-2", False), volume("vol-3", True, "deleting"),
                             volume("vol-4", "yes")])
    report = evaluate(snapshot, engine_content, engine_content.level_profile(3))
    by_name = {f.resource.name: f for f in only(report, "aws.ec2.volume_encrypted")}
    assert {name: f.status for name, f in by_name.items()} == {
        "vol-1": Status.PASS, "vol-2": Status.FAIL, "vol-3": Status.NOT_APPLICABLE, "vol-4": Status.ERROR}
    fail = by_name["vol-2"]
    assert fail.message == "Volume vol-2 in cn-north-1 is not encrypted (gp3; retention 180 d)"
    assert fail.clauses == ["8.1.4.8.b"]
    assert fail.units == ["L3-CES1-28"]
    assert fail.observed == {"State": "in-use", "Encrypted": False}
    assert fail.expected == "Encrypted eq true"
    assert fail.remediation
    assert "EBS encryption" in fail.remediation
    assert by_name["vol-1"].remediation is None
    assert "'Encrypted' is str 'yes'" in by_name["vol-4"].message


def test_clauses_follow_the_profile_level(engine_content: Content) -> None:
    report = evaluate(aws_snapshot([volume("vol-2", False)]), engine_content, engine_content.level_profile(4))
    [finding] = only(report, "aws.ec2.volume_encrypted")
    assert finding.clauses == ["9.1.4.8.b"]
    assert finding.units[0].startswith("L4-")
    level2 = evaluate(aws_snapshot([volume("vol-2", False)]), engine_content, engine_content.level_profile(2))
    assert only(level2, "aws.ec2.volume_encrypted") == []  # the check maps no level-2 clause


def test_findings_mark_each_unit_and_carry_the_law(engine_content: Content) -> None:
    group = resource(AWS, "aws.logs.log_group", "arn:aws-cn:logs:cn-north-1:111122223333:log-group:app",
                     "cn-north-1", {"retentionInDays": 30}, name="app")
    for level, mark in ((4, "unverified"), (3, "verified"), (2, "unverified")):
        report = evaluate(aws_snapshot([volume("vol-2", False), group]), engine_content,
                          engine_content.level_profile(level))
        findings = [*only(report, "aws.ec2.volume_encrypted"), *only(report, "aws.logs.retention")]
        assert findings
        for finding in findings:
            assert finding.unit_status == dict.fromkeys(finding.units, mark)
        if level == 4:
            continue  # the test retention check maps levels 2 and 3 only
        [retention] = only(report, "aws.logs.retention")
        assert retention.status is Status.FAIL
        assert retention.law == ("csl.network_log_retention",)
        assert all(not f.law for f in only(report, "aws.ec2.volume_encrypted"))
        # the report names each cited law once, and only those
        assert set(report.laws) == {law for finding in report.findings for law in finding.law}
        assert "csl.network_log_retention" in report.laws
    document = json.loads(render_json(report))
    [shown] = [f for f in document["findings"] if f["check"] == "aws.logs.retention"]
    assert shown["unit_status"] == {"L2-CES1-10": "unverified"}
    assert shown["law"] == ["csl.network_log_retention"]
    basis = document["laws"]["csl.network_log_retention"]
    assert basis["instrument"] == "Cybersecurity Law of the People's Republic of China"
    assert basis["articles"][1] == {"version": "2025 amendment", "article": "art. 23(3)",
                                    "in_force": "2026-01-01", "adopted": "2025-10-28"}


def trail(name: str, multi: bool, logging_on: bool) -> dict[str, object]:
    return resource(AWS, "aws.cloudtrail.trail", f"arn:aws-cn:cloudtrail:cn-north-1:111122223333:trail/{name}",
                    "cn-north-1", {"Name": name, "IsMultiRegionTrail": multi, "Status": {"IsLogging": logging_on}},
                    name=name)


def test_match_any_is_one_finding_per_target(engine_content: Content) -> None:
    profile = engine_content.level_profile(3)
    cases = [
        ([trail("a", False, True), trail("b", True, True)], [], Status.PASS),
        ([trail("a", False, True), trail("b", True, False)], [], Status.FAIL),
        ([], [], Status.FAIL),
        ([trail("a", False, True)], [{"target": AWS, "type": "aws.cloudtrail.trail", "region": "cn-northwest-1",
                                      "operation": "cloudtrail:DescribeTrails", "code": "AccessDenied"}],
         Status.ERROR),
    ]
    for resources, errors, expected in cases:
        report = evaluate(aws_snapshot(resources, errors), engine_content, profile)
        [finding] = only(report, "aws.cloudtrail.multi_region_trail")
        assert finding.status is expected, (resources, finding.message)
        assert finding.resource.type == "aws.account"
        assert finding.resource.uid == "arn:aws-cn:iam::111122223333:root"


def log_group(name: str, retention: int | None) -> dict[str, object]:
    data: dict[str, object] = {"logGroupName": name, "storedBytes": 1024}
    if retention is not None:
        data["retentionInDays"] = retention
    return resource(AWS, "aws.logs.log_group", f"arn:aws-cn:logs:cn-north-1:111122223333:log-group:{name}",
                    "cn-north-1", data, name=name)


def test_match_all_and_parameters_by_level(engine_content: Content, tmp_path: Path) -> None:
    profile = engine_content.level_profile(3)
    ok = evaluate(aws_snapshot([log_group("/app", None), log_group("/audit", 365)]), engine_content, profile)
    assert only(ok, "aws.logs.retention")[0].status is Status.PASS
    short = evaluate(aws_snapshot([log_group("/app", 30), log_group("/audit", 365)]), engine_content, profile)
    [finding] = only(short, "aws.logs.retention")
    assert finding.status is Status.FAIL
    assert "/app" in finding.message
    assert finding.expected == ("retentionInDays absent or retentionInDays gte 180 (log_retention_days)")
    assert finding.observed["failing"] == ["arn:aws-cn:logs:cn-north-1:111122223333:log-group:/app"]
    none = evaluate(aws_snapshot([]), engine_content, profile)
    assert only(none, "aws.logs.retention")[0].status is Status.NOT_APPLICABLE
    strict = tmp_path / "strict.yaml"
    strict.write_text("id: strict\nextends: level3\nparams: {log_retention_days: 400}\n", encoding="utf-8")
    stricter = evaluate(aws_snapshot([log_group("/audit", 365)]), engine_content,
                        engine_content.profile(str(strict)))
    assert only(stricter, "aws.logs.retention")[0].status is Status.FAIL
    assert stricter.profile.params["log_retention_days"] == 400


def test_collection_errors_become_error_findings_and_others_go_on(engine_content: Content) -> None:
    errors = [
        {"target": AWS, "type": "aws.ec2.volume", "region": "cn-northwest-1", "operation": "ec2:DescribeVolumes",
         "code": "UnauthorizedOperation", "message": "You are not authorized"},
        {"target": AWS, "type": "aws.ec2.volume", "region": "cn-northwest-1", "operation": "ec2:DescribeVolumes",
         "code": "UnauthorizedOperation", "message": "You are not authorized"},  # recorded twice: one finding
        {"target": AWS, "type": "aws.*", "region": "cn-northwest-2", "operation": "sts:GetCallerIdentity",
         "code": "EndpointConnectionError"},
    ]
    report = evaluate(aws_snapshot([volume("vol-1", True)], errors), engine_content,
                      engine_content.level_profile(3))
    findings = only(report, "aws.ec2.volume_encrypted")
    statuses = sorted((f.status.value, f.resource.region or "") for f in findings)
    assert statuses == [("error", "cn-northwest-1"), ("error", "cn-northwest-2"), ("pass", "cn-north-1")]
    denied = next(f for f in findings if f.resource.region == "cn-northwest-1")
    assert "ec2:DescribeVolumes in cn-northwest-1 returned UnauthorizedOperation" in denied.message
    assert denied.observed["operation"] == "ec2:DescribeVolumes"
    assert report.summary.by_status[Status.ERROR] >= 2
    # residency doubts only failures outside known mainland regions (cn-northwest-2 does not exist)
    residency = only(report, "cloud.residency.mainland_region")
    assert sorted((f.status.value, f.resource.region) for f in residency) == [
        ("error", "cn-northwest-2"), ("pass", "cn-north-1")]


def test_errors_no_check_reports_still_make_a_finding(engine_content: Content) -> None:
    # no check reads Security Hub data: the engine must still report that it could not be collected
    errors = [{"target": AWS, "type": "aws.securityhub.hub", "region": "cn-north-1",
               "operation": "securityhub:DescribeHub", "code": "ThrottlingException", "message": "Rate exceeded"},
              {"target": AWS, "type": "aws.ec2.volume", "region": "cn-north-1", "operation": "ec2:DescribeVolumes",
               "code": "RequestLimitExceeded"}]
    report = evaluate(aws_snapshot([], errors), engine_content, engine_content.level_profile(3))
    [kms] = only(report, "mlpscan.collection_incomplete")
    assert kms.status is Status.ERROR
    assert kms.severity is Severity.LOW
    assert kms.clauses == []
    assert "securityhub:DescribeHub in cn-north-1 returned ThrottlingException: Rate exceeded" in kms.message
    assert kms.resource.region == "cn-north-1"
    assert [f.status for f in only(report, "aws.ec2.volume_encrypted")] == [Status.ERROR]


def test_same_snapshot_gives_identical_findings(engine_content: Content) -> None:
    snapshot = aws_snapshot([volume(f"vol-{i}", i % 3 == 0) for i in range(30)] + [trail("t", True, True)])
    profile = engine_content.level_profile(3)
    first = evaluate(snapshot, engine_content, profile, today=date(2026, 11, 21))
    second = evaluate(snapshot, engine_content, profile, today=date(2026, 11, 21))
    assert first.model_dump(exclude={"generated_at"}) == second.model_dump(exclude={"generated_at"})
    assert first.snapshot.digest == snapshot.compute_digest()


def test_waivers_keep_the_underlying_status(engine_content: Content, caplog: pytest.LogCaptureFixture) -> None:
    snapshot = aws_snapshot([volume("vol-legacy-1", False), volume("vol-2", False)])
    live = Waiver(check="aws.ec2.*", resource="*vol-legacy-*", justification="Legacy volume, migrating in Q1",
                  approver="ciso@example.cn", expires=date(2027, 3, 31))
    lapsed = Waiver(check="aws.ec2.volume_encrypted", resource="*vol-2", justification="old",
                    approver="ops", expires=date(2026, 1, 31))
    unused = Waiver(check="aws.s3.*", resource="*", justification="none", approver="ops",
                    expires=date(2027, 1, 1))
    with caplog.at_level(logging.WARNING, logger="mlpscan"):
        report = evaluate(snapshot, engine_content, engine_content.level_profile(3),
                          waivers=[(live, "mlpscan.yaml"), (lapsed, "mlpscan.yaml"), (unused, "w.yaml")],
                          today=date(2026, 11, 21))
    by_name = {f.resource.name: f for f in only(report, "aws.ec2.volume_encrypted")}
    waived = by_name["vol-legacy-1"]
    assert waived.status is Status.WAIVED
    assert waived.waiver is not None
    assert waived.waiver.status is Status.FAIL
    assert waived.waiver.approver == "ciso@example.cn"
    assert waived.waiver.source == "mlpscan.yaml"
    assert by_name["vol-2"].status is Status.FAIL
    assert by_name["vol-2"].message.endswith("(waiver expired on 2026-01-31)")
    assert "expired on 2026-01-31 and no longer applies" in caplog.text
    assert "w.yaml: waiver for aws.s3.* on * (approved by ops) matched no finding" in caplog.text
    assert report.summary.by_status[Status.WAIVED] == 1
    volumes_failing = [f for f in report.failing(Severity.INFO) if f.check == "aws.ec2.volume_encrypted"]
    assert volumes_failing == [by_name["vol-2"]]


# -- the two cross-cloud checks ------------------------------------------------------------------

RESIDENCY = "cloud.residency.mainland_region"
PLATFORM = "cloud.platform.level_at_least_system"


def test_residency_fails_exactly_the_resources_outside_mainland(content: Content) -> None:
    ali, tc, aws_cn, aws_global = "aliyun:1", "tencent:2", "aws:3", "aws:4"
    snapshot = make_snapshot(
        [target(ali), target(tc), target(aws_cn, partition="aws-cn"), target(aws_global, partition="aws")],
        [resource(ali, "aliyun.oss.bucket", "acs:oss:cn-hongkong:1:hk", "cn-hongkong"),
         resource(ali, "aliyun.oss.bucket", "acs:oss:cn-hangzhou:1:hz", "cn-hangzhou"),
         resource(ali, "aliyun.ram.user", "acs:ram::1:user/alice", None),
         resource(tc, "tencent.cvm.instance", "qcs::cvm:ap-hongkong:uin/2:instance/ins-hk", "ap-hongkong"),
         resource(tc, "tencent.cvm.instance", "qcs::cvm:ap-guangzhou:uin/2:instance/ins-gz", "ap-guangzhou"),
         resource(aws_cn, "aws.s3.bucket", "arn:aws-cn:s3:::bj", "cn-north-1"),
         resource(aws_global, "aws.s3.bucket", "arn:aws:s3:::virginia", "us-east-1")])
    report = evaluate(snapshot, content, content.level_profile(3))
    outcome = {f.resource.uid: f.status for f in only(report, RESIDENCY)}
    assert outcome == {
        "acs:oss:cn-hongkong:1:hk": Status.FAIL, "acs:oss:cn-hangzhou:1:hz": Status.PASS,
        "qcs::cvm:ap-hongkong:uin/2:instance/ins-hk": Status.FAIL,
        "qcs::cvm:ap-guangzhou:uin/2:instance/ins-gz": Status.PASS,
        "arn:aws-cn:s3:::bj": Status.PASS, "arn:aws:s3:::virginia": Status.FAIL}
    hk = next(f for f in only(report, RESIDENCY) if f.resource.region == "cn-hongkong")
    assert hk.clauses == ["8.2.1.1", "8.2.4.5.a"]
    assert "outside mainland China" in hk.message
    assert hk.observed == {"region": "cn-hongkong", "region_name": hk.observed["region_name"], "mainland": False}


def test_residency_unknown_region_is_an_error_naming_it(content: Content) -> None:
    snapshot = make_snapshot([target("aliyun:1")],
                             [resource("aliyun:1", "aliyun.ecs.instance", "i-1", "cn-atlantis-1")])
    [finding] = only(evaluate(snapshot, content, content.level_profile(3)), RESIDENCY)
    assert finding.status is Status.ERROR
    assert "unknown aliyun region id 'cn-atlantis-1'" in finding.message


def test_residency_is_not_in_doubt_when_a_mainland_region_fails(content: Content) -> None:
    # whatever could not be listed in ap-shanghai is in the mainland anyway
    snapshot = make_snapshot([target("tencent:2")],
                             [resource("tencent:2", "tencent.cvm.instance", "ins-1", "ap-guangzhou")],
                             [{"target": "tencent:2", "type": "tencent.cbs.disk", "region": "ap-shanghai",
                               "operation": "cbs:DescribeDisks", "code": "AuthFailure.UnauthorizedOperation"},
                              {"target": "tencent:2", "type": "tencent.cam.user", "region": None,
                               "operation": "cam:ListUsers", "code": "AuthFailure.UnauthorizedOperation"}])
    assert [f.status for f in only(evaluate(snapshot, content, content.level_profile(3)), RESIDENCY)] == [
        Status.PASS]


def test_residency_does_not_apply_to_hosts(content: Content) -> None:
    snapshot = make_snapshot([target("host:web-01", provider="host")],
                             [resource("host:web-01", "host.system", "host:web-01", None)])
    report = evaluate(snapshot, content, content.level_profile(3))
    assert only(report, RESIDENCY) == []
    assert only(report, PLATFORM) == []


def aliyun_on(*regions: str, platform: dict[str, object] | None = None) -> Snapshot:
    """An account with a disk in each region (the regions holding resources are the ones judged)."""
    extra = {"platform": platform} if platform else {}
    return make_snapshot([target("aliyun:1", account="1", regions=list(regions), **extra)],
                         [resource("aliyun:1", "aliyun.account", "acs:ram::1:root"),
                          *(resource("aliyun:1", "aliyun.ecs.disk", f"d-{region}", region) for region in regions)])


def accepting_old_claims(content: Content, level: int) -> ResolvedProfile:
    """The level's profile, accepting the published claims of 2016-2017 as current."""
    profile = content.level_profile(level)
    return replace(profile, params={**profile.params, "platform_claim_max_age_days": 100 * 365})


@pytest.mark.parametrize(("level", "expected"), [(3, Status.PASS), (4, Status.FAIL), (2, Status.PASS)])
def test_platform_level_from_published_data(content: Content, level: int, expected: Status) -> None:
    [finding] = only(evaluate(aliyun_on("cn-hangzhou"), content, accepting_old_claims(content, level)), PLATFORM)
    assert finding.status is expected
    assert finding.observed["platform_level"] == 3
    assert "providers/platforms.yaml" in finding.observed["source"]
    assert finding.resource.type == "aliyun.account"


def test_a_published_claim_older_than_the_limit_is_not_current_evidence(content: Content) -> None:
    [finding] = only(evaluate(aliyun_on("cn-hangzhou"), content, content.level_profile(3)), PLATFORM)
    assert finding.status is Status.MANUAL
    assert "aliyun-public (cn-hangzhou) is dated 2017" in finding.message


def test_finance_region_maps_to_the_finance_cloud(content: Content) -> None:
    [finding] = only(evaluate(aliyun_on("cn-shanghai-finance-1"), content, accepting_old_claims(content, 4)),
                     PLATFORM)
    assert finding.status is Status.PASS
    assert finding.observed["platform_level"] == 4


def test_the_weakest_region_decides(content: Content) -> None:
    snapshot = aliyun_on("cn-shanghai-finance-1", "cn-hangzhou")
    [finding] = only(evaluate(snapshot, content, accepting_old_claims(content, 4)), PLATFORM)
    assert finding.status is Status.FAIL


def test_declared_platform_wins_and_config_declarations_fill_gaps(content: Content) -> None:
    declared = {"name": "Alibaba Finance Cloud", "level": 4, "source": "declared in mlpscan.yaml",
                "evidence": "备案证明 33010099001"}
    [finding] = only(evaluate(aliyun_on("cn-hangzhou", platform=declared), content,
                              content.level_profile(4)), PLATFORM)
    assert finding.status is Status.PASS
    assert "declared in mlpscan.yaml, evidence: 备案证明 33010099001" in finding.message
    assert finding.observed["evidence"] == "备案证明 33010099001"
    via_config = evaluate(aliyun_on("cn-hangzhou"), content, content.level_profile(4),
                          platforms=[PlatformDeclaration(target="aliyun:*", level=4, evidence="x")],
                          platforms_source="declared in prod.yaml")
    [finding] = only(via_config, PLATFORM)
    assert finding.status is Status.PASS
    assert finding.observed["source"] == "declared in prod.yaml"


def test_unknown_platform_level_asks_for_evidence(content: Content) -> None:
    [finding] = only(evaluate(aliyun_on("cn-hongkong"), content, content.level_profile(3)), PLATFORM)
    assert finding.status is Status.MANUAL
    assert "备案证明" in finding.message
    assert "cn-hongkong" in finding.message
    [nothing] = only(evaluate(aliyun_on(), content, content.level_profile(3)), PLATFORM)
    assert nothing.status is Status.MANUAL


def test_digest_mismatch_is_a_warning(content: Content, caplog: pytest.LogCaptureFixture) -> None:
    sealed = aliyun_on("cn-hangzhou").sealed()
    tampered = sealed.model_copy(update={"targets": [sealed.targets[0].model_copy(update={"regions": []})]})
    with caplog.at_level(logging.WARNING, logger="mlpscan"):
        report = evaluate(tampered, content, content.level_profile(3))
    assert "does not match its content" in caplog.text
    assert report.snapshot.digest != sealed.digest


def test_a_failed_detail_call_makes_only_the_checks_reading_it_error(engine_content: Content) -> None:
    denied = volume("vol-5", True)
    denied["data"] = {**denied["data"], "_failed_calls": {  # type: ignore[dict-item]
        "Encrypted": "ec2:DescribeVolumeAttribute UnauthorizedOperation: not authorized"}}
    elsewhere = volume("vol-6", True)
    elsewhere["data"] = {**elsewhere["data"], "_failed_calls": {  # type: ignore[dict-item]
        "SnapshotAttribute": "ec2:DescribeSnapshotAttribute Throttling: Rate exceeded"}}
    report = evaluate(aws_snapshot([denied, elsewhere]), engine_content, engine_content.level_profile(3))
    by_name = {f.resource.name: f for f in only(report, "aws.ec2.volume_encrypted")}
    assert by_name["vol-5"].status is Status.ERROR
    assert "ec2:DescribeVolumeAttribute UnauthorizedOperation" in by_name["vol-5"].message
    assert by_name["vol-6"].status is Status.PASS


def test_residency_is_an_error_when_the_region_could_not_be_read(content: Content) -> None:
    bucket = resource(AWS, "aws.s3.bucket", "arn:aws-cn:s3:::hidden", None, {
        "Name": "hidden", "_failed_calls": {"GetBucketLocation": "s3:GetBucketLocation AccessDenied: Access Denied",
                                            "region": "s3:GetBucketLocation AccessDenied: Access Denied"}},
        name="hidden")
    report = evaluate(aws_snapshot([bucket]), content, content.level_profile(3))
    (finding,) = [f for f in report.findings if f.check == "cloud.residency.mainland_region"
                  and f.resource.name == "hidden"]
    assert finding.status is Status.ERROR
    assert "could not be determined" in finding.message
    assert "AccessDenied" in finding.message


def test_a_type_collection_did_not_ask_for_is_an_error_not_an_absence(engine_content: Content) -> None:
    # collected for other checks (collect --checks), or by a version that knew fewer types: no
    # volumes in the snapshot says nothing about the account's volumes
    asked = sorted(t for t in engine_content.resource_types
                   if t.startswith("aws.") and t not in {"aws.ec2.volume", "aws.logs.log_group"})
    report = evaluate(aws_snapshot([trail("t", True, True)], collected_types=asked), engine_content,
                      engine_content.level_profile(3))
    [volumes] = only(report, "aws.ec2.volume_encrypted")
    assert volumes.status is Status.ERROR
    assert volumes.message.startswith(f"not collected: this snapshot's collection of {AWS} did not ask for "
                                      "aws.ec2.volume")
    assert volumes.observed == {"not_collected": ["aws.ec2.volume"]}
    [retention] = only(report, "aws.logs.retention")          # match: all would be "not applicable"
    assert retention.status is Status.ERROR
    residency = only(report, "cloud.residency.mainland_region")   # reads every type: in doubt
    assert [f.status for f in residency] == [Status.ERROR]
    assert {"aws.ec2.volume", "aws.logs.log_group"} <= set(residency[0].observed["not_collected"])
    assert [f.status for f in only(report, "aws.cloudtrail.multi_region_trail")] == [Status.PASS]


def test_a_snapshot_that_records_every_type_or_none_is_judged_on_what_it_holds(engine_content: Content) -> None:
    everything = sorted(t for t in engine_content.resource_types if t.startswith("aws."))
    for extra in ({"collected_types": everything}, {}):       # {}: a snapshot of an earlier version
        report = evaluate(aws_snapshot([], **extra), engine_content, engine_content.level_profile(3))
        assert only(report, "aws.ec2.volume_encrypted") == []
        assert [f.status for f in only(report, "aws.logs.retention")] == [Status.NOT_APPLICABLE]
