"""The state of one fake Alibaba Cloud account and the answers its APIs give, paginated as the real ones.

A World is plain data (users, buckets, instances, ...); `answer(action, params, region)` gives
what the real API returns for it, in the real shape: RPC list pagination (Marker/IsTruncated,
PageNumber/PageSize/TotalCount), ROA page_info, OSS bucket XML, SLS logstore JSON.
`compliant_world` and `weak_world` build the accounts the acceptance test scans.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from tests.fakes.aliyun_paging import FakeError, marker_page, number_page, token, token_position
from tests.fakes.aliyun_prefix_lists import PrefixListWorld, prefix_list
from tests.fakes.aliyun_services import ServiceWorld, public, services_compliant, services_weak


@dataclass
class User:
    name: str
    created: str = "2024-01-10T02:00:00Z"
    last_login: str | None = "2026-11-19T01:00:00Z"
    console: bool = True
    mfa: bool = True
    mfa_bind_required: bool = False
    policies: list[str] = field(default_factory=list)          # system policy names
    keys: list[dict[str, Any]] = field(default_factory=list)   # AccessKeyId, Status, CreateDate, LastUsedDate


@dataclass
class Bucket:
    name: str
    region: str
    encryption: str = "KMS"            # SSEAlgorithm; "None" when not set
    acl: str = "private"
    versioning: str = "Enabled"
    redundancy: str = "ZRS"
    policy: dict[str, Any] | None = None
    lifecycle: list[dict[str, Any]] | None = None      # rules: ID, Prefix, Status, Days
    referers: list[str] = field(default_factory=lambda: ["https://*.acme.example"])
    allow_empty_referer: bool = False
    replication: list[tuple[str, str]] | None = None    # (destination bucket, its region); None: not set


HTTPS_ONLY = {"Version": "1", "Statement": [{
    "Effect": "Deny", "Action": ["oss:*"], "Principal": ["*"], "Resource": ["acs:oss:*:*:*"],
    "Condition": {"Bool": {"acs:SecureTransport": ["false"]}}}]}


@dataclass
class World(ServiceWorld, PrefixListWorld):
    account_id: str
    alias: str = "acme-prod"
    regions: list[str] = field(default_factory=lambda: ["cn-hangzhou", "cn-shanghai"])
    password_policy: dict[str, Any] = field(default_factory=dict)
    security_preference: dict[str, Any] = field(default_factory=dict)
    root_mfa: bool = True
    sas_version: int = 3
    users: list[User] = field(default_factory=list)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)       # custom: name -> document
    policy_attachments: dict[str, int] = field(default_factory=dict)
    trails: list[dict[str, Any]] = field(default_factory=list)
    logstores: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    buckets: list[Bucket] = field(default_factory=list)
    instances: dict[str, list[dict[str, Any]]] = field(default_factory=dict)    # region -> items
    disks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    snapshots: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    security_groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # + "Permissions"
    prefix_lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)    # + "_entries"
    clusters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    databases: dict[str, list[dict[str, Any]]] = field(default_factory=dict)    # + "_details"
    vpcs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)         # + "_flow_logs"
    assets: list[dict[str, Any]] = field(default_factory=list)
    page_cap: int | None = None       # a server-side page limit below what the client asks for

    def size(self, asked: str | None, default: int) -> int:
        wanted = int(asked or default)
        return min(wanted, self.page_cap) if self.page_cap else wanted

    # -- dispatch ------------------------------------------------------------------------------

    def answer(self, action: str, params: dict[str, str], region: str | None, product: str = "") -> Any:
        """The product's own handler first (`_slb_DescribeLoadBalancers`): several products share
        action names (DescribeInstances, DescribeBackupPolicy, DescribeDBInstances, ...)."""
        handler = getattr(self, f"_{product}_{action}", None) or getattr(self, f"_{action}", None)
        if handler is None:
            raise FakeError(400, "InvalidAction.NotFound", f"the fake does not implement {action}")
        return handler(params, region or "")

    # -- account -------------------------------------------------------------------------------

    def _DescribeRegions(self, params: dict[str, str], region: str) -> Any:
        return {"Regions": {"Region": [{"RegionId": r, "LocalName": r, "RegionEndpoint": f"ecs.{r}.aliyuncs.com"}
                                       for r in self.regions]}}

    def _GetAccountAlias(self, params: dict[str, str], region: str) -> Any:
        return {"AccountAlias": self.alias}

    def _GetPasswordPolicy(self, params: dict[str, str], region: str) -> Any:
        return {"PasswordPolicy": self.password_policy}

    def _GetSecurityPreference(self, params: dict[str, str], region: str) -> Any:
        return {"SecurityPreference": self.security_preference}

    def _GetAccountMFAInfo(self, params: dict[str, str], region: str) -> Any:
        return {"IsMFAEnable": self.root_mfa}

    def _DescribeVersionConfig(self, params: dict[str, str], region: str) -> Any:
        return {"Version": self.sas_version, "HighestVersion": self.sas_version, "IsTrialVersion": 0,
                "ReleaseTime": 1830268800000, "AssetLevel": 30}

    # -- RAM -----------------------------------------------------------------------------------

    def _user(self, params: dict[str, str]) -> User:
        for user in self.users:
            if user.name == params.get("UserName"):
                return user
        raise FakeError(404, "EntityNotExist.User", f"The user does not exist: {params.get('UserName')}")

    def _ListUsers(self, params: dict[str, str], region: str) -> Any:
        items = [{"UserName": u.name, "UserId": f"2035{i:012d}", "DisplayName": u.name,
                  "CreateDate": u.created, "UpdateDate": u.created} for i, u in enumerate(self.users)]
        return marker_page(items, params, "Users", "User", self.size(params.get("MaxItems"), 100))

    def _GetUser(self, params: dict[str, str], region: str) -> Any:
        user = self._user(params)
        found = {"UserName": user.name, "DisplayName": user.name, "CreateDate": user.created,
                 "UpdateDate": user.created}
        if user.last_login:
            found["LastLoginDate"] = user.last_login
        return {"User": found}

    def _GetLoginProfile(self, params: dict[str, str], region: str) -> Any:
        user = self._user(params)
        if not user.console:
            raise FakeError(404, "EntityNotExist.User.LoginProfile", f"The login policy does not exist: {user.name}")
        return {"LoginProfile": {"UserName": user.name, "PasswordResetRequired": False,
                                 "MFABindRequired": user.mfa_bind_required, "CreateDate": user.created}}

    def _GetUserMFAInfo(self, params: dict[str, str], region: str) -> Any:
        user = self._user(params)
        if not user.mfa:
            raise FakeError(404, "EntityNotExist.User.MFADevice", f"The MFA device does not exist: {user.name}")
        return {"MFADevice": {"SerialNumber": f"acs:ram::{self.account_id}:mfa/{user.name}", "Type": "VMFA"}}

    def _ListPoliciesForUser(self, params: dict[str, str], region: str) -> Any:
        user = self._user(params)
        return {"Policies": {"Policy": [{"PolicyName": p, "PolicyType": "System", "DefaultVersion": "v1",
                                         "AttachDate": user.created} for p in user.policies]}}

    def _ListAccessKeys(self, params: dict[str, str], region: str) -> Any:
        user = self._user(params)
        return {"AccessKeys": {"AccessKey": [{k: v for k, v in key.items() if k != "LastUsedDate"}
                                             for key in user.keys]}}

    def _GetAccessKeyLastUsed(self, params: dict[str, str], region: str) -> Any:
        user = self._user(params)
        for key in user.keys:
            if key["AccessKeyId"] == params.get("UserAccessKeyId"):
                return {"AccessKeyLastUsed": {"LastUsedDate": key.get("LastUsedDate", "")}}
        raise FakeError(404, "EntityNotExist.User.AccessKey", "The access key does not exist")

    def _ListPolicies(self, params: dict[str, str], region: str) -> Any:
        if params.get("PolicyType") != "Custom":
            raise FakeError(400, "InvalidParameter.PolicyType", "the fake lists custom policies only")
        items = [{"PolicyName": name, "PolicyType": "Custom", "DefaultVersion": "v1",
                  "AttachmentCount": self.policy_attachments.get(name, 1), "CreateDate": "2024-01-10T02:00:00Z"}
                 for name in self.policies]
        return marker_page(items, params, "Policies", "Policy", self.size(params.get("MaxItems"), 100))

    def _GetPolicy(self, params: dict[str, str], region: str) -> Any:
        name = params.get("PolicyName", "")
        if name not in self.policies:
            raise FakeError(404, "EntityNotExist.Policy", f"The policy does not exist: {name}")
        return {"Policy": {"PolicyName": name, "PolicyType": "Custom", "DefaultVersion": "v1"},
                "DefaultPolicyVersion": {"VersionId": "v1", "IsDefaultVersion": True,
                                         "PolicyDocument": json.dumps(self.policies[name])}}

    # -- ActionTrail and SLS ---------------------------------------------------------------------

    def _DescribeTrails(self, params: dict[str, str], region: str) -> Any:
        return {"TrailList": [t for t in self.trails if t["HomeRegion"] == region]}

    def _GetTrailStatus(self, params: dict[str, str], region: str) -> Any:
        for trail in self.trails:
            if trail["Name"] == params.get("Name"):
                return {"IsLogging": trail["Status"] == "Enable", "LatestDeliveryTime": "2026-11-21T01:00:00Z"}
        raise FakeError(404, "TrailNotFoundException", "The trail does not exist")

    def logstore(self, project: str, name: str) -> Any:
        found = self.logstores.get((project, name))
        if found is None:
            raise FakeError(404, "LogStoreNotExist", f"logstore {name} does not exist")
        return {"logstoreName": name, "shardCount": 2, "enable_tracking": False, "autoSplit": True,
                "maxSplitShard": 64, "appendMeta": True, "createTime": 1704857395,
                "lastModifyTime": 1756710012, **found}

    # -- OSS (XML bodies, as OSS sends them) -----------------------------------------------------

    def bucket(self, name: str) -> Bucket:
        for bucket in self.buckets:
            if bucket.name == name:
                return bucket
        raise FakeError(404, "NoSuchBucket", "The specified bucket does not exist.")

    def list_buckets_xml(self, marker: str, max_keys: int) -> str:
        names = sorted(b.name for b in self.buckets)
        remaining = [n for n in names if n > marker]
        page, more = remaining[:max_keys], len(remaining) > max_keys
        entries = "".join(
            f"<Bucket><CreationDate>2024-01-10T03:22:11.000Z</CreationDate>"
            f"<ExtranetEndpoint>oss-{b.region}.aliyuncs.com</ExtranetEndpoint>"
            f"<IntranetEndpoint>oss-{b.region}-internal.aliyuncs.com</IntranetEndpoint>"
            f"<Location>oss-{b.region}</Location><Name>{escape(b.name)}</Name><Region>{b.region}</Region>"
            f"<StorageClass>Standard</StorageClass></Bucket>"
            for b in (self.bucket(n) for n in page))
        truncated = f"<IsTruncated>true</IsTruncated><NextMarker>{escape(page[-1])}</NextMarker>" if more else ""
        return (f'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Prefix></Prefix>'
                f"<Marker>{escape(marker)}</Marker><MaxKeys>{max_keys}</MaxKeys>{truncated}"
                f"<Owner><ID>{self.account_id}</ID><DisplayName>{self.account_id}</DisplayName></Owner>"
                f"<Buckets>{entries}</Buckets></ListAllMyBucketsResult>")

    def bucket_info_xml(self, bucket: Bucket) -> str:
        return (f'<?xml version="1.0" encoding="UTF-8"?><BucketInfo><Bucket>'
                f"<AccessMonitor>Disabled</AccessMonitor><CreationDate>2024-01-10T03:22:11.000Z</CreationDate>"
                f"<ExtranetEndpoint>oss-{bucket.region}.aliyuncs.com</ExtranetEndpoint>"
                f"<IntranetEndpoint>oss-{bucket.region}-internal.aliyuncs.com</IntranetEndpoint>"
                f"<Location>oss-{bucket.region}</Location><StorageClass>Standard</StorageClass>"
                f"<TransferAcceleration>Disabled</TransferAcceleration>"
                f"<CrossRegionReplication>Disabled</CrossRegionReplication>"
                f"<DataRedundancyType>{bucket.redundancy}</DataRedundancyType><Name>{escape(bucket.name)}</Name>"
                f"<ResourceGroupId>rg-acfm2pz25js4xyz</ResourceGroupId>"
                f"<Owner><DisplayName>{self.account_id}</DisplayName><ID>{self.account_id}</ID></Owner>"
                f"<AccessControlList><Grant>{bucket.acl}</Grant></AccessControlList><Comment></Comment>"
                f"<Versioning>{bucket.versioning}</Versioning>"
                f"<ServerSideEncryptionRule><SSEAlgorithm>{bucket.encryption}</SSEAlgorithm></ServerSideEncryptionRule>"
                f"<BucketPolicy><LogBucket></LogBucket><LogPrefix></LogPrefix></BucketPolicy>"
                f"</Bucket></BucketInfo>")

    def referer_xml(self, bucket: Bucket) -> str:
        referers = "".join(f"<Referer>{escape(r)}</Referer>" for r in bucket.referers)
        return (f'<?xml version="1.0" encoding="UTF-8"?><RefererConfiguration>'
                f"<AllowEmptyReferer>{str(bucket.allow_empty_referer).lower()}</AllowEmptyReferer>"
                f"<AllowTruncateQueryString>true</AllowTruncateQueryString>"
                f"<RefererList>{referers}</RefererList></RefererConfiguration>")

    def replication_xml(self, bucket: Bucket) -> str:
        if bucket.replication is None:
            raise FakeError(404, "NoSuchReplicationConfiguration", "The bucket replication configuration does not exist.")
        rules = "".join(
            f"<Rule><ID>rule-{n}</ID><PrefixSet></PrefixSet><Action>ALL</Action><Destination>"
            f"<Bucket>{escape(target)}</Bucket><Location>oss-{region}</Location>"
            f"<TransferType>internal</TransferType></Destination><Status>doing</Status>"
            f"<HistoricalObjectReplication>enabled</HistoricalObjectReplication>"
            f"<SyncRole>aliyunramoss</SyncRole></Rule>"
            for n, (target, region) in enumerate(bucket.replication))
        return f'<?xml version="1.0" encoding="UTF-8"?><ReplicationConfiguration>{rules}</ReplicationConfiguration>'

    def lifecycle_xml(self, bucket: Bucket) -> str:
        if bucket.lifecycle is None:
            raise FakeError(404, "NoSuchLifecycle", "No Row found in Lifecycle Table.")
        rules = "".join(f"<Rule><ID>{r['ID']}</ID><Prefix>{escape(r.get('Prefix', ''))}</Prefix>"
                        f"<Status>{r.get('Status', 'Enabled')}</Status>"
                        f"<Expiration><Days>{r['Days']}</Days></Expiration></Rule>" for r in bucket.lifecycle)
        return f'<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration>{rules}</LifecycleConfiguration>'

    # -- ECS, ACK, RDS, VPC, Security Center ---------------------------------------------------

    def _DescribeInstances(self, params: dict[str, str], region: str) -> Any:
        return number_page(self.instances.get(region, []), params, "Instances", "Instance", self.size(params.get("PageSize"), 10))

    def _DescribeDisks(self, params: dict[str, str], region: str) -> Any:
        return number_page(self.disks.get(region, []), params, "Disks", "Disk", self.size(params.get("PageSize"), 10))

    def _DescribeSnapshots(self, params: dict[str, str], region: str) -> Any:
        return number_page(self.snapshots.get(region, []), params, "Snapshots", "Snapshot", self.size(params.get("PageSize"), 10))

    def _DescribeSecurityGroups(self, params: dict[str, str], region: str) -> Any:
        groups = [{k: v for k, v in g.items() if k != "Permissions"} for g in self.security_groups.get(region, [])]
        return number_page(groups, params, "SecurityGroups", "SecurityGroup", self.size(params.get("PageSize"), 10))

    def _DescribeSecurityGroupAttribute(self, params: dict[str, str], region: str) -> Any:
        """At most MaxResults rules (10-1000, default 500) per answer, the rest behind NextToken
        (an opaque token, empty on the last page), as the ECS API reference (2014-05-26) says."""
        size = int(params.get("MaxResults") or 500)
        if not 10 <= size <= 1000:
            raise FakeError(400, "InvalidMaxResults.Malformed", "MaxResults must be between 10 and 1000")
        for group in self.security_groups.get(region, []):
            if group["SecurityGroupId"] == params.get("SecurityGroupId"):
                rules = [r for r in group["Permissions"]
                         if params.get("Direction", "all") in ("all", r.get("Direction", "ingress"))]
                start = token_position(params.get("NextToken"), group["SecurityGroupId"])
                page, rest = rules[start:start + size], rules[start + size:]
                return {"SecurityGroupId": group["SecurityGroupId"], "RegionId": region,
                        "InnerAccessPolicy": "Accept", "Permissions": {"Permission": page},
                        "NextToken": token(group["SecurityGroupId"], start + size) if rest else ""}
        raise FakeError(404, "InvalidSecurityGroupId.NotFound", "The specified security group does not exist")

    def clusters_page(self, params: dict[str, str], region: str) -> Any:
        items = [public(c) for c in self.clusters.get(params.get("region_id") or region, [])]
        size, number = self.size(params.get("page_size"), 10), int(params.get("page_number", 1))
        return {"clusters": items[(number - 1) * size:number * size],
                "page_info": {"page_number": number, "page_size": size, "total_count": len(items)}}

    def cluster_node_pools(self, cluster_id: str, params: dict[str, str], region: str) -> Any:
        """Every node pool of the cluster in one answer: the API (cs 2015-12-15) takes no paging
        parameters, only an optional NodepoolName."""
        for cluster in self.clusters.get(region, []):
            if cluster["cluster_id"] == cluster_id:
                pools = cluster.get("_nodepools", [])
                wanted = params.get("NodepoolName")
                return {"nodepools": [p for p in pools if not wanted or p["nodepool_info"]["name"] == wanted]}
        raise FakeError(404, "ErrorClusterNotFound", f"cluster {cluster_id} not found")

    def _DescribeDBInstances(self, params: dict[str, str], region: str) -> Any:
        items = [{k: v for k, v in d.items() if k != "_details"} for d in self.databases.get(region, [])]
        size, number = self.size(params.get("PageSize"), 30), int(params.get("PageNumber", 1))
        page = items[(number - 1) * size:number * size]
        return {"Items": {"DBInstance": page}, "TotalRecordCount": len(items), "PageNumber": number,
                "PageRecordCount": len(page)}

    def _database(self, params: dict[str, str], region: str, action: str) -> Any:
        for database in self.databases.get(region, []):
            if database["DBInstanceId"] == params.get("DBInstanceId"):
                return database["_details"][action]
        raise FakeError(404, "InvalidDBInstanceId.NotFound", "The specified instance is not found")

    def _DescribeDBInstanceTDE(self, params: dict[str, str], region: str) -> Any:
        return self._database(params, region, "DescribeDBInstanceTDE")

    def _DescribeDBInstanceEncryptionKey(self, params: dict[str, str], region: str) -> Any:
        return self._database(params, region, "DescribeDBInstanceEncryptionKey")

    def _DescribeSQLCollectorPolicy(self, params: dict[str, str], region: str) -> Any:
        return self._database(params, region, "DescribeSQLCollectorPolicy")

    def _DescribeBackupPolicy(self, params: dict[str, str], region: str) -> Any:
        return self._database(params, region, "DescribeBackupPolicy")

    def _DescribeDBInstanceNetInfo(self, params: dict[str, str], region: str) -> Any:
        return self._database(params, region, "DescribeDBInstanceNetInfo")

    def _DescribeDBInstanceIPArrayList(self, params: dict[str, str], region: str) -> Any:
        return self._database(params, region, "DescribeDBInstanceIPArrayList")

    def _rds_DescribeDBInstanceSSL(self, params: dict[str, str], region: str) -> Any:
        return self._database(params, region, "DescribeDBInstanceSSL")

    def _rds_DescribeInstanceCrossBackupPolicy(self, params: dict[str, str], region: str) -> Any:
        return self._database(params, region, "DescribeInstanceCrossBackupPolicy")

    def _DescribeVpcs(self, params: dict[str, str], region: str) -> Any:
        vpcs = [{k: v for k, v in v_.items() if k != "_flow_logs"} for v_ in self.vpcs.get(region, [])]
        return number_page(vpcs, params, "Vpcs", "Vpc", self.size(params.get("PageSize"), 10))

    def _DescribeFlowLogs(self, params: dict[str, str], region: str) -> Any:
        for vpc in self.vpcs.get(region, []):
            if vpc["VpcId"] == params.get("ResourceId"):
                logs = vpc["_flow_logs"]
                return {"FlowLogs": {"FlowLog": logs}, "TotalCount": str(len(logs)), "PageNumber": "1",
                        "PageSize": params.get("PageSize", "20"), "Success": "true"}
        return {"FlowLogs": {"FlowLog": []}, "TotalCount": "0", "Success": "true"}

    def _DescribeCloudCenterInstances(self, params: dict[str, str], region: str) -> Any:
        size, number = self.size(params.get("PageSize"), 20), int(params.get("CurrentPage", 1))
        page = self.assets[(number - 1) * size:number * size]
        return {"Instances": page, "PageInfo": {"CurrentPage": number, "PageSize": size, "Count": len(page),
                                                 "TotalCount": len(self.assets)}, "Success": True}


# -- the two acceptance accounts ----------------------------------------------------------------

STRONG_PASSWORDS = {"MinimumPasswordLength": 12, "RequireLowercaseCharacters": True,
                    "RequireUppercaseCharacters": True, "RequireNumbers": True, "RequireSymbols": True,
                    "HardExpire": False, "MaxPasswordAge": 90, "PasswordReusePrevention": 5,
                    "MaxLoginAttemps": 5, "PasswordNotContainUserName": True,
                    "MinimumPasswordDifferentCharacter": 0}
MANDATORY_MFA = {"LoginProfilePreference": {"EnableSaveMFATicket": False, "LoginSessionDuration": 6,
                                            "LoginNetworkMasks": "10.0.0.0/8", "AllowUserToChangePassword": True,
                                            "MFAOperationForLogin": "mandatory",
                                            "OperationForRiskLogin": "enforceVerify"},
                 "AccessKeyPreference": {"AllowUserToManageAccessKeys": False},
                 "MFAPreference": {"AllowUserToManageMFADevices": True}}


def instance(region: str, number: int, *, public_ip: str = "", network: str = "vpc") -> dict[str, Any]:
    return {"InstanceId": f"i-{region[-4:]}{number:06d}", "InstanceName": f"app-{number}", "RegionId": region,
            "ZoneId": f"{region}-a", "Status": "Running", "InstanceNetworkType": network,
            "VpcAttributes": {"VpcId": f"vpc-{region[-4:]}01", "PrivateIpAddress": {"IpAddress": ["172.16.0.5"]}},
            "PublicIpAddress": {"IpAddress": [public_ip] if public_ip else []},
            "EipAddress": {"AllocationId": "", "IpAddress": ""}, "SecurityGroupIds": {"SecurityGroupId": []}}


def disk(region: str, number: int, *, encrypted: bool = True, auto_snapshot: bool = True) -> dict[str, Any]:
    return {"DiskId": f"d-{region[-4:]}{number:06d}", "DiskName": f"disk-{number}", "RegionId": region,
            "Type": "system", "Category": "cloud_essd", "Size": 40, "Status": "In_use", "Encrypted": encrypted,
            "KMSKeyId": "key-1" if encrypted else "", "EnableAutomatedSnapshotPolicy": auto_snapshot,
            "InstanceId": f"i-{region[-4:]}{number:06d}"}


def snapshot(region: str, number: int, *, encrypted: bool = True) -> dict[str, Any]:
    return {"SnapshotId": f"s-{region[-4:]}{number:06d}", "SnapshotName": f"snap-{number}",
            "Encrypted": encrypted, "Status": "accomplished", "SourceDiskId": f"d-{region[-4:]}{number:06d}"}


def security_group(region: str, number: int, rules: list[tuple[str, str, str]]) -> dict[str, Any]:
    """rules: (protocol, port range, source CIDR), each an Accept at priority 1."""
    return {"SecurityGroupId": f"sg-{region[-4:]}{number:06d}", "SecurityGroupName": f"sg-{number}",
            "VpcId": f"vpc-{region[-4:]}01", "SecurityGroupType": "normal",
            "Permissions": [permission(protocol, ports, source) for protocol, ports, source in rules]}


def permission(protocol: str, ports: str, source: str, *, policy: str = "Accept", priority: int = 1,
               number: int = 0) -> dict[str, Any]:
    """One rule as DescribeSecurityGroupAttribute answers it (Priority is a string there)."""
    return {"SecurityGroupRuleId": f"sgr-{number:08d}", "Direction": "ingress", "IpProtocol": protocol,
            "PortRange": ports, "SourceCidrIp": source, "Ipv6SourceCidrIp": "", "Policy": policy,
            "Priority": str(priority), "NicType": "intranet", "CreateTime": "2025-03-10T02:00:00Z"}


def database(region: str, number: int, *, secure: bool = True) -> dict[str, Any]:
    return {"DBInstanceId": f"rm-{region[-4:]}{number:06d}", "DBInstanceDescription": f"db-{number}",
            "RegionId": region, "ZoneId": f"{region}-a", "Engine": "MySQL", "EngineVersion": "8.0",
            "InstanceNetworkType": "VPC", "MutriORsignle": secure, "DBInstanceStatus": "Running",
            "_details": {
                "DescribeDBInstanceTDE": {"TDEStatus": "Enabled" if secure else "Disabled"},
                "DescribeDBInstanceEncryptionKey": {"EncryptionKey": "key-1" if secure else "",
                                                    "EncryptionKeyStatus": "Enabled" if secure else ""},
                "DescribeSQLCollectorPolicy": {"SQLCollectorStatus": "Enable" if secure else "Disabled",
                                               "StoragePeriod": 180},
                "DescribeBackupPolicy": {"BackupRetentionPeriod": 30 if secure else 3,
                                         "EnableBackupLog": "1" if secure else "0",
                                         "LogBackupRetentionPeriod": 30},
                "DescribeDBInstanceNetInfo": {"DBInstanceNetInfos": {"DBInstanceNetInfo": [
                    {"IPType": "Private", "ConnectionString": "rm-x.mysql.rds.aliyuncs.com"}]
                    + ([] if secure else [{"IPType": "Public", "ConnectionString": "rm-x.mysql.rds.aliyuncs.com"}])}},
                "DescribeDBInstanceIPArrayList": {"Items": {"DBInstanceIPArray": [
                    {"DBInstanceIPArrayName": "default",
                     "SecurityIPList": "10.0.0.0/8" if secure else "10.0.0.0/8,0.0.0.0/0"}]}},
                "DescribeDBInstanceSSL": {"SSLEnabled": "Yes" if secure else "No", "CAType": "aliyun",
                                          "ConnectionString": "rm-x.mysql.rds.aliyuncs.com",
                                          "SSLExpireTime": "2027-11-21T10:00:00Z"},
                "DescribeInstanceCrossBackupPolicy": {
                    "DBInstanceId": f"rm-{region[-4:]}{number:06d}", "RegionId": region,
                    "BackupEnabled": "Disabled" if secure else "Enable", "LogBackupEnabled": "Disabled",
                    "CrossBackupRegion": "" if secure else "ap-southeast-1", "CrossBackupType": "1", "Retention": 7},
            }, "GuardDBInstanceId": f"rm-{region[-4:]}{number:06d}g" if secure else ""}


def vpc(region: str, number: int, *, flow_log: bool = True) -> dict[str, Any]:
    vpc_id = f"vpc-{region[-4:]}{number:04d}"
    logs = [{"FlowLogId": f"fl-{vpc_id}", "ResourceType": "VPC", "ResourceId": vpc_id, "Status": "Active",
             "ProjectName": "flowlogs", "LogStoreName": "vpc"}] if flow_log else []
    return {"VpcId": vpc_id, "VpcName": f"vpc-{number}", "RegionId": region, "CidrBlock": "172.16.0.0/12",
            "_flow_logs": logs}


def trail(account_id: str, name: str, region: str, *, project: str | None, bucket: str | None = None,
          status: str = "Enable", trail_region: str = "All", event_rw: str = "All") -> dict[str, Any]:
    return {"Name": name, "HomeRegion": region, "Status": status, "TrailRegion": trail_region,
            "EventRW": event_rw, "IsOrganizationTrail": False, "CreateTime": "1704857393000",
            "SlsProjectArn": f"acs:log:{region}:{account_id}:project/{project}" if project else "",
            "SlsWriteRoleArn": f"acs:ram::{account_id}:role/aliyunactiontraildefaultrole" if project else "",
            "OssBucketName": bucket or "", "OssBucketLocation": region if bucket else "", "OssKeyPrefix": ""}


def compliant_world(account_id: str = "1234567890123456") -> World:
    """Every acceptance check passes."""
    world = World(account_id=account_id, password_policy=dict(STRONG_PASSWORDS),
                  security_preference=json.loads(json.dumps(MANDATORY_MFA)))
    world.users = [User("ops.admin", keys=[{"AccessKeyId": "LTAI5tAAAA1111BBBB2222", "Status": "Active",
                                            "CreateDate": "2026-01-05T02:00:00Z",
                                            "LastUsedDate": "2026-11-20T09:00:00Z"}]),
                   User("ci-deployer", console=False, mfa=False, last_login=None,
                        keys=[{"AccessKeyId": "LTAI5tCCCC3333DDDD4444", "Status": "Active",
                               "CreateDate": "2026-02-01T02:00:00Z", "LastUsedDate": "2026-11-21T00:10:00Z"}])]
    world.policies = {"ecs-readonly": {"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": ["ecs:Describe*"], "Resource": "*"}]}}
    world.trails = [trail(account_id, "acme-audit", "cn-hangzhou", project="actiontrail-acme", bucket="acme-trail-logs")]
    world.logstores = {("actiontrail-acme", "actiontrail_acme-audit"): {"ttl": 365, "hot_ttl": 30}}
    world.buckets = [Bucket("acme-trail-logs", "cn-hangzhou", policy=HTTPS_ONLY,
                            lifecycle=[{"ID": "keep-400-days", "Prefix": "AliyunLogs/", "Days": 400}]),
                     Bucket("acme-orders", "cn-shanghai", policy=HTTPS_ONLY)]
    for region in world.regions:
        world.instances[region] = [instance(region, 1)]
        world.disks[region] = [disk(region, 1)]
        world.snapshots[region] = [snapshot(region, 1)]
        world.security_groups[region] = [security_group(region, 1, [("TCP", "443/443", "0.0.0.0/0"),
                                                                     ("TCP", "22/22", "10.0.0.0/8")])]
        world.prefix_lists[region] = [prefix_list(region, 1, ["10.0.0.0/8", "192.168.0.0/16"])]
        world.databases[region] = [database(region, 1)]
        world.vpcs[region] = [vpc(region, 1)]
    world.clusters["cn-hangzhou"] = [{"cluster_id": "c1a2b3", "name": "prod-k8s", "region_id": "cn-hangzhou",
                                      "state": "running", "cluster_type": "ManagedKubernetes",
                                      "master_url": json.dumps({"intranet_api_server_endpoint":
                                                                "https://192.168.0.10:6443"})}]
    world.assets = [{"Uuid": f"uuid-{r}", "InstanceId": f"i-{r[-4:]}000001", "InstanceName": "app-1",
                     "RegionId": r, "ClientStatus": "online", "Status": "Running"} for r in world.regions]
    services_compliant(world)
    return world


def weak_world(account_id: str = "2222333344445555") -> World:
    """The acceptance account: a user without MFA, console MFA not enforced, a weak password policy,
    a trail delivering to a 30-day log store, an unencrypted disk, a bucket in Hong Kong and one
    replicated to Singapore, and every load balancer, database and security service in its weak form
    (services_weak: a PolarDB backup copy in Singapore, a CEN joining Singapore, a global CDN)."""
    world = compliant_world(account_id)
    world.regions = ["cn-hangzhou", "cn-hongkong"]
    world.password_policy.update(MinimumPasswordLength=6, RequireSymbols=False, RequireUppercaseCharacters=False,
                                 MaxPasswordAge=0, PasswordReusePrevention=0, MaxLoginAttemps=0)
    world.security_preference["LoginProfilePreference"]["MFAOperationForLogin"] = "independent"
    world.users.append(User("zhang.wei", mfa=False))
    world.trails = [trail(account_id, "acme-audit", "cn-hangzhou", project="actiontrail-acme")]
    world.logstores = {("actiontrail-acme", "actiontrail_acme-audit"): {"ttl": 30, "hot_ttl": 30}}
    world.buckets = [Bucket("acme-hk-static", "cn-hongkong", policy=HTTPS_ONLY),
                     Bucket("acme-orders", "cn-hangzhou", policy=HTTPS_ONLY,
                            replication=[("acme-orders-dr", "ap-southeast-1")])]
    for region in world.regions:
        world.instances[region] = [instance(region, 1)]
        world.disks[region] = [disk(region, 1, encrypted=region != "cn-hangzhou")]
        world.snapshots[region] = [snapshot(region, 1)]
        world.security_groups[region] = [security_group(region, 1, [("TCP", "443/443", "0.0.0.0/0")])]
        world.databases[region] = [database(region, 1)]
        world.vpcs[region] = [vpc(region, 1)]
    world.assets = [{"Uuid": f"uuid-{r}", "InstanceId": f"i-{r[-4:]}000001", "InstanceName": "app-1",
                     "RegionId": r, "ClientStatus": "online", "Status": "Running"} for r in world.regions]
    services_weak(world)
    return world
