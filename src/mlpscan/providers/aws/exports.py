"""Where AWS resources copy or send data: each path becomes an entry of `DataExports`.

The hooks read what the answers say (a replication rule's destination bucket ARN, a read
replica's ARN, a trail's bucket location, the regions of a peering's two sides, a CloudFront
distribution's partition and access-log bucket) and write it in
the shape every cloud shares; src/mlpscan/data_export.py judges it against
providers/aws/regions.yaml. An ARN names its partition and, except for S3 buckets, its region.
An S3 bucket's region is read with GetBucketLocation where this account may read it; a bucket of
another partition cannot be asked from here at all, and its partition alone places it outside
the mainland when the partition has no mainland region (aws seen from aws-cn).
"""

from __future__ import annotations

import re
from typing import Any

from mlpscan.providers.cloud.exports import KEY, export_entry
from mlpscan.providers.cloud.runner import ApiError, HookContext, with_failed_calls
from mlpscan.providers.cloud.spec import Call
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource

GET_BUCKET_LOCATION = Call(call="s3:GetBucketLocation")
# What GetBucketLocation's LocationConstraint means when it is not a region id (S3 API reference).
LEGACY_LOCATIONS = {"": "us-east-1", "EU": "eu-west-1"}
GONE = frozenset({"deleted", "deleting", "rejected", "failed", "expired"})


def arn_parts(arn: str) -> tuple[str | None, str | None]:
    """(partition, region) of an ARN; (None, None) for anything that is not one."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None, None
    return parts[1] or None, parts[3] or None


def bucket_region(location: Any) -> str | None:
    """A region id from GetBucketLocation's LocationConstraint (null means us-east-1)."""
    if location is None:
        return "us-east-1"
    return LEGACY_LOCATIONS.get(location, location) if isinstance(location, str) else None


def _with(resource: Resource, entries: list[dict[str, Any]], failed_from: tuple[str, ...] = ()) -> Resource:
    failed = resource.data.get(FAILED_CALLS_KEY) or {}
    reasons = "; ".join(str(failed[key]) for key in failed_from if key in failed)
    updated = resource.model_copy(update={"data": {**resource.data, KEY: None if reasons else entries}})
    return with_failed_calls(updated, {KEY: reasons}) if reasons else updated


def s3_exports(context: HookContext) -> list[Resource]:
    """Enabled replication rules: the destination bucket (an ARN) with its partition and region."""
    own = context.account.context.get("partition")
    found = []
    for bucket in context.resources:
        config = bucket.data.get("GetBucketReplication")
        rules = config.get("Rules") if isinstance(config, dict) else None
        entries = [_replication(context, rule, own) for rule in (rules if isinstance(rules, list) else [])
                   if isinstance(rule, dict) and rule.get("Status") == "Enabled"]
        found.append(_with(bucket, entries, ("GetBucketReplication",)))
    return found


def _replication(context: HookContext, rule: dict[str, Any], own: str | None) -> dict[str, Any]:
    target = str((rule.get("Destination") or {}).get("Bucket") or "")
    partition, _ = arn_parts(target)
    via = f"replication rule {rule.get('ID') or '?'}"
    name = target.rsplit(":", 1)[-1]
    if partition is None or not name:
        return export_entry("replication", via, target or "?", unknown="the destination is not a bucket ARN")
    if partition != own:
        return export_entry("replication", via, target, partition=partition,
                            unknown=f"a bucket of partition {partition} cannot be read from {own}")
    region, why = _location(context, name)
    return export_entry("replication", via, target, region=region, partition=partition, unknown=why)


def _location(context: HookContext, bucket: str) -> tuple[str | None, str | None]:
    """The bucket's region, or why it could not be read (another account's bucket, usually)."""
    try:
        answer = context.account.api.call(GET_BUCKET_LOCATION, None, {"Bucket": bucket})
    except ApiError as exc:
        return None, f"{GET_BUCKET_LOCATION.call} {exc.code}: {exc.message}"[:300]
    region = bucket_region(answer.get("LocationConstraint"))
    return region, None if region else f"unreadable LocationConstraint {answer.get('LocationConstraint')!r}"


def trail_exports(context: HookContext) -> list[Resource]:
    """A trail delivers to its S3 bucket (TrailBucketLocation) and, when set, a CloudWatch Logs group."""
    partition = context.account.context.get("partition")
    found = []
    for trail in context.resources:
        data = trail.data
        failed = data.get(FAILED_CALLS_KEY) or {}
        via = f"trail {trail.name or trail.uid}"
        entries = []
        if data.get("S3BucketName"):
            location = data.get("TrailBucketLocation")
            region = bucket_region(location.get("LocationConstraint")) if isinstance(location, dict) else None
            why = str(failed.get("TrailBucketLocation") or "the bucket's location was not read")
            entries.append(export_entry("log_delivery", via, f"S3 bucket {data['S3BucketName']}",
                                        region=region, partition=partition, unknown=why))
        group = str(data.get("CloudWatchLogsLogGroupArn") or "")
        if group:
            group_partition, group_region = arn_parts(group)
            entries.append(export_entry("log_delivery", via, f"log group {group}", region=group_region,
                                        partition=group_partition,
                                        unknown="the log group ARN names no region"))
        found.append(_with(trail, entries))
    return found


REPLICA_FIELDS = ("ReadReplicaDBInstanceIdentifiers", "ReadReplicaDBClusterIdentifiers",
                  "ReadReplicaIdentifiers")


def rds_exports(context: HookContext) -> list[Resource]:
    """Cross-region read replicas (their identifiers are ARNs; same-region ones are plain ids) and
    automated backups replicated to another region."""
    found = []
    for database in context.resources:
        data = database.data
        entries = []
        for replica in [str(r) for field in REPLICA_FIELDS for r in data.get(field) or []]:
            partition, region = arn_parts(replica)
            if partition is not None:
                entries.append(export_entry("read_replica", "cross-region read replica", replica,
                                            region=region, partition=partition,
                                            unknown="the replica ARN names no region"))
        for backup in data.get("DBInstanceAutomatedBackupsReplications") or []:
            arn = str((backup or {}).get("DBInstanceAutomatedBackupsArn") or "")
            partition, region = arn_parts(arn)
            entries.append(export_entry("backup", "replicated automated backups", arn or "?", region=region,
                                        partition=partition, unknown="the replicated backup names no region"))
        found.append(_with(database, entries))
    return found


def _sides(resource: Resource, sides: tuple[str, str], via: str, what: str) -> list[dict[str, Any]]:
    """The far side(s) of a link whose two ends each name their region."""
    entries = []
    for side in sides:
        info = resource.data.get(side) or {}
        if info.get("Region") != resource.region:
            entries.append(export_entry("interconnect", via, f"{what} {info.get(_ID[side]) or '?'}",
                                        region=info.get("Region"), unknown=f"{side} names no region"))
    return entries


_ID = {"RequesterVpcInfo": "VpcId", "AccepterVpcInfo": "VpcId", "RequesterTgwInfo": "TransitGatewayId",
       "AccepterTgwInfo": "TransitGatewayId"}


def peering_exports(context: HookContext) -> list[Resource]:
    """A VPC peering connection in use links the requester's and the accepter's regions."""
    found = []
    for peering in context.resources:
        live = str((peering.data.get("Status") or {}).get("Code") or "").lower() not in GONE
        via = f"peering {peering.name or peering.uid}"
        entries = _sides(peering, ("RequesterVpcInfo", "AccepterVpcInfo"), via, "VPC") if live else []
        found.append(_with(peering, entries))
    return found


def tgw_exports(context: HookContext) -> list[Resource]:
    """A transit gateway peering attachment in use links two transit gateways' regions."""
    found = []
    for attachment in context.resources:
        live = str(attachment.data.get("State") or "").lower() not in GONE
        via = f"transit gateway peering {attachment.name or attachment.uid}"
        sides = ("RequesterTgwInfo", "AccepterTgwInfo")
        entries = _sides(attachment, sides, via, "transit gateway") if live else []
        found.append(_with(attachment, entries))
    return found


# Standard logging names its bucket by domain: "<bucket>.s3.amazonaws.com" (".com.cn" in China).
LOG_BUCKET_DOMAIN = re.compile(r"^(?P<name>.+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")


def cloudfront_exports(context: HookContext) -> list[Resource]:
    """An enabled distribution caches and serves its content at its partition's edge locations:
    CloudFront China's are in mainland cities, the global network has none in the mainland (so the
    partition places them). Standard logging delivers to an S3 bucket, located with GetBucketLocation."""
    partition = context.account.context.get("partition")
    found = []
    for distribution in context.resources:
        data = distribution.data
        entries = []
        if not isinstance(data.get("Enabled"), bool):   # never read as "serves nothing"
            entries.append(export_entry("cdn", "Enabled not reported", "CloudFront edge locations",
                                        unknown="whether the distribution is enabled was not read"))
        elif data["Enabled"]:
            entries.append(export_entry("cdn", f"price class {data.get('PriceClass') or '?'}",
                                        "CloudFront edge locations", partition=partition,
                                        unknown="edge locations are not in one region"))
            unread = (data.get(FAILED_CALLS_KEY) or {}).get("Logging")
            logging = data.get("Logging")
            if unread:   # where logs go is unknown, but the edges alone may already decide
                entries.append(export_entry("log_delivery", "standard logging", "the log bucket",
                                            unknown=str(unread)))
            elif isinstance(logging, dict) and logging.get("Enabled") is True:
                entries.append(_log_bucket(context, str(logging.get("Bucket") or ""), partition))
        found.append(_with(distribution, entries))
    return found


def _log_bucket(context: HookContext, domain: str, partition: str | None) -> dict[str, Any]:
    via = "standard logging"
    match = LOG_BUCKET_DOMAIN.match(domain)
    if match is None:
        return export_entry("log_delivery", via, domain or "?",
                            unknown="the log bucket is not an S3 bucket domain")
    bucket = match.group("name")
    region, why = _location(context, bucket)
    return export_entry("log_delivery", via, f"S3 bucket {bucket}", region=region, partition=partition,
                        unknown=why)
