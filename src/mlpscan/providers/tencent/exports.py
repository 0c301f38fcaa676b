"""Where Tencent resources copy or send data: each path becomes an entry of `DataExports`.

The hooks only read what the answers say (a replication rule's destination bucket, a
disaster-recovery instance's region, the regions a CCN connects) and write it in the shape every
cloud shares (src/mlpscan/data_export.py judges it against providers/tencent/regions.yaml). When
the answer an entry comes from could not be read, `DataExports` fails with that call, so the
check says `error`, never `pass`.
"""

from __future__ import annotations

from mlpscan.providers.cloud.exports import KEY, export_entry
from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.derive import as_list, with_derived
from mlpscan.snapshot import Resource

# States in which a CCN attachment or a peering connection carries no traffic.
GONE = frozenset({"REJECTED", "DELETED", "FAILED", "EXPIRED"})


def track_exports(context: HookContext) -> list[Resource]:
    """An enabled CloudAudit track (Status 1) delivers its logs to a CLS topic or a COS bucket in
    `StorageRegion`; a disabled one delivers nothing."""
    found = []
    for track in context.resources:
        storage = track.data.get("Storage")
        entries = []
        if track.data.get("Status") == 1 and isinstance(storage, dict) and storage.get("StorageType"):
            kind = "CLS topic" if storage.get("StorageType") == "cls" else "COS bucket"
            entries.append(export_entry("log_delivery", f"track {track.name or track.uid}",
                                        f"{kind} {storage.get('StorageName') or '?'}",
                                        region=storage.get("StorageRegion"),
                                        unknown="the track names no StorageRegion"))
        found.append(with_derived(track, (), **{KEY: entries}))
    return found


def bucket_exports(context: HookContext) -> list[Resource]:
    """Enabled cross-region replication rules: Destination.Bucket is qcs::cos:<region>::<bucket>."""
    found = []
    for bucket in context.resources:
        config = bucket.data.get("GetBucketReplication")
        entries = []
        for rule in as_list((config or {}).get("Rule") or []) if isinstance(config, dict) else []:
            if not isinstance(rule, dict) or rule.get("Status") != "Enabled":
                continue
            target = str((rule.get("Destination") or {}).get("Bucket") or "")
            parts = target.split(":")
            region = parts[3] if len(parts) == 6 and parts[:3] == ["qcs", "", "cos"] else None
            entries.append(export_entry("replication", f"replication rule {rule.get('ID') or '?'}",
                                        target or "?", region=region,
                                        unknown=f"the destination {target!r} does not name its region"))
        found.append(with_derived(bucket, ("GetBucketReplication",), **{KEY: entries}))
    return found


def cdb_exports(context: HookContext) -> list[Resource]:
    """A MySQL instance's disaster-recovery instances (DrInfo), each in its own region."""
    return [with_derived(db, (), **{KEY: [
        export_entry("standby", "disaster-recovery instance", str(dr.get("InstanceId") or "?"),
                     region=dr.get("Region"), unknown="the disaster-recovery instance names no region")
        for dr in as_list(db.data.get("DrInfo") or []) if isinstance(dr, dict)]}) for db in context.resources]


def mongodb_exports(context: HookContext) -> list[Resource]:
    """A MongoDB instance's disaster-recovery (standby) instances."""
    return [with_derived(db, (), **{KEY: [
        export_entry("standby", "disaster-recovery instance", str(standby.get("InstanceId") or "?"),
                     region=standby.get("Region"), unknown="the standby instance names no region")
        for standby in as_list(db.data.get("StandbyInstances") or []) if isinstance(standby, dict)]})
        for db in context.resources]


def cynosdb_exports(context: HookContext) -> list[Resource]:
    """TDSQL-C cross-region logical backups: LogicCrossRegions when LogicCrossRegionsEnable is ON."""
    found = []
    for cluster in context.resources:
        config = cluster.data.get("DescribeBackupConfig")
        logic = (config or {}).get("LogicBackupConfig") if isinstance(config, dict) else None
        entries = []
        if isinstance(logic, dict) and str(logic.get("LogicCrossRegionsEnable") or "").upper() == "ON":
            entries = [export_entry("backup", "cross-region logical backup", "logical backup storage",
                                    region=region)
                       for region in as_list(logic.get("LogicCrossRegions") or [])]
        found.append(with_derived(cluster, ("DescribeBackupConfig",), **{KEY: entries}))
    return found


def ccn_exports(context: HookContext) -> list[Resource]:
    """Every instance a Cloud Connect Network attaches, in its own region: traffic flows between all."""
    found = []
    for ccn in context.resources:
        attached = ccn.data.get("DescribeCcnAttachedInstances")
        entries = [export_entry("interconnect", f"CCN {ccn.name or ccn.uid}",
                                f"{item.get('InstanceType') or 'instance'} {item.get('InstanceId') or '?'}",
                                region=item.get("InstanceRegion"),
                                unknown="the attached instance names no region")
                   for item in (attached if isinstance(attached, list) else [])
                   if isinstance(item, dict) and str(item.get("State") or "").upper() not in GONE]
        found.append(with_derived(ccn, ("DescribeCcnAttachedInstances",), **{KEY: entries}))
    return found


def peering_exports(context: HookContext) -> list[Resource]:
    """A peering connection links this region's VPC with the peer's region."""
    found = []
    for peering in context.resources:
        data = peering.data
        entries = []
        if str(data.get("State") or "").upper() not in GONE:
            for side, vpc in (("SourceRegion", "SourceVpcId"), ("DestinationRegion", "PeerVpcId")):
                if data.get(side) != peering.region:
                    entries.append(export_entry("interconnect", f"peering {peering.name or peering.uid}",
                                                f"VPC {data.get(vpc) or '?'}", region=data.get(side),
                                                unknown=f"the peering connection names no {side}"))
        found.append(with_derived(peering, (), **{KEY: entries}))
    return found
