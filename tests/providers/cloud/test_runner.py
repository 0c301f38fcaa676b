"""The shared runner against a scripted transport: pagination, absent answers, failures, bounds."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mlpscan.providers.cloud.runner import (
    Account,
    AccountRun,
    ApiError,
    Hook,
    HookContext,
    TaskGroup,
    collect_accounts,
)
from mlpscan.providers.cloud.spec import Call, ResourceSpec
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource


class ScriptedApi:
    """Answers from a function of (action, region, params); records every call."""

    def __init__(self, answer: Any, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.calls: list[tuple[str, str | None, dict[str, Any]]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    def call(self, call: Call, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.calls.append((call.call, region, dict(params)))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            result: dict[str, Any] = self.answer(call.action, region, params)
            return result
        finally:
            with self.lock:
                self.in_flight -= 1


def spec(data: dict[str, Any]) -> ResourceSpec:
    return ResourceSpec.model_validate(data)


def run(api: ScriptedApi, specs: list[ResourceSpec], regions: tuple[str, ...] = ("r1",), workers: int = 4,
        hooks: dict[str, Any] | None = None) -> tuple[list[Resource], list[Any]]:
    account = Account("aws:1", api, regions, {"account": "1", "partition": "aws-cn"})
    with TaskGroup(workers) as group:
        account_run = AccountRun(account, specs, hooks or {}, group)
        collect_accounts([account_run], group)
    return account_run.finish()


USERS = spec({
    "type": "aws.iam.user", "scope": "global",
    "list": {"call": "iam:ListUsers", "items": "Users",
             "paginate": {"style": "token", "request": "Marker", "response": "Marker", "truncated": "IsTruncated"}},
    "uid": "arn:{partition}:iam::{account}:user/{UserName}", "name": "UserName",
    "details": [{"call": "iam:GetLoginProfile", "params": {"UserName": "{UserName}"}, "absent": ["NoSuchEntity"]},
                {"call": "iam:ListAttachedUserPolicies", "params": {"UserName": "{UserName}"},
                 "keep": "AttachedPolicies[].PolicyName"}],
})


def users_api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
    if action == "ListUsers":
        if params.get("Marker") is None:
            return {"Users": [{"UserName": "alice"}, {"UserName": "bob"}], "IsTruncated": True, "Marker": "m1"}
        return {"Users": [{"UserName": "carol"}], "IsTruncated": False}
    if action == "GetLoginProfile":
        if params["UserName"] == "bob":
            raise ApiError("NoSuchEntity", "no login profile")
        if params["UserName"] == "carol":
            raise ApiError("AccessDenied", "not authorized to perform iam:GetLoginProfile")
        return {"LoginProfile": {"UserName": params["UserName"]}}
    return {"AttachedPolicies": [{"PolicyName": "AdministratorAccess"}]}


def test_token_pages_details_absent_and_failed_calls() -> None:
    api = ScriptedApi(users_api)
    resources, errors = run(api, [USERS])
    assert errors == []
    by_name = {r.name: r for r in resources}
    assert sorted(by_name) == ["alice", "bob", "carol"]
    assert by_name["alice"].uid == "arn:aws-cn:iam::1:user/alice"
    assert by_name["alice"].region is None
    assert by_name["alice"].data["GetLoginProfile"] == {"LoginProfile": {"UserName": "alice"}}
    assert by_name["alice"].data["ListAttachedUserPolicies"] == ["AdministratorAccess"]
    assert by_name["bob"].data["GetLoginProfile"] is None            # not configured: a fact
    assert "GetLoginProfile" not in by_name["carol"].data              # denied: unknown
    assert by_name["carol"].data[FAILED_CALLS_KEY] == {
        "GetLoginProfile": "iam:GetLoginProfile AccessDenied: not authorized to perform iam:GetLoginProfile"}
    assert [c[2] for c in api.calls if c[0] == "iam:ListUsers"] == [{}, {"Marker": "m1"}]


@pytest.mark.parametrize(("paginate", "answer"), [
    ({"style": "page", "page": "PageNumber", "size": "PageSize", "limit": 2, "total": "TotalCount"},
     lambda p: (p["PageNumber"] - 1) * 2),
    ({"style": "offset", "offset": "Offset", "size": "Limit", "limit": 2, "total": "TotalCount"},
     lambda p: p["Offset"]),
])
def test_page_and_offset_styles_stop_at_the_total(paginate: dict[str, Any], answer: Any) -> None:
    instances = spec({"type": "aliyun.ecs.instance", "scope": "regional",
                      "list": {"call": "ecs:DescribeInstances", "items": "Instances.Instance", "paginate": paginate},
                      "uid": "{InstanceId}"})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        start = answer(params)
        ids = [f"i-{n}" for n in range(start, min(start + 2, 5))]
        return {"Instances": {"Instance": [{"InstanceId": i} for i in ids]}, "TotalCount": 5}

    scripted = ScriptedApi(api)
    resources, errors = run(scripted, [instances], regions=("cn-hangzhou", "cn-hongkong"))
    assert errors == []
    assert len(scripted.calls) == 6                                     # 3 pages in each region
    assert sorted((r.region, r.uid) for r in resources) == sorted(
        (region, f"i-{n}") for region in ("cn-hangzhou", "cn-hongkong") for n in range(5))


def test_a_failed_list_is_an_error_for_its_region_only() -> None:
    volumes = spec({"type": "aws.ec2.volume", "scope": "regional",
                    "list": {"call": "ec2:DescribeVolumes", "items": "Volumes"}, "uid": "{VolumeId}"})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        if region == "cn-northwest-1":
            raise ApiError("UnauthorizedOperation", "You are not authorized to perform this operation.")
        return {"Volumes": [{"VolumeId": "vol-1", "Encrypted": False}]}

    resources, errors = run(ScriptedApi(api), [volumes], regions=("cn-north-1", "cn-northwest-1"))
    assert [(r.uid, r.region) for r in resources] == [("vol-1", "cn-north-1")]
    assert [(e.type, e.region, e.operation, e.code) for e in errors] == [
        ("aws.ec2.volume", "cn-northwest-1", "ec2:DescribeVolumes", "UnauthorizedOperation")]


def test_a_detail_may_tell_the_region_and_singletons_keep_the_whole_answer() -> None:
    buckets = spec({"type": "aws.s3.bucket", "scope": "global",
                    "list": {"call": "s3:ListBuckets", "items": "Buckets"},
                    "uid": "arn:{partition}:s3:::{Name}", "name": "Name",
                    "region": "GetBucketLocation.LocationConstraint", "region_default": "us-east-1",
                    "details": [{"call": "s3:GetBucketLocation", "params": {"Bucket": "{Name}"}},
                                {"call": "s3:GetBucketVersioning", "params": {"Bucket": "{Name}"}}]})
    settings = spec({"type": "aws.ec2.ebs_default", "scope": "regional",
                     "list": {"call": "ec2:GetEbsEncryptionByDefault"}, "uid": "{account}:{region}:ebs"})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        if action == "ListBuckets":
            return {"Buckets": [{"Name": "logs"}, {"Name": "legacy"}]}
        if action == "GetBucketLocation":
            return {"LocationConstraint": "cn-northwest-1" if params["Bucket"] == "logs" else None}
        if action == "GetBucketVersioning":
            return {"Status": "Enabled", "asked_in": region}
        return {"EbsEncryptionByDefault": region == "r1"}

    resources, _ = run(ScriptedApi(api), [buckets, settings], regions=("r1", "r2"))
    found = {r.uid: r for r in resources}
    assert found["arn:aws-cn:s3:::logs"].region == "cn-northwest-1"
    assert found["arn:aws-cn:s3:::logs"].data["GetBucketVersioning"]["asked_in"] == "cn-northwest-1"
    assert found["arn:aws-cn:s3:::legacy"].region == "us-east-1"
    assert found["1:r1:ebs"].data == {"EbsEncryptionByDefault": True}
    assert found["1:r2:ebs"].data == {"EbsEncryptionByDefault": False}


def test_hooks_see_every_resource_of_their_type() -> None:
    def tag_all(context: HookContext) -> list[Resource]:
        return [r.model_copy(update={"data": {**r.data, "tagged": len(context.resources)}})
                for r in context.resources]

    hooked = USERS.model_copy(update={"hooks": ["tag"]})
    resources, _ = run(ScriptedApi(users_api), [hooked], hooks={"tag": Hook(tag_all, derives=("tagged",))})
    assert {r.data["tagged"] for r in resources} == {3}


def test_calls_stay_within_the_worker_bound_and_overlap() -> None:
    many = spec({"type": "aws.iam.user", "scope": "global", "list": {"call": "iam:ListUsers", "items": "Users"},
                 "uid": "{UserName}",
                 "details": [{"call": "iam:ListMFADevices", "params": {"UserName": "{UserName}"}}]})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        if action == "ListUsers":
            return {"Users": [{"UserName": f"u{n}"} for n in range(40)]}
        return {"MFADevices": []}

    scripted = ScriptedApi(api, delay=0.01)
    resources, _ = run(scripted, [many], workers=8)
    assert len(resources) == 40
    assert scripted.most_in_flight == 8


def test_an_unexpected_exception_is_recorded_not_raised() -> None:
    broken = spec({"type": "aws.kms.key", "scope": "regional", "list": {"call": "kms:ListKeys", "items": "Keys"},
                   "uid": "{KeyId}"})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("surprise")

    resources, errors = run(ScriptedApi(api), [broken])
    assert resources == []
    assert [(e.operation, e.code) for e in errors] == [("kms:ListKeys", "KeyError")]


def test_a_failed_location_call_leaves_the_region_unknown_not_defaulted() -> None:
    buckets = spec({"type": "aws.s3.bucket", "scope": "global", "list": {"call": "s3:ListBuckets", "items": "Buckets"},
                    "uid": "arn:{partition}:s3:::{Name}", "name": "Name",
                    "region": "GetBucketLocation.LocationConstraint", "region_default": "us-east-1",
                    "details": [{"call": "s3:GetBucketLocation", "params": {"Bucket": "{Name}"}}]})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        if action == "ListBuckets":
            return {"Buckets": [{"Name": "hidden"}]}
        raise ApiError("AccessDenied", "Access Denied")

    (bucket,), _ = run(ScriptedApi(api), [buckets])
    assert bucket.region is None
    assert bucket.data[FAILED_CALLS_KEY]["region"] == "s3:GetBucketLocation AccessDenied: Access Denied"


# -- answers read only in their declared shape ------------------------------------------------

def paged_users(answers: list[dict[str, Any]]) -> ScriptedApi:
    pages = iter(answers)
    return ScriptedApi(lambda action, region, params: next(pages) if action == "ListUsers" else {})


@pytest.mark.parametrize(("name", "answers", "code"), [
    ("no item list at all", [{"oops": 1}], "MalformedResponse"),
    ("truncated without a marker", [{"Users": [{"UserName": "a"}], "IsTruncated": True}], "MalformedResponse"),
    ("the same marker twice", [{"Users": [{"UserName": "a"}], "IsTruncated": True, "Marker": "m"},
                               {"Users": [{"UserName": "b"}], "IsTruncated": True, "Marker": "m"}], "PaginationLoop"),
    ("a page with nothing new", [{"Users": [{"UserName": "a"}], "IsTruncated": True, "Marker": "m1"},
                                 {"Users": [{"UserName": "a"}], "IsTruncated": True, "Marker": "m2"}],
     "PaginationLoop"),
    ("an error document in a 200", [{"Code": "Throttling.User", "Message": "flow control"}], "MalformedResponse"),
])
def test_an_answer_out_of_shape_is_an_error_never_an_empty_list(name: str, answers: list[dict[str, Any]],
                                                                 code: str) -> None:
    plain = USERS.model_copy(update={"details": []})
    _resources, errors = run(paged_users(answers), [plain])
    assert [(e.operation, e.code) for e in errors] == [("iam:ListUsers", code)], name
    if name == "an error document in a 200":
        assert "Code='Throttling.User'" in errors[0].message


@pytest.mark.parametrize(("total", "pages", "code"), [("5", [[1, 2]], "MalformedResponse"),
                                                      (None, [[1, 2]], "MalformedResponse"),
                                                      (5, [[1, 2], []], "IncompleteList")])
def test_totals_must_be_numbers_and_be_reached(total: Any, pages: list[list[int]], code: str) -> None:
    instances = spec({"type": "aliyun.ecs.instance", "scope": "regional",
                      "list": {"call": "ecs:DescribeInstances", "items": "Instances.Instance",
                               "paginate": {"style": "page", "page": "PageNumber", "size": "PageSize", "limit": 2,
                                            "total": "TotalCount"}},
                      "uid": "{InstanceId}"})
    answers = iter(pages)

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        return {"Instances": {"Instance": [{"InstanceId": f"i-{n}"} for n in next(answers)]}, "TotalCount": total}

    _, errors = run(ScriptedApi(api), [instances])
    assert [e.code for e in errors] == [code]


def test_offsets_follow_what_was_received_when_a_server_caps_pages() -> None:
    machines = spec({"type": "tencent.cwp.machine", "scope": "regional",
                     "list": {"call": "cwp:DescribeMachines", "items": "Machines",
                              "paginate": {"style": "offset", "offset": "Offset", "size": "Limit", "limit": 100,
                                           "total": "TotalCount"}},
                     "uid": "{Quuid}"})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        start = params["Offset"]   # the server returns at most 2 whatever the Limit
        return {"Machines": [{"Quuid": f"q-{n}"} for n in range(start, min(start + 2, 5))], "TotalCount": 5}

    resources, errors = run(ScriptedApi(api), [machines])
    assert errors == []
    assert sorted(r.uid for r in resources) == [f"q-{n}" for n in range(5)]


def test_a_detail_call_reads_every_page_of_its_list() -> None:
    groups = spec({"type": "aliyun.ecs.security_group", "scope": "regional",
                   "list": {"call": "ecs:DescribeSecurityGroups", "items": "SecurityGroups"},
                   "uid": "{SecurityGroupId}",
                   "details": [{"call": "ecs:DescribeSecurityGroupAttribute",
                                "params": {"SecurityGroupId": "{SecurityGroupId}", "MaxResults": 2},
                                "keep": "Permissions.Permission",
                                "paginate": {"style": "token", "request": "NextToken", "response": "NextToken"}}]})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        if action == "DescribeSecurityGroups":
            return {"SecurityGroups": [{"SecurityGroupId": "sg-1"}]}
        start = int(params.get("NextToken") or 0)
        rules = [{"PortRange": f"{n}/{n}"} for n in range(start, min(start + 2, 5))]
        return {"Permissions": {"Permission": rules}, "NextToken": str(start + 2) if start + 2 < 5 else ""}

    [group], errors = run(ScriptedApi(api), [groups])
    assert errors == []
    assert [r["PortRange"] for r in group.data["DescribeSecurityGroupAttribute"]] == [f"{n}/{n}" for n in range(5)]


# -- any exception of a unit of work ------------------------------------------------------------

def test_a_hook_that_raises_fails_its_keys_for_the_resources_it_raised_on_only() -> None:
    def picky(context: HookContext) -> list[Resource]:
        done = []
        for resource in context.resources:
            if resource.name == "bob":
                raise ValueError("Invalid isoformat string: 'last tuesday'")
            done.append(resource.model_copy(update={"data": {**resource.data, "Activity": {"days": 1}}}))
        return done

    hooked = USERS.model_copy(update={"hooks": ["activity"], "details": []})
    resources, errors = run(ScriptedApi(users_api), [hooked], hooks={"activity": Hook(picky, derives=("Activity",))})
    assert errors == []
    by_name = {r.name: r.data for r in resources}
    assert by_name["alice"]["Activity"] == {"days": 1}
    assert "Activity" not in by_name["bob"]
    assert by_name["bob"][FAILED_CALLS_KEY] == {"Activity": "hook activity ValueError: Invalid isoformat string: "
                                                            "'last tuesday'"}


def test_a_resource_that_cannot_be_built_is_an_error_for_its_type() -> None:
    # abs() of a string raises inside jmespath while the resource is built, after its detail calls
    broken = spec({"type": "aws.iam.user", "scope": "global", "list": {"call": "iam:ListUsers", "items": "Users"},
                   "uid": "{UserName}", "name": "abs(UserName)",
                   "details": [{"call": "iam:GetUser", "params": {"UserName": "{UserName}"}}]})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        if action == "ListUsers":
            return {"Users": [{"UserName": 5}, {"UserName": "bob"}]}
        return {"User": {}}

    resources, errors = run(ScriptedApi(api), [broken])
    assert [r.uid for r in resources] == ["5"]
    assert [(e.type, e.operation, e.code) for e in errors] == [("aws.iam.user", "iam:GetUser", "JMESPathTypeError")]


def test_messages_are_scrubbed_of_the_accounts_credentials() -> None:
    volumes = spec({"type": "aws.ec2.volume", "scope": "regional",
                    "list": {"call": "ec2:DescribeVolumes", "items": "Volumes"}, "uid": "{VolumeId}"})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        raise ApiError("SignatureDoesNotMatch", "server string to sign is:GET&%2F&AccessKeyId%3DSTS.abcdef%26"
                                                "SecurityToken%3Dtok%252Bsecret%252F123")

    account = Account("aliyun:1", ScriptedApi(api), ("r1",), {"account": "1"})
    account.secrets.add("STS.abcdef", "tok+secret/123")
    with TaskGroup(2) as group:
        account_run = AccountRun(account, [volumes], {}, group)
        collect_accounts([account_run], group)
    _, [error] = account_run.finish()
    assert "STS.abcdef" not in error.message
    assert "tok" not in error.message
    assert "withheld" in error.message


def test_tag_values_whose_key_names_a_secret_are_masked() -> None:
    instances = spec({"type": "aws.ec2.instance", "scope": "regional",
                      "list": {"call": "ec2:DescribeInstances", "items": "Instances"}, "uid": "{InstanceId}"})

    def api(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        return {"Instances": [{"InstanceId": "i-1", "Tags": [{"Key": "Name", "Value": "web"},
                                                            {"Key": "db_password", "Value": "hunter2"}]}]}

    [instance], _ = run(ScriptedApi(api), [instances])
    assert instance.data["Tags"] == [{"Key": "Name", "Value": "web"}, {"Key": "db_password", "Value": "***"}]
