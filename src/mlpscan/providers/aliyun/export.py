"""Where copies of data and logs go: `DataExports` for the Alibaba resources that send them somewhere.

Each hook here reads answers already collected (replication rules, cross-region backup policies,
trail destinations, CEN attachments) and writes every place a copy, a delivery or a link goes as
an entry of `DataExports`, in the shape every cloud shares (mlpscan.providers.cloud.exports);
`data_export_destinations` (mlpscan.data_export) judges the entries against the region list. A
destination whose region the answer does not name is an entry with `unknown` saying so (judged
`error`). An answer the derivation needs that could not be read, or that is not in its API's
shape, makes `DataExports` failed for that resource, so the check says `error`, never that
nothing leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mlpscan.providers.cloud.exports import KEY, export_entry
from mlpscan.providers.cloud.runner import HookContext, with_failed_calls
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource

Entry = dict[str, Any]
ENABLED = "Enable"


class Unreadable(Exception):
    """An answer is there but not in the shape its API declares."""


def _derive(context: HookContext, reads: Callable[[Resource], tuple[str, ...]],
            entries: Callable[[Resource], list[Entry]]) -> list[Resource]:
    done: list[Resource] = []
    for resource in context.resources:
        failed = resource.data.get(FAILED_CALLS_KEY, {})
        reasons = [str(failed[key]) for key in reads(resource) if key in failed]
        if reasons:
            done.append(with_failed_calls(resource, {KEY: "derived from an answer that could not be read: "
                                                          + "; ".join(reasons)}))
            continue
        try:
            found = entries(resource)
        except Unreadable as exc:
            done.append(with_failed_calls(resource, {KEY: str(exc)}))
            continue
        done.append(resource.model_copy(update={"data": {**resource.data, KEY: found}}))
    return done


def _region(location: Any) -> str | None:
    """OSS writes a region as `oss-cn-beijing`; ActionTrail, CEN and the databases as `cn-beijing`."""
    return location.removeprefix("oss-") if isinstance(location, str) and location else None


# -- OSS: cross-region (and same-region) replication --------------------------------------------

def bucket_data_export(context: HookContext) -> list[Resource]:
    return _derive(context, lambda _: ("GetBucketReplication",), _bucket_replicas)


def _bucket_replicas(resource: Resource) -> list[Entry]:
    rules = resource.data.get("GetBucketReplication")
    if rules is None:       # NoSuchReplicationConfiguration
        return []
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise Unreadable(f"GetBucketReplication is {type(rules).__name__}, not a list of rules")
    found = []
    for rule in rules:
        destination = rule.get("Destination") if isinstance(rule.get("Destination"), dict) else {}
        location = destination.get("Location")
        found.append(export_entry("replication", f"replication rule {rule.get('ID') or '?'}",
                                  f"bucket {destination.get('Bucket') or '?'}", region=_region(location),
                                  unknown=f"the rule's destination names no region ({location!r})"))
    return found


# -- databases: backups kept in another region ----------------------------------------------------

def database_data_export(context: HookContext) -> list[Resource]:
    """RDS cross-region backups, PolarDB level-2 backups in another region, MongoDB cross-region
    backups. (RDS and PolarDB read-only nodes stay in their instance's region.)"""
    return _derive(context, _database_reads, _database_copies)


def _database_reads(resource: Resource) -> tuple[str, ...]:
    return (("DescribeInstanceCrossBackupPolicy",) if resource.type == "aliyun.rds.instance"
            else ("DescribeBackupPolicy",))


def _database_copies(resource: Resource) -> list[Entry]:
    data = resource.data
    if resource.type == "aliyun.rds.instance":
        policy = _answer(data, "DescribeInstanceCrossBackupPolicy")
        if ENABLED not in (policy.get("BackupEnabled"), policy.get("LogBackupEnabled")):
            return []
        region = policy.get("CrossBackupRegion")
        return [export_entry("backup", "RDS cross-region backup", f"backup set of {data.get('DBInstanceId')}",
                             region=_region(region),
                             unknown=f"the cross-region backup names no region ({region!r})")]
    policy = _answer(data, "DescribeBackupPolicy")
    if resource.type == "aliyun.polardb.cluster":
        region = policy.get("DataLevel2BackupAnotherRegionRegion")
        if not region or str(policy.get("DataLevel2BackupAnotherRegionRetentionPeriod") or "0") == "0":
            return []
        return [export_entry("backup", "PolarDB level-2 backup in another region",
                             f"backup set of {data.get('DBClusterId')}", region=_region(region),
                             unknown=f"the level-2 backup names no region ({region!r})")]
    region = policy.get("DestRegion")   # MongoDB: cross-region backup
    if not region:
        return []
    return [export_entry("backup", "MongoDB cross-region backup", f"backup set of {data.get('DBInstanceId')}",
                         region=_region(region),
                         unknown=f"the cross-region backup names no region ({region!r})")]


def _answer(data: dict[str, Any], key: str) -> dict[str, Any]:
    answer = data.get(key)
    if not isinstance(answer, dict):
        raise Unreadable(f"{key} was not read ({answer!r})")
    return answer


# -- ActionTrail: where the audit records are delivered -------------------------------------------

def trail_data_export(context: HookContext) -> list[Resource]:
    return _derive(context, lambda _: (), _trail_deliveries)


def _trail_deliveries(resource: Resource) -> list[Entry]:
    data = resource.data
    via = f"trail {resource.name or resource.uid}"
    found = []
    project_arn = str(data.get("SlsProjectArn") or "")
    if project_arn:
        # acs:log:<region>:<account>:project/<name>
        parts = project_arn.split(":")
        region = parts[2] if len(parts) >= 5 else None
        project = parts[-1].removeprefix("project/")
        found.append(export_entry("log_delivery", via, f"Log Service project {project}", region=region,
                                  unknown=f"SlsProjectArn {project_arn!r} names no region"))
    bucket = str(data.get("OssBucketName") or "")
    if bucket:
        location = data.get("OssBucketLocation")
        found.append(export_entry("log_delivery", via, f"OSS bucket {bucket}", region=_region(location),
                                  unknown=f"the trail names no location of bucket {bucket} ({location!r})"))
    return found


# -- CEN: networks of several regions joined --------------------------------------------------------

def cen_data_export(context: HookContext) -> list[Resource]:
    """Every network a CEN instance attaches, in its own region: traffic flows between all."""
    return _derive(context, lambda _: ("ChildInstances",), _cen_members)


def _cen_members(resource: Resource) -> list[Entry]:
    return [export_entry("interconnect", f"CEN {resource.name or resource.uid}",
                         f"{child.get('ChildInstanceType') or 'network'} "
                         f"{child.get('ChildInstanceId') or '?'}",
                         region=_region(child.get("ChildInstanceRegionId")),
                         unknown="the attached network names no region")
            for child in _children(resource)]


def _children(resource: Resource) -> Iterable[dict[str, Any]]:
    children = resource.data.get("ChildInstances")
    if not isinstance(children, list) or not all(isinstance(child, dict) for child in children):
        raise Unreadable(f"ChildInstances is {type(children).__name__}, not a list of attachments")
    return children
