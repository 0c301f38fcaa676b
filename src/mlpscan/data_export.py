"""The named evaluator `destinations_in_mainland`: where copies, deliveries and links of a resource go.

A provider's collection derives, per resource that sends data somewhere, `DataExport`:
`sources`, the regions the data comes from, and `destinations`, each place a copy, a delivery or a
link goes (`via`, `name`, `region`). Data leaves the mainland when a source is a mainland region
and a destination is not (Hong Kong is not mainland): the residency clause's second half
("如需出境应遵循国家相关规定"), judged where the export is configured, not where the source sits.
The region table (providers/<provider>/regions.yaml) decides; an unknown region id is an `error`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from mlpscan.findings import Status
from mlpscan.snapshot import FAILED_CALLS_KEY, CollectionError, Resource

if TYPE_CHECKING:
    from mlpscan.evaluators import Context, Judgement

DATA_EXPORT = "DataExport"


class DestinationsInMainland:
    """No source region in the mainland sends a copy, a delivery or a link to a region outside it."""

    per: Literal["resource"] = "resource"
    expected = "no copy, delivery or link from a mainland region to a region outside mainland China"

    def selects(self, resource: Resource) -> bool:
        return True

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        return True

    def judge(self, resource: Resource, context: Context) -> Judgement:
        # evaluators imports this module to register the evaluator, so this import waits until now
        from mlpscan.evaluators import Judgement  # noqa: PLC0415

        what = f"{resource.type} {resource.name or resource.uid}"
        failed = (resource.data.get(FAILED_CALLS_KEY) or {}).get(DATA_EXPORT)
        if failed:
            return Judgement(Status.ERROR, f"collection failed for what this check reads: {failed}",
                             {FAILED_CALLS_KEY: resource.data.get(FAILED_CALLS_KEY)}, self.expected)
        export = resource.data.get(DATA_EXPORT)
        if not isinstance(export, dict) or not _well_formed(export):
            return Judgement(Status.ERROR, f"where {what} sends its data was not recorded ({DATA_EXPORT} is "
                             "missing or malformed), so it cannot be judged", {DATA_EXPORT: export},
                             self.expected)
        known = context.regions.get(resource.provider)
        table = known.regions if known is not None else {}
        sources = [str(region) for region in export["sources"]]
        destinations = [dict(d) for d in export["destinations"]]
        named = {*sources, *(str(d["region"]) for d in destinations)}
        unknown = sorted(region for region in named if region not in table)
        if unknown:
            return Judgement(Status.ERROR, f"unknown {resource.provider} region id(s) {', '.join(unknown)} "
                             f"for {what}: not in providers/{resource.provider}/regions.yaml, so whether "
                             "data leaves the mainland cannot be decided", {DATA_EXPORT: export},
                             self.expected)
        for destination in destinations:
            region = table[str(destination["region"])]
            destination.update(region_name=region.name, mainland=region.mainland)
        from_mainland = sorted(source for source in sources if table[source].mainland)
        outside = [d for d in destinations if not d["mainland"]]
        observed = {"sources": sources, "mainland_sources": from_mainland, "destinations": destinations}
        if from_mainland and outside:
            origin = ", ".join(from_mainland)
            return Judgement(Status.FAIL, f"{what} sends data from mainland China ({origin}) "
                             f"to outside it: {_paths(outside)}. Such a transfer needs the state's export "
                             "procedure (security assessment, standard contract or certification) and its "
                             "record", observed, self.expected)
        if outside:
            return Judgement(Status.PASS, f"{what} sends copies outside mainland China only from regions "
                             f"outside it ({', '.join(sources) or 'none'})", observed, self.expected)
        where = (f"{len(destinations)} destination(s), all in mainland China: {export.get('evidence')}"
                 if destinations else "no copy, delivery or link to another region is configured")
        return Judgement(Status.PASS, f"{what}: {where}", observed, self.expected)


def _paths(destinations: list[dict[str, Any]]) -> str:
    return "; ".join(f"{d['via']} to {d['name']} in {d['region']} ({d['region_name']})" for d in destinations)


def _well_formed(export: dict[str, Any]) -> bool:
    """Sources are region ids, destinations say how, what and where: anything else is malformed
    (an edited or damaged snapshot), judged `error`, never read as "nothing leaves"."""
    sources, destinations = export.get("sources"), export.get("destinations")
    return (isinstance(sources, list) and all(isinstance(source, str) for source in sources)
            and isinstance(destinations, list)
            and all(isinstance(d, dict) and all(isinstance(d.get(key), str) and d.get(key)
                                                for key in ("via", "name", "region"))
                    for d in destinations))
