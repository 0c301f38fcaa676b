"""Write a synthetic, sealed `mlpscan.snapshot/1` evidence file for benchmarks.

    python bench/generate.py --resources 100000 --seed 1 -o /tmp/snap-100k.json

The snapshot spreads N resources over cloud accounts (AWS China, Alibaba Cloud, Tencent Cloud;
20 by default) and Linux hosts (200 by default). Resource payloads imitate the raw API or
command output the collectors record (10-30 fields, nested objects and lists), regions come
from providers/<provider>/regions.yaml (mostly mainland China, a few percent Hong Kong and
overseas), some targets declare their platform level, and a handful of collection errors
(denied, throttled, a failed command, an unreachable host) are recorded.

The same arguments always give the same bytes: every random choice comes from one seeded
generator and every timestamp is relative to a fixed collection time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from mlpscan.snapshot import SNAPSHOT_SCHEMA, Snapshot, dump_snapshot

REPO = Path(__file__).resolve().parents[1]
COLLECTED_AT = datetime(2026, 11, 21, 10, 0, 0, tzinfo=timezone.utc)
ISO = "%Y-%m-%dT%H:%M:%SZ"
HOST_SHARE = 0.35          # share of resources on hosts; the rest is in cloud accounts
OFFSHORE_SHARE = 0.03      # resources of mainland accounts placed in Hong Kong / overseas regions
UNKNOWN_REGION_SHARE = 0.0005  # region ids missing from regions.yaml (their residency is an error)
CLOUD_PROVIDERS = ("aws", "aliyun", "tencent")

Data = dict[str, Any]


# ---------------------------------------------------------------------------------------------
# regions


# Where most workloads of a mainland account run; each is checked against regions.yaml on load.
HOME_REGIONS = {
    "aws": ("cn-north-1", "cn-northwest-1"),
    "aliyun": ("cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-zhangjiakou", "cn-qingdao",
               "cn-chengdu", "cn-guangzhou", "cn-huhehaote", "cn-wulanchabu"),
    "tencent": ("ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-nanjing", "ap-chongqing"),
}


def load_regions(content: Path) -> dict[str, dict[str, list[str]]]:
    """Per provider: mainland home regions, mainland finance regions, offshore regions."""
    out: dict[str, dict[str, list[str]]] = {}
    for provider in CLOUD_PROVIDERS:
        doc = yaml.safe_load((content / "providers" / provider / "regions.yaml").read_text("utf-8"))
        pools: dict[str, list[str]] = {"mainland": [], "finance": [], "offshore": []}
        for region_id, info in doc["regions"].items():
            if info.get("mainland"):
                if info.get("zone") == "finance":
                    pools["finance"].append(region_id)
                elif region_id in HOME_REGIONS[provider]:
                    pools["mainland"].append(region_id)
            elif info.get("partition", "aws") == "aws":
                pools["offshore"].append(region_id)
        out[provider] = pools
    return out


# ---------------------------------------------------------------------------------------------
# small random helpers


class Rand:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def hex(self, n: int) -> str:
        return f"{self.r.getrandbits(4 * n):0{n}x}"

    def digits(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq: Any) -> Any:
        return self.r.choice(seq)

    def weighted(self, options: list[tuple[Any, float]]) -> Any:
        values = [value for value, _ in options]
        weights = [weight for _, weight in options]
        return self.r.choices(values, weights=weights)[0]

    def int(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def when(self, max_days: int, min_days: int = 0) -> str:
        seconds = self.r.randint(min_days * 86400, max_days * 86400)
        return (COLLECTED_AT - timedelta(seconds=seconds)).strftime(ISO)

    def ip(self, private: bool = True) -> str:
        if private:
            return f"10.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"
        return f"{self.r.choice((47, 101, 106, 114, 119, 120, 139, 175))}.{self.r.randint(0, 255)}." \
               f"{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"


APPS = ("web", "api", "order", "payment", "user", "search", "report", "batch", "cache", "gateway",
        "auth", "audit", "crm", "erp", "mq", "etl", "bi", "monitor", "ci", "mail")
ENVS = ("prod", "prod", "prod", "staging", "test", "dev")
TEAMS = ("platform", "sre", "data", "finance", "core", "growth", "security")


def app_name(rnd: Rand, index: int) -> str:
    return f"{rnd.pick(APPS)}-{rnd.pick(ENVS)}-{index:05d}"


def aws_tags(rnd: Rand, name: str) -> list[Data]:
    tags = [{"Key": "Name", "Value": name}, {"Key": "env", "Value": name.split("-")[1]},
            {"Key": "owner", "Value": rnd.pick(TEAMS)}]
    if rnd.chance(0.5):
        tags.append({"Key": "cost-center", "Value": f"CC-{rnd.digits(4)}"})
    return tags


def kv_tags(rnd: Rand, name: str, key: str = "TagKey", value: str = "TagValue") -> list[Data]:
    return [{key: "env", value: name.split("-")[1]}, {key: "owner", value: rnd.pick(TEAMS)},
            {key: "app", value: name.split("-", 1)[0]}]


# ---------------------------------------------------------------------------------------------
# resource payloads, one function per resource type: (rnd, ctx, index) -> (uid, name, data)
# ctx: {"account", "region", "partition", "target"}

Made = tuple[str, str | None, Data]


def aws_arn(ctx: Data, service: str, resource: str, region: bool = True) -> str:
    return f"arn:{ctx['partition']}:{service}:{ctx['region'] if region else ''}:{ctx['account']}:{resource}"


def aws_account(rnd: Rand, ctx: Data, i: int) -> Made:
    strong = rnd.chance(0.7)
    data = {
        "AccountId": ctx["account"], "Alias": f"corp-{ctx['account'][-4:]}", "Partition": ctx["partition"],
        "PasswordPolicy": {
            "MinimumPasswordLength": 14 if strong else 8, "RequireSymbols": strong, "RequireNumbers": True,
            "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
            "AllowUsersToChangePassword": True, "ExpirePasswords": strong,
            "MaxPasswordAge": 90 if strong else 365, "PasswordReusePrevention": 5 if strong else 1,
            "HardExpiry": False},
        "AccountSummary": {"Users": rnd.int(5, 400), "Groups": rnd.int(2, 30), "Roles": rnd.int(10, 300),
                           "Policies": rnd.int(5, 200), "MFADevices": rnd.int(0, 100),
                           "AccountMFAEnabled": int(rnd.chance(0.9)), "AccountAccessKeysPresent": 0},
        "Regions": ctx["regions"],
    }
    return f"arn:{ctx['partition']}:iam::{ctx['account']}:root", data["Alias"], data


def aws_cloudtrail(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"org-trail-{i}" if i == 0 else f"app-trail-{i}"
    good = i == 0 and rnd.chance(0.85)
    data = {
        "Name": name, "S3BucketName": f"audit-logs-{ctx['account']}", "S3KeyPrefix": "cloudtrail",
        "IncludeGlobalServiceEvents": True, "IsMultiRegionTrail": good or rnd.chance(0.2),
        "HomeRegion": ctx["region"], "TrailARN": aws_arn(ctx, "cloudtrail", f"trail/{name}"),
        "LogFileValidationEnabled": good or rnd.chance(0.5),
        "CloudWatchLogsLogGroupArn": aws_arn(ctx, "logs", f"log-group:cloudtrail-{name}:*"),
        "KmsKeyId": aws_arn(ctx, "kms", f"key/{rnd.hex(8)}-{rnd.hex(4)}-{rnd.hex(4)}"),
        "HasCustomEventSelectors": rnd.chance(0.3), "HasInsightSelectors": False,
        "IsOrganizationTrail": i == 0,
        "Status": {"IsLogging": good or rnd.chance(0.7), "LatestDeliveryTime": rnd.when(1),
                   "StartLoggingTime": rnd.when(900, 300), "LatestDigestDeliveryTime": rnd.when(1)},
    }
    return data["TrailARN"], name, data


def aws_ec2_instance(rnd: Rand, ctx: Data, i: int) -> Made:
    iid = f"i-{rnd.hex(17)}"
    name = app_name(rnd, i)
    state = rnd.weighted([("running", 85), ("stopped", 14), ("terminated", 1)])
    az = f"{ctx['region']}{rnd.pick('abc')}"
    data = {
        "InstanceId": iid, "ImageId": f"ami-{rnd.hex(17)}", "InstanceType": rnd.pick(
            ("m5.large", "m5.xlarge", "c5.2xlarge", "r5.large", "t3.medium", "m6i.large")),
        "KeyName": f"{name.split('-')[0]}-key", "LaunchTime": rnd.when(900),
        "Monitoring": {"State": rnd.pick(("disabled", "enabled"))},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{rnd.digits(3)}.{ctx['region']}.compute.internal",
        "PrivateIpAddress": rnd.ip(), "State": {"Code": {"running": 16, "stopped": 80}.get(state, 48),
                                                 "Name": state},
        "SubnetId": f"subnet-{rnd.hex(17)}", "VpcId": f"vpc-{rnd.hex(17)}", "Architecture": "x86_64",
        "BlockDeviceMappings": [{"DeviceName": f"/dev/xvd{c}", "Ebs": {
            "AttachTime": rnd.when(900), "DeleteOnTermination": c == "a", "Status": "attached",
            "VolumeId": f"vol-{rnd.hex(17)}"}} for c in "ab"[: rnd.int(1, 2)]],
        "EbsOptimized": True, "EnaSupport": True, "Hypervisor": "xen",
        "IamInstanceProfile": {"Arn": aws_arn(ctx, "iam", f"instance-profile/{name}", region=False),
                               "Id": f"AIPA{rnd.hex(16).upper()}"},
        "SecurityGroups": [{"GroupName": f"sg-{name}", "GroupId": f"sg-{rnd.hex(17)}"}
                           for _ in range(rnd.int(1, 3))],
        "SourceDestCheck": True, "Tags": aws_tags(rnd, name), "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 2, "ThreadsPerCore": 2},
        "MetadataOptions": {"State": "applied",
                            "HttpTokens": rnd.weighted([("required", 70), ("optional", 30)]),
                            "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"},
        "PlatformDetails": "Linux/UNIX", "BootMode": "uefi-preferred",
    }
    if rnd.chance(0.2):
        data["PublicIpAddress"] = rnd.ip(private=False)
    return aws_arn(ctx, "ec2", f"instance/{iid}"), name, data


def aws_ec2_volume(rnd: Rand, ctx: Data, i: int) -> Made:
    vid = f"vol-{rnd.hex(17)}"
    state = rnd.weighted([("in-use", 88), ("available", 10), ("creating", 2)])
    data = {
        "VolumeId": vid, "Size": rnd.pick((8, 20, 40, 100, 200, 500, 1000)), "SnapshotId": "",
        "AvailabilityZone": f"{ctx['region']}{rnd.pick('abc')}", "State": state,
        "CreateTime": rnd.when(900), "VolumeType": rnd.pick(("gp3", "gp2", "io1", "st1")),
        "Iops": rnd.pick((3000, 100, 6000)), "Throughput": 125, "MultiAttachEnabled": False,
        "Encrypted": rnd.chance(0.8),
        "Attachments": [] if state != "in-use" else [{
            "AttachTime": rnd.when(900), "Device": "/dev/xvda", "InstanceId": f"i-{rnd.hex(17)}",
            "State": "attached", "VolumeId": vid, "DeleteOnTermination": True}],
        "Tags": aws_tags(rnd, app_name(rnd, i)),
    }
    if data["Encrypted"]:
        data["KmsKeyId"] = aws_arn(ctx, "kms", f"key/{rnd.hex(8)}-{rnd.hex(4)}-{rnd.hex(12)}")
    return aws_arn(ctx, "ec2", f"volume/{vid}"), vid, data


PORT_CHOICES = [(443, 40), (80, 25), (22, 12), (3389, 3), (6379, 2), (-1, 2), (8080, 8), (3306, 3),
                (23, 1), (445, 1)]


def _ingress_ports(rnd: Rand, k: int) -> list[int]:
    return [rnd.weighted(PORT_CHOICES) for _ in range(k)]


def aws_ec2_security_group(rnd: Rand, ctx: Data, i: int) -> Made:
    gid = f"sg-{rnd.hex(17)}"
    name = f"sg-{app_name(rnd, i)}"
    perms = []
    for port in _ingress_ports(rnd, rnd.int(1, 5)):
        world = rnd.chance(0.3)
        perms.append({
            "IpProtocol": "-1" if port == -1 else "tcp", "FromPort": port, "ToPort": port,
            "IpRanges": [{"CidrIp": "0.0.0.0/0" if world else f"10.{rnd.int(0, 255)}.0.0/16",
                          "Description": "world" if world else "vpc"}],
            "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []})
    data = {
        "GroupId": gid, "GroupName": name, "Description": f"managed by terraform ({name})",
        "OwnerId": ctx["account"], "VpcId": f"vpc-{rnd.hex(17)}", "IpPermissions": perms,
        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                                 "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}],
        "Tags": aws_tags(rnd, name[3:]),
        "SecurityGroupArn": aws_arn(ctx, "ec2", f"security-group/{gid}"),
    }
    return data["SecurityGroupArn"], name, data


def aws_s3_bucket(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"{app_name(rnd, i)}-{ctx['account'][-6:]}"
    block = rnd.chance(0.85)
    data: Data = {
        "Name": name, "CreationDate": rnd.when(2000), "BucketRegion": ctx["region"],
        "Versioning": {"Status": rnd.pick(("Enabled", "Suspended", "Enabled"))},
        "PublicAccessBlock": {"BlockPublicAcls": block, "IgnorePublicAcls": block,
                              "BlockPublicPolicy": block or rnd.chance(0.5), "RestrictPublicBuckets": block},
        "Acl": {"Owner": {"ID": rnd.hex(64)}, "Grants": [
            {"Grantee": {"ID": rnd.hex(64), "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]},
        "Tagging": {"TagSet": aws_tags(rnd, name)},
        "LifecycleRules": [{"ID": "expire-noncurrent", "Status": "Enabled", "Filter": {"Prefix": ""},
                            "NoncurrentVersionExpiration": {"NoncurrentDays": 90}}],
        "ObjectLockEnabled": rnd.chance(0.1), "OwnershipControls": {"Rules": [
            {"ObjectOwnership": "BucketOwnerEnforced"}]},
    }
    if rnd.chance(0.9):
        algo = rnd.weighted([("aws:kms", 60), ("AES256", 38), ("none", 2)])
        data["Encryption"] = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algo},
                                         "BucketKeyEnabled": algo == "aws:kms"}]}
    if rnd.chance(0.7):
        data["Logging"] = {"TargetBucket": f"access-logs-{ctx['account']}", "TargetPrefix": f"{name}/"}
    return f"arn:{ctx['partition']}:s3:::{name}", name, data


def aws_rds_db_instance(rnd: Rand, ctx: Data, i: int) -> Made:
    name = app_name(rnd, i)
    engine = rnd.pick(("mysql", "postgres", "mariadb", "aurora-mysql"))
    data = {
        "DBInstanceIdentifier": name, "DBInstanceClass": rnd.pick(("db.m5.large", "db.r5.xlarge")),
        "Engine": engine, "EngineVersion": {"mysql": "8.0.35", "postgres": "15.4"}.get(engine, "10.6.14"),
        "DBInstanceStatus": "available", "MasterUsername": "admin",
        "Endpoint": {"Address": f"{name}.{rnd.hex(12)}.{ctx['region']}.rds.amazonaws.com.cn",
                     "Port": 3306 if "postgres" not in engine else 5432,
                     "HostedZoneId": f"Z{rnd.hex(12).upper()}"},
        "AllocatedStorage": rnd.pick((20, 100, 500)), "InstanceCreateTime": rnd.when(1500),
        "PreferredBackupWindow": "18:00-19:00", "BackupRetentionPeriod": rnd.pick((0, 1, 7, 7, 14, 35)),
        "VpcSecurityGroups": [{"VpcSecurityGroupId": f"sg-{rnd.hex(17)}", "Status": "active"}],
        "DBParameterGroups": [{"DBParameterGroupName": f"default.{engine}",
                               "ParameterApplyStatus": "in-sync"}],
        "AvailabilityZone": f"{ctx['region']}a", "MultiAZ": rnd.chance(0.6),
        "AutoMinorVersionUpgrade": True, "PubliclyAccessible": rnd.chance(0.05),
        "StorageType": "gp3", "StorageEncrypted": rnd.chance(0.85), "DeletionProtection": rnd.chance(0.7),
        "IAMDatabaseAuthenticationEnabled": False,
        "EnabledCloudwatchLogsExports": rnd.pick((["audit", "error"], ["error"], [])),
        "DBInstanceArn": aws_arn(ctx, "rds", f"db:{name}"), "TagList": aws_tags(rnd, name),
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
    }
    return data["DBInstanceArn"], name, data


def aws_logs_log_group(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"/aws/{rnd.pick(('lambda', 'ecs', 'eks', 'rds/instance', 'vpc/flow'))}/{app_name(rnd, i)}"
    data: Data = {
        "logGroupName": name, "creationTime": 1_600_000_000_000 + rnd.int(0, 10**11),
        "metricFilterCount": rnd.int(0, 3), "arn": aws_arn(ctx, "logs", f"log-group:{name}:*"),
        "storedBytes": rnd.int(0, 10**11), "logGroupClass": "STANDARD",
        "logGroupArn": aws_arn(ctx, "logs", f"log-group:{name}"),
        "dataProtectionStatus": rnd.pick(("ACTIVATED", "DISABLED", "DISABLED")),
    }
    retention = rnd.weighted([(None, 10), (7, 8), (30, 8), (90, 4), (180, 30), (365, 30), (3653, 10)])
    if retention is not None:
        data["retentionInDays"] = retention
    if rnd.chance(0.4):
        data["kmsKeyId"] = aws_arn(ctx, "kms", f"key/{rnd.hex(8)}")
    return data["arn"], name, data


def aws_kms_key(rnd: Rand, ctx: Data, i: int) -> Made:
    kid = f"{rnd.hex(8)}-{rnd.hex(4)}-{rnd.hex(4)}-{rnd.hex(4)}-{rnd.hex(12)}"
    manager = rnd.weighted([("CUSTOMER", 70), ("AWS", 30)])
    data = {
        "AWSAccountId": ctx["account"], "KeyId": kid, "Arn": aws_arn(ctx, "kms", f"key/{kid}"),
        "CreationDate": rnd.when(1500), "Enabled": True, "Description": f"{app_name(rnd, i)} data key",
        "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": rnd.weighted([("Enabled", 90), ("Disabled", 10)]),
        "Origin": "AWS_KMS", "KeyManager": manager, "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False,
        "KeyRotationEnabled": manager == "AWS" or rnd.chance(0.97),
    }
    return data["Arn"], kid, data


def aws_iam_user(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"{rnd.pick(('svc', 'ops', 'dev', 'ci', 'audit'))}-{rnd.hex(6)}-{i}"
    console = rnd.chance(0.6)
    data: Data = {
        "Path": "/", "UserName": name, "UserId": f"AIDA{rnd.hex(16).upper()}",
        "Arn": f"arn:{ctx['partition']}:iam::{ctx['account']}:user/{name}", "CreateDate": rnd.when(2000),
        "MFADevices": [{"UserName": name,
                        "SerialNumber": f"arn:{ctx['partition']}:iam::{ctx['account']}:mfa/{name}",
                        "EnableDate": rnd.when(900)}] if console and rnd.chance(0.85) else [],
        "AccessKeys": [{"AccessKeyId": f"AKIA{rnd.hex(16).upper()}",
                        "Status": rnd.pick(("Active", "Inactive")),
                        "CreateDate": rnd.when(900), "LastUsedDate": rnd.when(200)}
                       for _ in range(rnd.weighted([(0, 3), (1, 6), (2, 1)]))],
        "AttachedManagedPolicies": [{"PolicyName": p,
                                     "PolicyArn": f"arn:{ctx['partition']}:iam::aws:policy/{p}"}
                                    for p in rnd.r.sample(("ReadOnlyAccess", "AmazonS3ReadOnlyAccess",
                                                           "AdministratorAccess", "AmazonEC2FullAccess",
                                                           "CloudWatchLogsReadOnlyAccess",
                                                           "IAMUserChangePassword",
                                                           "AmazonRDSReadOnlyAccess", "PowerUserAccess",
                                                           "SecurityAudit", "ViewOnlyAccess"),
                                                           rnd.int(0, 3))],
        "Groups": [{"GroupName": g} for g in rnd.r.sample(("developers", "ops", "readonly", "billing"),
                                                           rnd.int(0, 2))],
        "Tags": [{"Key": "owner", "Value": rnd.pick(TEAMS)}],
    }
    if console:
        data["LoginProfile"] = {"CreateDate": rnd.when(900), "PasswordResetRequired": False}
        data["PasswordLastUsed"] = rnd.when(120)
    return data["Arn"], name, data


def aliyun_account(rnd: Rand, ctx: Data, i: int) -> Made:
    data = {"AccountId": ctx["account"], "AccountAlias": f"corp-{ctx['account'][-4:]}",
            "RealNameVerified": True, "Regions": ctx["regions"],
            "SecurityPreference": {"LoginProfilePreference": {
                "EnableSaveMFATicket": False, "AllowUserToChangePassword": True,
                "LoginSessionDuration": rnd.pick((1, 6, 12)), "LoginNetworkMasks": ""},
                "MFAPreference": {"AllowUserToManageMFADevices": True}}}
    return f"acs:ram::{ctx['account']}:root", data["AccountAlias"], data


def aliyun_password_policy(rnd: Rand, ctx: Data, i: int) -> Made:
    strong = rnd.chance(0.7)
    data = {"MinimumPasswordLength": 12 if strong else 8, "RequireLowercaseCharacters": True,
            "RequireUppercaseCharacters": True, "RequireNumbers": True, "RequireSymbols": strong,
            "HardExpiry": False, "MaxPasswordAge": 90 if strong else 0,
            "PasswordReusePrevention": 5 if strong else 0, "MaxLoginAttemps": 5 if strong else 0,
            "PasswordNotContainUserName": strong, "MinimumPasswordDifferentCharacter": 0}
    return f"acs:ram::{ctx['account']}:password-policy", "password-policy", data


def aliyun_actiontrail(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"trail-{i}"
    good = i == 0 and rnd.chance(0.85)
    data = {"Name": name, "HomeRegion": ctx["region"], "TrailRegion": "All" if good else ctx["region"],
            "Status": "Enable" if good or rnd.chance(0.6) else "Disable",
            "EventRW": "All" if good else "Write",
            "OssBucketName": f"actiontrail-{ctx['account']}", "OssKeyPrefix": "actiontrail",
            "SlsProjectArn": f"acs:log:{ctx['region']}:{ctx['account']}:project/actiontrail-{ctx['account']}",
            "SlsWriteRoleArn": f"acs:ram::{ctx['account']}:role/aliyunactiontraildefaultrole",
            "IsOrganizationTrail": False, "CreateTime": rnd.when(1000), "UpdateTime": rnd.when(100),
            "StartLoggingTime": rnd.when(1000), "StopLoggingTime": ""}
    return f"acs:actiontrail:{ctx['region']}:{ctx['account']}:trail/{name}", name, data


def aliyun_tags(rnd: Rand, name: str) -> Data:
    return {"Tag": kv_tags(rnd, name)}


def aliyun_ecs_instance(rnd: Rand, ctx: Data, i: int) -> Made:
    iid = f"i-{rnd.hex(20)}"
    name = app_name(rnd, i)
    status = rnd.weighted([("Running", 88), ("Stopped", 12)])
    data: Data = {
        "InstanceId": iid, "InstanceName": name, "HostName": name, "RegionId": ctx["region"],
        "ZoneId": f"{ctx['region']}-{rnd.pick('abcdefgh')}", "InstanceType": rnd.pick(
            ("ecs.g7.large", "ecs.c7.xlarge", "ecs.r7.2xlarge", "ecs.g6.large")),
        "Cpu": rnd.pick((2, 4, 8)), "Memory": rnd.pick((4096, 8192, 16384, 32768)),
        "OSName": rnd.pick(("Alibaba Cloud Linux 3.2104 LTS 64位", "CentOS 7.9 64位",
                            "Ubuntu 22.04 64位")),
        "OSType": "linux", "Status": status, "CreationTime": rnd.when(900),
        "ImageId": f"aliyun_3_x64_{rnd.digits(8)}.vhd",
        "VpcAttributes": {"VpcId": f"vpc-{rnd.hex(20)}", "VSwitchId": f"vsw-{rnd.hex(20)}",
                          "PrivateIpAddress": {"IpAddress": [rnd.ip()]}, "NatIpAddress": ""},
        "PublicIpAddress": {"IpAddress": [rnd.ip(False)] if rnd.chance(0.15) else []},
        "EipAddress": {"AllocationId": "", "IpAddress": "", "InternetChargeType": ""},
        "SecurityGroupIds": {"SecurityGroupId": [f"sg-{rnd.hex(20)}" for _ in range(rnd.int(1, 3))]},
        "InternetMaxBandwidthOut": rnd.pick((0, 0, 5, 100)),
        "InstanceChargeType": rnd.pick(("PrePaid", "PostPaid")),
        "DeletionProtection": rnd.chance(0.5), "Tags": aliyun_tags(rnd, name),
        "MetadataOptions": {"HttpEndpoint": "enabled",
                            "HttpTokens": rnd.weighted([("required", 60), ("optional", 40)])},
        "NetworkInterfaces": {"NetworkInterface": [{"NetworkInterfaceId": f"eni-{rnd.hex(20)}",
                                                    "Type": "Primary",
                                                    "PrimaryIpAddress": rnd.ip()}]},
    }
    return f"acs:ecs:{ctx['region']}:{ctx['account']}:instance/{iid}", name, data


def aliyun_ecs_disk(rnd: Rand, ctx: Data, i: int) -> Made:
    did = f"d-{rnd.hex(20)}"
    kind = rnd.weighted([("system", 40), ("data", 60)])
    data = {"DiskId": did, "DiskName": f"{kind}-{did[-6:]}", "Type": kind, "Category": rnd.pick(
            ("cloud_essd", "cloud_efficiency", "cloud_ssd")), "Size": rnd.pick((40, 100, 500, 2000)),
            "RegionId": ctx["region"], "ZoneId": f"{ctx['region']}-{rnd.pick('abcd')}", "Status": "In_use",
            "Encrypted": rnd.chance(0.75), "KMSKeyId": "", "InstanceId": f"i-{rnd.hex(20)}",
            "CreationTime": rnd.when(900), "DeleteWithInstance": kind == "system", "Portable": kind == "data",
            "PerformanceLevel": "PL1", "EnableAutoSnapshot": rnd.chance(0.6),
            "AutoSnapshotPolicyId": f"sp-{rnd.hex(20)}" if rnd.chance(0.5) else "",
            "Device": "/dev/xvda" if kind == "system" else "/dev/xvdb",
            "Tags": aliyun_tags(rnd, app_name(rnd, i))}
    return f"acs:ecs:{ctx['region']}:{ctx['account']}:disk/{did}", data["DiskName"], data


def aliyun_ecs_security_group(rnd: Rand, ctx: Data, i: int) -> Made:
    gid = f"sg-{rnd.hex(20)}"
    name = f"sg-{app_name(rnd, i)}"
    perms = []
    for n, port in enumerate(_ingress_ports(rnd, rnd.int(1, 6))):
        world = rnd.chance(0.3)
        perms.append({"IpProtocol": "ALL" if port == -1 else "TCP",
                      "PortRange": "-1/-1" if port == -1 else f"{port}/{port}",
                      "SourceCidrIp": "0.0.0.0/0" if world else f"172.16.{rnd.int(0, 255)}.0/24",
                      "Policy": rnd.weighted([("Accept", 95), ("Drop", 5)]), "Direction": "ingress",
                      "Priority": n + 1, "NicType": "intranet", "Description": "",
                      "CreateTime": rnd.when(900)})
    data = {"SecurityGroupId": gid, "SecurityGroupName": name, "VpcId": f"vpc-{rnd.hex(20)}",
            "Description": name, "SecurityGroupType": "normal", "InnerAccessPolicy": "Accept",
            "CreationTime": rnd.when(1000), "RegionId": ctx["region"], "Tags": aliyun_tags(rnd, name[3:]),
            "Permissions": {"Permission": perms}}
    return f"acs:ecs:{ctx['region']}:{ctx['account']}:securitygroup/{gid}", name, data


def aliyun_oss_bucket(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"{app_name(rnd, i)}-{ctx['account'][-6:]}"
    data: Data = {"Name": name, "Location": f"oss-{ctx['region']}", "CreationDate": rnd.when(2000),
                  "StorageClass": rnd.pick(("Standard", "IA", "Archive")),
                  "ExtranetEndpoint": f"oss-{ctx['region']}.aliyuncs.com",
                  "IntranetEndpoint": f"oss-{ctx['region']}-internal.aliyuncs.com",
                  "AccessControlList": {"Grant": rnd.weighted([("private", 90), ("public-read", 8),
                                                               ("public-read-write", 2)])},
                  "Owner": {"ID": ctx["account"], "DisplayName": ctx["account"]},
                  "DataRedundancyType": rnd.pick(("LRS", "ZRS")),
                  "Versioning": rnd.pick(("Enabled", "Suspended")),
                  "BlockPublicAccess": rnd.chance(0.6), "Tags": kv_tags(rnd, name, "Key", "Value")}
    if rnd.chance(0.85):
        data["ServerSideEncryptionRule"] = {"SSEAlgorithm": rnd.weighted([("KMS", 50), ("AES256", 45),
                                                                          ("SM4", 5)]),
                                            "KMSMasterKeyID": "", "KMSDataEncryption": ""}
    if rnd.chance(0.6):
        data["Logging"] = {"TargetBucket": f"oss-logs-{ctx['account']}", "TargetPrefix": f"{name}/"}
    return f"acs:oss:{ctx['region']}:{ctx['account']}:{name}", name, data


def aliyun_rds_instance(rnd: Rand, ctx: Data, i: int) -> Made:
    rid = f"rm-{rnd.hex(18)}"
    ips = ["10.0.0.0/8", f"172.16.{rnd.int(0, 255)}.0/24"]
    if rnd.chance(0.06):
        ips.append("0.0.0.0/0")
    data = {"DBInstanceId": rid, "DBInstanceDescription": app_name(rnd, i),
            "Engine": rnd.pick(("MySQL", "PostgreSQL")),
            "EngineVersion": rnd.pick(("8.0", "5.7", "14.0")), "DBInstanceClass": "mysql.n2.medium.2c",
            "DBInstanceStatus": "Running", "RegionId": ctx["region"], "ZoneId": f"{ctx['region']}-h",
            "VpcId": f"vpc-{rnd.hex(20)}", "VSwitchId": f"vsw-{rnd.hex(20)}",
            "ConnectionString": f"{rid}.mysql.rds.aliyuncs.com", "Port": "3306",
            "DBInstanceNetType": rnd.weighted([("Intranet", 92), ("Internet", 8)]),
            "SecurityIPList": ",".join(ips), "TDEStatus": rnd.pick(("Enabled", "Disabled")),
            "SSLEnabled": rnd.pick(("Yes", "No")), "BackupRetentionPeriod": rnd.pick((7, 7, 30, 3)),
            "SQLCollectorStatus": rnd.weighted([("Enable", 80), ("Disabled", 20)]),
            "CreationTime": rnd.when(1500), "ExpireTime": "", "PayType": "Prepaid",
            "Tags": aliyun_tags(rnd, app_name(rnd, i))}
    return f"acs:rds:{ctx['region']}:{ctx['account']}:dbinstance/{rid}", data["DBInstanceDescription"], data


def aliyun_sls_logstore(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"{app_name(rnd, i)}-logs"
    data = {"logstoreName": name, "projectName": f"k8s-log-{ctx['account'][-6:]}",
            "ttl": rnd.weighted([(30, 15), (90, 10), (180, 35), (365, 30), (3650, 10)]),
            "hot_ttl": -1, "shardCount": rnd.pick((2, 4, 8)), "enable_tracking": False, "autoSplit": True,
            "maxSplitShard": 64, "appendMeta": True, "telemetryType": "None", "mode": "standard",
            "createTime": 1_600_000_000 + rnd.int(0, 10**8),
            "lastModifyTime": 1_700_000_000 + rnd.int(0, 10**7),
            "encrypt_conf": {"enable": rnd.chance(0.3), "encrypt_type": "default", "user_cmk_info": None},
            "product_type": "", "infrequentAccessTTL": 0}
    uid = f"acs:log:{ctx['region']}:{ctx['account']}:project/{data['projectName']}/logstore/{name}"
    return uid, name, data


def aliyun_ram_user(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"{rnd.pick(('svc', 'ops', 'dev', 'ci', 'audit'))}-{rnd.hex(6)}-{i}"
    console = rnd.chance(0.6)
    data: Data = {"UserName": name, "UserId": rnd.digits(16), "DisplayName": name,
                  "CreateDate": rnd.when(2000), "UpdateDate": rnd.when(300), "LastLoginDate": rnd.when(200),
                  "Comments": "", "Email": f"{name}@example.cn", "MobilePhone": "",
                  "AccessKeys": [{"AccessKeyId": f"LTAI{rnd.hex(20)}",
                                  "Status": rnd.pick(("Active", "Inactive")),
                                  "CreateDate": rnd.when(900)} for _ in range(rnd.int(0, 2))],
                  "Policies": [{"PolicyName": p, "PolicyType": "System"} for p in rnd.r.sample(
                      ("AliyunECSReadOnlyAccess", "AliyunOSSFullAccess", "AdministratorAccess",
                       "AliyunLogReadOnlyAccess", "AliyunRDSFullAccess"), rnd.int(0, 2))],
                  "Groups": [{"GroupName": g} for g in rnd.r.sample(("dev", "ops", "readonly"),
                                                                    rnd.int(0, 2))]}
    if console:
        data["LoginProfile"] = {"PasswordResetRequired": False, "MFABindRequired": rnd.chance(0.5),
                                "CreateDate": rnd.when(900)}
        if rnd.chance(0.7):
            data["MFADevice"] = {"SerialNumber": f"acs:ram::{ctx['account']}:mfa/{name}", "Type": "VMFA",
                                 "ActivateDate": rnd.when(900)}
    return f"acs:ram::{ctx['account']}:user/{name}", name, data


def generic_kms_key(provider: str) -> Callable[[Rand, Data, int], Made]:
    def make(rnd: Rand, ctx: Data, i: int) -> Made:
        kid = f"{rnd.hex(8)}-{rnd.hex(4)}-{rnd.hex(4)}-{rnd.hex(4)}-{rnd.hex(12)}"
        data = {"KeyId": kid, "CreateTime": rnd.when(1500), "Description": f"{app_name(rnd, i)} key",
                "KeyState": rnd.pick(("Enabled", "Enabled", "Disabled")), "KeyUsage": "ENCRYPT/DECRYPT",
                "Origin": "Aliyun_KMS" if provider == "aliyun" else "TENCENT_KMS",
                "KeySpec": rnd.pick(("Aliyun_AES_256", "Aliyun_SM4", "SYMMETRIC_DEFAULT")),
                "ProtectionLevel": rnd.pick(("SOFTWARE", "HSM")),
                "AutomaticRotation": rnd.pick(("Enabled", "Disabled")),
                "RotationInterval": "31536000s", "Creator": ctx["account"]}
        prefix = "acs:kms" if provider == "aliyun" else "qcs::kms"
        return f"{prefix}:{ctx['region']}:{ctx['account']}:key/{kid}", kid, data
    return make


def tencent_account(rnd: Rand, ctx: Data, i: int) -> Made:
    data = {"OwnerUin": ctx["account"], "Uin": ctx["account"], "AppId": rnd.digits(10),
            "Regions": ctx["regions"],
            "SafeAuthFlag": {"Token": 1, "Phone": 0, "Stoken": 0, "Wechat": 0},
            "OffsiteFlag": {"VerifyFlag": 1, "NotifyPhone": 1, "NotifyEmail": 0}}
    return f"qcs::cam::uin/{ctx['account']}:root", ctx["account"], data


def tencent_cloudaudit(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"audit-{i}"
    good = i == 0 and rnd.chance(0.85)
    data = {"AuditName": name, "AuditStatus": 1 if good or rnd.chance(0.6) else 0,
            "CosBucketName": f"cloudaudit-{ctx['account']}", "CosRegion": ctx["region"],
            "LogFilePrefix": "audit",
            "ReadWriteAttribute": 3 if good else rnd.pick((1, 2)), "IsEnableCmqNotify": 0,
            "IsEnableKmsEncry": int(good),
            "KeyId": "", "KmsRegion": "", "CmqRegion": "", "CmqQueueName": "", "CreateTime": rnd.when(1000)}
    return f"qcs::cloudaudit:{ctx['region']}:uin/{ctx['account']}:audit/{name}", name, data


def tencent_tags(rnd: Rand, name: str) -> list[Data]:
    return kv_tags(rnd, name, "Key", "Value")


def tencent_cvm_instance(rnd: Rand, ctx: Data, i: int) -> Made:
    iid = f"ins-{rnd.hex(8)}"
    name = app_name(rnd, i)
    data: Data = {"InstanceId": iid, "InstanceName": name,
                  "InstanceType": rnd.pick(("S5.MEDIUM4", "SA3.LARGE8", "C6.2XLARGE16")),
                  "CPU": rnd.pick((2, 4, 8)), "Memory": rnd.pick((4, 8, 16)),
                  "Placement": {"Zone": f"{ctx['region']}-{rnd.int(1, 6)}", "ProjectId": 0},
                  "InstanceState": rnd.weighted([("RUNNING", 88), ("STOPPED", 12)]),
                  "InstanceChargeType": "PREPAID",
                  "OsName": rnd.pick(("TencentOS Server 3.1", "CentOS 7.9 64位")),
                  "ImageId": f"img-{rnd.hex(8)}", "CreatedTime": rnd.when(900),
                  "ExpiredTime": rnd.when(-30, -400),
                  "PrivateIpAddresses": [rnd.ip()],
                  "PublicIpAddresses": [rnd.ip(False)] if rnd.chance(0.15) else None,
                  "InternetAccessible": {"InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
                                         "InternetMaxBandwidthOut": rnd.pick((0, 1, 10))},
                  "VirtualPrivateCloud": {"VpcId": f"vpc-{rnd.hex(8)}", "SubnetId": f"subnet-{rnd.hex(8)}",
                                          "AsVpcGateway": False},
                  "SecurityGroupIds": [f"sg-{rnd.hex(8)}" for _ in range(rnd.int(1, 3))],
                  "SystemDisk": {"DiskType": "CLOUD_PREMIUM", "DiskId": f"disk-{rnd.hex(8)}", "DiskSize": 50},
                  "DataDisks": [{"DiskType": "CLOUD_SSD", "DiskId": f"disk-{rnd.hex(8)}", "DiskSize": 200,
                                 "Encrypt": rnd.chance(0.7)}],
                  "LoginSettings": {"KeyIds": [f"skey-{rnd.hex(8)}"]}, "Tags": tencent_tags(rnd, name),
                  "DisableApiTermination": rnd.chance(0.5), "Uuid": f"{rnd.hex(8)}-{rnd.hex(4)}-{rnd.hex(4)}"}
    return f"qcs::cvm:{ctx['region']}:uin/{ctx['account']}:instance/{iid}", name, data


def tencent_cbs_disk(rnd: Rand, ctx: Data, i: int) -> Made:
    did = f"disk-{rnd.hex(8)}"
    usage = rnd.weighted([("SYSTEM_DISK", 40), ("DATA_DISK", 60)])
    data = {"DiskId": did, "DiskName": f"{usage.lower()}-{did[-4:]}", "DiskUsage": usage,
            "DiskType": rnd.pick(("CLOUD_PREMIUM", "CLOUD_SSD", "CLOUD_BSSD")),
            "DiskSize": rnd.pick((50, 200, 1000)),
            "DiskState": "ATTACHED", "Attached": True, "InstanceId": f"ins-{rnd.hex(8)}",
            "Placement": {"Zone": f"{ctx['region']}-{rnd.int(1, 6)}", "ProjectId": 0},
            "Encrypt": rnd.chance(0.75), "CreateTime": rnd.when(900), "DiskChargeType": "PREPAID",
            "DeleteWithInstance": usage == "SYSTEM_DISK", "SnapshotAbility": True,
            "AutoSnapshotPolicyIds": [],
            "Tags": tencent_tags(rnd, app_name(rnd, i)), "Shareable": False}
    return f"qcs::cbs:{ctx['region']}:uin/{ctx['account']}:disk/{did}", data["DiskName"], data


def tencent_vpc_security_group(rnd: Rand, ctx: Data, i: int) -> Made:
    gid = f"sg-{rnd.hex(8)}"
    name = f"sg-{app_name(rnd, i)}"
    ingress = []
    for n, port in enumerate(_ingress_ports(rnd, rnd.int(1, 6))):
        world = rnd.chance(0.3)
        ingress.append({"PolicyIndex": n, "Protocol": "ALL" if port == -1 else "TCP",
                        "Port": "ALL" if port == -1 else str(port),
                        "CidrBlock": "0.0.0.0/0" if world else f"10.{rnd.int(0, 255)}.0.0/16",
                        "Action": rnd.weighted([("ACCEPT", 95), ("DROP", 5)]), "PolicyDescription": "",
                        "ModifyTime": rnd.when(500), "Ipv6CidrBlock": "", "SecurityGroupId": ""})
    data = {"SecurityGroupId": gid, "SecurityGroupName": name, "SecurityGroupDesc": name, "ProjectId": "0",
            "IsDefault": False, "CreatedTime": rnd.when(1000), "TagSet": tencent_tags(rnd, name[3:]),
            "UpdateTime": rnd.when(200),
            "SecurityGroupPolicySet": {"Version": str(rnd.int(1, 40)), "Ingress": ingress,
                                       "Egress": [{"PolicyIndex": 0, "Protocol": "ALL", "Port": "ALL",
                                                   "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT"}]}}
    return f"qcs::vpc:{ctx['region']}:uin/{ctx['account']}:sg/{gid}", name, data


def tencent_cos_bucket(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"{app_name(rnd, i)}-{rnd.digits(10)}"
    data: Data = {"Name": name, "Location": ctx["region"], "CreationDate": rnd.when(2000),
                  "BucketType": "cos",
                  "ACL": {"Owner": {"ID": f"qcs::cam::uin/{ctx['account']}:uin/{ctx['account']}"},
                          "AccessControlList": {"Grant": [{"Grantee": {"ID": ctx["account"]},
                                                           "Permission": "FULL_CONTROL"}]},
                          "CannedACL": rnd.weighted([("private", 92), ("public-read", 8)])},
                  "Versioning": {"Status": rnd.pick(("Enabled", "Suspended"))},
                  "Tagging": {"TagSet": {"Tag": tencent_tags(rnd, name)}}}
    if rnd.chance(0.85):
        data["Encryption"] = {"Rule": {"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": rnd.weighted([("AES256", 70), ("cos/kms", 25), ("SM4", 5)])}}}
    if rnd.chance(0.5):
        data["Logging"] = {"LoggingEnabled": {"TargetBucket": f"cos-logs-{ctx['account']}",
                                              "TargetPrefix": name}}
    return f"qcs::cos:{ctx['region']}:uid/{ctx['account']}:{name}", name, data


def tencent_cdb_instance(rnd: Rand, ctx: Data, i: int) -> Made:
    iid = f"cdb-{rnd.hex(8)}"
    data = {"InstanceId": iid, "InstanceName": app_name(rnd, i), "Region": ctx["region"],
            "Zone": f"{ctx['region']}-{rnd.int(1, 6)}", "EngineVersion": rnd.pick(("5.7", "8.0")),
            "Vip": rnd.ip(), "Vport": 3306, "WanStatus": rnd.weighted([(0, 93), (1, 7)]), "WanDomain": "",
            "Status": 1, "Memory": rnd.pick((4000, 8000, 16000)), "Volume": rnd.pick((100, 500)),
            "DeviceType": "UNIVERSAL", "InstanceType": 1, "ProtectMode": 0, "DeployMode": 0,
            "UniqVpcId": f"vpc-{rnd.hex(8)}", "UniqSubnetId": f"subnet-{rnd.hex(8)}",
            "CreateTime": rnd.when(1500), "DeadlineTime": rnd.when(-30, -400), "AutoRenew": 1,
            "BackupConfig": {"BackupExpireDays": rnd.pick((7, 7, 30, 3)), "BackupMethod": "physical"},
            "AuditLogStatus": rnd.pick(("ON", "OFF")), "TagList": tencent_tags(rnd, app_name(rnd, i))}
    return f"qcs::cdb:{ctx['region']}:uin/{ctx['account']}:instanceId/{iid}", data["InstanceName"], data


def tencent_cls_topic(rnd: Rand, ctx: Data, i: int) -> Made:
    tid = f"{rnd.hex(8)}-{rnd.hex(4)}-{rnd.hex(4)}-{rnd.hex(4)}-{rnd.hex(12)}"
    name = f"{app_name(rnd, i)}-log"
    data = {"TopicId": tid, "TopicName": name, "LogsetId": f"{rnd.hex(8)}-{rnd.hex(4)}",
            "Period": rnd.weighted([(7, 10), (30, 15), (180, 40), (365, 25), (3600, 10)]),
            "StorageType": rnd.pick(("hot", "cold")), "Status": True, "AutoSplit": True,
            "MaxSplitPartitions": 50,
            "PartitionCount": rnd.pick((1, 2, 4)), "Index": True, "CreateTime": rnd.when(800),
            "Tags": tencent_tags(rnd, name), "Describes": "", "HotPeriod": 0, "IsWebTracking": False}
    return f"qcs::cls:{ctx['region']}:uin/{ctx['account']}:topic/{tid}", name, data


def tencent_cam_user(rnd: Rand, ctx: Data, i: int) -> Made:
    name = f"{rnd.pick(('svc', 'ops', 'dev', 'ci', 'audit'))}-{rnd.hex(6)}-{i}"
    console = rnd.chance(0.6)
    uin = rnd.digits(12)
    data = {"Uin": int(uin), "Name": name, "Uid": int(rnd.digits(9)), "Remark": "",
            "ConsoleLogin": int(console),
            "PhoneNum": "", "CountryCode": "86", "Email": f"{name}@example.cn", "CreateTime": rnd.when(2000),
            "NickName": name, "LastLoginTime": rnd.when(200),
            "LoginFlag": {"Token": int(console and rnd.chance(0.7)), "Stoken": 0, "Phone": 0, "Mail": 0,
                          "Wechat": 0},
            "ActionFlag": {"Token": 0, "Stoken": 0, "Phone": int(rnd.chance(0.5)), "Mail": 0, "Wechat": 0},
            "AccessKeys": [{"AccessKeyId": f"AKID{rnd.hex(28)}", "Status": "Active",
                            "CreateTime": rnd.when(900)}
                           for _ in range(rnd.int(0, 2))],
            "AttachedPolicies": [{"PolicyName": p, "PolicyId": rnd.int(1, 10**6)} for p in rnd.r.sample(
                ("QcloudCVMReadOnlyAccess", "AdministratorAccess", "QcloudCOSFullAccess", "ReadOnlyAccess"),
                rnd.int(0, 2))]}
    return f"qcs::cam::uin/{ctx['account']}:uin/{uin}", name, data


# hosts -------------------------------------------------------------------------------------

OSES = [("rhel", "8.9", "Red Hat Enterprise Linux 8.9 (Ootpa)", "4.18.0-513.el8.x86_64"),
        ("centos", "7", "CentOS Linux 7 (Core)", "3.10.0-1160.el7.x86_64"),
        ("kylin", "V10", "Kylin Linux Advanced Server V10 (Sword)", "4.19.90-52.22.v2207.ky10.x86_64"),
        ("openEuler", "22.03", "openEuler 22.03 (LTS-SP3)", "5.10.0-182.0.0.95.oe2203sp3.x86_64"),
        ("ubuntu", "22.04", "Ubuntu 22.04.4 LTS", "5.15.0-105-generic"),
        ("alinux", "3", "Alibaba Cloud Linux 3.2104 U10 (OpenAnolis Edition)", "5.10.134-16.3.al8.x86_64")]


def host_system(rnd: Rand, ctx: Data, i: int) -> Made:
    os_id, version, pretty, kernel = ctx["os"]
    hardened = rnd.chance(0.6)
    data = {"hostname": ctx["account"], "os": {"id": os_id, "version_id": version, "pretty_name": pretty,
                                               "kernel": kernel, "arch": "x86_64"},
            "uptime_seconds": rnd.int(3600, 400 * 86400), "timezone": "Asia/Shanghai",
            "selinux": {"mode": "enforcing" if hardened and os_id != "ubuntu"
                        else rnd.pick(("permissive", "disabled")),
                        "policy": "targeted"},
            "apparmor": {"enabled": os_id == "ubuntu" and hardened},
            "auditd": {"active": hardened or rnd.chance(0.5), "rules_count": rnd.pick((0, 4, 32, 57)),
                       "immutable": hardened and rnd.chance(0.5), "log_file": "/var/log/audit/audit.log",
                       "max_log_file_action": rnd.pick(("ROTATE", "KEEP_LOGS"))},
            "pam": {"faillock": {"deny": rnd.pick((3, 5, 5, 10)),
                                 "unlock_time": rnd.pick((300, 600, 900, 1800)),
                                 "even_deny_root": hardened},
                    "pwquality": {"minlen": rnd.pick((8, 12, 14)), "minclass": rnd.pick((2, 3, 4)),
                                  "retry": 3},
                    "pwhistory": {"remember": rnd.pick((0, 3, 5))}},
            "login_defs": {"PASS_MAX_DAYS": rnd.pick((90, 99999)), "PASS_MIN_DAYS": rnd.pick((0, 1, 7)),
                           "PASS_WARN_AGE": 7, "UMASK": "077" if hardened else "022"},
            "shell_timeout": rnd.pick((0, 300, 600, 900)),
            "ntp": {"service": "chronyd", "synchronized": rnd.chance(0.95), "servers": ["ntp.aliyun.com"]},
            "antivirus": {"product": rnd.pick(("ClamAV", "Qihoo 360 Server", None)),
                          "signature_age_days": rnd.int(0, 60)},
            "collected_commands": ["uname -a", "cat /etc/os-release", "getenforce", "auditctl -s",
                                   "cat /etc/login.defs"]}
    return ctx["target"], ctx["account"], data


def host_sshd(rnd: Rand, ctx: Data, i: int) -> Made:
    weak = rnd.chance(0.15)
    ciphers = ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com",
               "aes256-ctr"]
    if weak:
        ciphers += ["aes256-cbc", "3des-cbc"]
    data = {"Port": 22, "ListenAddress": ["0.0.0.0"], "Protocol": "2",
            "PermitRootLogin": rnd.weighted([("no", 50), ("prohibit-password", 30), ("yes", 20)]),
            "PasswordAuthentication": rnd.pick(("yes", "no")), "PermitEmptyPasswords": "no",
            "PubkeyAuthentication": "yes", "ChallengeResponseAuthentication": "no", "UsePAM": "yes",
            "X11Forwarding": rnd.pick(("yes", "no")), "MaxAuthTries": rnd.pick((3, 4, 6)),
            "ClientAliveInterval": rnd.weighted([(0, 15), (300, 40), (600, 30), (900, 15)]),
            "ClientAliveCountMax": rnd.pick((0, 3, 3)), "LoginGraceTime": 60,
            "LogLevel": rnd.pick(("INFO", "VERBOSE")),
            "Ciphers": ciphers, "MACs": ["hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"],
            "KexAlgorithms": ["curve25519-sha256", "diffie-hellman-group16-sha512"],
            "Banner": "/etc/issue.net", "AllowTcpForwarding": "no", "source": "sshd -T"}
    return f"{ctx['target']}:/etc/ssh/sshd_config", "sshd", data


SYSTEM_USERS = ["root", "bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "operator",
                "games", "ftp", "nobody", "systemd-network", "dbus", "polkitd", "sshd", "chrony", "postfix"]


def host_user(rnd: Rand, ctx: Data, i: int) -> Made:
    if i < len(SYSTEM_USERS):
        name = SYSTEM_USERS[i]
        uid = 0 if name == "root" else i
        interactive = name == "root"
    else:
        name = f"{rnd.pick(('ops', 'dev', 'app', 'dba', 'deploy'))}{i:03d}"
        uid = 1000 + i
        interactive = rnd.chance(0.85)
    locked = rnd.chance(0.1) and interactive
    data = {"name": name, "uid": uid, "gid": uid, "gecos": "",
            "home": f"/home/{name}" if uid >= 1000 else "/",
            "shell": "/bin/bash" if interactive else rnd.pick(("/sbin/nologin", "/usr/sbin/nologin",
                                                               "/bin/false")),
            "locked": locked,
            "password_status": "L" if locked or not interactive else rnd.weighted([("P", 97), ("NP", 3)]),
            "groups": ["wheel"] if interactive and rnd.chance(0.3) else [],
            "sudo": interactive and rnd.chance(0.3),
            "password": {"last_change_days": rnd.int(0, 400), "max_days": rnd.pick((90, 99999)),
                         "min_days": 0,
                         "warn_days": 7, "inactive_days": -1},
            "last_login": rnd.when(400) if interactive else None,
            "days_since_login": rnd.weighted([(rnd.int(0, 30), 70), (rnd.int(31, 90), 15),
                                              (rnd.int(91, 400), 15)])
            if interactive else None,
            "authorized_keys": rnd.int(0, 3) if interactive else 0}
    return f"{ctx['target']}:user/{name}", name, data


PROCESSES = {22: "sshd", 80: "nginx", 443: "nginx", 3306: "mysqld", 6379: "redis-server", 111: "rpcbind",
             8080: "java", 9100: "node_exporter", 25: "master", 323: "chronyd", 21: "vsftpd",
             23: "in.telnetd",
             2049: "nfsd", 5432: "postgres", 9090: "prometheus", 10050: "zabbix_agentd", 873: "rsync"}
PORT_WEIGHTS = [(22, 100), (80, 30), (443, 30), (3306, 10), (6379, 6), (111, 12), (8080, 25), (9100, 40),
                (25, 30), (323, 30), (21, 1), (23, 1), (2049, 2), (5432, 5), (9090, 5), (10050, 20), (873, 2)]


def host_port(rnd: Rand, ctx: Data, i: int) -> Made:
    port = 22 if i == 0 else rnd.weighted(PORT_WEIGHTS)
    proto = "udp" if port in (323, 111) and rnd.chance(0.5) else "tcp"
    address = rnd.weighted([("0.0.0.0", 60), ("127.0.0.1", 25), ("::", 10), ("::1", 5)])
    data = {"protocol": proto, "address": address, "port": port,
            "state": "LISTEN" if proto == "tcp" else "UNCONN",
            "family": "inet6" if ":" in address else "inet",
            "process": {"name": PROCESSES[port], "pid": rnd.int(300, 60000),
                        "user": rnd.pick(("root", "nobody", "mysql"))},
            "recv_q": 0, "send_q": 128, "source": "ss -H -tulnp"}
    return f"{ctx['target']}:{proto}/{address}/{port}/{i}", f"{proto}/{port}", data


PACKAGES = ("bash", "openssl", "openssh-server", "openssh-clients", "glibc", "systemd", "kernel", "sudo",
            "curl",
            "wget", "vim-minimal", "python3", "perl", "rsyslog", "audit", "chrony", "firewalld", "iptables",
            "NetworkManager", "tar", "gzip", "xz", "rpm", "dnf", "yum", "libselinux", "policycoreutils",
            "pam",
            "krb5-libs", "nss", "ca-certificates", "tzdata", "zlib", "bzip2", "libxml2", "sqlite", "lvm2",
            "e2fsprogs", "xfsprogs", "nginx", "java-11-openjdk", "docker-ce", "containerd.io", "git", "make",
            "gcc", "nfs-utils", "rpcbind", "cronie", "logrotate", "postfix", "net-tools", "lsof", "tcpdump",
            "strace", "zabbix-agent", "node_exporter", "redis", "mysql-community-server", "telnet-server",
            "rsh-server", "vsftpd", "tftp-server", "xinetd", "ypserv")
INSECURE = {"telnet-server", "rsh-server", "vsftpd", "tftp-server", "xinetd", "ypserv"}


def host_package(rnd: Rand, ctx: Data, i: int) -> Made:
    name = rnd.pick(PACKAGES)
    if name in INSECURE and rnd.chance(0.9):
        name = rnd.pick(PACKAGES[:40])
    suffix = f"-{i}" if i >= len(PACKAGES) else ""  # real hosts carry several hundred distinct packages
    name = f"{name}{suffix}" if suffix and name not in INSECURE else name
    version = f"{rnd.int(0, 9)}.{rnd.int(0, 30)}.{rnd.int(0, 20)}"
    data = {"name": name, "version": version, "release": f"{rnd.int(1, 40)}.el8",
            "arch": rnd.pick(("x86_64", "noarch")),
            "epoch": rnd.pick((None, 0, 1)),
            "vendor": rnd.pick(("Red Hat, Inc.", "CentOS", "Kylin", "openEuler")),
            "install_time": rnd.when(900), "size": rnd.int(10_000, 200_000_000),
            "source_rpm": f"{name}-{version}.src.rpm",
            "repo": rnd.pick(("baseos", "appstream", "epel", "@System")),
            "signature": f"RSA/SHA256, key ID {rnd.hex(16)}"}
    return f"{ctx['target']}:pkg/{name}/{version}/{i}", name, data


# ---------------------------------------------------------------------------------------------
# layout of targets and resource types


Maker = Callable[[Rand, Data, int], Made]

# fixed per-target resources: (type, count, maker, regional?)
FIXED: dict[str, list[tuple[str, int, Maker, bool]]] = {
    "aws": [("aws.account", 1, aws_account, False), ("aws.cloudtrail.trail", 2, aws_cloudtrail, True)],
    "aliyun": [("aliyun.account", 1, aliyun_account, False),
               ("aliyun.ram.password_policy", 1, aliyun_password_policy, False),
               ("aliyun.actiontrail.trail", 2, aliyun_actiontrail, True)],
    "tencent": [("tencent.account", 1, tencent_account, False),
                ("tencent.cloudaudit.audit", 2, tencent_cloudaudit, True)],
    "host": [("host.system", 1, host_system, False), ("host.sshd", 1, host_sshd, False)],
}

# resources that scale: (type, weight, maker, regional?)
SCALED: dict[str, list[tuple[str, float, Maker, bool]]] = {
    "aws": [("aws.ec2.instance", 18, aws_ec2_instance, True), ("aws.ec2.volume", 24, aws_ec2_volume, True),
            ("aws.ec2.security_group", 12, aws_ec2_security_group, True),
            ("aws.s3.bucket", 8, aws_s3_bucket, True),
            ("aws.rds.db_instance", 4, aws_rds_db_instance, True),
            ("aws.logs.log_group", 16, aws_logs_log_group, True),
            ("aws.kms.key", 6, aws_kms_key, True), ("aws.iam.user", 12, aws_iam_user, False)],
    "aliyun": [("aliyun.ecs.instance", 18, aliyun_ecs_instance, True),
               ("aliyun.ecs.disk", 24, aliyun_ecs_disk, True),
               ("aliyun.ecs.security_group", 12, aliyun_ecs_security_group, True),
               ("aliyun.oss.bucket", 8, aliyun_oss_bucket, True),
               ("aliyun.rds.instance", 4, aliyun_rds_instance, True),
               ("aliyun.sls.logstore", 16, aliyun_sls_logstore, True),
               ("aliyun.kms.key", 6, generic_kms_key("aliyun"), True),
               ("aliyun.ram.user", 12, aliyun_ram_user, False)],
    "tencent": [("tencent.cvm.instance", 18, tencent_cvm_instance, True),
                ("tencent.cbs.disk", 24, tencent_cbs_disk, True),
                ("tencent.vpc.security_group", 12, tencent_vpc_security_group, True),
                ("tencent.cos.bucket", 8, tencent_cos_bucket, True),
                ("tencent.cdb.instance", 4, tencent_cdb_instance, True),
                ("tencent.cls.topic", 16, tencent_cls_topic, True),
                ("tencent.kms.key", 6, generic_kms_key("tencent"), True),
                ("tencent.cam.user", 12, tencent_cam_user, False)],
    "host": [("host.user", 14, host_user, False), ("host.listener", 8, host_port, False),
             ("host.service", 78, host_package, False)],
}


def split(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder apportionment: integers proportional to weights that sum to total."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda k: (counts[k] - raw[k], k))
    for k in order[: total - sum(counts)]:
        counts[k] += 1
    return counts


def plan_targets(rnd: Rand, regions: dict[str, dict[str, list[str]]], accounts: int,
                 hosts: int) -> list[Data]:
    targets: list[Data] = []
    for n in range(accounts):
        provider = CLOUD_PROVIDERS[n % 3]
        pools = regions[provider]
        account = rnd.digits(12) if provider == "aws" else rnd.digits(16 if provider == "aliyun" else 10)
        # one AWS account in the global partition (Hong Kong, Singapore): all of it is offshore
        offshore_account = provider == "aws" and n == 9
        if provider == "aws":
            if offshore_account:
                home = ["ap-east-1", "ap-southeast-1"]
                partition = "aws"
            else:
                home = list(pools["mainland"])
                partition = "aws-cn"
        else:
            home = rnd.r.sample(pools["mainland"], min(3, len(pools["mainland"])))
            if n % 7 == 1 and pools["finance"]:
                home.append(rnd.pick(pools["finance"]))
            partition = None
        offshore = [] if provider == "aws" else ["cn-hongkong" if provider == "aliyun" else "ap-hongkong",
                                                 rnd.pick(pools["offshore"])]
        target: Data = {"id": f"{provider}:{account}", "provider": provider, "account": account,
                        "partition": partition, "home": home, "offshore": offshore}
        if n % 4 == 0:
            target["platform"] = {"name": {"aws": "aws-china", "aliyun": "aliyun-public",
                                           "tencent": "tencent-public"}[provider],
                                  "level": 3, "source": "declared in mlpscan.yaml",
                                  "evidence": f"备案证明 {rnd.digits(11)}-{rnd.digits(5)}"}
        targets.append(target)
    for n in range(hosts):
        name = f"{rnd.pick(APPS)}-{n:03d}.prod.example.cn"
        targets.append({"id": f"host:{name}", "provider": "host", "account": name, "os": rnd.pick(OSES),
                        "unreachable": n == hosts - 1})
    return targets


def make_errors(targets: list[Data]) -> list[Data]:
    clouds = [t for t in targets if t["provider"] != "host"]
    hosts = [t for t in targets if t["provider"] == "host"]
    by = {p: [t for t in clouds if t["provider"] == p] for p in CLOUD_PROVIDERS}
    errors: list[Data] = []
    if by["aws"]:
        t = by["aws"][min(1, len(by["aws"]) - 1)]
        errors.append({"target": t["id"], "type": "aws.iam.user", "region": None,
                       "operation": "iam:ListUsers",
                       "code": "AccessDenied",
                       "message": f"User: arn:aws-cn:sts::{t['account']}:assumed-role/"
                       "mlpscan-readonly/mlpscan is not authorized to perform: iam:ListUsers"})
        t = by["aws"][-1]
        errors.append({"target": t["id"], "type": "aws.kms.key", "region": t["home"][-1],
                       "operation": "kms:ListKeys",
                       "code": "ThrottlingException", "message": "Rate exceeded"})
    if by["aliyun"]:
        t = by["aliyun"][0]
        errors.append({"target": t["id"], "type": "aliyun.rds.instance", "region": t["home"][0],
                       "operation": "DescribeDBInstances", "code": "Throttling.User",
                       "message": "Request was denied due to user flow control."})
    if by["tencent"]:
        t = by["tencent"][0]
        errors.append({"target": t["id"], "type": "tencent.cls.topic", "region": t["home"][0],
                       "operation": "DescribeTopics", "code": "RequestLimitExceeded",
                       "message": "Your current request times exceeds limit, please retry later."})
    if len(hosts) > 7:
        errors.append({"target": hosts[7]["id"], "type": "host.service", "region": None,
                       "operation": "rpm -qa --queryformat", "code": "CommandFailed",
                       "message": "exit status 1: error: rpmdb: BDB0113 Thread/process failed"})
    for t in hosts:
        if t.get("unreachable"):
            errors.append({"target": t["id"], "type": "host.*", "region": None, "operation": "ssh:connect",
                           "code": "Timeout", "message": "connection timed out after 10 s"})
    return errors


def resources_for(rnd: Rand, target: Data, budget: int, failed_types: set[str]) -> Iterator[Data]:
    provider = target["provider"]
    ctx: Data = {"account": target["account"], "partition": target.get("partition") or "aws-cn",
                 "target": target["id"], "os": target.get("os"), "regions": target.get("home", [])}
    plan: list[tuple[str, int, Maker, bool]] = []
    remaining = budget
    for kind, wanted, maker, regional in FIXED[provider]:
        count = min(wanted, remaining)
        plan.append((kind, count, maker, regional))
        remaining -= count
    scaled = [s for s in SCALED[provider] if s[0] not in failed_types]
    counts = split(remaining, [s[1] for s in scaled])
    plan += [(kind, count, maker, regional)
             for (kind, _, maker, regional), count in zip(scaled, counts, strict=True)]
    for kind, count, maker, regional in plan:
        for i in range(count):
            region = None
            if regional:
                if target.get("offshore") and rnd.chance(OFFSHORE_SHARE):
                    region = rnd.pick(target["offshore"])
                elif rnd.chance(UNKNOWN_REGION_SHARE):
                    region = f"{target['home'][0]}-internal-test-1"
                elif kind.endswith((".trail", ".audit")):  # trails live in the account's home region
                    region = target["home"][0]
                else:
                    region = rnd.pick(target["home"])
            ctx["region"] = region or (target["home"][0] if target.get("home") else None)
            uid, name, data = maker(rnd, ctx, i)
            yield {"target": target["id"], "type": kind, "uid": uid, "name": name, "region": region,
                   "data": data}


def build(resources: int, seed: int, accounts: int = 20, hosts: int = 200,
          content: Path = REPO) -> Snapshot:
    rnd = Rand(seed)
    regions = load_regions(content)
    for provider in CLOUD_PROVIDERS:
        if len(regions[provider]["mainland"]) < 2:
            raise SystemExit(f"providers/{provider}/regions.yaml lacks the home regions "
                             f"{HOME_REGIONS[provider]}")
    targets = plan_targets(rnd, regions, accounts, hosts)
    errors = make_errors(targets)
    failed = {(e["target"], e["type"]) for e in errors if e["region"] is None}
    reachable = [t for t in targets if not t.get("unreachable")]
    clouds = [t for t in reachable if t["provider"] != "host"]
    host_targets = [t for t in reachable if t["provider"] == "host"]
    if not clouds or not host_targets:
        host_total = 0 if clouds else resources
    else:
        host_total = round(resources * HOST_SHARE)
    budgets: dict[str, int] = {}
    for group, total in ((clouds, resources - host_total), (host_targets, host_total)):
        ids = [t["id"] for t in group]
        budgets.update(zip(ids, split(total, [1.0] * len(ids)) if ids else [], strict=True))
    out: list[Data] = []
    used_regions: dict[str, set[str]] = {t["id"]: set() for t in targets}
    for target in reachable:
        failed_types = {kind for tid, kind in failed if tid == target["id"]}
        for resource in resources_for(rnd, target, budgets[target["id"]], failed_types):
            if resource["region"]:
                used_regions[target["id"]].add(resource["region"])
            out.append(resource)
    snapshot_targets = []
    for t in targets:
        entry: Data = {"id": t["id"], "provider": t["provider"], "account": t["account"]}
        if t["provider"] != "host":
            entry["partition"] = t["partition"]
            entry["regions"] = sorted(used_regions[t["id"]] | set(t["home"]))
            if "platform" in t:
                entry["platform"] = t["platform"]
        snapshot_targets.append(entry)
    doc = {"schema": SNAPSHOT_SCHEMA, "tool": {"name": "mlpscan", "version": "0.1.0"},
           "started_at": COLLECTED_AT.strftime(ISO),
           "finished_at": (COLLECTED_AT + timedelta(seconds=30 + resources // 200)).strftime(ISO),
           "targets": snapshot_targets, "resources": out, "errors": errors}
    return Snapshot.model_validate(doc).sealed()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000, help="number of resources (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--accounts", type=int, default=20, help="cloud accounts (default 20)")
    parser.add_argument("--hosts", type=int, default=200,
                        help="Linux hosts (default 200, the last is unreachable)")
    parser.add_argument("--content", type=Path, default=REPO, help="where providers/*/regions.yaml are read")
    parser.add_argument("-o", "--output", type=Path, default=None, help="output file (default: stdout)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    snapshot = build(args.resources, args.seed, args.accounts, args.hosts, args.content)
    data = dump_snapshot(snapshot)
    if args.output is None:
        sys.stdout.buffer.write(data)
    else:
        partial = args.output.with_name(args.output.name + ".partial")
        partial.write_bytes(data)
        partial.replace(args.output)  # never leave a half-written snapshot under the final name
        sys.stderr.write(f"wrote {args.output}: {len(snapshot.resources)} resources, {len(snapshot.targets)} "
                         f"targets, {len(snapshot.errors)} errors, {len(data) / 1e6:.1f} MB, "
                         f"{snapshot.digest} ({time.perf_counter() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
