"""Faults planted by a proxy in front of moto, through the real boto3 clients: each becomes an
`error` for what it touched (never an empty list or a pass), and the scan completes."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from mlpscan.content import Content
from mlpscan.findings import Status
from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.snapshot import FAILED_CALLS_KEY, dump_snapshot
from tests.fakes.aws_throttle import throttling_proxy
from tests.providers.aws.conftest import CHINA, Seeder, evaluate_level, findings, scan, snapshot_of
from tests.providers.aws.test_acceptance import seed_china_account

ROLE = "arn:aws-cn:iam::111111111111:role/mlpscan-audit"
S3_DENIED = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
             "<Message>Access Denied</Message><RequestId>r-1</RequestId></Error>")


def sts_denied(message: str) -> str:
    return ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>AccessDenied</Code><Message>{message}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>")


def test_a_non_json_200_is_an_error_not_an_empty_list(moto: str, content: Content) -> None:
    Seeder(moto, "cn-north-1").log_group("/app/orders", 30)
    with throttling_proxy(moto) as proxy:
        proxy.answer("DescribeLogGroups", 200, "<html><body>gateway</body></html>", "text/html")
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",))], content)
    [error] = [e for e in found.errors if e.operation == "logs:DescribeLogGroups"]
    assert error.code == "MalformedResponse"
    assert "without logGroups" in error.message
    report = evaluate_level(found, content)
    assert {f.status for f in findings(report, "aws.logs.log_group_retention")} == {Status.ERROR}


def test_truncated_without_a_marker_is_an_error(moto: str, content: Content) -> None:
    seeder = Seeder(moto, "cn-north-1")
    seeder.console_user("alice", mfa=False)
    with throttling_proxy(moto) as proxy:
        proxy.rewrite("ListUsers", lambda body: body.replace(b"<IsTruncated>false</IsTruncated>",
                                                             b"<IsTruncated>true</IsTruncated>"))
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",))], content)
    assert [(e.type, e.code) for e in found.errors if e.operation == "iam:ListUsers"] == [
        ("aws.iam.user", "MalformedResponse")]
    report = evaluate_level(found, content)
    assert {f.status for f in findings(report, "aws.iam.console_user_mfa")} == {Status.ERROR}


def test_a_repeated_token_stops_the_pages_with_an_error(moto: str, content: Content) -> None:
    Seeder(moto, "cn-north-1").log_group("/app/orders", 30)
    with throttling_proxy(moto) as proxy:
        proxy.rewrite("DescribeLogGroups", lambda body: body[:-1] + b', "nextToken": "same-token"}')
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",))], content)
        calls = proxy.applied["DescribeLogGroups"]
    assert [e.code for e in found.errors if e.operation == "logs:DescribeLogGroups"] == ["PaginationLoop"]
    assert calls == 2      # the second page repeated the first: no third request


def unreadable_dates(body: bytes) -> bytes:
    """GetCredentialReport with alice's password_last_used replaced by text that is not a date."""
    found = re.search(rb"<Content>([^<]+)</Content>", body)
    assert found is not None
    report = base64.b64decode(found.group(1)).decode()
    lines = report.splitlines()
    header = lines[0].split(",")
    column = header.index("password_last_used")
    for number, line in enumerate(lines):
        cells = line.split(",")
        if cells[0] == "alice":
            cells[column] = "last tuesday"
            lines[number] = ",".join(cells)
    encoded = base64.b64encode("\n".join(lines).encode())
    return body.replace(found.group(1), encoded)


def test_an_unreadable_date_in_the_credential_report_fails_that_user_only(moto: str, content: Content) -> None:
    seeder = Seeder(moto, "cn-north-1")
    seeder.console_user("alice", mfa=True)
    seeder.console_user("bob", mfa=True)
    with throttling_proxy(moto) as proxy:
        proxy.rewrite("GetCredentialReport", unreadable_dates)
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",))], content)
    users = {r.name: r.data for r in found.resources if r.type == "aws.iam.user"}
    assert "Activity" in users["bob"]
    assert "Activity" not in users["alice"]
    assert "hook credential_report ValueError" in users["alice"][FAILED_CALLS_KEY]["Activity"]
    report = evaluate_level(found, content)
    stale = {f.resource.name: f.status for f in findings(report, "aws.iam.no_stale_users")}
    assert stale == {"alice": Status.ERROR, "bob": Status.PASS}


def shorter_session(body: bytes) -> bytes:
    """AssumeRole's credentials expiring in five minutes: the next use must renew them."""
    soon = (datetime.now(timezone.utc) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return re.sub(rb"<Expiration>[^<]+</Expiration>", f"<Expiration>{soon}</Expiration>".encode(), body)


def test_a_role_renewal_denied_mid_scan_is_an_error_and_the_scan_completes(moto: str, content: Content) -> None:
    with throttling_proxy(moto) as proxy:
        # connecting assumes the role twice (once to fail early, once on first use): five-minute sessions
        proxy.rewrite("AssumeRole", shorter_session, times=2)
        proxy.answer("AssumeRole", 403, sts_denied("not authorized to perform sts:AssumeRole"), "text/xml")
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",),
                                  role_arn=ROLE)], content)
    assert [t.id for t in found.targets] == ["aws:111111111111"]
    assert found.errors
    assert {e.code for e in found.errors} == {"AccessDenied"}
    assert all("sts:AssumeRole" in e.message for e in found.errors)
    report = evaluate_level(found, content)
    assert Status.PASS not in {f.status for f in report.findings if f.check.startswith("aws.")}


def test_a_failed_bucket_listing_puts_residency_and_the_platform_in_doubt(moto: str, content: Content) -> None:
    seed_china_account(Seeder(moto, "cn-north-1"), compliant=True)
    with throttling_proxy(moto) as proxy:
        proxy.answer("ListBuckets", 403, S3_DENIED, "application/xml")
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=CHINA)], content)
    assert [(e.type, e.region, e.code) for e in found.errors] == [("aws.s3.bucket", None, "AccessDenied")]
    report = evaluate_level(found, content)
    residency = findings(report, "cloud.residency.mainland_region")
    assert Status.ERROR in {f.status for f in residency}
    assert any("s3:ListBuckets" in f.message for f in residency if f.status is Status.ERROR)
    [platform] = findings(report, "cloud.platform.level_at_least_system")
    assert platform.status is Status.ERROR


def test_credentials_echoed_by_a_server_are_scrubbed(moto: str, content: Content) -> None:
    Seeder(moto, "cn-north-1").volume(encrypted=True)
    echoed = ("<Response><Errors><Error><Code>AuthFailure</Code><Message>request signed with "
              f"AKIAMLPSCANTEST00001 / {quote('mlpscan-test-secret', safe='')} "
              "X-Amz-Credential=AKIAMLPSCANTEST00001%2F20261121 was refused</Message></Error></Errors>"
              "<RequestID>r-3</RequestID></Response>")
    with throttling_proxy(moto) as proxy:
        proxy.answer("DescribeVolumes", 401, echoed, "text/xml")
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",))], content)
    [error] = [e for e in found.errors if e.operation == "ec2:DescribeVolumes"]
    assert error.code == "AuthFailure"
    text = dump_snapshot(snapshot_of(found)).decode()
    for secret in ("AKIAMLPSCANTEST00001", "mlpscan-test-secret", quote("mlpscan-test-secret", safe="")):
        assert secret not in text


def test_an_endpoint_that_never_answers_costs_a_bounded_time(moto: str, content: Content) -> None:
    Seeder(moto, "cn-north-1").log_group("/app/orders", 30)
    options = CloudOptions(api_workers=8, max_attempts=5, connect_timeout=2, read_timeout=0.5, call_deadline=1.0,
                           backoff_base=0.01, backoff_cap=0.02)
    with throttling_proxy(moto) as proxy:
        proxy.stall("DescribeVpcs", 3.0)
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",))], content,
                     options)
        stalled = proxy.applied["DescribeVpcs"]
    [error] = [e for e in found.errors if e.operation == "ec2:DescribeVpcs"]
    assert error.code == "ReadTimeoutError"
    assert "deadline" in error.message
    assert stalled < options.max_attempts     # the deadline, not the attempts, ended it
    assert any(r.type == "aws.logs.log_group" for r in found.resources)   # the rest went on


def test_without_generate_an_absent_report_is_an_error_saying_what_to_do(moto: str, content: Content) -> None:
    Seeder(moto, "cn-north-1").console_user("alice", mfa=True)
    options = CloudOptions(api_workers=8, max_attempts=2, generate_credential_report=False)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=("cn-north-1",))], content, options)
    [alice] = [r for r in found.resources if r.type == "aws.iam.user"]
    reason = alice.data[FAILED_CALLS_KEY]["CredentialReport"]
    assert "ReportNotPresent" in reason
    assert "aws iam generate-credential-report" in reason
    report = evaluate_level(found, content)
    assert {f.status for f in findings(report, "aws.iam.console_user_mfa")} == {Status.ERROR}


@pytest.mark.parametrize("generate", [True, False])
def test_an_existing_report_is_read_when_generating_is_not_allowed(moto: str, content: Content,
                                                                  generate: bool) -> None:
    seeder = Seeder(moto, "cn-north-1")
    seeder.console_user("alice", mfa=True)
    seeder.client("iam").generate_credential_report()     # what an administrator ran earlier
    with throttling_proxy(moto) as proxy:
        proxy.answer("GenerateCredentialReport", 403,
                     '<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized</Message></Error>'
                     "</ErrorResponse>", "text/xml")
        options = CloudOptions(api_workers=8, max_attempts=2, generate_credential_report=generate)
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1",))], content,
                     options)
        asked = proxy.applied.get("GenerateCredentialReport", 0)
    [alice] = [r for r in found.resources if r.type == "aws.iam.user"]
    assert alice.data["CredentialReport"]["mfa_active"] == "true"
    assert (asked > 0) is generate
