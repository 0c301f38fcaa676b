"""Fake Tencent Cloud accounts: what the fake API serves, built weak or compliant, small or large.

Items are stored as the APIs return them; keys starting with `_` are the fake's own bookkeeping
(a user's keys, a group's rules, a bucket's settings) and never appear in an answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

CHINA = timezone(timedelta(hours=8))
ALL_USERS = "http://cam.qcloud.com/groups/global/AllUsers"
ADMIN_POLICY = {"PolicyId": "1", "PolicyName": "AdministratorAccess", "StrategyType": "2",
                "CreateMode": "2", "Description": "全局管理权限", "AddTime": "2024-01-10 11:00:00", "Groups": []}
READ_ONLY_POLICY = {"PolicyId": "219188", "PolicyName": "ReadOnlyAccess", "StrategyType": "2",
                    "CreateMode": "2", "Description": "只读访问权限", "AddTime": "2024-01-10 11:00:00", "Groups": []}
# LoginActionFlag as the CAM API reference (2019-01-16) lists it today, Passkey included
NO_FLAGS = {"Phone": 0, "Token": 0, "Stoken": 0, "Wechat": 0, "Custom": 0, "Mail": 0, "U2FToken": 0, "Passkey": 0}


def ago(days: int) -> str:
    """A Beijing-time timestamp the given number of days before now, as CAM prints them."""
    return (datetime.now(CHINA) - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")


def flags(**on: int) -> dict[str, Any]:
    login = {**NO_FLAGS, **on}
    return {"LoginFlag": login, "ActionFlag": dict(login),
            "OffsiteFlag": {"VerifyFlag": 1, "NotifyPhone": 0, "NotifyEmail": 1, "NotifyWechat": 0, "Tips": 0}}


@dataclass
class FakeAccount:
    uin: str
    appid: int
    regions: list[str]
    password_rules: dict[str, Any]
    root_flags: dict[str, Any]
    users: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    tracks: list[dict[str, Any]] = field(default_factory=list)
    buckets: list[dict[str, Any]] = field(default_factory=list)
    regional: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)   # role ARN -> the account it opens

    def items(self, kind: str, region: str) -> list[dict[str, Any]]:
        """Regional items by kind: instances, disks, snapshots, snapshot_policies, groups, vpcs,
        flow_logs, databases, topics, machines."""
        return self.regional.setdefault(region, {}).setdefault(kind, [])

    def add(self, kind: str, region: str, item: dict[str, Any]) -> dict[str, Any]:
        self.items(kind, region).append(item)
        return item


def user(uin: int, name: str, *, mfa: bool, console: bool = True, login_days: int | None = 3,
         created_days: int = 400, keys: tuple[tuple[str, str, int | None], ...] = (),
         policies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A sub-user; keys are (AccessKeyId, Status, days since last use or None for never)."""
    return {
        "Uin": uin, "Name": name, "Uid": uin - 99999999000, "Remark": "", "ConsoleLogin": 1 if console else 0,
        "PhoneNum": "", "CountryCode": "86", "Email": "", "CreateTime": ago(created_days), "NickName": name,
        "_login": ago(login_days) if login_days is not None else "",
        "_flags": flags(Stoken=1) if mfa else flags(),
        "_keys": [{"AccessKeyId": kid, "Status": status, "CreateTime": ago(created_days)} for kid, status, _ in keys],
        "_last_used": {kid: used for kid, _, used in keys},
        "_policies": policies if policies is not None else [READ_ONLY_POLICY],
    }


def policy_document(*statements: dict[str, Any]) -> str:
    return json.dumps({"version": "2.0", "statement": list(statements)})


def custom_policy(policy_id: int, name: str, document: str) -> dict[str, Any]:
    return {"PolicyId": policy_id, "PolicyName": name, "AddTime": "2024-03-01 10:00:00", "Type": 1,
            "Description": "", "CreateMode": 1, "Attachments": 1, "ServiceType": "", "IsAttached": 1,
            "_document": document}


def bucket(name: str, location: str, *, encrypted: bool = True, versioned: bool = True, public: bool = False,
           lifecycle_days: int | None = None, policy: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Name": name, "Location": location, "CreationDate": "2024-06-12T02:58:31Z", "BucketType": "cos",
            "_encrypted": encrypted, "_versioned": versioned, "_public": public,
            "_lifecycle_days": lifecycle_days, "_policy": policy}


def tls_only_policy(bucket_name: str, region: str, appid: int) -> dict[str, Any]:
    """A COS bucket policy that denies every request made without HTTPS (cos:secure-transport)."""
    return {"version": "2.0", "statement": [{
        "effect": "deny", "principal": {"qcs": ["qcs::cam::anyone:anyone"]}, "action": ["name/cos:*"],
        "resource": [f"qcs::cos:{region}:uid/{appid}:{bucket_name}/*"],
        "condition": {"bool_equal": {"cos:secure-transport": "false"}}}]}


def instance(instance_id: str, region: str, *, public_ip: str | None = None,
             groups: list[str] | None = None) -> dict[str, Any]:
    return {"InstanceId": instance_id, "InstanceName": f"web-{instance_id[-4:]}", "InstanceType": "S5.MEDIUM4",
            "Placement": {"Zone": f"{region}-1", "ProjectId": 0}, "CPU": 2, "Memory": 4,
            "PrivateIpAddresses": ["10.0.3.21"], "PublicIpAddresses": [public_ip] if public_ip else None,
            "SecurityGroupIds": groups or [], "InstanceState": "RUNNING", "OsName": "TencentOS Server 3.1",
            "CreatedTime": "2024-02-01T08:21:13Z", "Uuid": f"uuid-{instance_id}"}


def disk(disk_id: str, region: str, *, encrypted: bool, policies: list[str]) -> dict[str, Any]:
    return {"DiskId": disk_id, "DiskName": f"data-{disk_id[-4:]}", "DiskType": "CLOUD_PREMIUM",
            "DiskState": "ATTACHED", "DiskSize": 50, "Encrypt": encrypted, "DiskUsage": "DATA_DISK",
            "Placement": {"Zone": f"{region}-1", "ProjectId": 0}, "AutoSnapshotPolicyIds": policies,
            "CreateTime": "2024-02-01 16:21:13", "Attached": True}


def security_group(group_id: str, name: str, ingress: list[dict[str, Any]]) -> dict[str, Any]:
    return {"SecurityGroupId": group_id, "SecurityGroupName": name, "SecurityGroupDesc": "", "ProjectId": "0",
            "IsDefault": False, "CreatedTime": "2024-02-01 16:15:02", "TagSet": [],
            "_policies": {"SecurityGroupPolicySet": {"Version": "3", "Ingress": ingress, "Egress": [
                rule(0, "ALL", "ALL", "0.0.0.0/0", "ACCEPT")]}}}


def rule(index: int, protocol: str, port: str, cidr: str, action: str = "ACCEPT") -> dict[str, Any]:
    return {"PolicyIndex": index, "Protocol": protocol, "Port": port, "CidrBlock": cidr, "Ipv6CidrBlock": "",
            "SecurityGroupId": "", "Action": action, "PolicyDescription": "",
            "ServiceTemplate": {"ServiceId": "", "ServiceGroupId": ""},
            "AddressTemplate": {"AddressId": "", "AddressGroupId": ""}, "ModifyTime": "2025-09-03 14:02:11"}


def build(uin: str = "100000000001", *, weak: bool, regions: tuple[str, ...] = ("ap-guangzhou", "ap-shanghai"),
          data_region: str = "ap-guangzhou") -> FakeAccount:
    """One account with one of everything, each setting weak or compliant.

    Weak: a console sub-user without login MFA, 8-character passwords of one class that never
    expire, a track delivering to a 30-day CLS topic without encryption, an unencrypted disk, a
    public bucket in ap-hongkong, buckets without a TLS-only policy, SSH and RDP open to the world,
    a public database without encryption, an agent offline, a stale user and key,
    AdministratorAccess on a sub-user, no flow log.
    """
    account = FakeAccount(
        uin=uin, appid=1250000000 + int(uin[-3:]),
        regions=[*regions, "ap-hongkong"] if weak else list(regions),
        password_rules={"MinimumLength": 8 if weak else 12, "MustContain": "a" if weak else "Aa1!",
                        "ForcePasswordChange": 0 if weak else 90, "ReusePasswordLimit": 0 if weak else 5,
                        "RetryPasswordLimit": 0 if weak else 5, "PasswordExpirationInvalidation": 2},
        root_flags=flags(Stoken=1),
    )
    owner = int(uin)
    account.users = [
        user(owner + 123, "ops-chen", mfa=True, keys=(("AKIDopschen000000000001", "Active", 2),)),
        user(owner + 124, "dev-zhao", mfa=not weak, login_days=200 if weak else 10,
             keys=(("AKIDdevzhao00000000001", "Active", 300 if weak else 5),),
             policies=[ADMIN_POLICY] if weak else [READ_ONLY_POLICY]),
        user(owner + 125, "ci-deployer", mfa=False, console=False, login_days=None,
             keys=(("AKIDcideploy0000000001", "Active", 1), ("AKIDcideploy0000000002", "Inactive", None))),
    ]
    everything = {"effect": "allow", "action": ["*"], "resource": ["*"]}
    scoped = {"effect": "allow", "action": ["cvm:Describe*"], "resource": ["*"]}
    account.policies = [custom_policy(30001, "ops-readonly", policy_document(scoped))]
    if weak:
        account.policies.append(custom_policy(30002, "break-glass", policy_document(everything)))
    topic_id = f"topic-{uin[-4:]}-audit"
    account.tracks = [{"Name": "acme-audit", "ActionType": "*", "ResourceType": "*", "Status": 1, "EventNames": ["*"],
                       "Storage": {"StorageType": "cls", "StorageRegion": data_region, "StorageName": topic_id,
                                   "StoragePrefix": "cloudaudit"},
                       "CreateTime": "2024-01-10 11:30:02", "TrackId": 10321}]
    account.add("topics", data_region, {
        "LogsetId": "logset-1", "TopicId": topic_id, "TopicName": "cloudaudit-acme-audit", "PartitionCount": 1,
        "Index": True, "CreateTime": "2024-01-10 11:29:52", "Status": True, "StorageType": "hot",
        "Period": 30 if weak else 365, "Tags": [], "KeyId": "" if weak else "3f1c6a28-kms-cls-audit"})
    suffix = account.appid
    orders = f"acme-orders-{suffix}"
    account.buckets = [bucket(orders, data_region, policy=None if weak else tls_only_policy(orders, data_region, suffix))]
    if weak:
        account.buckets.append(bucket(f"acme-hk-static-{suffix}", "ap-hongkong", encrypted=False, versioned=False,
                                      public=True))
    for index, region in enumerate(regions):
        _regional(account, region, index, weak)
    if weak:
        account.add("instances", "ap-hongkong", instance("ins-hk000001", "ap-hongkong"))
    return account


def _regional(account: FakeAccount, region: str, index: int, weak: bool) -> None:
    tag = f"{index:02d}"
    policy_id = f"asp-{tag}000001"
    account.add("snapshot_policies", region, {
        "AutoSnapshotPolicyId": policy_id, "AutoSnapshotPolicyName": "daily", "IsActivated": True,
        "IsPermanent": False, "RetentionDays": 30, "DiskIdSet": [f"disk-{tag}000001"],
        "Policy": [{"DayOfWeek": [0, 1, 2, 3, 4, 5, 6], "Hour": [2]}]})
    account.add("instances", region, instance(f"ins-{tag}000001", region, groups=[f"sg-{tag}000001"],
                                              public_ip="203.0.113.10" if weak else None))
    account.add("disks", region, disk(f"disk-{tag}000001", region, encrypted=not weak, policies=[policy_id]))
    account.add("snapshots", region, {"SnapshotId": f"snap-{tag}000001", "SnapshotName": "nightly",
                                      "DiskId": f"disk-{tag}000001", "Encrypt": not weak, "SnapshotState": "NORMAL",
                                      "CreateTime": "2025-11-01 02:00:00", "DiskSize": 50})
    ingress = [rule(0, "TCP", "443", "0.0.0.0/0"), rule(1, "TCP", "22", "10.0.0.0/16")]
    if weak:
        ingress += [rule(2, "TCP", "22", "0.0.0.0/0"), rule(3, "TCP", "3389", "0.0.0.0/0")]
    else:
        ingress += [rule(2, "ALL", "ALL", "0.0.0.0/0", "DROP"), rule(3, "TCP", "3389", "0.0.0.0/0")]
    account.add("groups", region, security_group(f"sg-{tag}000001", "web", ingress))
    vpc_id = f"vpc-{tag}000001"
    account.add("vpcs", region, {"VpcId": vpc_id, "VpcName": "prod", "CidrBlock": "10.0.0.0/16",
                                 "IsDefault": False, "CreatedTime": "2024-02-01 16:00:00"})
    if not weak:
        account.add("flow_logs", region, {"VpcId": vpc_id, "FlowLogId": f"fl-{tag}000001", "FlowLogName": "prod",
                                          "ResourceType": "VPC", "ResourceId": vpc_id, "TrafficType": "ALL",
                                          "CollectorType": "CLS", "CollectorId": "topic-flow", "Enable": True,
                                          "CreatedTime": "2024-02-01 16:00:00"})
    account.add("databases", region, {
        "InstanceId": f"cdb-{tag}000001", "InstanceName": "orders", "Region": region, "Zone": f"{region}-1",
        "WanStatus": 1 if weak else 0, "WanDomain": "", "Vip": "10.0.3.40", "Status": 1, "EngineVersion": "8.0",
        "_info": {"InstanceId": f"cdb-{tag}000001", "InstanceName": "orders", "Encryption": "NO" if weak else "YES",
                  "KeyId": "" if weak else "kms-key-1", "KeyRegion": region},
        "_backup": {"StartTimeMin": 2, "StartTimeMax": 6, "BackupExpireDays": 3 if weak else 30,
                    "BackupMethod": "physical", "BinlogExpireDays": 30 if weak else 180}})
    account.add("machines", region, {
        "MachineName": f"web-{tag}0001", "MachineOs": "TencentOS", "MachineStatus": "OFFLINE" if weak else "ONLINE",
        "Uuid": f"uuid-ins-{tag}000001", "Quuid": f"quuid-{tag}000001", "InstanceId": f"ins-{tag}000001",
        "MachineIp": "10.0.3.21", "IsProVersion": False, "ProtectType": "BASIC_VERSION"})
