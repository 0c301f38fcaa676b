"""Issue acceptance: a level-3 scan of accounts in moto through the real boto3 clients."""

from __future__ import annotations

from mlpscan.content import Content
from mlpscan.findings import Status
from mlpscan.providers.cloud.source import CloudSource
from tests.providers.aws.conftest import CHINA, Seeder, evaluate_level, findings, scan, statuses

FAILS = {  # check -> the clause a level-3 report must cite for it
    "aws.iam.console_user_mfa": "8.1.4.1.d",
    "aws.iam.password_policy_complexity": "8.1.4.1.a",
    "aws.cloudtrail.multi_region_trail": "8.1.4.3.a",
    "aws.logs.log_group_retention": "8.1.4.3.c",
    "aws.ec2.volume_encrypted": "8.1.4.8.b",
}


def seed_china_account(seeder: Seeder, compliant: bool) -> None:
    seeder.console_user("alice", mfa=compliant)
    seeder.console_user("bob", mfa=True)
    seeder.password_policy(strong=compliant)
    seeder.trail("org-audit", "audit-trail-cn", multi_region=compliant, retention_days=400)
    seeder.log_group("/app/orders", 365 if compliant else 30)
    seeder.log_group("/app/forever", None)
    seeder.volume(encrypted=compliant)
    seeder.bucket("orders-cn", "cn-northwest-1", hardened=True)


def test_a_noncompliant_china_account_fails_each_control_with_its_clause(moto: str, content: Content) -> None:
    seed_china_account(Seeder(moto, "cn-north-1"), compliant=False)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA)], content)
    assert found.errors == []
    report = evaluate_level(found, content)
    for check, clause in FAILS.items():
        failing = [f for f in findings(report, check) if f.status is Status.FAIL]
        assert failing, check
        assert all(clause in f.clauses for f in failing), (check, failing[0].clauses)
    assert statuses(report, "aws.iam.console_user_mfa") == {"alice": "fail", "bob": "pass"}
    assert statuses(report, "aws.logs.log_group_retention") == {"/app/orders": "fail", "/app/forever": "pass"}
    assert statuses(report, "aws.cloudtrail.log_retention") == {"org-audit": "pass"}


def test_a_compliant_china_account_passes_the_same_checks(moto: str, content: Content) -> None:
    seed_china_account(Seeder(moto, "cn-north-1"), compliant=True)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA)], content)
    report = evaluate_level(found, content)
    for check in [*FAILS, "aws.iam.password_policy_rotation", "aws.cloudtrail.log_retention",
                  "aws.s3.bucket_encryption", "aws.s3.tls_only", "aws.s3.public_access_blocked",
                  "aws.s3.versioning", "cloud.residency.mainland_region"]:
        observed = {f.status for f in findings(report, check)}
        assert observed == {Status.PASS}, (check, [f.message for f in findings(report, check)])


def test_china_partition_regions_and_arns(moto: str, content: Content) -> None:
    seed_china_account(Seeder(moto, "cn-north-1"), compliant=True)
    found = scan([CloudSource(provider="aws", endpoint=moto)], content)   # regions from DescribeRegions
    (target,) = found.targets
    assert target.partition == "aws-cn"
    assert target.regions == ["cn-north-1", "cn-northwest-1"]   # moto lists 38; the partition has 2
    assert all(r.uid.startswith("arn:aws-cn:") for r in found.resources), [
        r.uid for r in found.resources if not r.uid.startswith("arn:aws-cn:")][:3]
    bucket = next(r for r in found.resources if r.type == "aws.s3.bucket" and r.name == "orders-cn")
    assert bucket.region == "cn-northwest-1"
    assert {r.region for r in found.resources if r.type == "aws.ec2.ebs_encryption"} == set(CHINA)


def test_a_bucket_outside_china_in_a_global_account_fails_residency(moto: str, content: Content) -> None:
    seed_china_account(Seeder(moto, "cn-north-1"), compliant=True)
    role = "arn:aws:iam::444455556666:role/mlpscan-audit"
    granted = Seeder(moto, "us-east-1").client("sts").assume_role(RoleArn=role, RoleSessionName="seed")
    keys = granted["Credentials"]
    global_account = Seeder(moto, "us-east-1", credentials={
        "aws_access_key_id": keys["AccessKeyId"], "aws_secret_access_key": keys["SecretAccessKey"],
        "aws_session_token": keys["SessionToken"]})
    global_account.bucket("marketing-hk", "ap-east-1", hardened=True)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA),
                  CloudSource(provider="aws", endpoint=moto, regions=("us-east-1", "ap-east-1"), role_arn=role)],
                 content)
    assert [(t.id, t.partition) for t in found.targets] == [
        ("aws:123456789012", "aws-cn"), ("aws:444455556666", "aws")]
    report = evaluate_level(found, content)
    residency = {(f.resource.target, f.resource.name): f.status.value
                 for f in findings(report, "cloud.residency.mainland_region") if f.resource.type == "aws.s3.bucket"}
    assert residency == {("aws:123456789012", "orders-cn"): "pass", ("aws:123456789012", "audit-trail-cn"): "pass",
                         ("aws:444455556666", "marketing-hk"): "fail"}
    hk = next(f for f in findings(report, "cloud.residency.mainland_region")
              if f.resource.name == "marketing-hk")
    assert "8.2.4.5.a" in hk.clauses
