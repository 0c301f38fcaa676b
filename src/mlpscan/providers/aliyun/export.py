"""Where copies of data and logs go: `DataExport` for the resources that send them somewhere.

Each hook here reads answers already collected (replication rules, cross-region backup policies,
trail destinations, CEN attachments) and writes, under `DataExport`, the regions the data comes
from (`sources`) and every place a copy or a path goes (`destinations`: how, what, which region).
It only parses; `destinations_in_mainland` (mlpscan.data_export) judges against the region list.
An answer the derivation needs that could not be read makes `DataExport` failed for that
resource, so the check says `error`, never that nothing leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mlpscan.providers.cloud.runner import HookContext, with_failed_calls
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource

Destination = dict[str, str]
KEY = "DataExport"
ENABLED = "Enable"


class Unreadable(Exception):
    """An answer is there but does not say where its copies go."""


def _derive(context: HookContext, reads: Callable[[Resource], tuple[str, ...]],
            destinations: Callable[[Resource], list[Destination]],
            sources: Callable[[HookContext, Resource], list[str]] | None = None) -> list[Resource]:
    done: list[Resource] = []
    for resource in context.resources:
        failed = resource.data.get(FAILED_CALLS_KEY, {})
        reasons = [str(failed[key]) for key in reads(resource) if key in failed]
        if reasons:
            done.append(with_failed_calls(resource, {KEY: "derived from an answer that could not be read: "
                                                          + "; ".join(reasons)}))
            continue
        try:
            found = destinations(resource)
            origin = sources(context, resource) if sources is not None else [resource.region or ""]
        except Unreadable as exc:
            done.append(with_failed_calls(resource, {KEY: str(exc)}))
            continue
        export = {"sources": sorted(set(origin)), "destinations": found,
                  "evidence": "; ".join(f"{d['via']} to {d['name']} in {d['region']}" for d in found)
                              or "no copy or delivery to another place is configured"}
        done.append(resource.model_copy(update={"data": {**resource.data, KEY: export}}))
    return done


def _region_of_location(location: Any, what: str) -> str:
    """OSS writes a region as `oss-cn-beijing`; ActionTrail and the databases as `cn-beijing`."""
    if not isinstance(location, str) or not location:
        raise Unreadable(f"{what} names no region ({location!r})")
    return location.removeprefix("oss-")


# -- OSS: cross-region (and same-region) replication --------------------------------------------

def bucket_data_export(context: HookContext) -> list[Resource]:
    return _derive(context, lambda _: ("GetBucketReplication",), _bucket_replicas)


def _bucket_replicas(resource: Resource) -> list[Destination]:
    rules = resource.data.get("GetBucketReplication")
    if rules is None:       # NoSuchReplicationConfiguration
        return []
    if not isinstance(rules, list):
        raise Unreadable(f"GetBucketReplication is {type(rules).__name__}, not a list of rules")
    found = []
    for rule in rules:
        destination = (rule or {}).get("Destination") or {}
        found.append({"via": "OSS replication", "name": str(destination.get("Bucket") or "?"),
                      "region": _region_of_location(destination.get("Location"),
                                                    f"replication rule {rule.get('ID')!r}")})
    return found


# -- databases: backups kept in another region ----------------------------------------------------

def database_data_export(context: HookContext) -> list[Resource]:
    """RDS cross-region backups, PolarDB level-2 backups in another region, MongoDB cross-region
    backups. (RDS and PolarDB read-only nodes stay in their instance's region.)"""
    return _derive(context, _database_reads, _database_copies)


def _database_reads(resource: Resource) -> tuple[str, ...]:
    return (("DescribeInstanceCrossBackupPolicy",) if resource.type == "aliyun.rds.instance"
            else ("DescribeBackupPolicy",))


def _database_copies(resource: Resource) -> list[Destination]:
    data = resource.data
    if resource.type == "aliyun.rds.instance":
        policy = _answer(data, "DescribeInstanceCrossBackupPolicy")
        if ENABLED not in (policy.get("BackupEnabled"), policy.get("LogBackupEnabled")):
            return []
        return [{"via": "RDS cross-region backup", "name": str(data.get("DBInstanceId")),
                 "region": _region_of_location(policy.get("CrossBackupRegion"), "the cross-region backup")}]
    policy = _answer(data, "DescribeBackupPolicy")
    if resource.type == "aliyun.polardb.cluster":
        region = policy.get("DataLevel2BackupAnotherRegionRegion")
        if not region or str(policy.get("DataLevel2BackupAnotherRegionRetentionPeriod") or "0") == "0":
            return []
        return [{"via": "PolarDB level-2 backup in another region", "name": str(data.get("DBClusterId")),
                 "region": _region_of_location(region, "the level-2 backup")}]
    region = policy.get("DestRegion")   # MongoDB: cross-region backup
    if not region:
        return []
    return [{"via": "MongoDB cross-region backup", "name": str(data.get("DBInstanceId")),
             "region": _region_of_location(region, "the cross-region backup")}]


def _answer(data: dict[str, Any], key: str) -> dict[str, Any]:
    answer = data.get(key)
    if not isinstance(answer, dict):
        raise Unreadable(f"{key} was not read ({answer!r})")
    return answer


# -- ActionTrail: where the audit records are delivered -------------------------------------------

def trail_data_export(context: HookContext) -> list[Resource]:
    return _derive(context, lambda _: (), _trail_deliveries, _trail_sources)


def _trail_deliveries(resource: Resource) -> list[Destination]:
    data = resource.data
    found = []
    project_arn = str(data.get("SlsProjectArn") or "")
    if project_arn:
        parts = project_arn.split(":")
        if len(parts) < 5 or not parts[2]:
            raise Unreadable(f"SlsProjectArn {project_arn!r} names no region")
        found.append({"via": "ActionTrail delivery to Log Service",
                      "name": parts[-1].removeprefix("project/"), "region": parts[2]})
    bucket = str(data.get("OssBucketName") or "")
    if bucket:
        found.append({"via": "ActionTrail delivery to OSS", "name": bucket,
                      "region": _region_of_location(data.get("OssBucketLocation"), f"bucket {bucket}")})
    return found


def _trail_sources(context: HookContext, resource: Resource) -> list[str]:
    """A trail of every region records the whole account (its mainland regions included)."""
    scope = str(resource.data.get("TrailRegion") or "")
    if scope == "All":
        return [*context.account.regions, resource.region or ""]
    return [region.strip() for region in scope.split(",") if region.strip()] or [resource.region or ""]


# -- CEN: networks of several regions joined --------------------------------------------------------

def cen_data_export(context: HookContext) -> list[Resource]:
    return _derive(context, lambda _: ("ChildInstances",), _cen_members, _cen_regions)


def _cen_members(resource: Resource) -> list[Destination]:
    return [{"via": f"CEN attachment ({child.get('ChildInstanceType')})",
             "name": str(child.get("ChildInstanceId")),
             "region": _region_of_location(child.get("ChildInstanceRegionId"), "a CEN attachment")}
            for child in _children(resource)]


def _cen_regions(context: HookContext, resource: Resource) -> list[str]:
    return [_region_of_location(child.get("ChildInstanceRegionId"), "a CEN attachment")
            for child in _children(resource)]


def _children(resource: Resource) -> Iterable[dict[str, Any]]:
    children = resource.data.get("ChildInstances")
    if not isinstance(children, list):
        raise Unreadable(f"ChildInstances is {type(children).__name__}, not a list")
    return [child for child in children if isinstance(child, dict)]
