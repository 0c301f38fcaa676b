"""The fake account's load balancers, databases, security services and logs, in the real APIs' shapes.

Shapes and paging follow each product's API reference (and the field names of Alibaba Cloud's
generated SDK models): SLB 2014-05-15, ALB 2020-06-16, R-kvstore 2015-01-01, PolarDB 2017-08-01,
Dds 2015-12-01, AnalyticDB 2019-03-15, Elasticsearch 2017-06-13 (ROA), NAS 2017-06-26, Cloud Backup
(HBR) 2017-09-08 (NAS backup plans and policy bindings),
VPC 2016-04-28 (NAT, network ACLs, vSwitches), CS 2015-12-15 node pools (ROA), Cbn 2017-09-12,
CDN 2018-05-10, CloudAPI 2016-07-14, CR 2018-12-01, Cloudfw 2017-12-07, ddoscoo 2020-01-01,
WAF 2021-10-01 and 2019-09-10, SAS 2018-12-03, RAM 2015-05-01 groups, SLS projects and log
stores. Items keep private `_` keys (their detail answers, listeners, entries) that listings
leave out.

`services_compliant` seeds an account where every check of these services passes;
`services_weak` turns each into its failing form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakes.aliyun_paging import FakeError, marker_page, number_page, token_page

if TYPE_CHECKING:
    from tests.fakes.aliyun_world import World

Item = dict[str, Any]


def public(item: Item) -> Item:
    return {key: value for key, value in item.items() if not key.startswith("_")}


@dataclass(kw_only=True)
class ServiceWorld:
    regional: dict[str, dict[str, list[Item]]] = field(default_factory=dict)   # kind -> region -> items
    cens: list[Item] = field(default_factory=list)             # + "_children"
    cdn_domains: list[Item] = field(default_factory=list)      # + "_configs"
    groups: list[Item] = field(default_factory=list)           # + "_users"
    firewall_assets: list[Item] = field(default_factory=list)
    waf3: Item = field(default_factory=dict)                   # DescribeInstance answer ({} = none)
    waf2: Item = field(default_factory=lambda: {"PayType": 0})
    cloud_firewall: Item = field(default_factory=lambda: {"UserStatus": False, "InstanceStatus": "free"})
    ddos_instances: list[Item] = field(default_factory=list)
    notice_config: list[Item] = field(default_factory=list)
    proactive_defense: dict[str, str] = field(default_factory=dict)
    vulnerabilities: dict[str, list[Item]] = field(default_factory=dict)    # asset Uuid -> records
    log_projects: dict[str, list[Item]] = field(default_factory=dict)       # region -> projects

    def size(self, asked: str | None, default: int) -> int:
        raise NotImplementedError   # World's

    def items(self, kind: str, region: str) -> list[Item]:
        return self.regional.get(kind, {}).get(region, [])

    def find(self, kind: str, region: str, key: str, value: str | None, code: str) -> Item:
        for item in self.items(kind, region):
            if item[key] == value:
                return item
        raise FakeError(404, code, f"The specified {key} {value} does not exist.")

    def detail(self, kind: str, region: str, key: str, params: dict[str, str], action: str, code: str) -> Any:
        return self.find(kind, region, key, params.get(key), code)["_details"][action]

    # -- SLB (CLB) ---------------------------------------------------------------------------------

    def _slb_DescribeLoadBalancers(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("slb", region)]
        return number_page(items, params, "LoadBalancers", "LoadBalancer", self.size(params.get("PageSize"), 10))

    def _slb_DescribeLoadBalancerListeners(self, params: dict[str, str], region: str) -> Any:
        wanted = {value for name, value in params.items() if name.startswith("LoadBalancerId.")}
        listeners = [listener for lb in self.items("slb", region) if lb["LoadBalancerId"] in wanted
                     for listener in lb["_listeners"]]
        return token_page(listeners, params, "Listeners", ",".join(sorted(wanted)),
                          self.size(params.get("MaxResults"), 20))

    def _slb_DescribeAccessControlLists(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("slb_acl", region)]
        return number_page(items, params, "Acls", "Acl", self.size(params.get("PageSize"), 10))

    def _slb_DescribeAccessControlListAttribute(self, params: dict[str, str], region: str) -> Any:
        acl = self.find("slb_acl", region, "AclId", params.get("AclId"), "AclNotExist")
        size, number = self.size(params.get("PageSize"), 50), int(params.get("Page") or 1)
        entries = acl["_entries"]
        return {**public(acl), "AclEntrys": {"AclEntry": entries[(number - 1) * size:number * size]},
                "TotalAclEntry": len(entries), "RelatedListeners": {"RelatedListener": []}}

    # -- ALB -----------------------------------------------------------------------------------------

    def _alb_ListLoadBalancers(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("alb", region)]
        return token_page(items, params, "LoadBalancers", f"alb-{region}", self.size(params.get("MaxResults"), 20))

    def _alb_GetLoadBalancerAttribute(self, params: dict[str, str], region: str) -> Any:
        lb = self.find("alb", region, "LoadBalancerId", params.get("LoadBalancerId"), "ResourceNotFound.LoadBalancer")
        return {**public(lb), "RegionId": region, "ZoneMappings": lb["_zones"]}

    def _alb_ListListeners(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("alb_listener", region)]
        return token_page(items, params, "Listeners", f"listeners-{region}", self.size(params.get("MaxResults"), 20))

    def _alb_GetListenerAttribute(self, params: dict[str, str], region: str) -> Any:
        listener = self.find("alb_listener", region, "ListenerId", params.get("ListenerId"),
                             "ResourceNotFound.Listener")
        return {**public(listener), "AclConfig": listener["_acl"], "Certificates": []}

    # -- Redis / Tair ----------------------------------------------------------------------------------

    def _kvstore_DescribeInstances(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("redis", region)]
        return number_page(items, params, "Instances", "KVStoreInstance", self.size(params.get("PageSize"), 30))

    def _kvstore(self, params: dict[str, str], region: str, action: str) -> Any:
        return self.detail("redis", region, "InstanceId", params, action, "InvalidInstanceId.NotFound")

    def _kvstore_DescribeInstanceAttribute(self, params: dict[str, str], region: str) -> Any:
        return self._kvstore(params, region, "DescribeInstanceAttribute")

    def _kvstore_DescribeSecurityIps(self, params: dict[str, str], region: str) -> Any:
        return self._kvstore(params, region, "DescribeSecurityIps")

    def _kvstore_DescribeDBInstanceNetInfo(self, params: dict[str, str], region: str) -> Any:
        return self._kvstore(params, region, "DescribeDBInstanceNetInfo")

    def _kvstore_DescribeInstanceTDEStatus(self, params: dict[str, str], region: str) -> Any:
        return self._kvstore(params, region, "DescribeInstanceTDEStatus")

    # -- PolarDB -----------------------------------------------------------------------------------------

    def _polardb_DescribeDBClusters(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("polardb", region)]
        size, number = self.size(params.get("PageSize"), 30), int(params.get("PageNumber") or 1)
        page = items[(number - 1) * size:number * size]
        return {"Items": {"DBCluster": page}, "TotalRecordCount": len(items), "PageNumber": number,
                "PageRecordCount": len(page)}

    def _polardb(self, params: dict[str, str], region: str, action: str) -> Any:
        return self.detail("polardb", region, "DBClusterId", params, action, "InvalidDBClusterId.NotFound")

    def _polardb_DescribeDBClusterAttribute(self, params: dict[str, str], region: str) -> Any:
        return self._polardb(params, region, "DescribeDBClusterAttribute")

    def _polardb_DescribeDBClusterSSL(self, params: dict[str, str], region: str) -> Any:
        return self._polardb(params, region, "DescribeDBClusterSSL")

    def _polardb_DescribeDBClusterTDE(self, params: dict[str, str], region: str) -> Any:
        return self._polardb(params, region, "DescribeDBClusterTDE")

    def _polardb_DescribeBackupPolicy(self, params: dict[str, str], region: str) -> Any:
        return self._polardb(params, region, "DescribeBackupPolicy")

    def _polardb_DescribeDBClusterAccessWhitelist(self, params: dict[str, str], region: str) -> Any:
        return self._polardb(params, region, "DescribeDBClusterAccessWhitelist")

    def _polardb_DescribeDBClusterEndpoints(self, params: dict[str, str], region: str) -> Any:
        return self._polardb(params, region, "DescribeDBClusterEndpoints")

    # -- MongoDB -------------------------------------------------------------------------------------------

    def _dds_DescribeDBInstances(self, params: dict[str, str], region: str) -> Any:
        kind = "mongodb_sharded" if params.get("DBInstanceType") == "sharding" else "mongodb"
        items = [public(i) for i in self.items(kind, region)]
        return number_page(items, params, "DBInstances", "DBInstance", self.size(params.get("PageSize"), 30))

    def _dds(self, params: dict[str, str], region: str, action: str) -> Any:
        for kind in ("mongodb", "mongodb_sharded"):
            for item in self.items(kind, region):
                if item["DBInstanceId"] == params.get("DBInstanceId") and action in item["_details"]:
                    return item["_details"][action]
        raise FakeError(404, "InvalidDBInstanceId.NotFound", "The specified instance is not found.")

    def _dds_DescribeBackupPolicy(self, params: dict[str, str], region: str) -> Any:
        return self._dds(params, region, "DescribeBackupPolicy")

    def _dds_DescribeDBInstanceSSL(self, params: dict[str, str], region: str) -> Any:
        return self._dds(params, region, "DescribeDBInstanceSSL")

    def _dds_DescribeDBInstanceTDEInfo(self, params: dict[str, str], region: str) -> Any:
        return self._dds(params, region, "DescribeDBInstanceTDEInfo")

    def _dds_DescribeSecurityIps(self, params: dict[str, str], region: str) -> Any:
        return self._dds(params, region, "DescribeSecurityIps")

    def _dds_DescribeReplicaSetRole(self, params: dict[str, str], region: str) -> Any:
        return self._dds(params, region, "DescribeReplicaSetRole")

    def _dds_DescribeShardingNetworkAddress(self, params: dict[str, str], region: str) -> Any:
        return self._dds(params, region, "DescribeShardingNetworkAddress")

    # -- AnalyticDB, NAS, API Gateway, Container Registry ------------------------------------------------

    def _adb_DescribeDBClusters(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("adb", region)]
        return number_page(items, params, "Items", "DBCluster", self.size(params.get("PageSize"), 30))

    def _adb_DescribeAuditLogConfig(self, params: dict[str, str], region: str) -> Any:
        cluster = self.find("adb", region, "DBClusterId", params.get("DBClusterId"), "InvalidDBClusterId.NotFound")
        return {"DBClusterId": cluster["DBClusterId"], "AuditLogStatus": cluster["_audit"]}

    def _nas_DescribeFileSystems(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("nas", region)]
        return number_page(items, params, "FileSystems", "FileSystem", self.size(params.get("PageSize"), 10))

    # -- Cloud Backup (HBR) ---------------------------------------------------------------------------

    def _hbr_DescribeBackupPlans(self, params: dict[str, str], region: str) -> Any:
        """PageNumber (from 1), PageSize 1-99 (default 10) -> TotalCount, BackupPlans.BackupPlan; SourceType filters."""
        size = self.size(params.get("PageSize"), 10)
        if not 1 <= int(params.get("PageSize") or 10) <= 99:
            raise FakeError(400, "InvalidParameter", "PageSize must be between 1 and 99.")
        wanted = params.get("SourceType")
        plans = [public(p) for p in self.items("hbr_plan", region) if wanted in (None, p["SourceType"])]
        return {"Success": True, "Code": "200", "Message": "successful",
                **number_page(plans, params, "BackupPlans", "BackupPlan", size)}

    def _hbr_DescribePolicyBindings(self, params: dict[str, str], region: str) -> Any:
        """NextToken, MaxResults 10-100 (default 10), Filters.N.Key/Values.M (PolicyId, DataSourceId,
        DataSourceType; operator IN) -> PolicyBindings[], NextToken on every page but the last."""
        asked = int(params.get("MaxResults") or 10)
        if not 10 <= asked <= 100:
            raise FakeError(400, "InvalidParameter", "MaxResults must be between 10 and 100.")
        fields = {"PolicyId": "PolicyId", "DataSourceId": "DataSourceId", "DataSourceType": "SourceType"}
        bindings = [public(b) for b in self.items("hbr_binding", region)]
        for number in sorted({name.split(".")[1] for name in params if name.startswith("Filters.")}):
            key = params.get(f"Filters.{number}.Key", "")
            if key not in fields or params.get(f"Filters.{number}.Operator", "IN") != "IN":
                raise FakeError(400, "InvalidParameter", f"Filter {key!r} is not supported.")
            values = {v for name, v in params.items() if name.startswith(f"Filters.{number}.Values.")}
            bindings = [b for b in bindings if b[fields[key]] in values]
        answer = token_page(bindings, params, "PolicyBindings", f"bindings-{region}", self.size(str(asked), 10))
        return {"Success": True, "Code": "200", "Message": "successful", **answer}

    def _apigateway_DescribeApiGroups(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("apigw", region)]
        return number_page(items, params, "ApiGroupAttributes", "ApiGroupAttribute",
                           self.size(params.get("PageSize"), 10))

    def _cr_ListInstance(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("cr", region)]
        size, number = self.size(params.get("PageSize"), 30), int(params.get("PageNo") or 1)
        return {"Instances": items[(number - 1) * size:number * size], "TotalCount": len(items),
                "PageNo": number, "PageSize": size, "IsSuccess": True, "Code": "success"}

    def _cr_ListInstanceEndpoint(self, params: dict[str, str], region: str) -> Any:
        instance = self.find("cr", region, "InstanceId", params.get("InstanceId"), "INSTANCE_NOT_EXIST")
        return {"Endpoints": instance["_endpoints"], "IsSuccess": True, "Code": "success"}

    # -- VPC: NAT gateways and network ACLs ------------------------------------------------------------------

    def _vpc_DescribeNatGateways(self, params: dict[str, str], region: str) -> Any:
        items = [public(i) for i in self.items("nat", region)]
        return number_page(items, params, "NatGateways", "NatGateway", self.size(params.get("PageSize"), 10))

    def _vpc_DescribeForwardTableEntries(self, params: dict[str, str], region: str) -> Any:
        nat = self.find("nat", region, "NatGatewayId", params.get("NatGatewayId"), "InvalidNatGatewayId.NotFound")
        return number_page(nat["_entries"], params, "ForwardTableEntries", "ForwardTableEntry",
                           self.size(params.get("PageSize"), 10))

    def _vpc_DescribeVSwitches(self, params: dict[str, str], region: str) -> Any:
        """PageNumber/PageSize (at most 50, default 10) -> VSwitches.VSwitch and TotalCount."""
        size = self.size(params.get("PageSize"), 10)
        if size > 50:
            raise FakeError(400, "InvalidParameter", "PageSize must be 1-50.")
        items = [public(i) for i in self.items("vswitch", region)]
        return number_page(items, params, "VSwitches", "VSwitch", size)

    def _vpc_DescribeNetworkAcls(self, params: dict[str, str], region: str) -> Any:
        """As the API reference shows it: TotalCount, PageNumber and PageSize are strings here."""
        items = [public(i) for i in self.items("nacl", region)]
        answer = number_page(items, params, "NetworkAcls", "NetworkAcl", self.size(params.get("PageSize"), 10))
        return {**answer, "TotalCount": str(answer["TotalCount"]), "PageNumber": str(answer["PageNumber"]),
                "PageSize": str(answer["PageSize"])}

    # -- account-wide: CEN, CDN, RAM groups, Cloud Firewall -------------------------------------------------

    def _cen_DescribeCens(self, params: dict[str, str], region: str) -> Any:
        return number_page([public(c) for c in self.cens], params, "Cens", "Cen", self.size(params.get("PageSize"), 10))

    def _cen_DescribeCenAttachedChildInstances(self, params: dict[str, str], region: str) -> Any:
        for cen in self.cens:
            if cen["CenId"] == params.get("CenId"):
                return number_page(cen["_children"], params, "ChildInstances", "ChildInstance",
                                   self.size(params.get("PageSize"), 10))
        raise FakeError(404, "ParameterCenInstanceId", "The specified CEN instance does not exist.")

    def _cdn_DescribeUserDomains(self, params: dict[str, str], region: str) -> Any:
        size = self.size(params.get("PageSize"), 20)
        if size > 50:
            raise FakeError(400, "InvalidParameter.PageSize", "PageSize must be 1-50.")
        return number_page([public(d) for d in self.cdn_domains], params, "Domains", "PageData", size)

    def _cdn_DescribeCdnDomainConfigs(self, params: dict[str, str], region: str) -> Any:
        wanted = set((params.get("FunctionNames") or "").split(","))
        for domain in self.cdn_domains:
            if domain["DomainName"] == params.get("DomainName"):
                configs = [c for c in domain["_configs"] if c["FunctionName"] in wanted]
                return {"DomainConfigs": {"DomainConfig": configs}}
        raise FakeError(404, "InvalidDomain.NotFound", "The domain does not exist.")

    def _ram_ListGroups(self, params: dict[str, str], region: str) -> Any:
        return marker_page([public(g) for g in self.groups], params, "Groups", "Group",
                           self.size(params.get("MaxItems"), 100))

    def _ram_ListUsersForGroup(self, params: dict[str, str], region: str) -> Any:
        for group in self.groups:
            if group["GroupName"] == params.get("GroupName"):
                return marker_page(group["_users"], params, "Users", "User", self.size(params.get("MaxItems"), 100))
        raise FakeError(404, "EntityNotExist.Group", f"The group does not exist: {params.get('GroupName')}")

    def _cloudfw_DescribeUserBuyVersion(self, params: dict[str, str], region: str) -> Any:
        return dict(self.cloud_firewall)

    def _cloudfw_DescribeAssetList(self, params: dict[str, str], region: str) -> Any:
        size, number = self.size(params.get("PageSize"), 10), int(params.get("CurrentPage") or 1)
        return {"Assets": self.firewall_assets[(number - 1) * size:number * size],
                "TotalCount": len(self.firewall_assets)}

    def _ddoscoo_DescribeInstances(self, params: dict[str, str], region: str) -> Any:
        size, number = self.size(params.get("PageSize"), 10), int(params.get("PageNumber") or 1)
        return {"Instances": self.ddos_instances[(number - 1) * size:number * size],
                "TotalCount": len(self.ddos_instances)}

    def _waf3_DescribeInstance(self, params: dict[str, str], region: str) -> Any:
        if region != "cn-hangzhou":
            raise FakeError(400, "InvalidRegionId", "WAF serves cn-hangzhou (mainland) and ap-southeast-1.")
        return dict(self.waf3)

    def _waf2_DescribeInstanceInfo(self, params: dict[str, str], region: str) -> Any:
        return {"InstanceInfo": dict(self.waf2)}

    # -- Security Center ------------------------------------------------------------------------------------

    def _sas_DescribeNoticeConfig(self, params: dict[str, str], region: str) -> Any:
        return {"NoticeConfigList": self.notice_config}

    def _sas_DescribeSuspiciousOverallConfig(self, params: dict[str, str], region: str) -> Any:
        kind = params.get("Type", "")
        return {"OverallConfig": {"Type": kind, "Config": self.proactive_defense.get(kind, "off")}}

    def _sas_DescribeVulList(self, params: dict[str, str], region: str) -> Any:
        records = [r for r in self.vulnerabilities.get(params.get("Uuids", ""), [])
                   if r["Type"] == params.get("Type") and r["Necessity"] in (params.get("Necessity") or "").split(",")
                   and (params.get("Dealed") != "n" or r["Status"] == 1)]
        size, number = self.size(params.get("PageSize"), 10), int(params.get("CurrentPage") or 1)
        return {"VulRecords": records[(number - 1) * size:number * size], "TotalCount": len(records),
                "CurrentPage": number, "PageSize": size}

    # -- Elasticsearch (ROA) and Log Service listings ----------------------------------------------------------

    def elasticsearch(self, path: str, query: dict[str, str], region: str) -> tuple[str, Any]:
        """(action, answer) for a GET under /openapi/instances."""
        parts = [part for part in path.split("/") if part][2:]
        if not parts:
            items = [public(i) for i in self.items("es", region)]
            size, number = self.size(query.get("size"), 10), int(query.get("page") or 1)
            return "ListInstance", {"Result": items[(number - 1) * size:number * size],
                                    "Headers": {"X-Total-Count": len(items)}}
        instance = self.find("es", region, "instanceId", parts[0], "InstanceNotFound")
        if parts[1:] == ["snapshot-setting"]:
            return "DescribeSnapshotSetting", {"Result": instance["_snapshot"]}
        if parts[1:]:
            raise FakeError(404, "InvalidAction.NotFound", path)
        return "DescribeInstance", {"Result": {**public(instance), **instance["_detail"]}}

    def projects(self, region: str, query: dict[str, str]) -> Any:
        found = self.log_projects.get(region, [])
        offset, size = int(query.get("offset") or 0), self.size(query.get("size"), 100)
        page = found[offset:offset + size]
        return {"count": len(page), "total": len(found), "projects": page}

    def logstore_names(self, project: str, query: dict[str, str], stores: dict[tuple[str, str], Any]) -> Any:
        names = sorted(name for owner, name in stores if owner == project)
        offset, size = int(query.get("offset") or 0), self.size(query.get("size"), 100)
        page = names[offset:offset + size]
        return {"count": len(page), "total": len(names), "logstores": page}


# -- builders: one resource each, compliant unless told otherwise --------------------------------------

def load_balancer(region: str, number: int, *, weak: bool = False) -> Item:
    lb_id = f"lb-{region[-4:]}{number:04d}"
    listener = {"LoadBalancerId": lb_id, "Status": "running", "ListenerProtocol": "https", "ListenerPort": 443,
                "BackendServerPort": 80, "AclStatus": "off" if weak else "on", "AclType": "white",
                "AclId": f"acl-{region[-4:]}0001", "AclIds": [f"acl-{region[-4:]}0001"],
                "HTTPSListenerConfig": {"TLSCipherPolicy": "tls_cipher_policy_1_0" if weak
                                        else "tls_cipher_policy_1_2", "ServerCertificateId": "cert-1"}}
    admin = {"LoadBalancerId": lb_id, "Status": "running", "ListenerProtocol": "tcp", "ListenerPort": 22,
             "BackendServerPort": 22, "AclStatus": "on", "AclType": "white", "AclId": f"acl-{region[-4:]}0001"}
    return {"LoadBalancerId": lb_id, "LoadBalancerName": f"web-lb-{number}", "RegionId": region,
            "AddressType": "internet" if weak else "intranet", "Address": "47.96.0.10" if weak else "172.16.0.20",
            "NetworkType": "vpc", "VpcId": f"vpc-{region[-4:]}01", "MasterZoneId": f"{region}-a",
            "SlaveZoneId": "" if weak else f"{region}-b", "LoadBalancerStatus": "active",
            "LoadBalancerSpec": "slb.s2.small", "PayType": "PayOnDemand",
            "_listeners": [listener, admin] if weak else [listener]}


def slb_acl(region: str, number: int, *, weak: bool = False) -> Item:
    entries = [{"AclEntryIP": "10.0.0.0/8", "AclEntryComment": "office"}]
    if weak:
        entries.append({"AclEntryIP": "0.0.0.0/0", "AclEntryComment": "temporary"})
    return {"AclId": f"acl-{region[-4:]}{number:04d}", "AclName": f"office-{number}", "AddressIPVersion": "ipv4",
            "_entries": entries}


def alb(region: str, number: int, *, weak: bool = False) -> Item:
    zones = [f"{region}-a"] if weak else [f"{region}-a", f"{region}-b"]
    return {"LoadBalancerId": f"alb-{region[-4:]}{number:04d}", "LoadBalancerName": f"alb-{number}",
            "AddressType": "Intranet", "LoadBalancerEdition": "Standard", "LoadBalancerStatus": "Active",
            "VpcId": f"vpc-{region[-4:]}01",
            "_zones": [{"ZoneId": zone, "VSwitchId": f"vsw-{zone}", "LoadBalancerAddresses": []} for zone in zones]}


def alb_listener(region: str, number: int, *, weak: bool = False) -> Item:
    acl = ({"AclType": "", "AclRelations": []} if weak else
           {"AclType": "White", "AclRelations": [{"AclId": "acl-alb-1", "Status": "Associated"}]})
    return {"ListenerId": f"lsn-{region[-4:]}{number:04d}", "ListenerDescription": f"https-{number}",
            "ListenerPort": 443, "ListenerProtocol": "HTTPS", "ListenerStatus": "Running",
            "LoadBalancerId": f"alb-{region[-4:]}0001",
            "SecurityPolicyId": "tls_cipher_policy_1_0" if weak else "tls_cipher_policy_1_2", "_acl": acl}


def redis(region: str, number: int, *, weak: bool = False) -> Item:
    instance_id = f"r-{region[-4:]}{number:04d}"
    whitelist = "10.0.0.0/8,0.0.0.0/0" if weak else "10.0.0.0/8"
    net = [{"IPType": "Private", "ConnectionString": f"{instance_id}.redis.rds.aliyuncs.com", "Port": "6379"}]
    if weak:
        net.append({"IPType": "Public", "ConnectionString": f"{instance_id}.redis.rds.aliyuncs.com", "Port": "6379"})
    return {"InstanceId": instance_id, "InstanceName": f"cache-{number}", "RegionId": region,
            "NetworkType": "CLASSIC" if weak else "VPC", "ZoneId": f"{region}-a",
            "SecondaryZoneId": "" if weak else f"{region}-b", "InstanceStatus": "Normal", "EngineVersion": "7.0",
            "_details": {
                "DescribeInstanceAttribute": {"Instances": {"DBInstanceAttribute": [
                    {"InstanceId": instance_id, "VpcAuthMode": "Close" if weak else "Open", "ZoneId": f"{region}-a",
                     "NetworkType": "CLASSIC" if weak else "VPC", "IsSupportTDE": True}]}},
                "DescribeSecurityIps": {"SecurityIpGroups": {"SecurityIpGroup": [
                    {"SecurityIpGroupName": "default", "SecurityIpList": whitelist, "SecurityIpGroupAttribute": ""}]}},
                "DescribeDBInstanceNetInfo": {"InstanceNetworkType": "VPC", "NetInfoItems": {"InstanceNetInfo": net}},
                "DescribeInstanceTDEStatus": {"TDEStatus": "Disabled" if weak else "Enabled"}}}


def polardb(region: str, number: int, *, weak: bool = False, backup_region: str = "") -> Item:
    cluster_id = f"pc-{region[-4:]}{number:04d}"
    address = [{"NetType": "Private", "ConnectionString": f"{cluster_id}.rwlb.rds.aliyuncs.com", "Port": "3306"}]
    if weak:
        address.append({"NetType": "Public", "ConnectionString": f"{cluster_id}.public.rds.aliyuncs.com",
                        "Port": "3306"})
    return {"DBClusterId": cluster_id, "DBClusterDescription": f"orders-{number}", "RegionId": region,
            "ZoneId": f"{region}-a" if weak else f"{region}-a,{region}-b", "DBType": "MySQL",
            "DBClusterStatus": "Running",
            "_details": {
                "DescribeDBClusterAttribute": {"DBClusterId": cluster_id,
                                               "ZoneIds": f"{region}-a" if weak else f"{region}-a,{region}-b",
                                               "HotStandbyCluster": "OFF" if weak else "ON"},
                "DescribeDBClusterSSL": {"Items": [{"DBEndpointId": f"pe-{cluster_id}",
                                                    "SSLEnabled": "Disabled" if weak else "Enabled"}]},
                "DescribeDBClusterTDE": {"DBClusterId": cluster_id, "TDEStatus": "Disabled" if weak else "Enabled"},
                "DescribeBackupPolicy": {"BackupRetentionPeriod": 7, "DataLevel1BackupRetentionPeriod": "7",
                                         "DataLevel2BackupRetentionPeriod": "0" if weak else "30",
                                         "DataLevel2BackupAnotherRegionRegion": backup_region,
                                         "DataLevel2BackupAnotherRegionRetentionPeriod": "30" if backup_region else "0"},
                "DescribeDBClusterAccessWhitelist": {"Items": {"DBClusterIPArray": [
                    {"DBClusterIPArrayName": "default",
                     "SecurityIps": "10.0.0.0/8,0.0.0.0/0" if weak else "10.0.0.0/8"}]},
                    "DBClusterSecurityGroups": {"DBClusterSecurityGroup": []}},
                "DescribeDBClusterEndpoints": {"Items": [{"DBEndpointId": f"pe-{cluster_id}", "EndpointType": "Cluster",
                                                          "AddressItems": address}]}}}


def mongodb(region: str, number: int, *, weak: bool = False, sharded: bool = False, backup_region: str = "") -> Item:
    instance_id = f"dds-{region[-4:]}{number:04d}{'s' if sharded else ''}"
    addresses = [{"NetworkType": "VPC", "ConnectionDomain": f"{instance_id}.mongodb.rds.aliyuncs.com",
                  "ReplicaSetRole": "Primary"}]
    if weak:
        addresses.append({"NetworkType": "Public", "ConnectionDomain": f"{instance_id}-pub.mongodb.rds.aliyuncs.com",
                          "ReplicaSetRole": "Primary"})
    network = ({"DescribeShardingNetworkAddress": {"NetworkAddresses": {"NetworkAddress": [
                   {"NetworkType": a["NetworkType"], "NetworkAddress": a["ConnectionDomain"], "Role": "Primary",
                    "NodeType": "mongos"} for a in addresses]}, "CompatibleConnections": {"CompatibleConnection": []}}}
               if sharded else {"DescribeReplicaSetRole": {"DBInstanceId": instance_id,
                                                           "ReplicaSets": {"ReplicaSet": addresses}}})
    return {"DBInstanceId": instance_id, "DBInstanceDescription": f"profiles-{number}", "RegionId": region,
            "DBInstanceType": "sharding" if sharded else "replicate", "ZoneId": f"{region}-a",
            "SecondaryZoneId": "" if weak else f"{region}-b", "HiddenZoneId": "" if weak else f"{region}-c",
            "NetworkType": "VPC", "DBInstanceStatus": "Running", "Engine": "MongoDB",
            "_details": {
                "DescribeBackupPolicy": {"BackupRetentionPeriod": "3" if weak else "30", "EnableBackupLog": 0 if weak else 1,
                                         "LogBackupRetentionPeriod": 7, "PreferredBackupPeriod": "Monday,Thursday",
                                         "SrcRegion": region, "DestRegion": backup_region},
                "DescribeDBInstanceSSL": {"SSLStatus": "Closed" if weak else "Open", "CertCommonName": instance_id},
                "DescribeDBInstanceTDEInfo": {"TDEStatus": "disabled" if weak else "enabled"},
                "DescribeSecurityIps": {"SecurityIps": "", "SecurityIpGroups": {"SecurityIpGroup": [
                    {"SecurityIpGroupName": "default",
                     "SecurityIpList": "10.0.0.0/8,0.0.0.0/0" if weak else "10.0.0.0/8"}]}},
                **network}}


def analyticdb(region: str, number: int, *, weak: bool = False) -> Item:
    return {"DBClusterId": f"am-{region[-4:]}{number:04d}", "DBClusterDescription": f"warehouse-{number}",
            "RegionId": region, "DBClusterStatus": "Running", "_audit": "off" if weak else "on"}


def elasticsearch(region: str, number: int, *, weak: bool = False) -> Item:
    return {"instanceId": f"es-{region[-4:]}{number:04d}", "description": f"search-{number}", "status": "active",
            "esVersion": "7.10_with_X-Pack", "createdAt": "2025-03-10T02:00:00.000Z",
            "_detail": {"zoneCount": 1 if weak else 2, "enablePublic": weak,
                        "publicIpWhitelist": ["0.0.0.0/0"] if weak else [], "esIPWhitelist": ["10.0.0.0/8"]},
            "_snapshot": {"Enable": not weak, "QuartzRegex": "0 0 01 ? * * *"}}


def nas(region: str, number: int, *, weak: bool = False) -> Item:
    group = "DEFAULT_VPC_GROUP_NAME" if weak else "app-servers"
    return {"FileSystemId": f"{region[-4:]}{number:06d}", "Description": f"shared-{number}", "RegionId": region,
            "ProtocolType": "NFS", "StorageType": "Performance", "FileSystemType": "standard", "EncryptType": 1,
            "MountTargets": {"MountTarget": [{"MountTargetDomain": f"{number:06d}.{region}.nas.aliyuncs.com",
                                              "NetworkType": "Vpc", "AccessGroupName": group, "Status": "Active",
                                              "VpcId": f"vpc-{region[-4:]}01"}]}}


def nas_backup_plan(region: str, number: int, file_system: str, *, disabled: bool = False,
                    source: str = "NAS") -> Item:
    """A Cloud Backup plan as DescribeBackupPlans lists it (SourceType NAS: FileSystemId, CreateTime)."""
    return {"PlanId": f"plan-{region[-4:]}{number:012d}", "PlanName": f"nas-daily-{number}", "SourceType": source,
            "FileSystemId": file_system, "CreateTime": 1704857395, "Disabled": disabled, "BackupType": "COMPLETE",
            "Schedule": "I|1704857400|P1D", "Retention": 30, "VaultId": f"v-{region[-4:]}0001",
            "Paths": {"Path": ["/"]}, "Options": "{}", "CreatedTime": 1704857395, "UpdatedTime": 1704857395,
            "CrossAccountType": "SELF_ACCOUNT", "KeepLatestSnapshots": 1}


def nas_policy_binding(region: str, number: int, data_source: str, *, disabled: bool = False,
                       source: str = "NAS") -> Item:
    """A backup policy bound to a data source as DescribePolicyBindings answers it (NAS: the file system id)."""
    return {"PolicyBindingId": f"pd-{region[-4:]}{number:012d}", "PolicyId": f"po-{region[-4:]}{number:012d}",
            "PolicyBindingDescription": f"binding-{number}", "DataSourceId": data_source, "SourceType": source,
            "Disabled": disabled, "Source": "", "CreatedByTag": False, "CrossAccountType": "SELF_ACCOUNT",
            "CreatedTime": 1704857395, "UpdatedTime": 1704857395, "AdvancedOptions": {}, "HitTags": []}


def nat_gateway(region: str, number: int, *, weak: bool = False) -> Item:
    nat_id = f"ngw-{region[-4:]}{number:04d}"
    entries = [{"ForwardEntryId": "fwd-1", "ExternalIp": "47.96.0.20", "ExternalPort": "443", "InternalIp": "172.16.0.5",
                "InternalPort": "443", "IpProtocol": "TCP", "Status": "Available", "ForwardTableId": f"ftb-{nat_id}"}]
    if weak:
        entries.append({"ForwardEntryId": "fwd-2", "ExternalIp": "47.96.0.20", "ExternalPort": "3389",
                        "InternalIp": "172.16.0.6", "InternalPort": "3389", "IpProtocol": "TCP", "Status": "Available",
                        "ForwardTableId": f"ftb-{nat_id}"})
    return {"NatGatewayId": nat_id, "Name": f"egress-{number}", "VpcId": f"vpc-{region[-4:]}01", "Status": "Available",
            "NatType": "Enhanced", "ForwardTableIds": {"ForwardTableId": [f"ftb-{nat_id}"]}, "_entries": entries}


def network_acl(region: str, number: int, *, weak: bool = False) -> Item:
    entries = [{"NetworkAclEntryId": "nae-1", "Policy": "accept", "Protocol": "tcp", "Port": "443/443",
                "SourceCidrIp": "0.0.0.0/0", "EntryType": "custom", "IpVersion": "IPV4"},
               {"NetworkAclEntryId": "nae-2", "Policy": "accept" if weak else "drop", "Protocol": "tcp",
                "Port": "22/22", "SourceCidrIp": "0.0.0.0/0", "EntryType": "custom", "IpVersion": "IPV4"}]
    return {"NetworkAclId": f"nacl-{region[-4:]}{number:04d}", "NetworkAclName": f"acl-{number}",
            "VpcId": f"vpc-{region[-4:]}01", "Status": "Available",
            "IngressAclEntries": {"IngressAclEntry": entries}, "EgressAclEntries": {"EgressAclEntry": []}}


def api_group(region: str, number: int, *, weak: bool = False) -> Item:
    return {"GroupId": f"{region[-4:]}{number:028d}", "GroupName": f"public-api-{number}", "RegionId": region,
            "HttpsPolicy": "HTTPS1_1_TLS1_0" if weak else "HTTPS2_TLS1_2", "InstanceType": "VPC_SHARED",
            "SubDomain": f"{number}.apigateway.{region}.aliyuncs.com"}


def registry(region: str, number: int, *, weak: bool = False) -> Item:
    internet = {"EndpointType": "internet", "Enable": True, "AclEnable": True, "Status": "RUNNING",
                "AclEntries": [{"Entry": "0.0.0.0/0" if weak else "203.0.113.0/24", "Comment": "ci"}],
                "Domains": [{"Domain": f"cr-{number}-registry.{region}.cr.aliyuncs.com", "Type": "SYSTEM"}]}
    return {"InstanceId": f"cri-{region[-4:]}{number:04d}", "InstanceName": f"images-{number}", "RegionId": region,
            "InstanceStatus": "RUNNING", "InstanceSpecification": "Enterprise_Standard",
            "_endpoints": [internet, {"EndpointType": "vpc", "Enable": True, "AclEnable": False, "AclEntries": []}]}


def vswitch(region: str, zone: str) -> Item:
    """One vSwitch of the region's first VPC in zone `<region>-<zone>`, as DescribeVSwitches lists it."""
    return {"VSwitchId": f"vsw-{region[-4:]}{zone}", "VSwitchName": f"nodes-{zone}", "VpcId": f"vpc-{region[-4:]}01",
            "ZoneId": f"{region}-{zone}", "CidrBlock": f"172.16.{ord(zone) - 96}.0/24", "Status": "Available",
            "AvailableIpAddressCount": 250, "IsDefault": False, "CreationTime": "2025-03-10T02:00:00Z",
            "ResourceGroupId": "rg-acfm2pz25js4xyz", "RouteTable": {"RouteTableId": "vtb-1", "RouteTableType": "System"}}


def node_pool(region: str, name: str, zones: str, *, nodes: int = 3, kind: str = "ess",
              policy: str = "BALANCE") -> Item:
    """A node pool as DescribeClusterNodePools answers it: its nodes in the vSwitches of `zones` (letters)."""
    return {"nodepool_info": {"nodepool_id": f"np-{region[-4:]}-{name}", "name": name,
                              "type": kind, "is_default": name == "default-nodepool", "region_id": region,
                              "resource_group_id": "rg-acfm2pz25js4xyz", "created": "2025-03-10T10:00:00+08:00",
                              "updated": "2025-03-10T10:00:00+08:00"},
            "status": {"state": "active", "total_nodes": nodes, "healthy_nodes": nodes, "serving_nodes": nodes,
                       "failed_nodes": 0, "initial_nodes": 0, "offline_nodes": 0, "removing_nodes": 0},
            "scaling_group": {"vswitch_ids": [f"vsw-{region[-4:]}{zone}" for zone in zones],
                              "multi_az_policy": policy, "scaling_group_id": f"asg-{name}",
                              "instance_types": ["ecs.g7.xlarge"], "system_disk_category": "cloud_essd",
                              "system_disk_size": 120, "security_group_ids": [f"sg-{region[-4:]}000001"]},
            "auto_scaling": {"enable": False}, "kubernetes_config": {"runtime": "containerd", "cms_enabled": True},
            "management": {"enable": True, "auto_repair": True}}


def cen(account: str, number: int, regions: list[str]) -> Item:
    return {"CenId": f"cen-{number:012d}", "Name": f"backbone-{number}", "Status": "Active",
            "_children": [{"ChildInstanceId": f"vpc-{region[-4:]}01", "ChildInstanceType": "VPC",
                           "ChildInstanceRegionId": region, "ChildInstanceOwnerId": int(account), "Status": "Attached"}
                          for region in regions]}


def cdn_domain(name: str, *, coverage: str = "domestic", tls13: str = "on") -> Item:
    versions = {"tls10": "off", "tls11": "off", "tls12": "on", "tls13": tls13}
    config = {"FunctionName": "https_tls_version", "ConfigId": "7001", "Status": "success",
              "FunctionArgs": {"FunctionArg": [{"ArgName": k, "ArgValue": v} for k, v in versions.items()]}}
    return {"DomainName": name, "Coverage": coverage, "CdnType": "web", "DomainStatus": "online", "SslProtocol": "on",
            "Cname": f"{name}.w.kunlunsl.com", "_configs": [config]}


def services_compliant(world: World) -> None:
    """One of every new kind, each passing its checks; two groups, one of them with members."""
    account = world.account_id
    for region in world.regions:
        world.regional.setdefault("slb", {})[region] = [load_balancer(region, 1)]
        world.regional.setdefault("slb_acl", {})[region] = [slb_acl(region, 1)]
        world.regional.setdefault("alb", {})[region] = [alb(region, 1)]
        world.regional.setdefault("alb_listener", {})[region] = [alb_listener(region, 1)]
        world.regional.setdefault("redis", {})[region] = [redis(region, 1)]
        world.regional.setdefault("polardb", {})[region] = [polardb(region, 1)]
        world.regional.setdefault("mongodb", {})[region] = [mongodb(region, 1)]
        world.regional.setdefault("mongodb_sharded", {})[region] = [mongodb(region, 2, sharded=True)]
        world.regional.setdefault("adb", {})[region] = [analyticdb(region, 1)]
        world.regional.setdefault("es", {})[region] = [elasticsearch(region, 1)]
        world.regional.setdefault("nas", {})[region] = [nas(region, 1)]
        world.regional.setdefault("hbr_plan", {})[region] = [nas_backup_plan(region, 1, nas(region, 1)["FileSystemId"])]
        world.regional.setdefault("hbr_binding", {})[region] = [
            nas_policy_binding(region, 1, nas(region, 1)["FileSystemId"])]
        world.regional.setdefault("nat", {})[region] = [nat_gateway(region, 1)]
        world.regional.setdefault("nacl", {})[region] = [network_acl(region, 1)]
        world.regional.setdefault("apigw", {})[region] = [api_group(region, 1)]
        world.regional.setdefault("cr", {})[region] = [registry(region, 1)]
        world.regional.setdefault("vswitch", {})[region] = [vswitch(region, zone) for zone in "hij"]
        for cluster in world.clusters.get(region, []):
            cluster["_nodepools"] = [node_pool(region, "default-nodepool", "hij")]
        project = f"app-logs-{region[-4:]}"
        world.log_projects[region] = [{"projectName": project, "region": region, "status": "Normal",
                                       "description": "application logs", "createTime": "1704857395"}]
        world.logstores[(project, "access")] = {"ttl": 180, "encrypt_conf": {"enable": True, "encrypt_type": "sm4_gcm"}}
    world.cens = [cen(account, 1, list(world.regions))]
    world.cdn_domains = [cdn_domain("static.acme.example")]
    world.groups = [{"GroupName": "ops", "GroupId": "g-0001", "Comments": "operators", "CreateDate": "2024-01-10T02:00:00Z",
                     "_users": [{"UserName": "ops.admin", "UserId": "203500000000000", "JoinDate": "2024-01-11T02:00:00Z"}]}]
    world.firewall_assets = [{"ResourceInstanceId": f"i-{r[-4:]}000001", "Name": "app-1", "InternetAddress": "",
                              "ProtectStatus": "open", "RegionID": r, "ResourceType": "EcsPublicIP", "IpVersion": 4}
                             for r in world.regions]
    world.waf3 = {"InstanceId": "waf_v3prepaid_public_cn-0001", "Status": 1, "Edition": "enterprise",
                  "RegionId": "cn-hangzhou", "PayType": "PREPAY", "StartTime": 1704857395000}
    world.waf2 = {"PayType": 0}
    world.cloud_firewall = {"InstanceId": "vipcloudfw-cn-0001", "Version": 3, "UserStatus": True,
                            "InstanceStatus": "normal", "LogStatus": True, "AliUid": int(account)}
    world.ddos_instances = [{"InstanceId": "ddoscoo-cn-0001", "Status": 1, "Enabled": 1, "Edition": 9, "IpVersion": "Ipv4"}]
    world.notice_config = [{"Project": project, "Route": 7, "TimeLimit": 0, "AliUid": int(account), "CurrentPage": 1}
                           for project in ("sas_suspicious", "yundun_security_Weekreport", "yundun_sas_vul_Emergency",
                                           "sas_healthcheck", "yundun_webguard_event")]
    world.proactive_defense = {"auto_breaking": "on", "webshell_cloud_breaking": "on", "alinet": "on"}


def services_weak(world: World) -> None:
    """The same kinds, each failing its checks, plus data leaving the mainland."""
    services_compliant(world)
    account = world.account_id
    for region in world.regions:
        world.regional["slb"][region] = [load_balancer(region, 1, weak=True)]
        world.regional["slb_acl"][region] = [slb_acl(region, 1, weak=True)]
        world.regional["alb"][region] = [alb(region, 1, weak=True)]
        world.regional["alb_listener"][region] = [alb_listener(region, 1, weak=True)]
        world.regional["redis"][region] = [redis(region, 1, weak=True)]
        world.regional["polardb"][region] = [polardb(region, 1, weak=True, backup_region="ap-southeast-1")]
        world.regional["mongodb"][region] = [mongodb(region, 1, weak=True)]
        world.regional["mongodb_sharded"][region] = [mongodb(region, 2, weak=True, sharded=True)]
        world.regional["adb"][region] = [analyticdb(region, 1, weak=True)]
        world.regional["es"][region] = [elasticsearch(region, 1, weak=True)]
        world.regional["nas"][region] = [nas(region, 1, weak=True)]
        world.regional["hbr_plan"][region] = [nas_backup_plan(region, 1, nas(region, 1)["FileSystemId"], disabled=True)]
        world.regional["hbr_binding"][region] = [
            nas_policy_binding(region, 1, nas(region, 1)["FileSystemId"], disabled=True)]
        world.regional["nat"][region] = [nat_gateway(region, 1, weak=True)]
        world.regional["nacl"][region] = [network_acl(region, 1, weak=True)]
        world.regional["apigw"][region] = [api_group(region, 1, weak=True)]
        world.regional["cr"][region] = [registry(region, 1, weak=True)]
        for cluster in world.clusters.get(region, []):   # a spread pool left empty: the nodes sit in one zone
            cluster["_nodepools"] = [node_pool(region, "default-nodepool", "h"),
                                     node_pool(region, "spread", "hij", nodes=0)]
        world.logstores[(f"app-logs-{region[-4:]}", "access")] = {"ttl": 30, "encrypt_conf": {"enable": False}}
    world.cens = [cen(account, 1, [*world.regions, "ap-southeast-1"])]
    world.cdn_domains = [cdn_domain("static.acme.example", coverage="global", tls13="off")]
    world.groups.append({"GroupName": "former-contractors", "GroupId": "g-0002", "Comments": "",
                         "CreateDate": "2023-05-01T02:00:00Z", "_users": []})
    world.firewall_assets = [{**asset, "ProtectStatus": "close"} for asset in world.firewall_assets]
    world.waf3 = {}
    world.cloud_firewall = {"UserStatus": False, "InstanceStatus": "free", "AliUid": int(account)}
    world.ddos_instances = []
    world.notice_config = [{**item, "Route": 0} for item in world.notice_config]
    world.proactive_defense = {"auto_breaking": "on", "webshell_cloud_breaking": "off", "alinet": "off"}
