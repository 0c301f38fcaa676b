"""Named Python evaluators, for the rare check the condition language cannot say.

Each one is small and reviewed; a check names it with `evaluator: <name>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from mlpscan.findings import Status
from mlpscan.platforms import PlatformLevel, PlatformTable, published_level
from mlpscan.regions import RegionList
from mlpscan.snapshot import FAILED_CALLS_KEY, REGION_KEY, CollectionError, Resource, Target


@dataclass(frozen=True)
class Context:
    level: int
    params: Mapping[str, Any]
    regions: Mapping[str, RegionList]
    platforms: PlatformTable


@dataclass(frozen=True)
class Judgement:
    status: Status
    message: str
    observed: Any = None
    expected: str | None = None


class ResourceEvaluator(Protocol):
    per: Literal["resource"]

    def selects(self, resource: Resource) -> bool: ...
    def selects_error(self, error: CollectionError, context: Context) -> bool: ...
    def judge(self, resource: Resource, context: Context) -> Judgement: ...


class TargetEvaluator(Protocol):
    per: Literal["target"]

    def judge(self, target: Target, resources: Sequence[Resource], context: Context) -> Judgement: ...


class MainlandResidency:
    """Every regional resource lies in a mainland-China region (Hong Kong is not mainland)."""

    per: Literal["resource"] = "resource"
    expected = "resource region is in mainland China"

    def selects(self, resource: Resource) -> bool:
        return resource.region is not None or REGION_KEY in resource.data.get(FAILED_CALLS_KEY, {})

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        """Only failures that could hide data outside the mainland.

        What could not be listed in a mainland region is in the mainland whatever it is; a
        failure in another region, or one that lost a whole account ("aws.*"), leaves doubt.
        """
        if error.region is None:
            return "*" in error.type
        known = context.regions.get(error.type.split(".", 1)[0])
        region = known.regions.get(error.region) if known else None
        return region is None or not region.mainland

    def judge(self, resource: Resource, context: Context) -> Judgement:
        provider, region_id = resource.provider, resource.region or ""
        known = context.regions.get(provider)
        region = known.regions.get(region_id) if known else None
        what = f"{resource.type} {resource.name or resource.uid}"
        if resource.region is None:
            reason = resource.data.get(FAILED_CALLS_KEY, {}).get(REGION_KEY, "")
            return Judgement(Status.ERROR, f"the region of {what} could not be determined ({reason}), so "
                             "its location cannot be decided", observed={"region": None},
                             expected=self.expected)
        if region is None:
            return Judgement(
                Status.ERROR,
                f"unknown {provider} region id '{region_id}' for {what}: it is not in "
                f"providers/{provider}/regions.yaml, so its location cannot be decided",
                observed={"region": region_id}, expected=self.expected)
        observed = {"region": region_id, "region_name": region.name, "mainland": region.mainland}
        if region.mainland:
            return Judgement(Status.PASS, f"{what} is in {region_id} ({region.name}), mainland China",
                             observed, self.expected)
        return Judgement(
            Status.FAIL,
            f"{what} is in {region_id} ({region.name}), outside mainland China: customer data and "
            "personal information must be stored in China",
            observed, self.expected)


class PlatformLevelAtLeastSystem:
    """The cloud platform's MLPS level is not lower than the system's."""

    per: Literal["target"] = "target"

    def judge(self, target: Target, resources: Sequence[Resource], context: Context) -> Judgement:
        expected = f"platform MLPS level >= {context.level}"
        known: PlatformLevel | None
        evidence = None
        if target.platform is not None:
            declared = target.platform
            evidence = declared.evidence
            known = PlatformLevel(level=declared.level, name=declared.name or "declared platform",
                                  source=declared.source, kind="declared")
            uncovered: list[str] = []
        else:
            regions = set(target.regions) | {r.region for r in resources if r.region}
            known, uncovered = published_level(context.platforms, target.provider, regions)
            if not regions:
                uncovered = ["(no region recorded)"]
        if known is None or uncovered:
            missing = ", ".join(uncovered) if uncovered else "all regions"
            return Judgement(
                Status.MANUAL,
                f"no published MLPS level for {target.provider} platform in {missing}. Attach the "
                "provider's filing certificate (备案证明) or assessment report summary for this "
                "platform and declare its level under 'platforms:' in mlpscan.yaml",
                observed={"uncovered_regions": uncovered,
                          "published_level": known.level if known else None},
                expected=expected)
        observed = {"platform": known.name, "platform_level": known.level, "source": known.source,
                    "evidence": evidence, "as_of": known.as_of, "confidence": known.confidence}
        basis = (known.source + (f", evidence: {evidence}" if evidence else ", no evidence recorded")
                 if known.kind == "declared"
                 else f"published, as of {known.as_of}, confidence {known.confidence}; "
                      "keep the provider's current filing certificate as evidence")
        if known.level < context.level:
            return Judgement(
                Status.FAIL,
                f"platform {known.name} is MLPS level {known.level}, lower than the system's level "
                f"{context.level} ({basis})", observed, expected)
        return Judgement(
            Status.PASS,
            f"platform {known.name} is MLPS level {known.level} >= system level {context.level} "
            f"({basis})", observed, expected)


EVALUATORS: dict[str, ResourceEvaluator | TargetEvaluator] = {
    "mainland_residency": MainlandResidency(),
    "platform_level_at_least_system": PlatformLevelAtLeastSystem(),
}
