"""What the fake Tencent API answers: one function per `service:Action`, over a FakeAccount.

Request parameters are checked the way the real APIs check them (types, required fields,
page sizes), so a request mlpscan gets wrong fails here as it would in production.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tests.fakes.tencent_accounts import ALL_USERS, CHINA, FakeAccount


class FakeError(Exception):
    def __init__(self, code: str, message: str = "", status: int = 200) -> None:
        super().__init__(code)
        self.code = code
        self.message = message or code
        self.status = status


def public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _int(params: dict[str, Any], name: str, default: int, *, string: bool = False, maximum: int = 100) -> int:
    value = params.get(name, str(default) if string else default)
    if string and not isinstance(value, str):
        raise FakeError("InvalidParameterValue", f"{name} must be a String, got {type(value).__name__}")
    if not string and (not isinstance(value, int) or isinstance(value, bool)):
        raise FakeError("InvalidParameterValue", f"{name} must be an Integer, got {type(value).__name__}")
    number = int(value)
    if number < 0 or (name in ("Limit", "PageSize", "Rp") and not 0 < number <= maximum):
        raise FakeError("InvalidParameterValue", f"{name}={number} is out of range")
    return number


def offset_page(items: list[dict[str, Any]], params: dict[str, Any], key: str, *, total: str = "TotalCount",
                string: bool = False, default_limit: int = 20) -> dict[str, Any]:
    offset = _int(params, "Offset", 0, string=string)
    limit = _int(params, "Limit", default_limit, string=string)
    return {total: len(items), key: [public(i) for i in items[offset:offset + limit]]}


def number_page(items: list[dict[str, Any]], params: dict[str, Any], key: str, page: str, size: str, total: str,
                maximum: int) -> dict[str, Any]:
    if page not in params or size not in params:
        raise FakeError("MissingParameter", f"{page} and {size} are required")
    number, per = _int(params, page, 1), _int(params, size, 20, maximum=maximum)
    if number < 1:
        raise FakeError("InvalidParameterValue", f"{page} starts at 1")
    return {total: len(items), key: [public(i) for i in items[(number - 1) * per:number * per]]}


def _user(account: FakeAccount, **match: Any) -> dict[str, Any]:
    for user in account.users:
        if all(user.get(k) == v for k, v in match.items()):
            return user
    raise FakeError("ResourceNotFound.UserNotExist", f"user {match} does not exist")


def _required(params: dict[str, Any], *names: str) -> None:
    for name in names:
        if params.get(name) in (None, ""):
            raise FakeError("MissingParameter", f"the request is missing a required parameter `{name}`")


# -- CAM ---------------------------------------------------------------------------------

def get_user_app_id(account: FakeAccount, caller: str, _: str, __: dict[str, Any]) -> dict[str, Any]:
    return {"Uin": caller if caller.isdigit() else account.uin, "OwnerUin": account.uin, "AppId": account.appid}


def describe_safe_auth_flag(account: FakeAccount, caller: str, _: str, __: dict[str, Any]) -> dict[str, Any]:
    # the calling identity's own settings
    if caller == account.uin:
        return account.root_flags
    if caller.isdigit():
        return _user(account, Uin=int(caller))["_flags"]
    return {"LoginFlag": None, "ActionFlag": None, "OffsiteFlag": None}


def get_password_rules(account: FakeAccount, *_: Any) -> dict[str, Any]:
    return {"Rules": account.password_rules, "UpdateTime": "2025-03-18 10:42:07", "Modifier": account.uin}


def list_users(account: FakeAccount, *_: Any) -> dict[str, Any]:
    return {"Data": [public(u) for u in account.users]}


def get_user(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "Name")
    found = _user(account, Name=params["Name"])
    return {**{k: found[k] for k in ("Uin", "Name", "Uid", "Remark", "ConsoleLogin", "PhoneNum", "CountryCode",
                                     "Email")},
            "RecentlyLoginIP": "198.51.100.7" if found["_login"] else "", "RecentlyLoginTime": found["_login"]}


def describe_safe_auth_flag_coll(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "SubUin")
    return {**_user(account, Uin=params["SubUin"])["_flags"], "PromptTrust": 0}


def list_access_keys(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "TargetUin")
    return {"AccessKeys": _user(account, Uin=params["TargetUin"])["_keys"]}


def get_security_last_used(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("SecretIdList")
    if not isinstance(ids, list) or not ids or len(ids) > 10:
        raise FakeError("InvalidParameter.ParamError", "SecretIdList needs 1 to 10 key ids")
    rows = []
    for user in account.users:
        for key_id, days in user["_last_used"].items():
            if key_id in ids:
                when = datetime.now(CHINA) - timedelta(days=days) if days is not None else None
                rows.append({"SecretId": key_id, "LastUsedDate": when.strftime("%Y-%m-%d") if when else "",
                             "LastSecretUsedDate": int(when.timestamp() * 1000) if when else 0})
    return {"SecretIdLastUsedRows": rows}


def list_attached_user_all_policies(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "TargetUin", "Rp", "Page")
    if "AttachType" not in params:
        raise FakeError("MissingParameter", "AttachType is required")
    found = _user(account, Uin=params["TargetUin"])["_policies"]
    return number_page(found, params, "PolicyList", "Page", "Rp", "TotalNum", 200)


def list_policies(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("Scope") not in ("All", "QCS", "Local"):
        raise FakeError("InvalidParameter.ScopeError", "Scope must be All, QCS or Local")
    return number_page(account.policies, params, "List", "Page", "Rp", "TotalNum", 200)


def get_policy(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "PolicyId")
    for policy in account.policies:
        if policy["PolicyId"] == params["PolicyId"]:
            return {"PolicyName": policy["PolicyName"], "Description": "", "Type": 1,
                    "AddTime": policy["AddTime"], "UpdateTime": policy["AddTime"],
                    "PolicyDocument": policy["_document"], "PresetAlias": "", "IsServiceLinkedRolePolicy": 0}
    raise FakeError("ResourceNotFound.PolicyIdNotExist", "policy not found")


# -- regional lists ----------------------------------------------------------------------

def describe_regions(account: FakeAccount, *_: Any) -> dict[str, Any]:
    sets = [{"Region": r, "RegionName": r, "RegionState": "AVAILABLE"} for r in account.regions]
    return {"TotalCount": len(sets), "RegionSet": sets}


def _regional_list(kind: str, key: str, *, string: bool = False) -> Callable[..., dict[str, Any]]:
    def handler(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        return offset_page(account.items(kind, region), params, key, string=string)
    return handler


def describe_security_group_policies(account: FakeAccount, _: str, region: str,
                                     params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "SecurityGroupId")
    for group in account.items("groups", region):
        if group["SecurityGroupId"] == params["SecurityGroupId"]:
            return dict(group["_policies"])
    raise FakeError("ResourceNotFound", f"security group {params['SecurityGroupId']} not found")


def describe_flow_logs(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    found = [f for f in account.items("flow_logs", region) if params.get("VpcId") in (None, f["VpcId"])]
    return offset_page(found, params, "FlowLog", total="TotalNum")


def _database(account: FakeAccount, region: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "InstanceId")
    for database in account.items("databases", region):
        if database["InstanceId"] == params["InstanceId"]:
            return database
    raise FakeError("CdbError", f"instance {params['InstanceId']} not found")


def describe_db_instance_info(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    return dict(_database(account, region, params)["_info"])


def describe_backup_config(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    return dict(_database(account, region, params)["_backup"])


def describe_topics(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    topics = account.items("topics", region)
    for condition in params.get("Filters") or []:
        if condition.get("Key") == "topicId":
            topics = [t for t in topics if t["TopicId"] in condition.get("Values", [])]
    return offset_page(topics, params, "Topics")


def describe_audit_tracks(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    return number_page(account.tracks, params, "Tracks", "PageNumber", "PageSize", "TotalCount", 50)


def describe_machines(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "MachineType", "MachineRegion")
    return offset_page(account.items("machines", params["MachineRegion"]), params, "Machines", default_limit=10)


JSON_HANDLERS: dict[str, Callable[..., dict[str, Any]]] = {
    "cam:GetUserAppId": get_user_app_id,
    "cam:DescribeSafeAuthFlag": describe_safe_auth_flag,
    "cam:GetPasswordRules": get_password_rules,
    "cam:ListUsers": list_users,
    "cam:GetUser": get_user,
    "cam:DescribeSafeAuthFlagColl": describe_safe_auth_flag_coll,
    "cam:ListAccessKeys": list_access_keys,
    "cam:GetSecurityLastUsed": get_security_last_used,
    "cam:ListAttachedUserAllPolicies": list_attached_user_all_policies,
    "cam:ListPolicies": list_policies,
    "cam:GetPolicy": get_policy,
    "cvm:DescribeRegions": describe_regions,
    "cvm:DescribeInstances": _regional_list("instances", "InstanceSet"),
    "cbs:DescribeDisks": _regional_list("disks", "DiskSet"),
    "cbs:DescribeSnapshots": _regional_list("snapshots", "SnapshotSet"),
    "cbs:DescribeAutoSnapshotPolicies": _regional_list("snapshot_policies", "AutoSnapshotPolicySet"),
    "vpc:DescribeSecurityGroups": _regional_list("groups", "SecurityGroupSet", string=True),
    "vpc:DescribeSecurityGroupPolicies": describe_security_group_policies,
    "vpc:DescribeVpcs": _regional_list("vpcs", "VpcSet", string=True),
    "vpc:DescribeFlowLogs": describe_flow_logs,
    "cdb:DescribeDBInstances": _regional_list("databases", "Items"),
    "cdb:DescribeDBInstanceInfo": describe_db_instance_info,
    "cdb:DescribeBackupConfig": describe_backup_config,
    "cls:DescribeTopics": describe_topics,
    "cloudaudit:DescribeAuditTracks": describe_audit_tracks,
    "cwp:DescribeMachines": describe_machines,
}
REGIONAL_SERVICES = ("cvm", "cbs", "vpc", "cdb", "cls")
VERSIONS = {"sts": "2018-08-13", "cam": "2019-01-16", "cvm": "2017-03-12", "cbs": "2017-03-12",
            "vpc": "2017-03-12", "cdb": "2017-03-20", "cls": "2020-10-16", "cloudaudit": "2019-03-19",
            "cwp": "2018-02-28"}


# -- COS -----------------------------------------------------------------------------------

def _xml(tag: str, value: Any) -> str:
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_xml(k, v) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list):
        return "".join(_xml(tag, v) for v in value)
    return f"<{tag}>{value}</{tag}>"


def list_buckets_xml(account: FakeAccount, marker: str, max_keys: int) -> str:
    names = sorted(account.buckets, key=lambda b: b["Name"])
    start = next((i for i, b in enumerate(names) if b["Name"] > marker), len(names)) if marker else 0
    page = names[start:start + max_keys]
    truncated = start + max_keys < len(names)
    body = {"Owner": {"ID": f"qcs::cam::uin/{account.uin}:uin/{account.uin}", "DisplayName": account.uin},
            "Buckets": {"Bucket": [public(b) for b in page]} if page else "",
            "Marker": marker, "MaxKeys": max_keys, "IsTruncated": "true" if truncated else "false"}
    if truncated:
        body["NextMarker"] = page[-1]["Name"]
    return _xml("ListAllMyBucketsResult", body)


def bucket_answer(account: FakeAccount, found: dict[str, Any], subresource: str) -> tuple[int, str, str]:
    """(status, content type, body) for GET ?<subresource> on a bucket."""
    owner = f"qcs::cam::uin/{account.uin}:uin/{account.uin}"
    if subresource == "encryption":
        if not found["_encrypted"]:
            raise FakeError("NoSuchEncryptionConfiguration", "The server side encryption configuration was not "
                            "found.", 404)
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        return 200, "application/xml", _xml("ServerSideEncryptionConfiguration", {"Rule": rule})
    if subresource == "versioning":
        inner = {"Status": "Enabled"} if found["_versioned"] else ""
        return 200, "application/xml", _xml("VersioningConfiguration", inner)
    if subresource == "acl":
        grants = [{"Grantee": {"ID": owner, "DisplayName": owner}, "Permission": "FULL_CONTROL"}]
        if found["_public"]:
            grants.append({"Grantee": {"URI": ALL_USERS}, "Permission": "READ"})
        return 200, "application/xml", _xml("AccessControlPolicy", {
            "Owner": {"ID": owner, "DisplayName": owner}, "AccessControlList": {"Grant": grants}})
    if subresource == "policy":
        if found["_policy"] is None:
            raise FakeError("NoSuchBucketPolicy", "The bucket policy does not exist", 404)
        return 200, "application/json", json.dumps(found["_policy"])
    if subresource == "lifecycle":
        if found["_lifecycle_days"] is None:
            raise FakeError("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist.", 404)
        rule = {"ID": "expire", "Filter": {"Prefix": ""}, "Status": "Enabled",
                "Expiration": {"Days": found["_lifecycle_days"]}}
        return 200, "application/xml", _xml("LifecycleConfiguration", {"Rule": rule})
    if subresource == "replication":
        if not found["_replication"]:
            raise FakeError("ReplicationConfigurationnotFoundError", "The replication configuration was not found",
                            404)
        rules = [{"Status": "Enabled", "ID": rule_id, "Prefix": "",
                  "Destination": {"Bucket": f"qcs::cos:{region}::{name}", "StorageClass": "Standard"}}
                 for rule_id, region, name in found["_replication"]]
        return 200, "application/xml", _xml("ReplicationConfiguration", {
            "Role": f"qcs::cam::uin/{account.uin}:uin/{account.uin}", "Rule": rules})
    if subresource == "referer":
        referer = found["_referer"] or {"Status": "Disabled", "RefererType": "White-List", "DomainList": "",
                                        "EmptyReferConfiguration": "Allow"}
        return 200, "application/xml", _xml("RefererConfiguration", referer)
    raise FakeError("MethodNotAllowed", f"?{subresource} is not served by this fake", 405)


def cos_error_xml(error: FakeError, resource: str) -> str:
    return _xml("Error", {"Code": error.code, "Message": error.message, "Resource": resource,
                          "RequestId": f"NjE{int(time.time() * 1000)}", "TraceId": "OGVmYzZiMmQ"})
