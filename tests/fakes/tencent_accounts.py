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
    wide: dict[str, list[dict[str, Any]]] = field(default_factory=dict)   # account-wide items by kind
    roles: dict[str, str] = field(default_factory=dict)   # role ARN -> the account it opens

    def items(self, kind: str, region: str) -> list[dict[str, Any]]:
        """Regional items by kind: instances, disks, snapshots, snapshot_policies, groups, vpcs,
        flow_logs, databases, topics, machines, load_balancers, clb_configs, redis, clusters,
        mongodb, peerings."""
        return self.regional.setdefault(region, {}).setdefault(kind, [])

    def account_wide(self, kind: str) -> list[dict[str, Any]]:
        """Items listed for the whole account: edge_ips, waf_domains, bgp_instances,
        vulnerabilities, cdn_domains, ccns."""
        return self.wide.setdefault(kind, [])

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
           lifecycle_days: int | None = None, policy: dict[str, Any] | None = None,
           replication: tuple[tuple[str, str, str], ...] = (),
           referer: dict[str, Any] | None = None) -> dict[str, Any]:
    """A bucket; replication rules are (rule ID, destination region, destination bucket)."""
    return {"Name": name, "Location": location, "CreationDate": "2024-06-12T02:58:31Z", "BucketType": "cos",
            "_encrypted": encrypted, "_versioned": versioned, "_public": public,
            "_lifecycle_days": lifecycle_days, "_policy": policy, "_replication": list(replication),
            "_referer": referer}


def public_read_policy(bucket_name: str, region: str, appid: int, *, ip: str | None = None) -> dict[str, Any]:
    """A COS bucket policy letting anyone read every object (from one network when `ip` is given)."""
    statement: dict[str, Any] = {
        "Effect": "Allow", "Principal": {"qcs": ["qcs::cam::anyone:anyone"]}, "Action": ["name/cos:GetObject"],
        "Resource": [f"qcs::cos:{region}:uid/{appid}:{bucket_name}/*"]}
    if ip:
        statement["Condition"] = {"ip_equal": {"qcs:ip": [ip]}}
    return {"Statement": [statement], "version": "2.0"}


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
    AdministratorAccess on a sub-user, no flow log; data leaving the mainland (a bucket
    replicating to ap-singapore, a second track delivering to a bucket in ap-hongkong, database
    standbys and backups abroad, a CCN and a peering reaching outside, a CDN accelerating
    globally); load balancers, Redis, TDSQL-C and MongoDB without TLS, encryption, authentication,
    redundancy or private addressing; WAF off, no Anti-DDoS Pro, the edge firewall off, an unfixed
    critical vulnerability.
    Compliant: the same services, each hardened and keeping every copy in the mainland.
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
    account.buckets = [bucket(orders, data_region, policy=None if weak else tls_only_policy(orders, data_region, suffix),
                              replication=(("to-backup", ABROAD if weak else ELSEWHERE,
                                            f"acme-orders-copy-{suffix}"),))]
    if weak:
        static = f"acme-hk-static-{suffix}"
        account.buckets.append(bucket(static, "ap-hongkong", encrypted=False, versioned=False, public=True,
                                      policy=public_read_policy(static, "ap-hongkong", suffix)))
        account.tracks.append({**account.tracks[0], "Name": "acme-audit-hk", "TrackId": 10322,
                               "Storage": {"StorageType": "cos", "StorageRegion": "ap-hongkong",
                                           "StorageName": "acme-hk-static", "StoragePrefix": "cloudaudit"}})
    for index, region in enumerate(regions):
        _regional(account, region, index, weak)
    _account_wide(account, weak, data_region)
    if weak:
        account.add("instances", "ap-hongkong", instance("ins-hk000001", "ap-hongkong"))
    return account


ABROAD = "ap-singapore"       # where the weak account's copies go
ELSEWHERE = "ap-shanghai"     # where the compliant account's copies go: another mainland region


def _account_wide(account: FakeAccount, weak: bool, data_region: str) -> None:
    account.account_wide("edge_ips").append({
        "PublicIp": "203.0.113.10", "PublicIpType": 1, "InstanceId": "ins-00000001", "InstanceName": "web-0001",
        "IntranetIp": "10.0.3.21", "AssetType": "CVM", "Region": data_region, "PortRiskCount": 0,
        "LastScanTime": "2025-11-20 03:00:00", "IsRegionEip": 0, "VpcId": "vpc-00000001", "IsSerialRegion": 1,
        "IsPublicClb": 0, "EndpointBindEipNum": 0, "ScanMode": "low", "ScanStatus": 2,
        "Status": 0 if weak else 1, "EndpointId": "", "EndpointIp": "", "SwitchMode": 1, "SwitchWeight": 0,
        "Domain": "", "OverUsedStatus": 0, "SwitchSupportType": 3})
    account.account_wide("waf_domains").append({
        "Domain": "www.acme.example.cn", "DomainId": "waf-dom-0001", "InstanceId": "waf_2kxtlbky01",
        "Cname": "acme.waf.tencent-cloud.com", "Edition": "sparta-waf", "Region": "gz", "InstanceName": "acme",
        "ClsStatus": 1, "FlowMode": 0, "Status": 0 if weak else 1, "Mode": 0 if weak else 1, "Engine": 10,
        "State": 2, "ApRegion": data_region, "Level": 3, "CreateTime": "2024-05-01 10:00:00"})
    if not weak:
        account.account_wide("bgp_instances").append({
            "InstanceDetail": {"InstanceId": "bgp-00000001", "EipList": ["203.0.113.10"]},
            "SpecificationLimit": {}, "Usage": {}, "Region": {"Region": data_region}, "Status": "idle",
            "CreatedTime": "2024-05-01 10:00:00", "ExpiredTime": "2027-05-01 10:00:00", "Name": "acme-bgp",
            "PackInfo": None, "EipProductInfos": [], "BoundStatus": "bound", "DDoSLevel": "middle", "CCEnable": 1})
    account.account_wide("vulnerabilities").append({
        "Ids": "1001", "Name": "OpenSSH regreSSHion (CVE-2024-6387)", "Status": 0 if weak else 3, "VulId": 70011,
        "PublishTime": "2024-07-01 00:00:00", "LastTime": "2025-11-20 03:00:00", "HostCount": 2, "Level": 4,
        "From": 0, "Descript": "", "CveId": "CVE-2024-6387", "CvssScore": 8.1, "Labels": "", "FixSwitch": 1,
        "VulCategory": 4, "Method": 0, "VulFixSwitch": 1, "LatestFixTime": "" if weak else "2025-11-21 02:00:00"})
    cdn = account.account_wide("cdn_domains")
    cdn.append(cdn_domain("www.acme.example.cn", https=not weak, tls=["TLSv1.2", "TLSv1.3"],
                          area="global" if weak else "mainland"))
    if weak:
        cdn.append(cdn_domain("static.acme.example.cn", https=True, tls=["TLSv1", "TLSv1.1", "TLSv1.2"],
                              area="mainland", redirect=False))
    attached = [ccn_member("vpc-00000001", data_region, account.uin),
                ccn_member("vpc-hk000001" if weak else "vpc-01000001", "ap-hongkong" if weak else ELSEWHERE,
                           account.uin)]
    account.account_wide("ccns").append({
        "CcnId": "ccn-0001abcd", "CcnName": "backbone", "CcnDescription": "", "InstanceCount": len(attached),
        "CreateTime": "2024-02-01 16:00:00", "State": "AVAILABLE", "QosLevel": "AU", "InstanceChargeType": "POSTPAID",
        "BandwidthLimitType": "INTER_REGION_LIMIT", "TagSet": [], "_attached": attached})


def cdn_domain(name: str, *, https: bool, tls: list[str], area: str, redirect: bool = True) -> dict[str, Any]:
    on = "on" if https else "off"
    return {"ResourceId": f"cdn-{name.split('.', maxsplit=1)[0]}", "AppId": 1250000001, "Domain": name,
            "Cname": f"{name}.cdn.dnsv1.com", "Status": "online", "ProjectId": 0, "ServiceType": "web",
            "CreateTime": "2024-05-01 10:00:00", "UpdateTime": "2025-10-01 10:00:00", "Disable": "normal",
            "Area": area, "Readonly": "normal",
            "Https": {"Switch": on, "Http2": on, "OcspStapling": "off", "VerifyClient": "off",
                      "CertInfo": {"CertId": "cert-abc123"} if https else None, "SslStatus": "deployed" if https else "closed",
                      "TlsVersion": tls},
            "ForceRedirect": {"Switch": "on" if https and redirect else "off", "RedirectType": "https",
                              "RedirectStatusCode": 302, "CarryHeaders": "off"}}


def ccn_member(vpc_id: str, region: str, uin: str) -> dict[str, Any]:
    return {"CcnId": "ccn-0001abcd", "InstanceType": "VPC", "InstanceId": vpc_id, "InstanceName": "prod",
            "InstanceRegion": region, "InstanceUin": uin, "CidrBlock": ["10.0.0.0/16"], "State": "ACTIVE",
            "AttachedTime": "2024-02-01 16:10:00", "CcnUin": uin, "InstanceArea": "", "Description": ""}


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
        "InstanceType": 1, "DeployMode": 0 if weak else 1,
        "SlaveInfo": {"First": {"Vip": "", "Vport": 0, "Zone": f"{region}-{1 if weak else 2}", "Region": region}},
        "DrInfo": [{"Status": 1, "Zone": f"{ABROAD if weak else ELSEWHERE}-2", "InstanceId": f"cdbdr-{tag}0001",
                    "Region": ABROAD if weak else ELSEWHERE, "SyncStatus": 2, "InstanceName": "orders-dr",
                    "InstanceType": 2}],
        "_ssl": not weak,
        "_info": {"InstanceId": f"cdb-{tag}000001", "InstanceName": "orders", "Encryption": "NO" if weak else "YES",
                  "KeyId": "" if weak else "kms-key-1", "KeyRegion": region},
        "_backup": {"StartTimeMin": 2, "StartTimeMax": 6, "BackupExpireDays": 3 if weak else 30,
                    "BackupMethod": "physical", "BinlogExpireDays": 30 if weak else 180}})
    account.add("machines", region, {
        "MachineName": f"web-{tag}0001", "MachineOs": "TencentOS", "MachineStatus": "OFFLINE" if weak else "ONLINE",
        "Uuid": f"uuid-ins-{tag}000001", "Quuid": f"quuid-{tag}000001", "InstanceId": f"ins-{tag}000001",
        "MachineIp": "10.0.3.21", "IsProVersion": False, "ProtectType": "BASIC_VERSION"})
    _network_and_data(account, region, index, weak)


def _network_and_data(account: FakeAccount, region: str, index: int, weak: bool) -> None:
    """A load balancer, Redis, a TDSQL-C cluster and MongoDB per region, and a peering from the first."""
    tag = f"{index:02d}"
    away = ABROAD if weak else ELSEWHERE
    config_id = f"pz-{tag}cfg001" if not weak or index == 0 else ""
    if config_id:
        protocols = "TLSv1 TLSv1.1 TLSv1.2" if weak else "TLSv1.2 TLSv1.3"
        account.add("clb_configs", region, {
            "UconfigId": config_id, "ConfigType": "CLB", "ConfigName": "tls",
            "ConfigContent": f"client_max_body_size 64M;\nssl_protocols {protocols};\nkeepalive_timeout 75s;",
            "CreateTimestamp": "2024-03-01 10:00:00", "UpdateTimestamp": "2024-03-01 10:00:00"})
    listeners = [listener("lbl-https", "HTTPS", 443)]
    if weak:
        listeners += [listener("lbl-http", "HTTP", 80), listener("lbl-redis", "TCP", 6379)]
    account.add("load_balancers", region, {
        "LoadBalancerId": f"lb-{tag}000001", "LoadBalancerName": "web", "LoadBalancerType": "OPEN" if weak else "INTERNAL",
        "Forward": 1, "LoadBalancerVips": ["203.0.113.20" if weak else "10.0.3.50"], "Status": 1,
        "CreateTime": "2024-03-01 10:00:00", "ProjectId": 0, "VpcId": "vpc-00000001", "AddressIPVersion": "ipv4",
        "MasterZone": {"ZoneId": 100003, "Zone": f"{region}-3", "ZoneName": "", "ZoneRegion": region},
        "BackupZoneSet": [] if weak else [{"ZoneId": 100004, "Zone": f"{region}-4", "ZoneName": "", "ZoneRegion": region}],
        "ConfigId": config_id, "ChargeType": "POSTPAID_BY_HOUR", "_listeners": listeners})
    account.add("redis", region, {
        "InstanceName": "sessions", "InstanceId": f"crs-{tag}000001", "Appid": account.appid, "ProjectId": 0,
        "RegionId": 1, "ZoneId": 100003, "VpcId": 0 if weak else 75101, "SubnetId": 0 if weak else 46315,
        "Status": 2, "WanIp": "10.0.3.60", "Port": 6379, "Createtime": "2024-03-01 10:00:00", "Size": 4096,
        "Type": 6, "Engine": "Redis", "ProductType": "standalone", "UniqVpcId": "" if weak else "vpc-00000001",
        "UniqSubnetId": "" if weak else "subnet-00000001", "BillingMode": 0, "NoAuth": weak,
        "Region": region, "WanAddress": f"crs-{tag}.sql.tencentcdb.com:6379" if weak else "",
        "RedisReplicasNum": 1, "DeleteProtectionSwitch": 0,
        **({} if weak else {"NodeSet": [{"NodeType": 0, "NodeId": 0, "ZoneId": 100003, "ZoneName": f"{region}-3"},
                                        {"NodeType": 1, "NodeId": 1, "ZoneId": 100004, "ZoneName": f"{region}-4"}]}),
        "_security_groups": [{"ProjectId": 0, "CreateTime": "2024-03-01 10:00:00", "SecurityGroupId": "sg-redis01",
                              "SecurityGroupName": "redis", "SecurityGroupRemark": "",
                              "InboundRule": [{"Action": "ACCEPT", "Ip": "0.0.0.0/0" if weak else "10.0.0.0/16",
                                               "Port": "6379", "Proto": "TCP"}],
                              "OutboundRule": [{"Action": "ACCEPT", "Ip": "0.0.0.0/0", "Port": "ALL", "Proto": "ALL"}]}]})
    account.add("clusters", region, {
        "Status": "running", "Zone": f"{region}-3", "ClusterName": "ledger", "Region": region,
        "DbVersion": "8.0", "ClusterId": f"cynosdbmysql-{tag}000001", "InstanceNum": 2, "DbType": "MYSQL",
        "CreateTime": "2024-03-01 10:00:00", "PayMode": 0, "Vip": "10.0.3.70", "Vport": 3306,
        "VpcId": "vpc-00000001", "SubnetId": "subnet-00000001", "DbMode": "NORMAL",
        "NetAddrs": [{"Vip": "10.0.3.70", "Vport": 3306, "WanDomain": f"gz-cynosdb-{tag}.sql.tencentcdb.com" if weak else "",
                      "WanPort": 27000 if weak else 0, "NetType": "rw", "UniqSubnetId": "subnet-00000001",
                      "UniqVpcId": "vpc-00000001", "WanIP": "203.0.113.70" if weak else "",
                      "WanStatus": "open" if weak else "closed"}],
        "MasterZone": f"{region}-3", "HasSlaveZone": "no" if weak else "yes",
        "SlaveZones": [] if weak else [f"{region}-4"],
        "_detail": {"IsOpenTDE": not weak, "ProxyStatus": "open"},
        "_ssl": not weak,
        "_backup": {"BackupTimeBeg": 7200, "BackupTimeEnd": 21600, "ReserveDuration": (3 if weak else 30) * 86400,
                    "BackupFreq": ["full"] * 7, "BackupType": "snapshot",
                    "LogicBackupConfig": {"LogicBackupEnable": "ON", "LogicBackupTimeBeg": 7200,
                                          "LogicBackupTimeEnd": 21600, "LogicReserveDuration": 604800,
                                          "LogicCrossRegionsEnable": "ON", "LogicCrossRegions": [away],
                                          "LogicCrossRegionSaveDays": 7}}})
    account.add("mongodb", region, {
        "InstanceId": f"cmgo-{tag}000001", "InstanceName": "catalog", "PayMode": 0, "ProjectId": 0,
        "ClusterType": 0, "Region": region, "Zone": f"{region}-3", "NetType": 1, "VpcId": "vpc-00000001",
        "SubnetId": "subnet-00000001", "Status": 2, "Vip": "10.0.3.80", "Vport": 27017,
        "CreateTime": "2024-03-01 10:00:00", "MongoVersion": "MONGO_60_WT", "Memory": 4096, "Volume": 102400,
        "SecondaryNum": 2, "InstanceType": 1, "ZoneList": [f"{region}-3"] if weak else
        [f"{region}-3", f"{region}-4", f"{region}-6"],
        "StandbyInstances": [{"InstanceId": f"cmgo-dr{tag}0001", "Region": "ap-hongkong" if weak else ELSEWHERE}],
        "ReadonlyInstances": [], "CloneInstances": [], "_ssl": not weak, "_tde": not weak,
        "_backup_days": 3 if weak else 30})
    if index == 0:
        account.add("peerings", region, {
            "SourceVpcId": "vpc-00000001", "PeerVpcId": f"vpc-{'sg' if weak else 'sh'}000001",
            "PeeringConnectionId": "pcx-0001abcd", "PeeringConnectionName": "to-dr", "State": "ACTIVE",
            "IsNgw": True, "Bandwidth": 100, "SourceRegion": region, "DestinationRegion": away,
            "CreateTime": "2024-03-01 10:00:00", "AppId": account.appid, "PeerAppId": account.appid,
            "SourceUin": int(account.uin), "DestinationUin": int(account.uin), "TagSet": [], "QosLevel": "AU",
            "Type": "VPC_PEER", "DestinationVpcId": f"vpc-{'sg' if weak else 'sh'}000001"})


def listener(listener_id: str, protocol: str, port: int) -> dict[str, Any]:
    secure = protocol in ("HTTPS", "TCP_SSL", "QUIC")
    return {"ListenerId": listener_id, "Protocol": protocol, "Port": port,
            "Certificate": {"SSLMode": "UNIDIRECTIONAL", "CertId": "cert-abc123"} if secure else None,
            "Scheduler": "WRR", "SniSwitch": 0, "Rules": [], "ListenerName": protocol.lower(),
            "CreateTime": "2024-03-01 10:00:00", "EndPort": 0, "TargetType": "NODE"}
