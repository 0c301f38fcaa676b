"""The fake's answers for the network, database and protection products (cloud API 3.0).

Shapes, parameter types, limits and paging follow each product's API reference and the SDK
models of tencentcloud-sdk-python (clb 2018-03-17, redis 2018-04-12, cynosdb 2019-01-07, mongodb
2019-07-25, cdb 2017-03-20, cfw 2019-09-04, waf 2018-01-25, antiddos 2020-03-09, cwp 2018-02-28,
cdn 2018-06-06, vpc 2017-03-12). Items live in the account as the APIs return them, `_` keys
being the fake's own (a load balancer's listeners, a database's SSL status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.tencent_accounts import FakeAccount
from tests.fakes.tencent_handlers import FakeError, _required, offset_page, public


def _find(items: list[dict[str, Any]], key: str, value: Any, code: str) -> dict[str, Any]:
    for item in items:
        if item.get(key) == value:
            return item
    raise FakeError(code, f"{key} {value} does not exist")


def _list_param(params: dict[str, Any], name: str) -> list[Any]:
    value = params.get(name)
    if not isinstance(value, list) or not value:
        raise FakeError("InvalidParameter", f"{name} must be a non-empty array")
    return value


def _regional(kind: str, key: str, total: str = "TotalCount") -> Callable[..., dict[str, Any]]:
    def handler(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        return offset_page(account.items(kind, region), params, key, total=total)
    return handler


def _everywhere(kind: str, key: str, total: str = "TotalCount") -> Callable[..., dict[str, Any]]:
    def handler(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
        return offset_page(account.account_wide(kind), params, key, total=total)
    return handler


# -- CLB ---------------------------------------------------------------------------------

def describe_listeners(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "LoadBalancerId")
    balancer = _find(account.items("load_balancers", region), "LoadBalancerId", params["LoadBalancerId"],
                     "InvalidParameter.LBIdNotFound")
    listeners = balancer["_listeners"]
    return {"Listeners": listeners, "TotalCount": len(listeners)}


def describe_customized_config_list(account: FakeAccount, _: str, region: str,
                                    params: dict[str, Any]) -> dict[str, Any]:
    if params.get("ConfigType") not in ("CLB", "SERVER", "LOCATION"):
        raise FakeError("InvalidParameterValue", "ConfigType must be CLB, SERVER or LOCATION")
    configs = [c for c in account.items("clb_configs", region) if c["ConfigType"] == params["ConfigType"]]
    if "UconfigIds" in params:
        configs = [c for c in configs if c["UconfigId"] in _list_param(params, "UconfigIds")]
    return offset_page(configs, params, "ConfigList")


# -- Redis, TDSQL-C, MongoDB, MySQL --------------------------------------------------------

def describe_instance_security_group(account: FakeAccount, _: str, region: str,
                                     params: dict[str, Any]) -> dict[str, Any]:
    details = []
    for instance_id in _list_param(params, "InstanceIds"):
        found = _find(account.items("redis", region), "InstanceId", instance_id, "ResourceNotFound.InstanceNotExists")
        details.append({"InstanceId": instance_id, "SecurityGroupDetails": found["_security_groups"]})
    return {"InstanceSecurityGroupsDetail": details}


def _cluster(account: FakeAccount, region: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "ClusterId")
    return _find(account.items("clusters", region), "ClusterId", params["ClusterId"],
                 "ResourceNotFound.ClusterNotFoundError")


def describe_cluster_detail(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    cluster = _cluster(account, region, params)
    return {"Detail": {**public(cluster), **cluster["_detail"]}}


def describe_cluster_backup_config(account: FakeAccount, _: str, region: str,
                                   params: dict[str, Any]) -> dict[str, Any]:
    return dict(_cluster(account, region, params)["_backup"])


def describe_cluster_ssl_status(account: FakeAccount, _: str, region: str,
                                params: dict[str, Any]) -> dict[str, Any]:
    return {"IsOpenSSL": "yes" if _cluster(account, region, params)["_ssl"] else "no", "DownloadUrl": ""}


def _mongo(account: FakeAccount, region: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "InstanceId")
    return _find(account.items("mongodb", region), "InstanceId", params["InstanceId"],
                 "InvalidParameterValue.NotFoundInstance")


def describe_instance_ssl(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    on = _mongo(account, region, params)["_ssl"]
    return {"Status": 1 if on else 0, "ExpiredTime": "2027-05-01 12:00:00" if on else "", "CertUrl": ""}


def describe_tde_status(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    on = _mongo(account, region, params)["_tde"]
    return {"TransparentDataEncryptionStatus": "open" if on else "close",
            "KeyInfoList": [{"KeyId": "kms-mongo-1", "KeyName": "mongo", "CreateTime": "2024-03-01 10:00:00",
                             "Status": "Enabled", "KeyUsage": "ENCRYPT_DECRYPT", "KeyOrigin": "TENCENT_KMS",
                             "KmsRegion": region}] if on else None}


def describe_backup_rules(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    days = _mongo(account, region, params)["_backup_days"]
    return {"BackupSaveTime": days, "BackupTime": 2, "BackupMethod": 0, "BackupFrequency": 24,
            "ActiveWeekdays": "0,1,2,3,4,5,6", "LongTermInterval": "", "LongTermActiveDays": "",
            "LongTermExpiredDays": 0, "OplogExpiredDays": days, "BackupVersion": 1, "AlertThreshold": 100}


def describe_cdb_ssl_status(account: FakeAccount, _: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "InstanceId")
    database = _find(account.items("databases", region), "InstanceId", params["InstanceId"], "CdbError")
    return {"Status": "ON" if database["_ssl"] else "OFF", "Url": ""}


# -- CCN and peering -----------------------------------------------------------------------

def describe_ccn_attached_instances(account: FakeAccount, _: str, __: str, params: dict[str, Any]) -> dict[str, Any]:
    _required(params, "CcnId")
    ccn = _find(account.account_wide("ccns"), "CcnId", params["CcnId"], "ResourceNotFound")
    return offset_page(ccn["_attached"], params, "InstanceSet")


PRODUCT_HANDLERS: dict[str, Callable[..., dict[str, Any]]] = {
    "clb:DescribeLoadBalancers": _regional("load_balancers", "LoadBalancerSet"),
    "clb:DescribeListeners": describe_listeners,
    "clb:DescribeCustomizedConfigList": describe_customized_config_list,
    "redis:DescribeInstances": _regional("redis", "InstanceSet"),
    "redis:DescribeInstanceSecurityGroup": describe_instance_security_group,
    "cynosdb:DescribeClusters": _regional("clusters", "ClusterSet"),
    "cynosdb:DescribeClusterDetail": describe_cluster_detail,
    "cynosdb:DescribeBackupConfig": describe_cluster_backup_config,
    "cynosdb:DescribeSSLStatus": describe_cluster_ssl_status,
    "mongodb:DescribeDBInstances": _regional("mongodb", "InstanceDetails"),
    "mongodb:DescribeInstanceSSL": describe_instance_ssl,
    "mongodb:DescribeTransparentDataEncryptionStatus": describe_tde_status,
    "mongodb:DescribeBackupRules": describe_backup_rules,
    "cdb:DescribeSSLStatus": describe_cdb_ssl_status,
    "cfw:DescribeFwEdgeIps": _everywhere("edge_ips", "Data", total="Total"),
    "waf:DescribeDomains": _everywhere("waf_domains", "Domains", total="Total"),
    "antiddos:DescribeListBGPInstances": _everywhere("bgp_instances", "InstanceList", total="Total"),
    "cwp:DescribeVulList": _everywhere("vulnerabilities", "VulInfoList"),
    "cdn:DescribeDomainsConfig": _everywhere("cdn_domains", "Domains", total="TotalNumber"),
    "vpc:DescribeCcns": _everywhere("ccns", "CcnSet"),
    "vpc:DescribeCcnAttachedInstances": describe_ccn_attached_instances,
    "vpc:DescribeVpcPeeringConnections": _regional("peerings", "PeerConnectionSet"),
}
PRODUCT_REGIONAL_SERVICES = ("clb", "redis", "cynosdb", "mongodb")
PRODUCT_VERSIONS = {"clb": "2018-03-17", "redis": "2018-04-12", "cynosdb": "2019-01-07", "mongodb": "2019-07-25",
                    "cfw": "2019-09-04", "waf": "2018-01-25", "antiddos": "2020-03-09", "cdn": "2018-06-06"}
