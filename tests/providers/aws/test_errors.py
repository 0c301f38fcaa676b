"""Denied, throttled and unreachable collection becomes `error`, and the rest of the scan goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from mlpscan.content import Content
from mlpscan.findings import Status
from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.providers.cloud.spec import load_resource_file
from tests.conftest import REPO
from tests.fakes.aws_throttle import throttling_proxy
from tests.providers.aws.conftest import CHINA, FAST, Seeder, evaluate_level, findings, scan
from tests.providers.aws.test_acceptance import seed_china_account

POLICY = json.loads((REPO / "providers" / "aws" / "iam-policy.json").read_text(encoding="utf-8"))
# moto's IAM enforcement miscomputes the signature of these REST APIs' GET requests (403
# SignatureDoesNotMatch for GuardDuty's ListDetectors, EFS's DescribeFileSystems, OpenSearch's
# ListDomainNames, CloudFront's ListDistributions), so they are left out of the scans made under
# enforcement; their permissions are still checked against the policy file (test_policy.py) and
# the types are scanned without enforcement in test_acceptance.py, test_breadth.py and
# test_cdn_ddos.py.
MOTO_SIGNATURE_GAPS = {"aws.guardduty.region", "aws.efs.file_system", "aws.opensearch.domain",
                       "aws.cloudfront.distribution"}


def moto_only_names() -> dict[str, set[str]]:
    """IAM action names moto asks for where real IAM asks for the policy's (documented) name.

    Real S3 authorises ListBuckets as s3:ListAllMyBuckets, GetBucketEncryption as
    s3:GetEncryptionConfiguration and GetPublicAccessBlock as s3:GetBucketPublicAccessBlock (the S3
    API reference; the `permission:` entries of resources.yaml). moto gets these wrong, differently
    per release: up to 5.2.5 its S3 action map lacks the last two and authorises them as
    s3:ListBucket; from 5.2.6 its IAM check uses the botocore operation name for every S3 call
    (s3:ListBuckets, s3:GetBucketEncryption, ...), which no real IAM policy can grant. The test user
    gets those names in addition to the shipped policy, so the tests hold against either release;
    that the policy itself names the documented actions is proven in test_policy.py.
    """
    specs = load_resource_file(REPO, "aws").resources
    extra: dict[str, set[str]] = {}
    for call in (c for spec in specs for c in spec.calls if c.needs != c.call):
        extra.setdefault(call.needs, set()).add(call.call)
        if call.call in {"s3:GetBucketEncryption", "s3:GetPublicAccessBlock"}:
            extra[call.needs].add("s3:ListBucket")
    return extra


def auditor(seeder: Seeder, denied: list[str]) -> dict[str, str]:
    """A user holding exactly the shipped read-only policy, minus `denied`; then enforce IAM."""
    iam = seeder.client("iam")
    iam.create_user(UserName="mlpscan-auditor")
    allowed = [a for statement in POLICY["Statement"] for a in statement["Action"] if a not in denied]
    moto_names = moto_only_names()
    allowed += sorted({name for a in allowed for name in moto_names.get(a, ())})
    statements = [{"Sid": "MlpscanReadOnly", "Effect": "Allow", "Action": allowed, "Resource": "*"}]
    iam.put_user_policy(UserName="mlpscan-auditor", PolicyName="mlpscan-read-only",
                        PolicyDocument=json.dumps({**POLICY, "Statement": statements}))
    key = iam.create_access_key(UserName="mlpscan-auditor")["AccessKey"]
    requests.post(f"{seeder.endpoint}/moto-api/reset-auth", data=b"0", timeout=10)
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def test_the_shipped_policy_is_enough_for_a_whole_scan(moto: str, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    seeder = Seeder(moto, "cn-north-1")
    seed_china_account(seeder, compliant=True)
    for name, value in auditor(seeder, denied=[]).items():
        monkeypatch.setenv(name, value)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA)], content,
                 wanted=lambda kind: kind not in MOTO_SIGNATURE_GAPS)
    assert found.errors == []
    failed = [r.data["_failed_calls"] for r in found.resources if "_failed_calls" in r.data]
    assert failed == []
    assert {r.type for r in found.resources} >= {"aws.account", "aws.iam.user", "aws.s3.bucket", "aws.ec2.volume"}


def test_a_denied_call_is_an_error_while_the_rest_completes(moto: str, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    seeder = Seeder(moto, "cn-north-1")
    seed_china_account(seeder, compliant=False)
    for name, value in auditor(seeder, denied=["ec2:DescribeVolumes", "iam:GetCredentialReport"]).items():
        monkeypatch.setenv(name, value)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA)], content,
                 wanted=lambda kind: kind not in MOTO_SIGNATURE_GAPS)
    assert {(e.type, e.region, e.operation, e.code) for e in found.errors} == {
        ("aws.ec2.volume", region, "ec2:DescribeVolumes", "AccessDenied") for region in CHINA}
    report = evaluate_level(found, content)
    volume = findings(report, "aws.ec2.volume_encrypted")
    assert {f.status for f in volume} == {Status.ERROR}
    assert all("ec2:DescribeVolumes" in f.message and "AccessDenied" in f.message for f in volume)
    # the credential report was denied: MFA is unknown for each console user, never a pass
    mfa = findings(report, "aws.iam.console_user_mfa")
    assert {f.status for f in mfa} == {Status.ERROR}
    assert "iam:GetCredentialReport" in mfa[0].message
    # everything else was still collected and judged
    assert {f.status for f in findings(report, "aws.logs.log_group_retention")} == {Status.PASS, Status.FAIL}
    assert {f.status for f in findings(report, "aws.iam.password_policy_complexity")} == {Status.FAIL}


def test_throttling_that_recovers_and_throttling_that_outlasts_the_retries(moto: str, content: Content) -> None:
    Seeder(moto, "cn-north-1").log_group("/app/orders", 30)
    with throttling_proxy(moto) as proxy:
        source = CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",))
        proxy.throttle(".DescribeLogGroups", 1)          # one throttle: botocore's retry absorbs it
        recovered = scan([source], content)
        assert proxy.throttled == {".DescribeLogGroups": 1}
        assert [r.name for r in recovered.resources if r.type == "aws.logs.log_group"] == ["/app/orders"]
        assert recovered.errors == []

        proxy.throttle(".DescribeLogGroups", 10)         # more than max_attempts: an error, not a pass
        gave_up = scan([source], content)
    assert [(e.type, e.operation, e.code) for e in gave_up.errors] == [
        ("aws.logs.log_group", "logs:DescribeLogGroups", "ThrottlingException")]
    assert f"gave up after {FAST.max_attempts} attempts" in gave_up.errors[0].message
    report = evaluate_level(gave_up, content)
    retention = findings(report, "aws.logs.log_group_retention")
    assert [f.status for f in retention] == [Status.ERROR]
    assert {r.type for r in gave_up.resources} >= {"aws.account", "aws.ec2.vpc"}   # the rest went on


def test_an_unreachable_endpoint_is_a_connection_error(content: Content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMLPSCANTEST00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mlpscan-test-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    options = CloudOptions(max_attempts=1, connect_timeout=1, read_timeout=1)
    found = scan([CloudSource(provider="aws", endpoint="http://127.0.0.1:9", regions=CHINA)], content, options)
    assert [(t.id, t.regions) for t in found.targets] == [("aws:default", list(CHINA))]
    (error,) = found.errors
    assert (error.type, error.operation, error.code) == ("aws.*", "sts:GetCallerIdentity", "EndpointConnectionError")
    assert found.resources == []


def test_the_read_only_statement_alone_reads_an_existing_report_or_says_none_is_fresh(
        moto: str, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    seeder = Seeder(moto, "cn-north-1")
    seeder.console_user("alice", mfa=False)
    for name, value in auditor(seeder, denied=["iam:GenerateCredentialReport"]).items():
        monkeypatch.setenv(name, value)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=("cn-north-1",))], content,
                 wanted=lambda kind: kind in ("aws.account", "aws.iam.user"))
    [alice] = [r for r in found.resources if r.type == "aws.iam.user" and r.name == "alice"]
    reason = alice.data["_failed_calls"]["CredentialReport"]
    assert "iam:GenerateCredentialReport was denied" in reason
    assert "no credential report younger than four hours exists" in reason
    report = evaluate_level(found, content)
    assert {f.status for f in findings(report, "aws.iam.console_user_mfa")} == {Status.ERROR}
