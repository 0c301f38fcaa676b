"""The fault scenarios: one fault each, planted on the faulty endpoint of its provider's stage.

The faults are the fakes' and the fault proxy's own injection (tests/fakes): an error answer with
the real code and status, a 200 that is an error document or not JSON, a reset mid-body, an
answer rewritten (an item path missing, a total as text, a truncation without its marker, a
repeated token), an endpoint that stalls; a region or an account that cannot be reached; and,
for hosts, the suite's scripted SSH servers (tests/providers/host/scripted_ssh.py) beside its real
sshd.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.campaign.scans import Faulty
from bench.campaign.worlds import ALIYUN_FAULTY, ALIYUN_KEYS
from tests.fakes.aliyun_fake import VERSIONS as ALIYUN_ACTIONS
from tests.fakes.aliyun_world import FakeError, User, compliant_world
from tests.fakes.tencent_handlers import JSON_HANDLERS as TENCENT_HANDLERS
from tests.fakes.tencent_products import PRODUCT_HANDLERS as TENCENT_PRODUCT_HANDLERS
from tests.providers.aws.test_faults import S3_DENIED, shorter_session, sts_denied, unreadable_dates

STALL = 30.0    # seconds a stalled endpoint holds a call (the faulty source's read timeout is 3 s)


@dataclass(frozen=True)
class Scenario:
    name: str                                  # provider.what
    what: str                                  # the fault, in words
    plant: Callable[[Faulty], None]
    affected: frozenset[str] = field(default_factory=frozenset)   # hosts: resource types it leaves unread

    @property
    def provider(self) -> str:
        return self.name.split(".", 1)[0]


def _sleepy(seconds: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def answer_late(answer: dict[str, Any]) -> dict[str, Any]:
        time.sleep(seconds)
        return answer
    return answer_late


def _same_first_page(answer: dict[str, Any]) -> dict[str, Any]:
    """A server that ignores PageNumber: every page is the first one."""
    return {**answer, "PageNumber": 1, "Instances": {"Instance": [{"InstanceId": "i-ngzhou000001"}]}}


# -- Alibaba Cloud ----------------------------------------------------------------------------

def _aliyun_region_down(faulty: Faulty) -> None:
    for action in [*ALIYUN_ACTIONS, "ListBuckets", "GetBucketInfo", "GetBucketPolicy", "GetBucketLifecycle",
                   "DescribeClustersV1"]:
        faulty.server.fail(action, "ServiceUnavailable", 503, region="cn-shanghai",
                           message="The request has failed due to a temporary failure of the server.")


def _aliyun_odd_login_date(faulty: Faulty) -> None:
    faulty.server.worlds[ALIYUN_FAULTY].users.append(User("odd.date", last_login="yesterday-ish"))


def _aliyun_role_renewal_denied(faulty: Faulty) -> None:
    """The account is reached by a role; after connecting, every renewal of it is refused."""
    fake = faulty.server
    world = fake.worlds.pop(ALIYUN_FAULTY)
    base = compliant_world("9999000011112222")
    fake.worlds[base.account_id] = base
    fake.keys[ALIYUN_KEYS["faulty"].key_id].account = base.account_id
    role = fake.add_role(world, external_id="campaign-1")
    fake.session_seconds = 60          # inside the refresh margin: every call renews the role
    original, issued = fake.assume_role, []

    def assume_once(caller: Any, params: dict[str, str]) -> dict[str, Any]:
        issued.append(1)
        if len(issued) > 2:
            raise FakeError(403, "NoPermission", "You are not authorized to assume this role any more.")
        answer: dict[str, Any] = original(caller, params)
        return answer

    fake.assume_role = assume_once
    faulty.entry["accounts"] = [{"role_arn": role, "external_id": "campaign-1"}]


ALIYUN = [
    Scenario("aliyun.denied", "ecs:DescribeDisks answers 403 Forbidden.RAM in cn-shanghai",
             lambda f: f.server.fail("DescribeDisks", "Forbidden.RAM", 403, region="cn-shanghai",
                                     message="User not authorized to operate on the specified resource.")),
    Scenario("aliyun.throttled", "ram:ListUsers throttled (400 Throttling.User) on every attempt",
             lambda f: f.server.throttle("ListUsers")),
    Scenario("aliyun.5xx", "ecs:DescribeSecurityGroups answers 503 ServiceUnavailable",
             lambda f: f.server.fail("DescribeSecurityGroups", "ServiceUnavailable", 503)),
    Scenario("aliyun.reset", "ecs:DescribeInstances resets mid-body in cn-hangzhou",
             lambda f: f.server.break_answer("DescribeInstances", "reset", region="cn-hangzhou")),
    Scenario("aliyun.non_json_200", "ecs:DescribeSnapshots answers 200 with an HTML page",
             lambda f: f.server.break_answer("DescribeSnapshots", "not_json")),
    Scenario("aliyun.error_document_200", "rds:DescribeDBInstances answers 200 carrying Forbidden.RAM",
             lambda f: f.server.break_answer("DescribeDBInstances", "error_document", code="Forbidden.RAM",
                                             message="User not authorized")),
    Scenario("aliyun.missing_item_path", "vpc:DescribeVpcs answers {\"oops\": 1}",
             lambda f: f.server.mangle("DescribeVpcs", lambda a: {"oops": 1})),
    Scenario("aliyun.string_total", "ecs:DescribeDisks answers TotalCount \"many\"",
             lambda f: f.server.mangle("DescribeDisks", lambda a: {**a, "TotalCount": "many"})),
    Scenario("aliyun.total_below_items", "ecs:DescribeDisks answers TotalCount 1 over pages of 2 disks",
             lambda f: f.server.mangle("DescribeDisks", lambda a: {**a, "TotalCount": 1})),
    Scenario("aliyun.region_list_denied", "ecs:DescribeRegions answers 403 (no regions declared)",
             lambda f: f.server.fail("DescribeRegions", "Forbidden.RAM", 403)),
    Scenario("aliyun.truncated_without_marker", "ram:ListUsers answers IsTruncated true without a Marker",
             lambda f: f.server.mangle("ListUsers", lambda a: {**a, "IsTruncated": True, "Marker": ""})),
    Scenario("aliyun.repeated_page", "ecs:DescribeInstances ignores PageNumber (the same page again)",
             lambda f: f.server.mangle("DescribeInstances", _same_first_page, region="cn-hangzhou")),
    Scenario("aliyun.stalled", f"ecs:DescribeSecurityGroupAttribute answers after {STALL:.0f} s",
             lambda f: f.server.mangle("DescribeSecurityGroupAttribute", _sleepy(STALL))),
    Scenario("aliyun.unreachable_account", "sts:GetCallerIdentity resets while connecting",
             lambda f: f.server.break_answer("GetCallerIdentity", "reset")),
    Scenario("aliyun.unreachable_account_not_json", "sts:GetCallerIdentity answers 200 HTML while connecting",
             lambda f: f.server.break_answer("GetCallerIdentity", "not_json")),
    Scenario("aliyun.unreachable_region", "every call in cn-shanghai answers 503", _aliyun_region_down),
    Scenario("aliyun.bucket_listing_denied", "oss:ListBuckets answers 403 AccessDenied",
             lambda f: f.server.fail("ListBuckets", "AccessDenied", 403,
                                     message="You have no right to access this bucket.")),
    Scenario("aliyun.bucket_listing_5xx", "oss:ListBuckets answers 503",
             lambda f: f.server.fail("ListBuckets", "ServiceUnavailable", 503)),
    Scenario("aliyun.bucket_detail_5xx", "oss:GetBucketInfo answers 500 InternalError",
             lambda f: f.server.fail("GetBucketInfo", "InternalError", 500)),
    Scenario("aliyun.logstore_throttled", "sls:GetLogStore answers 403 ReadQuotaExceed every time",
             lambda f: f.server.throttle("GetLogStore", "sls")),
    Scenario("aliyun.hook_unreadable_date", "a user's LastLoginDate reads \"yesterday-ish\"",
             _aliyun_odd_login_date),
    Scenario("aliyun.role_renewal_denied", "the role is refused on renewal, mid-scan",
             _aliyun_role_renewal_denied),
]


# -- Tencent Cloud ----------------------------------------------------------------------------

def _tencent_region_down(faulty: Faulty) -> None:
    for operation in [*TENCENT_HANDLERS, *TENCENT_PRODUCT_HANDLERS]:
        if not operation.startswith(("cam:", "sts:", "cloudaudit:")):
            faulty.server.fail(operation, "InternalError", status=502, times=None, region="ap-shanghai")


TENCENT = [
    Scenario("tencent.denied", "cbs:DescribeDisks is not authorised in ap-shanghai",
             lambda f: f.server.deny("cbs:DescribeDisks", region="ap-shanghai")),
    Scenario("tencent.throttled", "cam:ListUsers answers RequestLimitExceeded every time",
             lambda f: f.server.fail("cam:ListUsers", "RequestLimitExceeded", times=None,
                                     message="Your current request times equals to 20 in a second")),
    Scenario("tencent.5xx", "cvm:DescribeInstances answers HTTP 502 with an HTML page",
             lambda f: f.server.fail("cvm:DescribeInstances", "BadGateway", status=502, times=None)),
    Scenario("tencent.reset", "vpc:DescribeSecurityGroups resets mid-body",
             lambda f: f.server.reset("vpc:DescribeSecurityGroups")),
    Scenario("tencent.missing_item_path", "cbs:DescribeDisks answers {\"oops\": 1}",
             lambda f: f.server.mangle("cbs:DescribeDisks", lambda a: {"oops": 1})),
    Scenario("tencent.string_total", "cvm:DescribeInstances answers TotalCount as text",
             lambda f: f.server.mangle("cvm:DescribeInstances", lambda a: {**a, "TotalCount": "1"})),
    Scenario("tencent.total_beyond_items", "cbs:DescribeSnapshots claims 500 items, pages stay empty",
             lambda f: f.server.mangle("cbs:DescribeSnapshots", lambda a: {**a, "TotalCount": 500})),
    Scenario("tencent.region_list_5xx", "cvm:DescribeRegions answers HTTP 502 (no regions declared)",
             lambda f: f.server.fail("cvm:DescribeRegions", "BadGateway", status=502, times=None)),
    Scenario("tencent.total_below_items", "cvm:DescribeInstances answers TotalCount 0 with an instance",
             lambda f: f.server.mangle("cvm:DescribeInstances", lambda a: {**a, "TotalCount": 0})),
    Scenario("tencent.stalled", f"cdb:DescribeDBInstances answers after {STALL:.0f} s",
             lambda f: f.server.mangle("cdb:DescribeDBInstances", _sleepy(STALL))),
    Scenario("tencent.unreachable_account", "sts:GetCallerIdentity resets while connecting",
             lambda f: f.server.reset("sts:GetCallerIdentity")),
    Scenario("tencent.unreachable_region", "every regional call in ap-shanghai answers HTTP 502",
             _tencent_region_down),
    Scenario("tencent.bucket_listing_denied", "cos:GetService answers 403 AccessDenied",
             lambda f: f.server.fail("cos:GetService", "AccessDenied", times=None)),
    Scenario("tencent.bucket_listing_5xx", "cos:GetService answers 503 SlowDown",
             lambda f: f.server.fail("cos:GetService", "SlowDown", times=None)),
    Scenario("tencent.bucket_detail_throttled", "cos:GetBucketEncryption answers 503 SlowDown every time",
             lambda f: f.server.fail("cos:GetBucketEncryption", "SlowDown", times=None)),
    Scenario("tencent.cam_detail_denied", "cam:GetUser is not authorised",
             lambda f: f.server.deny("cam:GetUser")),
]


# -- AWS --------------------------------------------------------------------------------------

def _iam_error(code: str, message: str) -> str:
    return ('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId>"
            "</ErrorResponse>")


def _ec2_error(code: str, message: str) -> str:
    return (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            "<RequestID>r-2</RequestID></Response>")


def _without(element: bytes) -> Callable[[bytes], bytes]:
    pattern = re.compile(rb"<" + element + rb">.*?</" + element + rb">|<" + element + rb"/>", re.S)
    return lambda body: pattern.sub(b"", body)


def _aws_role_renewal_denied(faulty: Faulty) -> None:
    faulty.server.rewrite("AssumeRole", shorter_session, times=2)
    faulty.server.answer("AssumeRole", 403, sts_denied("not authorized to perform sts:AssumeRole"),
                         "text/xml")
    faulty.entry["accounts"] = [{"role_arn": "arn:aws-cn:iam::123456789012:role/mlpscan-audit"}]


AWS = [
    Scenario("aws.denied", "iam:ListUsers answers 403 AccessDenied",
             lambda f: f.server.answer("ListUsers", 403, _iam_error("AccessDenied", "not authorized"),
                                       "text/xml")),
    Scenario("aws.throttled", "logs:DescribeLogGroups throttled on every attempt",
             lambda f: f.server.throttle(".DescribeLogGroups", 10_000)),
    Scenario("aws.5xx", "ec2:DescribeVolumes answers 503 in cn-northwest-1",
             lambda f: f.server.answer("DescribeVolumes", 503, _ec2_error("Unavailable", "try later"),
                                       "text/xml", region="cn-northwest-1")),
    Scenario("aws.reset", "ec2:DescribeSecurityGroups: the connection closes without an answer",
             lambda f: f.server.stall("DescribeSecurityGroups", 0.01)),
    Scenario("aws.non_json_200", "logs:DescribeLogGroups answers 200 with an HTML page",
             lambda f: f.server.answer("DescribeLogGroups", 200, "<html><body>gateway</body></html>",
                                       "text/html")),
    Scenario("aws.error_document_200", "logs:DescribeLogGroups answers 200 carrying an error document",
             lambda f: f.server.answer("DescribeLogGroups", 200,
                                       '{"__type": "AccessDeniedException", "message": "not authorized"}',
                                       "application/x-amz-json-1.1")),
    Scenario("aws.missing_item_path", "ec2:DescribeVolumes answers without volumeSet",
             lambda f: f.server.rewrite("DescribeVolumes", _without(b"volumeSet"))),
    Scenario("aws.truncated_without_marker", "iam:ListUsers answers IsTruncated true without a Marker",
             lambda f: f.server.rewrite("ListUsers", lambda body: body.replace(
                 b"<IsTruncated>false</IsTruncated>", b"<IsTruncated>true</IsTruncated>"))),
    Scenario("aws.repeated_token", "logs:DescribeLogGroups repeats its nextToken",
             lambda f: f.server.rewrite("DescribeLogGroups",
                                        lambda body: body[:-1] + b', "nextToken": "same"}')),
    Scenario("aws.stalled", f"cloudtrail:DescribeTrails answers after {STALL:.0f} s",
             lambda f: f.server.stall("DescribeTrails", STALL)),
    Scenario("aws.unreachable_account", "sts:GetCallerIdentity answers 403 while connecting",
             lambda f: f.server.answer("GetCallerIdentity", 403, sts_denied("not authorized"), "text/xml")),
    Scenario("aws.unreachable_region", "every call signed for cn-northwest-1 answers 503",
             lambda f: f.server.down.add("cn-northwest-1")),
    Scenario("aws.bucket_listing_denied", "s3:ListBuckets answers 403 AccessDenied",
             lambda f: f.server.answer("ListBuckets", 403, S3_DENIED, "application/xml")),
    Scenario("aws.hook_unreadable_date", "the credential report's password_last_used of alice is not a date",
             lambda f: f.server.rewrite("GetCredentialReport", unreadable_dates)),
    Scenario("aws.role_renewal_denied", "the role is refused on renewal, mid-scan", _aws_role_renewal_denied),
]

SCENARIOS: dict[str, list[Scenario]] = {"aliyun": ALIYUN, "tencent": TENCENT, "aws": AWS}
