"""Where data leaves the mainland: the `data_export_destinations` evaluator.

Collection turns each way a resource copies or sends data elsewhere (a replication rule, a
cross-region backup or read replica, a log delivery, an interconnect attachment) into one entry
of the resource's `DataExports` list, in the same shape on every cloud
(mlpscan.providers.cloud.exports).

This module judges those entries against the provider's region list (providers/<p>/regions.yaml,
its mainland flags and partitions), so the verdict can be re-made offline from the evidence. A
destination is outside the mainland when its region is not mainland, or when its region is not
known but its partition holds no mainland region (an `arn:aws:` bucket seen from aws-cn); it is
inside when its region is mainland, or when every region of its partition is. Anything else (an
unknown region id, a region that could not be read) is undetermined: an `error` naming why,
never a pass. An entry not in that shape (an edited or damaged snapshot) is an `error` too, never
read as "nothing leaves" and never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from mlpscan.evaluators import EVALUATORS, Context, Judgement, MessageSpec
from mlpscan.findings import Status
from mlpscan.i18n import Phrase
from mlpscan.providers.cloud.exports import KEY as EXPORTS_KEY
from mlpscan.regions import RegionList
from mlpscan.snapshot import FAILED_CALLS_KEY, CollectionError, Resource

# One path's verb names its kind; an unknown kind is said as "other".
PATH_KINDS = ("replication", "backup", "read_replica", "standby", "log_delivery", "interconnect", "cdn",
              "other")
# Fields every entry has, and the types they may hold (None: not known).
REQUIRED_TEXT = ("kind", "via", "destination")
OPTIONAL_TEXT = ("region", "partition", "unknown")


class DataExportDestinations:
    """Every destination a resource copies or sends data to lies in mainland China."""

    per: Literal["resource"] = "resource"
    expected = ("every replication, backup copy, replica, CDN edge, log delivery and interconnect stays in "
                "mainland China")
    messages: ClassVar[MessageSpec] = {
        "collection_failed": ("reason",),
        "not_derived": ("what",),
        "malformed": ("what", "entries"),
        "malformed_entry": ("number", "fields"),
        "outside": ("what", "paths"),
        "outside_and_undetermined": ("what", "paths", "undetermined"),
        "undetermined": ("what", "paths"),
        "nowhere": ("what",),
        "inside": ("what", "paths"),
        **dict.fromkeys(PATH_KINDS, ("destination", "where", "via")),
        "with_reason": ("path", "reason"),
        "region_mainland": ("region_name",),
        "region_outside": ("region_name",),
        "region_unknown": ("region", "provider"),
        "partition_outside": ("partition",),
        "partition_mainland": ("partition",),
        "no_region_list": (),
        "no_region": (),
        "unknown_region_of": ("why",),
        "an_unknown_region": (),
    }

    def selects(self, resource: Resource) -> bool:
        return True

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        return True

    def judge(self, resource: Resource, context: Context) -> Judgement:
        what = f"{resource.type} {resource.name or resource.uid}"
        failed = (resource.data.get(FAILED_CALLS_KEY) or {}).get(EXPORTS_KEY)
        if failed:
            return Judgement(Status.ERROR, Phrase("collection_failed", {"reason": str(failed)}),
                             {FAILED_CALLS_KEY: resource.data.get(FAILED_CALLS_KEY)}, self.expected)
        exports = resource.data.get(EXPORTS_KEY)
        if not isinstance(exports, list) or not all(isinstance(entry, dict) for entry in exports):
            return Judgement(Status.ERROR, Phrase("not_derived", {"what": what}), {EXPORTS_KEY: exports},
                             self.expected)
        malformed = [Phrase("malformed_entry", {"number": number, "fields": fields})
                     for number, entry in enumerate(exports, start=1) if (fields := _malformed_fields(entry))]
        if malformed:
            return Judgement(Status.ERROR, Phrase("malformed", {"what": what, "entries": malformed}),
                             {EXPORTS_KEY: exports}, self.expected)
        regions = context.regions.get(resource.provider)
        outside: list[Phrase] = []
        unknown: list[Phrase] = []
        judged: list[dict[str, Any]] = []
        for entry in exports:
            verdict, reason = _locate(entry, regions)
            judged.append({**entry, "mainland": verdict})
            line = Phrase("with_reason", {"path": _path(entry), "reason": reason})
            if verdict is False:
                outside.append(line)
            elif verdict is None:
                unknown.append(line)
        observed = {EXPORTS_KEY: judged}
        if outside and unknown:
            return Judgement(Status.FAIL, Phrase("outside_and_undetermined",
                                                 {"what": what, "paths": outside, "undetermined": unknown}),
                             observed, self.expected)
        if outside:
            return Judgement(Status.FAIL, Phrase("outside", {"what": what, "paths": outside}), observed,
                             self.expected)
        if unknown:
            return Judgement(Status.ERROR, Phrase("undetermined", {"what": what, "paths": unknown}), observed,
                             self.expected)
        if not exports:
            return Judgement(Status.PASS, Phrase("nowhere", {"what": what}), observed, self.expected)
        return Judgement(Status.PASS, Phrase("inside", {"what": what, "paths": [_path(e) for e in exports]}),
                         observed, self.expected)


def _malformed_fields(entry: Mapping[str, Any]) -> list[str]:
    """The fields of an entry that are missing or of the wrong type."""
    missing = [key for key in REQUIRED_TEXT if not isinstance(entry.get(key), str) or not entry.get(key)]
    return missing + [key for key in OPTIONAL_TEXT if not isinstance(entry.get(key), str | None)]


def _locate(entry: Mapping[str, Any], regions: RegionList | None) -> tuple[bool | None, Phrase]:
    """(True inside, False outside, None undetermined) and what decided it."""
    region_id, partition = entry.get("region"), entry.get("partition")
    if regions is None:
        return None, Phrase("no_region_list")
    if isinstance(region_id, str) and region_id:
        region = regions.regions.get(region_id)
        if region is None:
            return None, Phrase("region_unknown", {"region": region_id, "provider": regions.provider})
        return region.mainland, Phrase("region_mainland" if region.mainland else "region_outside",
                                       {"region_name": region.name})
    if isinstance(partition, str) and partition:
        flags = {region.mainland for region in regions.regions.values() if region.partition == partition}
        if flags == {False}:
            return False, Phrase("partition_outside", {"partition": partition})
        if flags == {True}:
            return True, Phrase("partition_mainland", {"partition": partition})
    why = entry.get("unknown")
    return None, Phrase("unknown_region_of", {"why": str(why)}) if why else Phrase("no_region")


def _path(entry: Mapping[str, Any]) -> Phrase:
    kind = str(entry.get("kind"))
    where = entry.get("region") or entry.get("partition")
    return Phrase(kind if kind in PATH_KINDS else "other",
                  {"destination": str(entry.get("destination") or "?"),
                   "where": str(where) if where else Phrase("an_unknown_region"),
                   "via": str(entry.get("via") or "?")})


EVALUATORS["data_export_destinations"] = DataExportDestinations()
