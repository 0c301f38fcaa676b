"""Named Python evaluators, for the rare check the condition language cannot say.

Each one is small and reviewed; a check names it with `evaluator: <name>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from mlpscan.data_export import DestinationsInMainland
from mlpscan.findings import Status
from mlpscan.platforms import (
    PlatformEntry,
    PlatformLevel,
    PlatformTable,
    as_level,
    claim_date,
    published_levels,
)
from mlpscan.providers.cloud.policy_documents import (
    Statement,
    covers_everything_under,
    everyone,
    matches,
    statements,
)
from mlpscan.regions import RegionList
from mlpscan.snapshot import FAILED_CALLS_KEY, REGION_KEY, CollectionError, Resource, Target


@dataclass(frozen=True)
class Context:
    level: int
    params: Mapping[str, Any]
    regions: Mapping[str, RegionList]
    platforms: PlatformTable
    collected_at: datetime | None = None      # when the snapshot was collected: ages are measured from it
    errors: Mapping[str, Sequence[CollectionError]] = field(default_factory=dict)   # by target id


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


def _failed(resource: Resource, *keys: str) -> str | None:
    failed = resource.data.get(FAILED_CALLS_KEY) or {}
    reasons = [str(failed[key]) for key in keys if key in failed]
    return "; ".join(reasons) if reasons else None


def _unlocated(error: CollectionError, context: Context) -> bool:
    """An account-wide listing of a type that has no location (users, policies) failed."""
    known = context.regions.get(error.type.split(".", 1)[0])
    return known is not None and error.type in known.unlocated_types


class MainlandResidency:
    """Every regional resource lies in a mainland-China region (Hong Kong is not mainland)."""

    per: Literal["resource"] = "resource"
    expected = "resource region is in mainland China"

    def selects(self, resource: Resource) -> bool:
        return resource.region is not None or REGION_KEY in resource.data.get(FAILED_CALLS_KEY, {})

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        """Only failures that could hide data outside the mainland.

        What could not be listed in a mainland region is in the mainland whatever it is. A failed
        account-wide listing (region null) leaves every region in doubt (buckets, listed once for
        the account, can be anywhere), unless the type has no location at all; so does a failure
        that lost a whole account ("aws.*") or one in another region.
        """
        if error.region is None:
            return "*" in error.type or not _unlocated(error, context)
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
    """The cloud platform's MLPS level is not lower than the system's.

    The regions that count are those that hold the target's resources, and those where a listing
    failed (resources may be there). A declared platform (mlpscan.yaml, snapshot) wins. Otherwise
    any counted region whose published level is below the system's fails the check, whatever the
    other regions are; then a region with no published level, or a published claim older than
    `platform_claim_max_age_days` at collection, needs the provider's current certificate
    (`manual`). An account never reached, or one whose regions are unknown because an
    account-wide listing of located resources failed, is an `error`.
    """

    per: Literal["target"] = "target"

    def judge(self, target: Target, resources: Sequence[Resource], context: Context) -> Judgement:
        expected = f"platform MLPS level >= {context.level}"
        errors = list(context.errors.get(target.id, ()))
        lost = [e for e in errors if e.type == f"{target.provider}.*" and e.region is None]
        if lost and not resources:
            return Judgement(Status.ERROR, "the account was never reached, so the platform hosting it "
                             f"cannot be judged: {_describe(lost[0])}", {"reached": False}, expected)
        if target.platform is not None:
            declared = target.platform
            known = PlatformLevel(level=declared.level, name=declared.name or "declared platform",
                                  source=declared.source, kind="declared")
            return self._declared(known, declared.evidence, context, expected)
        held = sorted({r.region for r in resources if r.region})
        doubtful = sorted({e.region for e in errors if e.region and "*" not in e.type} - set(held))
        everywhere = [e for e in errors
                      if e.region is None and "*" not in e.type and not _unlocated(e, context)]
        regions = held + doubtful
        covered, uncovered = published_levels(context.platforms, target.provider, regions)
        observed: dict[str, Any] = {
            "regions_with_resources": held, "regions_with_failed_listings": doubtful,
            "published": {region: {"platform": entry.id, "level": entry.level, "as_of": entry.as_of}
                          for region, entry in covered.items()},
            "uncovered_regions": uncovered}
        below = {region: entry for region, entry in covered.items() if entry.level < context.level}
        if below:
            region, entry = min(below.items(), key=lambda item: item[1].level)
            basis = f"published, as of {entry.as_of}, confidence {entry.confidence}"
            return Judgement(Status.FAIL, f"platform {as_level(entry).name} in {region} is MLPS level "
                             f"{entry.level}, lower than the system's level {context.level} ({basis})",
                             {**observed, **_deciding(entry)}, expected)
        if everywhere:
            return Judgement(Status.ERROR, "where the account keeps resources is not fully known, so the "
                             f"platforms hosting them cannot be judged: {_describe(everywhere[0])}",
                             observed, expected)
        if uncovered or not regions:
            missing = ", ".join(uncovered) if uncovered else "no region (no regional resource was recorded)"
            return Judgement(
                Status.MANUAL,
                f"no published MLPS level for the {target.provider} platform in {missing}. Attach the "
                "provider's filing certificate (备案证明) or assessment report summary for this "
                "platform and declare its level under 'platforms:' in mlpscan.yaml",
                observed, expected)
        stale = self._stale(covered, context)
        if stale:
            return Judgement(
                Status.MANUAL,
                "the published MLPS level of the platform is not current: " + "; ".join(stale)
                + ". Platforms are re-assessed yearly: attach the provider's current filing certificate or "
                "assessment report summary and declare the level under 'platforms:' in mlpscan.yaml",
                observed, expected)
        entry = min(covered.values(), key=lambda entry: entry.level)
        weakest = as_level(entry)
        return Judgement(
            Status.PASS,
            f"platform {weakest.name} is MLPS level {weakest.level} >= system level {context.level} "
            f"(published, as of {weakest.as_of}, confidence {weakest.confidence}; keep the provider's "
            "current filing certificate as evidence)", {**observed, **_deciding(entry)}, expected)

    @staticmethod
    def _declared(known: PlatformLevel, evidence: str | None, context: Context, expected: str) -> Judgement:
        observed = {"platform": known.name, "platform_level": known.level, "source": known.source,
                    "evidence": evidence}
        basis = known.source + (f", evidence: {evidence}" if evidence else ", no evidence recorded")
        if known.level < context.level:
            return Judgement(Status.FAIL, f"platform {known.name} is MLPS level {known.level}, lower than "
                             f"the system's level {context.level} ({basis})", observed, expected)
        return Judgement(Status.PASS, f"platform {known.name} is MLPS level {known.level} >= system level "
                         f"{context.level} ({basis})", observed, expected)

    @staticmethod
    def _stale(covered: Mapping[str, PlatformEntry], context: Context) -> list[str]:
        """Published claims older than platform_claim_max_age_days when the snapshot was collected."""
        limit = context.params.get("platform_claim_max_age_days")
        if context.collected_at is None or not isinstance(limit, int):
            return []
        day = context.collected_at.date()
        return sorted({f"{entry.id} ({region}) is dated {entry.as_of}, "
                       f"{(day - claim_date(entry.as_of)).days} days before the collection "
                       f"(platform_claim_max_age_days: {limit})"
                       for region, entry in covered.items() if (day - claim_date(entry.as_of)).days > limit})


def _deciding(entry: PlatformEntry) -> dict[str, Any]:
    level = as_level(entry)
    return {"platform": level.name, "platform_level": level.level, "source": level.source,
            "as_of": level.as_of, "confidence": level.confidence}


class WorldOpenAdminPorts:
    """No remote-administration port (the level's admin_ports) can be reached from the whole
    Internet over TCP, read from the security group's effective open ranges (WorldOpenRanges,
    derived at collection the same way on every cloud)."""

    per: Literal["resource"] = "resource"

    def selects(self, resource: Resource) -> bool:
        return True

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        return True

    def judge(self, resource: Resource, context: Context) -> Judgement:
        ports = sorted(int(port) for port in context.params.get("admin_ports") or [])
        expected = f"no port of admin_ports {ports} open to 0.0.0.0/0 or ::/0"
        what = f"security group {resource.name or resource.uid} ({resource.region or 'global'})"
        failed = _failed(resource, "WorldOpenRanges")
        if failed:
            return Judgement(Status.ERROR, f"collection failed for what this check reads: {failed}",
                             {FAILED_CALLS_KEY: resource.data.get(FAILED_CALLS_KEY)}, expected)
        ranges = resource.data.get("WorldOpenRanges")
        if not isinstance(ranges, list) or not all(isinstance(r, dict) for r in ranges):
            unknown = (resource.data.get("WorldOpen") or {}).get("unresolved") if isinstance(
                resource.data.get("WorldOpen"), dict) else None
            why = unknown or "a rule takes its ports from a template or list that is not resolved"
            return Judgement(Status.ERROR, f"the ports {what} opens to the Internet are not known ({why})",
                             {"WorldOpenRanges": ranges}, expected)
        reachable = sorted({port for r in ranges if str(r.get("Protocol")).lower() in ("tcp", "all")
                            for port in ports if _within(port, r)})
        observed = {"WorldOpenRanges": ranges, "admin_ports": ports, "reachable": reachable}
        if reachable:
            return Judgement(Status.FAIL, f"{what} lets the whole Internet reach remote administration on "
                             f"port(s) {', '.join(map(str, reachable))}", observed, expected)
        return Judgement(Status.PASS, f"{what} opens no administration port to the Internet", observed,
                         expected)


def _within(port: int, span: Mapping[str, Any]) -> bool:
    low, high = span.get("FromPort"), span.get("ToPort")
    return isinstance(low, int) and isinstance(high, int) and low <= port <= high


@dataclass(frozen=True)
class _Dialect:
    """How one cloud writes a TLS-only bucket policy."""

    actions: str                        # the prefix every action of the service starts with
    keys: frozenset[str]                # the secure-transport condition key, lower case
    operators: frozenset[str]           # boolean condition operators, lower case
    resources_case_sensitive: bool = True


DIALECTS = {
    "aws": _Dialect("s3:", frozenset({"aws:securetransport"}), frozenset({"bool", "boolifexists"})),
    "aliyun": _Dialect("oss:", frozenset({"acs:securetransport"}), frozenset({"bool"})),
    "tencent": _Dialect("name/cos:", frozenset({"cos:secure-transport", "qcs:secure_transport"}),
                        frozenset({"bool", "bool_equal"})),
}


class BucketPolicyDeniesPlainHttp:
    """The bucket policy refuses every request without TLS: Deny statements whose only condition is
    the cloud's secure-transport key being false (the boolean or the string, alone or in a list)
    cover, together, every principal, every action of the storage service, and both the bucket and
    every object in it. A Deny limited to some actions, some principals or some objects, or with
    another condition, leaves plain http open for the rest and does not count."""

    per: Literal["resource"] = "resource"
    expected = "the bucket policy denies every request without TLS (all principals, actions and objects)"

    def selects(self, resource: Resource) -> bool:
        return True

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        return True

    def judge(self, resource: Resource, context: Context) -> Judgement:
        dialect = DIALECTS[resource.provider]
        failed = _failed(resource, "GetBucketPolicy")
        if failed:
            return Judgement(Status.ERROR, f"collection failed for what this check reads: {failed}",
                             {FAILED_CALLS_KEY: resource.data.get(FAILED_CALLS_KEY)}, self.expected)
        if "GetBucketPolicy" not in resource.data:
            return Judgement(Status.ERROR, "the bucket policy was not read (GetBucketPolicy is missing)",
                             None, self.expected)
        document = resource.data["GetBucketPolicy"]
        name = resource.name or resource.uid
        if document is None:
            return Judgement(Status.FAIL, f"bucket {name} has no bucket policy, so it accepts plain http",
                             {"GetBucketPolicy": None}, self.expected)
        found = statements(document)
        if found is None:
            return Judgement(Status.ERROR, f"the policy of bucket {name} cannot be read as a policy document",
                             {"GetBucketPolicy": document}, self.expected)
        bucket, objects = _bucket_resources(resource)
        qualifying: list[Statement] = []
        near: list[str] = []
        for statement in found:
            problem = _not_tls_deny(statement, dialect)
            if problem is None:
                qualifying.append(statement)
            elif problem:
                near.append(problem)
        patterns = [p for s in qualifying for p in s.resources]
        exact = dialect.resources_case_sensitive
        covers_bucket = any(matches(p, b, case_sensitive=exact) for p in patterns for b in bucket)
        covers_objects = any(covers_everything_under(p, objects, case_sensitive=exact) for p in patterns)
        observed = {"tls_deny_statements": len(qualifying), "covers_bucket": covers_bucket,
                    "covers_every_object": covers_objects, "near_misses": near}
        if covers_bucket and covers_objects:
            return Judgement(Status.PASS, f"bucket {name} denies every request without TLS", observed,
                             self.expected)
        gaps = [what for what, ok in (("the bucket itself", covers_bucket), ("every object", covers_objects))
                if not ok]
        why = f"; {'; '.join(near)}" if near else ""
        return Judgement(Status.FAIL, f"bucket {name} accepts plain http: no Deny on insecure transport for "
                         f"every principal and action covers {' and '.join(gaps)}{why}", observed,
                         self.expected)


def _not_tls_deny(statement: Statement, dialect: _Dialect) -> str | None:
    """None when the statement denies every principal every action over plain http; otherwise why
    not ("" when it has nothing to do with transport)."""
    operators = {op.lower(): keys for op, keys in statement.condition.items()}
    transport = [(op, key, values) for op, keys in operators.items() for key, values in keys.items()
                 if key.lower() in dialect.keys]
    if statement.effect != "deny" or not transport:
        return ""
    reasons = []
    if statement.negated:
        reasons.append(f"it uses {', '.join(statement.negated)}")
    if not everyone(statement.principal):
        reasons.append("it does not apply to every principal")
    if not any(covers_everything_under(action, dialect.actions, case_sensitive=False) or action == "*"
               for action in statement.actions):
        reasons.append(f"it denies only {', '.join(statement.actions) or 'no action'}")
    op, _, values = transport[0]
    if len(transport) != 1 or sum(len(keys) for keys in operators.values()) != 1:
        reasons.append("another condition narrows it")
    elif op not in dialect.operators or not any(str(v).lower() == "false" for v in values):
        reasons.append(f"its condition is {op} {values}, not the transport being insecure")
    return "a Deny on transport does not count: " + ", ".join(reasons) if reasons else None


def _bucket_resources(resource: Resource) -> tuple[list[str], str]:
    """The names a policy may give the bucket, and the prefix of every object in it."""
    name = str(resource.data.get("Name") or resource.name or "")
    if resource.provider == "aws":
        return [resource.uid], resource.uid + "/"
    if resource.provider == "aliyun":
        account = resource.uid.split(":")[3] if resource.uid.count(":") >= 4 else "*"
        arn = f"acs:oss:{resource.region or '*'}:{account}:{name}"
        return [arn], arn + "/"
    # COS: qcs::cos:<region>:uid/<appid>:<bucket>, the bucket itself also written with a slash
    return [resource.uid, resource.uid + "/"], resource.uid + "/"


def _describe(error: CollectionError) -> str:
    where = f" in {error.region}" if error.region else ""
    return f"{error.operation}{where} returned {error.code}" + (f": {error.message}" if error.message else "")


EVALUATORS: dict[str, ResourceEvaluator | TargetEvaluator] = {
    "mainland_residency": MainlandResidency(),
    "platform_level_at_least_system": PlatformLevelAtLeastSystem(),
    "world_open_admin_ports": WorldOpenAdminPorts(),
    "bucket_policy_denies_plain_http": BucketPolicyDeniesPlainHttp(),
    "destinations_in_mainland": DestinationsInMainland(),
}
