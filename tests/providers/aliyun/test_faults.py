"""Faults the fake plants on purpose, through the real Alibaba SDKs: each becomes an `error` for what
it touched, never an empty list or a pass, and the scan completes with its snapshot."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Status
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.snapshot import FAILED_CALLS_KEY, Snapshot, dump_snapshot
from tests.fakes.aliyun_fake import ROOT_KEY_ID, ROOT_SECRET, AliyunFake
from tests.fakes.aliyun_world import User, compliant_world, disk, permission
from tests.providers.aliyun.conftest import FAST, Scan

ACCOUNT = "aliyun:1234567890123456"


def errors_of(snapshot: Snapshot, operation: str) -> list[tuple[str, str | None, str]]:
    return [(e.type, e.region, e.code) for e in snapshot.errors if e.operation == operation]


def statuses(snapshot: Snapshot, content: Content, check: str) -> set[Status]:
    report = evaluate(snapshot, content, content.level_profile(3))
    return {f.status for f in report.findings if f.check == check}


# -- answers that are not what the API returns ------------------------------------------------

@pytest.mark.parametrize(("name", "rewrite", "code"), [
    ("the item list is missing", lambda answer: {"oops": 1}, "MalformedResponse"),
    ("TotalCount as text", lambda answer: {**answer, "TotalCount": "many"}, "MalformedResponse"),
])
def test_a_listing_in_the_wrong_shape_is_an_error_not_an_empty_list(
        fake: AliyunFake, scan: Scan, content: Content, name: str, rewrite: Any, code: str) -> None:
    fake.mangle("DescribeDisks", rewrite, region="cn-shanghai")
    snapshot = scan(fake)
    assert errors_of(snapshot, "ecs:DescribeDisks") == [("aliyun.ecs.disk", "cn-shanghai", code)], name
    disks = [f for f in evaluate(snapshot, content, content.level_profile(3)).findings
             if f.check == "aliyun.ecs.disk_encrypted"]
    assert {(f.resource.region, f.status) for f in disks} == {("cn-hangzhou", Status.PASS),
                                                              ("cn-shanghai", Status.ERROR)}


def test_truncated_without_a_marker_is_an_error(fake: AliyunFake, scan: Scan, content: Content) -> None:
    fake.mangle("ListUsers", lambda answer: {**answer, "IsTruncated": True, "Marker": ""})
    snapshot = scan(fake)
    [(kind, region, code)] = errors_of(snapshot, "ram:ListUsers")
    assert (kind, region, code) == ("aliyun.ram.user", None, "MalformedResponse")
    assert "more pages follow" in snapshot.errors[0].message
    assert statuses(snapshot, content, "aliyun.ram.user_console_mfa") == {Status.ERROR}


def test_a_total_below_the_items_already_returned_is_an_error(fake: AliyunFake, scan: Scan,
                                                               content: Content) -> None:
    """Found by bench/campaign.py: a TotalCount below what the first page already held ended the list
    there, and the unencrypted disk on the next page was never read, without an error."""
    world = fake.worlds["1234567890123456"]
    world.page_cap = 1
    world.disks["cn-shanghai"] = [disk("cn-shanghai", 1), disk("cn-shanghai", 2, encrypted=False)]
    fake.mangle("DescribeDisks", lambda answer: {**answer, "TotalCount": 0}, region="cn-shanghai")
    snapshot = scan(fake)
    [error] = [e for e in snapshot.errors if e.operation == "ecs:DescribeDisks"]
    assert (error.region, error.code) == ("cn-shanghai", "IncompleteList")
    assert "announced 0" in error.message
    disks = {(f.resource.region, f.status) for f in evaluate(snapshot, content, content.level_profile(3)).findings
             if f.check == "aliyun.ecs.disk_encrypted"}
    assert disks == {("cn-hangzhou", Status.PASS), ("cn-shanghai", Status.ERROR)}


def test_a_server_that_ignores_the_page_number_stops_with_an_error(fake: AliyunFake, scan: Scan) -> None:
    world = fake.worlds["1234567890123456"]
    world.page_cap = 1
    world.instances["cn-hangzhou"] = [{**world.instances["cn-hangzhou"][0], "InstanceId": f"i-{n}"} for n in range(3)]
    fake.mangle("DescribeInstances", lambda answer: {**answer, "Instances": {"Instance": [{"InstanceId": "i-0"}]}},
                region="cn-hangzhou")
    snapshot = scan(fake)
    assert errors_of(snapshot, "ecs:DescribeInstances") == [("aliyun.ecs.instance", "cn-hangzhou", "PaginationLoop")]


@pytest.mark.parametrize(("how", "code"), [("error_document", "Throttling.User"), ("not_json", "MalformedResponse")])
def test_a_200_that_is_not_the_result_is_an_error(fake: AliyunFake, scan: Scan, how: str, code: str) -> None:
    fake.break_answer("DescribeSnapshots", how, region="cn-hangzhou")
    snapshot = scan(fake)
    assert errors_of(snapshot, "ecs:DescribeSnapshots") == [("aliyun.ecs.snapshot", "cn-hangzhou", code)]
    if how == "error_document":   # throttling in a 200 is retried like throttling in a 400
        assert len([s for s in fake.calls("DescribeSnapshots") if s.region == "cn-hangzhou"]) == FAST.max_attempts


def test_a_throttled_200_that_recovers_is_read(fake: AliyunFake, scan: Scan) -> None:
    fake.break_answer("DescribeSnapshots", "error_document", region="cn-hangzhou", times=1)
    snapshot = scan(fake)
    assert snapshot.errors == []
    assert {r.region for r in snapshot.resources if r.type == "aliyun.ecs.snapshot"} == {"cn-hangzhou", "cn-shanghai"}


# -- one account lost, the others kept ----------------------------------------------------------

@pytest.mark.parametrize(("how", "code"), [("reset", "ChunkedEncodingError"), ("not_json", "MalformedResponse")])
def test_a_reset_or_a_body_that_is_not_json_while_connecting_loses_that_account_only(
        fake: AliyunFake, scan: Scan, content: Content, how: str, code: str) -> None:
    other = compliant_world("5555666677778888")
    role = fake.add_role(other, external_id="x-1")
    fake.break_answer("GetCallerIdentity", how, account="1234567890123456")   # the first account's connection
    snapshot = scan(fake, CloudSource(provider="aliyun"),
                    CloudSource(provider="aliyun", role_arn=role, external_id="x-1"))
    assert sorted(t.id for t in snapshot.targets) == ["aliyun:5555666677778888", "aliyun:default"]
    [lost] = [e for e in snapshot.errors if e.target == "aliyun:default"]
    assert (lost.type, lost.operation) == ("aliyun.*", "sts:GetCallerIdentity")
    assert lost.code in (code, "IncompleteRead", "ProtocolError", "RequestError", "SDK.HttpError")
    assert any(r.target == "aliyun:5555666677778888" for r in snapshot.resources)
    report = evaluate(snapshot, content, content.level_profile(3))
    unreached = {f.check: f.status for f in report.findings if f.resource.target == "aliyun:default"}
    assert set(unreached.values()) == {Status.ERROR}
    assert unreached["cloud.platform.level_at_least_system"] is Status.ERROR   # never a pass from --region


def test_a_role_renewal_denied_mid_scan_is_an_error_for_the_calls_it_touched(
        fake: AliyunFake, scan: Scan, content: Content) -> None:
    fake.session_seconds = 60            # inside the refresh margin: every call renews the role
    role = fake.add_role(compliant_world("5555666677778888"), external_id="x-1")
    source = CloudSource(provider="aliyun", role_arn=role, external_id="x-1", regions=("cn-hangzhou",))
    original = fake.assume_role
    issued: list[int] = []

    def assume_once(caller: Any, params: dict[str, str]) -> dict[str, Any]:
        issued.append(1)
        if len(issued) > 2:    # connecting assumes it; then the renewal is refused
            raise_denied()
        return original(caller, params)

    fake.assume_role = assume_once   # type: ignore[method-assign]
    snapshot = scan(fake, source)
    assert [t.id for t in snapshot.targets] == ["aliyun:5555666677778888"]
    assert snapshot.errors
    assert all(e.code == "NoPermission" for e in snapshot.errors)
    assert all("renewing the temporary credentials" in e.message for e in snapshot.errors)
    report = evaluate(snapshot, content, content.level_profile(3))
    assert Status.PASS not in {f.status for f in report.findings if f.check.startswith("aliyun.ram.")}


def raise_denied() -> None:
    from tests.fakes.aliyun_paging import FakeError  # noqa: PLC0415

    raise FakeError(403, "NoPermission", "You are not authorized to assume this role any more.")


def test_an_unreadable_last_login_date_fails_that_user_only(fake: AliyunFake, scan: Scan, content: Content) -> None:
    world = fake.worlds["1234567890123456"]
    world.users.append(User("odd.date", last_login="yesterday-ish"))
    snapshot = scan(fake)
    users = {r.name: r.data for r in snapshot.resources if r.type == "aliyun.ram.user"}
    assert "LoginActivity" in users["ops.admin"]
    assert "LoginActivity" not in users["odd.date"]
    assert "hook user_activity ValueError" in users["odd.date"][FAILED_CALLS_KEY]["LoginActivity"]
    report = evaluate(snapshot, content, content.level_profile(3))
    stale = {f.resource.name: f.status for f in report.findings if f.check == "aliyun.ram.user_stale"}
    assert stale["odd.date"] is Status.ERROR
    assert stale["ops.admin"] is Status.PASS


# -- security-group rules: every page, in effect -----------------------------------------------

def test_rules_are_read_on_every_page_and_applied_by_priority(fake: AliyunFake, scan: Scan,
                                                               content: Content) -> None:
    world = fake.worlds["1234567890123456"]
    [group] = world.security_groups["cn-hangzhou"]
    # 1,200 rules: three pages of at most 500 by default, two of 1,000 as mlpscan asks. The rule
    # that opens SSH to the world comes first; the Drop that closes it (priority 1) is on the last page.
    filler = [permission("TCP", f"{10000 + n}/{10000 + n}", "10.0.0.0/8", number=n) for n in range(1197)]
    group["Permissions"] = [permission("TCP", "22/22", "0.0.0.0/0", priority=50, number=9001),
                            permission("TCP", "3389/3389", "0.0.0.0/0", priority=50, number=9002), *filler,
                            permission("TCP", "22/22", "0.0.0.0/0", policy="Drop", priority=1, number=9003)]
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=("cn-hangzhou",)))
    assert snapshot.errors == []
    [found] = [r for r in snapshot.resources if r.type == "aliyun.ecs.security_group"]
    assert len(found.data["DescribeSecurityGroupAttribute"]) == 1200
    assert len(fake.calls("DescribeSecurityGroupAttribute")) == 2
    assert found.data["WorldOpen"]["ports"] == [3389]
    report = evaluate(snapshot, content, content.level_profile(3))
    [admin] = [f for f in report.findings if f.check == "aliyun.ecs.security_group_admin_ports"]
    assert admin.status is Status.FAIL
    assert "3389" in admin.message
    assert "22," not in admin.message


def test_ssh_open_to_the_world_fails_on_alibaba(fake: AliyunFake, scan: Scan, content: Content) -> None:
    [group] = fake.worlds["1234567890123456"].security_groups["cn-hangzhou"]
    group["Permissions"] = [permission("TCP", "22/22", "0.0.0.0/0")]
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=("cn-hangzhou",)))
    assert statuses(snapshot, content, "aliyun.ecs.security_group_admin_ports") == {Status.FAIL}


# -- secrets -------------------------------------------------------------------------------

def test_the_string_to_sign_never_reaches_the_snapshot(fake: AliyunFake, scan: Scan) -> None:
    """SignatureDoesNotMatch repeats the string to sign: the AccessKeyId and the SecurityToken in it
    are percent-encoded twice. Neither they nor any other encoding of a credential is kept."""
    fake.session_seconds = 3600
    role = fake.add_role(compliant_world("5555666677778888"), external_id="x-1")
    fake.fail("DescribeDisks", "SignatureDoesNotMatch", 400, echo_string_to_sign=True)
    snapshot = scan(fake, CloudSource(provider="aliyun", role_arn=role, external_id="x-1", regions=("cn-hangzhou",)))
    [error] = [e for e in snapshot.errors if e.operation == "ecs:DescribeDisks"]
    assert error.code == "SignatureDoesNotMatch"
    assert "withheld" in error.message
    text = dump_snapshot(snapshot).decode()
    temporary = [(key_id, key.secret, key.token) for key_id, key in fake.keys.items() if key.token]
    assert temporary
    for key_id, secret, token in temporary:
        for value in (key_id, secret, token or ""):
            for form in (value, quote(value, safe=""), quote(quote(value, safe=""), safe="")):
                assert form not in text
    for value in (ROOT_KEY_ID, ROOT_SECRET):
        assert value not in text
