"""Named Python evaluators, for the rare check the condition language cannot say.

Each one is small and reviewed; a check names it with `evaluator: <name>`. An evaluator decides;
it words nothing: its judgement carries a `Phrase` (a message key and values), and the templates,
in English, Chinese and Japanese, are content (profiles/i18n/evaluators.yaml). Each evaluator
declares the messages it gives and the values each one takes, which the content must match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

from mlpscan.findings import Status
from mlpscan.i18n import Messages, Phrase, evaluators_path, read_evaluator_texts
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
    messages: Mapping[str, Messages] = field(default_factory=dict)   # by evaluator name

    def say(self, evaluator: str, phrase: Phrase) -> str:
        """The English message, from the evaluator's templates in content."""
        return self.messages[evaluator].say(phrase)


@dataclass(frozen=True)
class Judgement:
    status: Status
    message: Phrase
    observed: Any = None
    expected: str | None = None


# message key -> the values the evaluator gives it (its template may use any of them)
MessageSpec = Mapping[str, tuple[str, ...]]


class ResourceEvaluator(Protocol):
    per: Literal["resource"]
    messages: ClassVar[MessageSpec]

    def selects(self, resource: Resource) -> bool: ...
    def selects_error(self, error: CollectionError, context: Context) -> bool: ...
    def judge(self, resource: Resource, context: Context) -> Judgement: ...


class TargetEvaluator(Protocol):
    per: Literal["target"]
    messages: ClassVar[MessageSpec]

    def judge(self, target: Target, resources: Sequence[Resource], context: Context) -> Judgement: ...


def _failed(resource: Resource, *keys: str) -> list[str]:
    """Why the calls behind these data keys failed, as the collector recorded it."""
    failed = resource.data.get(FAILED_CALLS_KEY) or {}
    return [str(failed[key]) for key in keys if key in failed]


def _unlocated(error: CollectionError, context: Context) -> bool:
    """An account-wide listing of a type that has no location (users, policies) failed."""
    known = context.regions.get(error.type.split(".", 1)[0])
    return known is not None and error.type in known.unlocated_types


class MainlandResidency:
    """Every regional resource lies in a mainland-China region (Hong Kong is not mainland)."""

    per: Literal["resource"] = "resource"
    expected = "resource region is in mainland China"
    messages: ClassVar[MessageSpec] = {
        "region_undetermined": ("type", "name", "reason"),
        "region_unknown": ("provider", "region", "type", "name"),
        "mainland": ("type", "name", "region", "region_name"),
        "outside_mainland": ("type", "name", "region", "region_name"),
    }

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
        what = {"type": resource.type, "name": resource.name or resource.uid}
        if resource.region is None:
            reason = resource.data.get(FAILED_CALLS_KEY, {}).get(REGION_KEY, "")
            return Judgement(Status.ERROR, Phrase("region_undetermined", {**what, "reason": reason}),
                             observed={"region": None}, expected=self.expected)
        if region is None:
            return Judgement(
                Status.ERROR, Phrase("region_unknown", {**what, "provider": provider, "region": region_id}),
                observed={"region": region_id}, expected=self.expected)
        observed = {"region": region_id, "region_name": region.name, "mainland": region.mainland}
        where = {**what, "region": region_id, "region_name": region.name}
        return Judgement(Status.PASS if region.mainland else Status.FAIL,
                         Phrase("mainland" if region.mainland else "outside_mainland", where),
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
    messages: ClassVar[MessageSpec] = {
        "never_reached": ("error",),
        "locations_unknown": ("error",),
        "failed_call": ("operation", "code"),
        "failed_call_detail": ("operation", "code", "detail"),
        "published_below": ("platform", "region", "platform_level", "level", "as_of", "confidence"),
        "published_at_least": ("platform", "platform_level", "level", "as_of", "confidence"),
        "unpublished": ("provider", "regions"),
        "no_regions": ("provider",),
        "stale": ("claims",),
        "stale_claim": ("platform", "region", "as_of", "days", "limit"),
        "declared_below": ("platform", "platform_level", "level", "source", "evidence"),
        "declared_below_no_evidence": ("platform", "platform_level", "level", "source"),
        "declared_at_least": ("platform", "platform_level", "level", "source", "evidence"),
        "declared_at_least_no_evidence": ("platform", "platform_level", "level", "source"),
        "unnamed_platform": (),
    }

    def judge(self, target: Target, resources: Sequence[Resource], context: Context) -> Judgement:
        expected = f"platform MLPS level >= {context.level}"
        errors = list(context.errors.get(target.id, ()))
        lost = [e for e in errors if e.type == f"{target.provider}.*" and e.region is None]
        if lost and not resources:
            return Judgement(Status.ERROR, Phrase("never_reached", {"error": _failed_call(lost[0])}),
                             {"reached": False}, expected)
        if target.platform is not None:
            declared = target.platform
            known = PlatformLevel(level=declared.level, name=declared.name or "declared platform",
                                  source=declared.source, kind="declared")
            name: str | Phrase = declared.name or Phrase("unnamed_platform")
            return self._declared(known, name, declared.evidence, context, expected)
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
            return Judgement(Status.FAIL, Phrase("published_below", {
                "platform": as_level(entry).name, "region": region, "platform_level": entry.level,
                "level": context.level, "as_of": entry.as_of, "confidence": entry.confidence}),
                {**observed, **_deciding(entry)}, expected)
        if everywhere:
            error = _failed_call(everywhere[0])
            return Judgement(Status.ERROR, Phrase("locations_unknown", {"error": error}), observed, expected)
        if uncovered or not regions:
            phrase = (Phrase("unpublished", {"provider": target.provider, "regions": uncovered}) if uncovered
                      else Phrase("no_regions", {"provider": target.provider}))
            return Judgement(Status.MANUAL, phrase, observed, expected)
        stale = self._stale(covered, context)
        if stale:
            return Judgement(Status.MANUAL, Phrase("stale", {"claims": stale}), observed, expected)
        entry = min(covered.values(), key=lambda entry: entry.level)
        weakest = as_level(entry)
        return Judgement(Status.PASS, Phrase("published_at_least", {
            "platform": weakest.name, "platform_level": weakest.level, "level": context.level,
            "as_of": weakest.as_of, "confidence": weakest.confidence}),
            {**observed, **_deciding(entry)}, expected)

    @staticmethod
    def _declared(known: PlatformLevel, name: str | Phrase, evidence: str | None, context: Context,
                  expected: str) -> Judgement:
        observed = {"platform": known.name, "platform_level": known.level, "source": known.source,
                    "evidence": evidence}
        below = known.level < context.level
        key = ("declared_below" if below else "declared_at_least") + ("" if evidence else "_no_evidence")
        values = {"platform": name, "platform_level": known.level, "level": context.level,
                  "source": known.source, **({"evidence": evidence} if evidence else {})}
        return Judgement(Status.FAIL if below else Status.PASS, Phrase(key, values), observed, expected)

    @staticmethod
    def _stale(covered: Mapping[str, PlatformEntry], context: Context) -> list[Phrase]:
        """Published claims older than platform_claim_max_age_days when the snapshot was collected."""
        limit = context.params.get("platform_claim_max_age_days")
        if context.collected_at is None or not isinstance(limit, int):
            return []
        day = context.collected_at.date()
        return [Phrase("stale_claim", {"platform": entry.id, "region": region, "as_of": entry.as_of,
                                       "days": (day - claim_date(entry.as_of)).days, "limit": limit})
                for region, entry in sorted(covered.items(), key=lambda item: (item[1].id, item[0]))
                if (day - claim_date(entry.as_of)).days > limit]


def _deciding(entry: PlatformEntry) -> dict[str, Any]:
    level = as_level(entry)
    return {"platform": level.name, "platform_level": level.level, "source": level.source,
            "as_of": level.as_of, "confidence": level.confidence}


class WorldOpenAdminPorts:
    """No remote-administration port (the level's admin_ports) can be reached from the whole
    Internet over TCP, read from the security group's effective open ranges (WorldOpenRanges,
    derived at collection the same way on every cloud)."""

    per: Literal["resource"] = "resource"
    messages: ClassVar[MessageSpec] = {
        "collection_failed": ("reasons",),
        "ports_unknown": ("group", "region", "reason"),
        "ports_unresolved": ("group", "region"),
        "open": ("group", "region", "ports"),
        "closed": ("group", "region"),
    }

    def selects(self, resource: Resource) -> bool:
        return True

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        return True

    def judge(self, resource: Resource, context: Context) -> Judgement:
        ports = sorted(int(port) for port in context.params.get("admin_ports") or [])
        expected = f"no port of admin_ports {ports} open to 0.0.0.0/0 or ::/0"
        group = {"group": resource.name or resource.uid, "region": resource.region or "global"}
        failed = _failed(resource, "WorldOpenRanges")
        if failed:
            return Judgement(Status.ERROR, Phrase("collection_failed", {"reasons": "; ".join(failed)}),
                             {FAILED_CALLS_KEY: resource.data.get(FAILED_CALLS_KEY)}, expected)
        ranges = resource.data.get("WorldOpenRanges")
        if not isinstance(ranges, list) or not all(isinstance(r, dict) for r in ranges):
            unknown = (resource.data.get("WorldOpen") or {}).get("unresolved") if isinstance(
                resource.data.get("WorldOpen"), dict) else None
            phrase = (Phrase("ports_unknown", {**group, "reason": unknown}) if unknown
                      else Phrase("ports_unresolved", group))
            return Judgement(Status.ERROR, phrase, {"WorldOpenRanges": ranges}, expected)
        reachable = sorted({port for r in ranges if str(r.get("Protocol")).lower() in ("tcp", "all")
                            for port in ports if _within(port, r)})
        observed = {"WorldOpenRanges": ranges, "admin_ports": ports, "reachable": reachable}
        if reachable:
            return Judgement(Status.FAIL, Phrase("open", {**group, "ports": reachable}), observed, expected)
        return Judgement(Status.PASS, Phrase("closed", group), observed, expected)


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
    messages: ClassVar[MessageSpec] = {
        "collection_failed": ("reasons",),
        "policy_not_read": (),
        "no_policy": ("bucket",),
        "unreadable_policy": ("bucket",),
        "tls_only": ("bucket",),
        "plain_http": ("bucket", "uncovered"),
        "plain_http_near_misses": ("bucket", "uncovered", "near_misses"),
        "uncovered_bucket": (),
        "uncovered_objects": (),
        "uncovered_both": (),
        "near_miss": ("reasons",),
        "negated": ("elements",),
        "not_every_principal": (),
        "some_actions": ("actions",),
        "no_action": (),
        "narrowed": (),
        "not_insecure_transport": ("operator", "values"),
    }

    def selects(self, resource: Resource) -> bool:
        return True

    def selects_error(self, error: CollectionError, context: Context) -> bool:
        return True

    def judge(self, resource: Resource, context: Context) -> Judgement:
        dialect = DIALECTS[resource.provider]
        failed = _failed(resource, "GetBucketPolicy")
        if failed:
            return Judgement(Status.ERROR, Phrase("collection_failed", {"reasons": "; ".join(failed)}),
                             {FAILED_CALLS_KEY: resource.data.get(FAILED_CALLS_KEY)}, self.expected)
        if "GetBucketPolicy" not in resource.data:
            return Judgement(Status.ERROR, Phrase("policy_not_read"), None, self.expected)
        document = resource.data["GetBucketPolicy"]
        name = {"bucket": resource.name or resource.uid}
        if document is None:
            return Judgement(Status.FAIL, Phrase("no_policy", name), {"GetBucketPolicy": None}, self.expected)
        found = statements(document)
        if found is None:
            return Judgement(Status.ERROR, Phrase("unreadable_policy", name), {"GetBucketPolicy": document},
                             self.expected)
        bucket, objects = _bucket_resources(resource)
        qualifying: list[Statement] = []
        near: list[list[Phrase]] = []
        for statement in found:
            problems = _not_tls_deny(statement, dialect)
            if problems == []:
                qualifying.append(statement)
            elif problems:
                near.append(problems)
        patterns = [p for s in qualifying for p in s.resources]
        exact = dialect.resources_case_sensitive
        covers_bucket = any(matches(p, b, case_sensitive=exact) for p in patterns for b in bucket)
        covers_objects = any(covers_everything_under(p, objects, case_sensitive=exact) for p in patterns)
        observed = {"tls_deny_statements": len(qualifying), "covers_bucket": covers_bucket,
                    "covers_every_object": covers_objects,
                    "near_misses": [[{"reason": r.key, **r.values} for r in reasons] for reasons in near]}
        if covers_bucket and covers_objects:
            return Judgement(Status.PASS, Phrase("tls_only", name), observed, self.expected)
        uncovered = Phrase("uncovered_objects" if covers_bucket else
                           "uncovered_bucket" if covers_objects else "uncovered_both")
        if not near:
            return Judgement(Status.FAIL, Phrase("plain_http", {**name, "uncovered": uncovered}), observed,
                             self.expected)
        near_misses = [Phrase("near_miss", {"reasons": reasons}) for reasons in near]
        return Judgement(Status.FAIL, Phrase("plain_http_near_misses", {
            **name, "uncovered": uncovered, "near_misses": near_misses}), observed, self.expected)


def _not_tls_deny(statement: Statement, dialect: _Dialect) -> list[Phrase] | None:
    """Why the statement is no Deny of every principal's every action over plain http: None when it
    has nothing to do with transport, no reason when it is one."""
    operators = {op.lower(): keys for op, keys in statement.condition.items()}
    transport = [(op, key, values) for op, keys in operators.items() for key, values in keys.items()
                 if key.lower() in dialect.keys]
    if statement.effect != "deny" or not transport:
        return None
    reasons = []
    if statement.negated:
        reasons.append(Phrase("negated", {"elements": list(statement.negated)}))
    if not everyone(statement.principal):
        reasons.append(Phrase("not_every_principal"))
    if not any(covers_everything_under(action, dialect.actions, case_sensitive=False) or action == "*"
               for action in statement.actions):
        reasons.append(Phrase("some_actions", {"actions": list(statement.actions)}) if statement.actions
                       else Phrase("no_action"))
    op, _, values = transport[0]
    if len(transport) != 1 or sum(len(keys) for keys in operators.values()) != 1:
        reasons.append(Phrase("narrowed"))
    elif op not in dialect.operators or not any(str(v).lower() == "false" for v in values):
        reasons.append(Phrase("not_insecure_transport", {"operator": op, "values": values}))
    return reasons


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


def _failed_call(error: CollectionError) -> Phrase:
    """An account-wide call that failed (the platform check reads only those: no region)."""
    values = {"operation": error.operation, "code": error.code}
    return Phrase("failed_call_detail", {**values, "detail": error.message}) if error.message else Phrase(
        "failed_call", values)


EVALUATORS: dict[str, ResourceEvaluator | TargetEvaluator] = {
    "mainland_residency": MainlandResidency(),
    "platform_level_at_least_system": PlatformLevelAtLeastSystem(),
    "world_open_admin_ports": WorldOpenAdminPorts(),
    "bucket_policy_denies_plain_http": BucketPolicyDeniesPlainHttp(),
}


@cache
def evaluator_messages(content_root: Path) -> dict[str, Messages]:
    """Each evaluator's message templates (profiles/i18n/evaluators.yaml), checked against the
    messages it gives and their values."""
    return read_evaluator_texts(evaluators_path(content_root),
                                {name: evaluator.messages for name, evaluator in EVALUATORS.items()})
