"""Where data leaves the mainland: the `data_export_destinations` evaluator.

Collection turns each way a resource copies or sends data elsewhere (a replication rule, a
cross-region backup or read replica, a log delivery, an interconnect attachment) into one entry
of the resource's `DataExports` list, in the same shape on every cloud:

    {"kind": "replication", "via": "rule r1", "destination": "arn:aws-cn:s3:::dst",
     "region": "cn-northwest-1" | null, "partition": "aws-cn" | null, "unknown": "why" | null}

This module judges those entries against the provider's region list (providers/<p>/regions.yaml,
its mainland flags and partitions), so the verdict can be re-made offline from the evidence. A
destination is outside the mainland when its region is not mainland, or when its region is not
known but its partition holds no mainland region (an `arn:aws:` bucket seen from aws-cn); it is
inside when its region is mainland, or when every region of its partition is. Anything else (an
unknown region id, a region that could not be read) is undetermined: an `error` naming why,
never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from mlpscan.evaluators import EVALUATORS, Context, Judgement
from mlpscan.findings import Status
from mlpscan.regions import RegionList
from mlpscan.snapshot import FAILED_CALLS_KEY, CollectionError, Resource

EXPORTS_KEY = "DataExports"
KINDS = {"replication": "replicates to", "backup": "copies backups to", "read_replica": "keeps a replica in",
         "standby": "keeps a standby in", "log_delivery": "delivers logs to",
         "interconnect": "is connected to"}


class DataExportDestinations:
    """Every destination a resource copies or sends data to lies in mainland China."""

    per: Literal["resource"] = "resource"
    expected = ("every replication, backup copy, replica, log delivery and interconnect stays in "
                "mainland China")

    def selects(self, resource: Resource) -> bool:
        return True

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        return True

    def judge(self, resource: Resource, context: Context) -> Judgement:
        what = f"{resource.type} {resource.name or resource.uid}"
        failed = (resource.data.get(FAILED_CALLS_KEY) or {}).get(EXPORTS_KEY)
        if failed:
            return Judgement(Status.ERROR, f"collection failed for what this check reads: {failed}",
                             {FAILED_CALLS_KEY: resource.data.get(FAILED_CALLS_KEY)}, self.expected)
        exports = resource.data.get(EXPORTS_KEY)
        if not isinstance(exports, list) or not all(isinstance(entry, dict) for entry in exports):
            return Judgement(Status.ERROR, f"where {what} sends data was not derived ({EXPORTS_KEY} is "
                             "missing or malformed): collect it again with this version",
                             {EXPORTS_KEY: exports}, self.expected)
        regions = context.regions.get(resource.provider)
        outside: list[str] = []
        unknown: list[str] = []
        judged: list[dict[str, Any]] = []
        for entry in exports:
            verdict, reason = _locate(entry, regions)
            judged.append({**entry, "mainland": verdict})
            line = _describe(entry, reason)
            if verdict is False:
                outside.append(line)
            elif verdict is None:
                unknown.append(line)
        observed = {EXPORTS_KEY: judged}
        if outside:
            return Judgement(Status.FAIL, f"{what} sends data out of mainland China: " + "; ".join(outside)
                             + (f" (also undetermined: {'; '.join(unknown)})" if unknown else ""),
                             observed, self.expected)
        if unknown:
            return Judgement(Status.ERROR, f"where {what} sends data cannot be decided: "
                             + "; ".join(unknown), observed, self.expected)
        if not exports:
            return Judgement(Status.PASS, f"{what} copies or sends data nowhere", observed, self.expected)
        return Judgement(Status.PASS, f"{what} sends data only within mainland China: "
                         + "; ".join(_describe(entry, "") for entry in exports), observed, self.expected)


def _locate(entry: Mapping[str, Any], regions: RegionList | None) -> tuple[bool | None, str]:
    """(True inside, False outside, None undetermined) and what decided it."""
    region_id, partition = entry.get("region"), entry.get("partition")
    if regions is None:
        return None, "no region list for this provider"
    if isinstance(region_id, str) and region_id:
        region = regions.regions.get(region_id)
        if region is None:
            return None, f"unknown region id '{region_id}' (not in providers/{regions.provider}/regions.yaml)"
        side = "mainland China" if region.mainland else "outside mainland China"
        return region.mainland, f"{region.name}, {side}"
    if isinstance(partition, str) and partition:
        flags = {region.mainland for region in regions.regions.values() if region.partition == partition}
        if flags == {False}:
            return False, f"partition {partition} has no region in mainland China"
        if flags == {True}:
            return True, f"partition {partition} lies wholly in mainland China"
    return None, str(entry.get("unknown") or "the destination's region is not known")


def _describe(entry: Mapping[str, Any], reason: str) -> str:
    verb = KINDS.get(str(entry.get("kind")), "sends data to")
    via = f" ({entry['via']})" if entry.get("via") else ""
    where = entry.get("region") or entry.get("partition") or "an unknown region"
    return f"{verb} {entry.get('destination') or '?'} in {where}{via}" + (f": {reason}" if reason else "")


EVALUATORS["data_export_destinations"] = DataExportDestinations()
