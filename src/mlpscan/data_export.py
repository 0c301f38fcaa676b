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
# The evaluator's messages: key -> (the values it gives, the English template). Keyed and valued
# like the message catalogue evaluators use on main (profiles/i18n/evaluators.yaml), so the
# templates move there, with their zh and ja, when the branches meet.
MESSAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "collection_failed": (("reason",), "collection failed for what this check reads: {reason}"),
    "not_derived": (("what",), "where {what} sends data was not derived (DataExports is missing or "
                               "malformed): collect it again with this version"),
    "outside": (("what", "paths"), "{what} sends data out of mainland China: {paths}"),
    "outside_and_undetermined": (("what", "paths", "undetermined"), "{what} sends data out of mainland "
                                 "China: {paths} (also undetermined: {undetermined})"),
    "undetermined": (("what", "paths"), "where {what} sends data cannot be decided: {paths}"),
    "nowhere": (("what",), "{what} copies or sends data nowhere"),
    "inside": (("what", "paths"), "{what} sends data only within mainland China: {paths}"),
    # one path: the verb names its kind
    "replication": (("destination", "where", "via"), "replicates to {destination} in {where} ({via})"),
    "backup": (("destination", "where", "via"), "copies backups to {destination} in {where} ({via})"),
    "read_replica": (("destination", "where", "via"), "keeps a replica in {destination} in {where} ({via})"),
    "standby": (("destination", "where", "via"), "keeps a standby in {destination} in {where} ({via})"),
    "log_delivery": (("destination", "where", "via"), "delivers logs to {destination} in {where} ({via})"),
    "interconnect": (("destination", "where", "via"), "is connected to {destination} in {where} ({via})"),
    "other": (("destination", "where", "via"), "sends data to {destination} in {where} ({via})"),
    "with_reason": (("path", "reason"), "{path}: {reason}"),
    # what decided a path
    "region_mainland": (("region_name",), "{region_name}, mainland China"),
    "region_outside": (("region_name",), "{region_name}, outside mainland China"),
    "region_unknown": (("region", "provider"),
                       "unknown region id '{region}' (not in providers/{provider}/regions.yaml)"),
    "partition_outside": (("partition",), "partition {partition} has no region in mainland China"),
    "partition_mainland": (("partition",), "partition {partition} lies wholly in mainland China"),
    "no_region_list": ((), "no region list for this provider"),
    "no_region": ((), "the destination's region is not known"),
}


def say(key: str, **values: str) -> str:
    names, template = MESSAGES[key]
    assert set(values) == set(names), (key, sorted(values))
    return template.format(**values)


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
            return Judgement(Status.ERROR, say("collection_failed", reason=str(failed)),
                             {FAILED_CALLS_KEY: resource.data.get(FAILED_CALLS_KEY)}, self.expected)
        exports = resource.data.get(EXPORTS_KEY)
        if not isinstance(exports, list) or not all(isinstance(entry, dict) for entry in exports):
            return Judgement(Status.ERROR, say("not_derived", what=what), {EXPORTS_KEY: exports},
                             self.expected)
        regions = context.regions.get(resource.provider)
        outside: list[str] = []
        unknown: list[str] = []
        judged: list[dict[str, Any]] = []
        for entry in exports:
            verdict, reason = _locate(entry, regions)
            judged.append({**entry, "mainland": verdict})
            line = say("with_reason", path=_path(entry), reason=reason)
            if verdict is False:
                outside.append(line)
            elif verdict is None:
                unknown.append(line)
        observed = {EXPORTS_KEY: judged}
        if outside and unknown:
            return Judgement(Status.FAIL, say("outside_and_undetermined", what=what, paths="; ".join(outside),
                                              undetermined="; ".join(unknown)), observed, self.expected)
        if outside:
            return Judgement(Status.FAIL, say("outside", what=what, paths="; ".join(outside)), observed,
                             self.expected)
        if unknown:
            return Judgement(Status.ERROR, say("undetermined", what=what, paths="; ".join(unknown)), observed,
                             self.expected)
        if not exports:
            return Judgement(Status.PASS, say("nowhere", what=what), observed, self.expected)
        return Judgement(Status.PASS, say("inside", what=what, paths="; ".join(_path(e) for e in exports)),
                         observed, self.expected)


def _locate(entry: Mapping[str, Any], regions: RegionList | None) -> tuple[bool | None, str]:
    """(True inside, False outside, None undetermined) and what decided it."""
    region_id, partition = entry.get("region"), entry.get("partition")
    if regions is None:
        return None, say("no_region_list")
    if isinstance(region_id, str) and region_id:
        region = regions.regions.get(region_id)
        if region is None:
            return None, say("region_unknown", region=region_id, provider=regions.provider)
        return region.mainland, say("region_mainland" if region.mainland else "region_outside",
                                    region_name=region.name)
    if isinstance(partition, str) and partition:
        flags = {region.mainland for region in regions.regions.values() if region.partition == partition}
        if flags == {False}:
            return False, say("partition_outside", partition=partition)
        if flags == {True}:
            return True, say("partition_mainland", partition=partition)
    return None, str(entry.get("unknown") or say("no_region"))


def _path(entry: Mapping[str, Any]) -> str:
    kind = str(entry.get("kind"))
    return say(kind if kind in MESSAGES and len(MESSAGES[kind][0]) == 3 else "other",
               destination=str(entry.get("destination") or "?"),
               where=str(entry.get("region") or entry.get("partition") or "an unknown region"),
               via=str(entry.get("via") or "?"))


EVALUATORS["data_export_destinations"] = DataExportDestinations()
