"""OSS through oss2 (signature V4): typed results back into the API's own field names.

oss2 parses OSS's XML into objects; the snapshot keeps OSS's element names (GetBucketInfo's
`AccessControlList.Grant`, `ServerSideEncryptionRule.SSEAlgorithm`, ...), so checks and auditors
read the same names as the OSS API reference.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import oss2
import oss2.credentials
import oss2.exceptions

from mlpscan.providers.aliyun.credentials import Credentials


class OssError(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class OssClient:
    """One oss2 session (connection pool) for the account; auth and Bucket objects per call are cheap."""

    def __init__(self, pool_size: int, connect_timeout: float) -> None:
        self.session = oss2.Session(pool_size=pool_size)
        self.connect_timeout = connect_timeout

    def call(self, action: str, endpoint: str, region: str, params: dict[str, Any], *,
             credentials: Credentials, path_style: bool) -> dict[str, Any]:
        auth = oss2.ProviderAuthV4(oss2.credentials.StaticCredentialsProvider(
            credentials.access_key_id, credentials.access_key_secret, credentials.security_token or ""))
        try:
            if action == "ListBuckets":
                service = oss2.Service(auth, endpoint, session=self.session,
                                       connect_timeout=self.connect_timeout, region=region,
                                       is_path_style=path_style)
                return _buckets(service.list_buckets(marker=str(params.get("marker") or ""),
                                                     max_keys=int(params.get("max-keys") or 100)))
            bucket = oss2.Bucket(auth, endpoint, str(params["bucket"]), session=self.session,
                                 connect_timeout=self.connect_timeout, region=region,
                                 is_path_style=path_style)
            if action == "GetBucketInfo":
                return _bucket_info(bucket.get_bucket_info())
            if action == "GetBucketPolicy":
                return {"Policy": bucket.get_bucket_policy().policy}
            if action == "GetBucketLifecycle":
                return _lifecycle(bucket.get_bucket_lifecycle())
            if action == "GetBucketReferer":
                return _referer(bucket.get_bucket_referer())
            if action == "GetBucketReplication":
                return _replication(bucket.get_bucket_replication())
        except oss2.exceptions.RequestError as exc:   # no answer at all: connection, timeout, DNS
            raise OssError("RequestError", str(exc.body or exc)[:300], -2) from None
        except oss2.exceptions.OssError as exc:
            code = exc.code or f"HTTP{exc.status}"
            raise OssError(code, exc.message or str(exc.details), exc.status) from None
        raise KeyError(f"oss:{action} is not implemented by the OSS adapter")


def _iso(value: Any) -> str | None:
    """oss2 turns times into epoch seconds or dates; the API gave ISO 8601 text."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _buckets(result: Any) -> dict[str, Any]:
    return {
        "Buckets": {"Bucket": [
            {"Name": b.name, "Location": b.location, "Region": b.region,
             "CreationDate": _iso(b.creation_date),
             "ExtranetEndpoint": b.extranet_endpoint, "IntranetEndpoint": b.intranet_endpoint,
             "StorageClass": b.storage_class, "ResourceGroupId": b.resource_group_id}
            for b in result.buckets]},
        "IsTruncated": bool(result.is_truncated),
        "NextMarker": result.next_marker or None,
    }


def _bucket_info(info: Any) -> dict[str, Any]:
    rule = info.bucket_encryption_rule
    encryption = None if rule is None else {
        # oss2 reports SSEAlgorithm "None" (no default encryption) as None: keep the API's word
        "SSEAlgorithm": rule.sse_algorithm or "None",
        "KMSMasterKeyID": getattr(rule, "kms_master_keyid", None),
        "KMSDataEncryption": getattr(rule, "kms_data_encryption", None),
    }
    return {
        "Name": info.name, "Location": info.location, "CreationDate": _iso(info.creation_date),
        "StorageClass": info.storage_class, "ExtranetEndpoint": info.extranet_endpoint,
        "IntranetEndpoint": info.intranet_endpoint,
        "Owner": {"ID": info.owner.id, "DisplayName": info.owner.display_name},
        "AccessControlList": {"Grant": info.acl.grant},
        "Comment": info.comment, "Versioning": info.versioning_status,
        "DataRedundancyType": info.data_redundancy_type, "AccessMonitor": info.access_monitor,
        "TransferAcceleration": info.transfer_acceleration,
        "CrossRegionReplication": info.cross_region_replication, "ResourceGroupId": info.resource_group_id,
        "ServerSideEncryptionRule": encryption,
    }


def _lifecycle(result: Any) -> dict[str, Any]:
    rules = []
    for rule in result.rules:
        expiration = rule.expiration
        rules.append({
            "ID": rule.id, "Prefix": rule.prefix, "Status": rule.status,
            "Expiration": None if expiration is None else {
                "Days": expiration.days, "CreatedBeforeDate": _iso(expiration.created_before_date),
                "Date": _iso(expiration.date),
                "ExpiredObjectDeleteMarker": expiration.expired_detete_marker},
            "NoncurrentVersionExpiration": None if rule.noncurrent_version_expiration is None else {
                "NoncurrentDays": rule.noncurrent_version_expiration.noncurrent_days},
        })
    return {"LifecycleConfiguration": {"Rule": rules}}


def _referer(result: Any) -> dict[str, Any]:
    return {"RefererConfiguration": {
        "AllowEmptyReferer": result.allow_empty_referer,
        "AllowTruncateQueryString": getattr(result, "allow_truncate_query_string", None),
        "RefererList": {"Referer": list(result.referers or [])},
        "RefererBlacklist": {"Referer": list(getattr(result, "black_referers", None) or [])},
    }}


def _replication(result: Any) -> dict[str, Any]:
    """The replication rules; the destination's Location (`oss-<region>`) says where copies go."""
    return {"ReplicationConfiguration": {"Rule": [
        {"ID": rule.rule_id, "Status": rule.status, "Action": ",".join(rule.action_list or []),
         "PrefixSet": {"Prefix": list(rule.prefix_list or [])},
         "Destination": {"Bucket": rule.target_bucket_name, "Location": rule.target_bucket_location,
                         "TransferType": rule.target_transfer_type},
         "HistoricalObjectReplication": ("enabled" if rule.is_enable_historical_object_replication
                                         else "disabled"),
         "SyncRole": rule.sync_role_name}
        for rule in result.rule_list]}}
