"""evaluate(snapshot, content, profile) -> Report: pure, offline, deterministic."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from fnmatch import fnmatchcase
from typing import Any

import jmespath

from mlpscan._gc import gc_paused
from mlpscan._version import __version__
from mlpscan.checks import Check, render_message
from mlpscan.conditions import Condition, Undetermined
from mlpscan.config import PlatformDeclaration
from mlpscan.content import Content
from mlpscan.evaluators import (
    EVALUATORS,
    Context,
    Judgement,
    ResourceEvaluator,
    TargetEvaluator,
    evaluator_messages,
)
from mlpscan.findings import (
    COLLECTION_INCOMPLETE,
    Finding,
    LawBasis,
    ProfileSummary,
    Report,
    ResourceRef,
    SnapshotRef,
    Status,
    ToolInfo,
    UnitStatus,
    summarize,
)
from mlpscan.profiles import ResolvedProfile
from mlpscan.snapshot import FAILED_CALLS_KEY, CollectionError, Resource, Snapshot, Target
from mlpscan.waivers import Waiver, apply_waivers

log = logging.getLogger("mlpscan")

TARGET_RESOURCE_TYPES = {"host": "host.system"}
MAX_LISTED_UIDS = 50


def target_resource_type(provider: str) -> str:
    """The resource that stands for the target itself: `<provider>.account`, `host.system`."""
    return TARGET_RESOURCE_TYPES.get(provider, f"{provider}.account")


@gc_paused()
def evaluate(
    snapshot: Snapshot,
    content: Content,
    profile: ResolvedProfile,
    *,
    waivers: Sequence[tuple[Waiver, str | None]] = (),
    platforms: Sequence[PlatformDeclaration] = (),
    platforms_source: str = "declared in mlpscan.yaml",
    today: date | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Evaluate every check of ``profile`` against ``snapshot``.

    ``platforms`` declares platform levels for targets whose snapshot records none; ``waivers``
    pairs each waiver with the file that declared it. Warnings (expired waivers, loosened
    parameters, a digest that does not match) go to the `mlpscan` logger.
    """
    for warning in profile.warnings:
        log.warning(warning)
    digest = snapshot.compute_digest()
    if snapshot.digest is not None and snapshot.digest != digest:
        log.warning("snapshot digest %s does not match its content (%s): it changed after collection",
                    snapshot.digest, digest)
    index = _Index(snapshot, platforms, platforms_source)
    context = Context(level=profile.level, params=dict(profile.params), regions=content.regions,
                      platforms=content.platforms, collected_at=snapshot.started_at, errors=index.errors,
                      messages=evaluator_messages(content.root))
    findings: list[Finding] = []
    laws: dict[str, LawBasis] = {}
    for check in content.checks_for(profile):
        clauses = check.clauses[profile.level]
        units = sorted({u for c in content.clauses_of(check, profile.level) for u in c.units})
        unit_status = {unit: content.catalog.unit_status(unit) for unit in units}
        judge = _CheckRun(check, clauses, units, unit_status, context, index)
        before = len(findings)
        for target in index.targets:
            if target.provider in check.provider:
                findings.extend(judge.run(target))
        if len(findings) > before:
            laws.update((basis.id, basis) for basis in check.law)
    findings.extend(_unconsumed_errors(snapshot, index))
    findings.sort(key=_finding_order)
    findings, warnings = apply_waivers(findings, list(waivers), today or date.today())
    for warning in warnings:
        log.warning(warning)
    return Report(
        tool=ToolInfo(version=__version__),
        generated_at=generated_at or datetime.now(timezone.utc).replace(microsecond=0),
        profile=ProfileSummary(id=profile.id, level=profile.level, params=dict(profile.params)),
        snapshot=SnapshotRef(digest=digest, started_at=snapshot.started_at),
        summary=summarize(findings),
        findings=findings,
        laws=dict(sorted(laws.items())),
    )


def _finding_order(f: Finding) -> tuple[str, ...]:
    r = f.resource
    return (f.check, r.target, r.type, r.uid, r.region or "", f.status.value, f.message)


class _Index:
    """Resources and errors grouped by target and type, built once per evaluation."""

    def __init__(self, snapshot: Snapshot, platforms: Sequence[PlatformDeclaration], source: str):
        self.targets = [_with_declared_platform(t, platforms, source)
                        for t in sorted(snapshot.targets, key=lambda t: t.id)]
        self.by_type: dict[str, dict[str, list[Resource]]] = defaultdict(lambda: defaultdict(list))
        self.by_target: dict[str, list[Resource]] = defaultdict(list)
        for resource in snapshot.resources:
            self.by_type[resource.target][resource.type].append(resource)
            self.by_target[resource.target].append(resource)
        self.errors: dict[str, list[CollectionError]] = defaultdict(list)
        for error in snapshot.errors:
            self.errors[error.target].append(error)
        self._refs: dict[int, ResourceRef] = {}
        self.consumed: set[CollectionError] = set()  # errors some check already reported

    def resources(self, target: Target, pattern: str) -> list[Resource]:
        types = self.by_type.get(target.id, {})
        if not any(ch in pattern for ch in "*?["):
            return types.get(pattern, [])
        return [r for t in sorted(types) if fnmatchcase(t, pattern) for r in types[t]]

    def errors_for(self, target: Target, pattern: str) -> list[CollectionError]:
        """Errors whose type overlaps the pattern (either may be a glob), one per distinct failure."""
        seen: dict[tuple[str | None, str, str, str], CollectionError] = {}
        for error in self.errors.get(target.id, []):
            if fnmatchcase(error.type, pattern) or fnmatchcase(pattern, error.type):
                seen.setdefault((error.region, error.type, error.operation, error.code), error)
        return list(seen.values())

    def ref(self, resource: Resource) -> ResourceRef:
        key = id(resource)
        ref = self._refs.get(key)
        if ref is None:
            ref = ResourceRef(type=resource.type, uid=resource.uid, name=resource.name,
                                              target=resource.target, region=resource.region)
            self._refs[key] = ref
        return ref

    def target_ref(self, target: Target, region: str | None = None) -> ResourceRef:
        kind = target_resource_type(target.provider)
        own = self.by_type.get(target.id, {}).get(kind)
        if own:
            base = self.ref(own[0])
        else:  # the collector did not record the target itself: point at its id
            base = ResourceRef(type=kind, uid=target.id, name=target.account,
                                               target=target.id, region=None)
        return base if region is None else replace(base, region=region)


@dataclass
class _CheckRun:
    check: Check
    clauses: list[str]
    units: list[str]
    unit_status: dict[str, UnitStatus]   # one object shared by the check's findings
    context: Context
    index: _Index
    expected: str | None = field(init=False)
    where_reads: frozenset[str] = field(init=False)    # field names the paths mention
    reads: frozenset[str] = field(init=False)
    law_ids: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.expected = self.check.expected(dict(self.context.params))
        self.law_ids = tuple(basis.id for basis in self.check.law)
        self.where_reads = _fields_read(self.check.where)
        self.reads = _fields_read(self.check.assert_)

    def finding(self, ref: ResourceRef, status: Status, message: str, observed: Any = None,
                expected: str | None = None) -> Finding:
        return Finding(
            check=self.check.id, title=self.check.title, status=status, severity=self.check.severity,
            clauses=self.clauses, units=self.units, resource=ref, message=message, observed=observed,
            expected=expected if expected is not None else self.expected,
            remediation=self.check.remediation if status is not Status.PASS else None, waiver=None,
            unit_status=self.unit_status, law=self.law_ids)

    def run(self, target: Target) -> Iterator[Finding]:
        evaluator = EVALUATORS.get(self.check.evaluator) if self.check.evaluator else None
        if evaluator is not None and evaluator.per == "target":
            yield from self._run_target_evaluator(evaluator, target)
            return
        resources = self.index.resources(target, self.check.resource)
        errors = self.index.errors_for(target, self.check.resource)
        if evaluator is not None:
            res_eval: ResourceEvaluator = evaluator
            resources = [r for r in resources if res_eval.selects(r)]
            errors = [e for e in errors if res_eval.selects_error(e, self.context)]
            for resource in resources:
                yield self._from_judgement(self.index.ref(resource), res_eval.judge(resource, self.context))
        elif self.check.match == "each":
            for resource in resources:
                yield self._judge_one(resource)
        else:
            self.index.consumed.update(errors)
            yield self._judge_aggregate(target, resources, errors)
            errors = []  # already folded into the aggregate finding
        self.index.consumed.update(errors)
        for error in errors:
            yield self._collection_error(target, error)

    def _run_target_evaluator(self, evaluator: TargetEvaluator, target: Target) -> Iterator[Finding]:
        judgement = evaluator.judge(target, self.index.by_target.get(target.id, []), self.context)
        yield self._from_judgement(self.index.target_ref(target), judgement)

    def _from_judgement(self, ref: ResourceRef, judgement: Judgement) -> Finding:
        assert self.check.evaluator is not None  # only evaluator-backed checks give judgements
        return self.finding(ref, judgement.status, self.context.say(self.check.evaluator, judgement.message),
                            judgement.observed, judgement.expected)

    def _decide(self, resource: Resource) -> tuple[Status, str, dict[str, Any]]:
        observed: dict[str, Any] = {}
        params = self.context.params
        failed = resource.data.get(FAILED_CALLS_KEY) or {}
        if self.check.where is not None:
            if blocked := _blocked(failed, self.where_reads):
                return Status.ERROR, "collection failed for what this check reads: " + blocked, {
                    FAILED_CALLS_KEY: failed}
            applies = self.check.where.evaluate(resource.data, params, observed)
            if isinstance(applies, Undetermined):
                return Status.ERROR, f"cannot tell whether the check applies: {applies.reason}", observed
            if not applies:
                return (Status.NOT_APPLICABLE,
                        f"not applicable: {self.check.where.describe(params)} is false", observed)
        if blocked := _blocked(failed, self.reads):
            return Status.ERROR, "collection failed for what this check reads: " + blocked, {
                FAILED_CALLS_KEY: failed}
        assert self.check.assert_ is not None  # guaranteed by Check validation
        truth = self.check.assert_.evaluate(resource.data, params, observed)
        if isinstance(truth, Undetermined):
            return Status.ERROR, f"cannot evaluate: {truth.reason}", observed
        if truth:
            return Status.PASS, f"satisfied: {self.expected}", observed
        return Status.FAIL, self._fail_message(resource), observed

    def _fail_message(self, resource: Resource) -> str:
        if self.check.message:
            fields = {"name": resource.name or resource.uid, "uid": resource.uid,
                      "region": resource.region or "global", "target": resource.target,
                      "type": resource.type}
            return render_message(self.check.message, fields, self.context.params, resource.data)
        return f"not satisfied: {self.expected}"

    def _judge_one(self, resource: Resource) -> Finding:
        status, message, observed = self._decide(resource)
        return self.finding(self.index.ref(resource), status, message, observed)

    def _judge_aggregate(self, target: Target, resources: Iterable[Resource],
                         errors: list[CollectionError]) -> Finding:
        passing: list[str] = []
        failing: list[str] = []
        undetermined: list[str] = []
        for resource in resources:
            status, message, _ = self._decide(resource)
            if status is Status.PASS:
                passing.append(resource.uid)
            elif status is Status.FAIL:
                failing.append(resource.uid)
            elif status is Status.ERROR:
                undetermined.append(f"{resource.uid}: {message}")
        problems = undetermined + [_describe_error(e) for e in errors]
        observed = {"evaluated": len(passing) + len(failing) + len(undetermined),
                    "passing": passing[:MAX_LISTED_UIDS], "failing": failing[:MAX_LISTED_UIDS]}
        ref = self.index.target_ref(target)
        kind = self.check.resource
        if self.check.match == "all":
            if failing:
                return self.finding(ref, Status.FAIL, f"{len(failing)} {kind} resource(s) do not satisfy "
                                    f"{self.expected}: {', '.join(failing[:5])}", observed)
            if problems:
                return self.finding(ref, Status.ERROR, "cannot evaluate: " + "; ".join(problems[:5]),
                                    observed)
            if not passing:
                return self.finding(ref, Status.NOT_APPLICABLE, f"no applicable {kind} resource", observed)
            return self.finding(ref, Status.PASS, f"all {len(passing)} {kind} resource(s) satisfy "
                                f"{self.expected}", observed)
        if passing:
            return self.finding(ref, Status.PASS, f"{passing[0]} satisfies {self.expected}", observed)
        if problems:
            return self.finding(ref, Status.ERROR, "cannot evaluate: " + "; ".join(problems[:5]), observed)
        fields = {"name": ref.name or ref.uid, "uid": ref.uid, "region": "global", "target": target.id,
                  "type": kind}
        return self.finding(ref, Status.FAIL, render_message(self.check.message, fields, self.context.params)
                            if self.check.message else f"no {kind} resource satisfies {self.expected}",
                            observed)

    def _collection_error(self, target: Target, error: CollectionError) -> Finding:
        ref = self.index.target_ref(target, error.region)
        observed = {"type": error.type, "operation": error.operation, "code": error.code,
                    "region": error.region}
        return self.finding(ref, Status.ERROR, "collection failed, so this check could not be "
                            f"evaluated: {_describe_error(error)}", observed)


def _fields_read(condition: Condition | None) -> frozenset[str]:
    """Every field name a condition's paths mention: a superset of the data keys it reads, which
    is the safe side (a failed call it might read makes the finding an error)."""
    names: set[str] = set()
    for path in condition.paths() if condition is not None else []:
        _field_names(jmespath.compile(path).parsed, names)
    return frozenset(names)


def _blocked(failed: dict[str, str], reads: frozenset[str]) -> str:
    return "; ".join(reason for key, reason in failed.items() if key in reads)


def _field_names(node: Any, names: set[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") == "field":
            names.add(str(node.get("value")))
        for child in node.get("children", []):
            _field_names(child, names)
    elif isinstance(node, list):
        for child in node:
            _field_names(child, names)


def _unconsumed_errors(snapshot: Snapshot, index: _Index) -> Iterator[Finding]:
    """Collection errors no check reported: an incomplete snapshot is never silent."""
    rule = COLLECTION_INCOMPLETE
    seen: set[tuple[str, str | None, str, str, str]] = set()
    targets = {t.id: t for t in index.targets}
    for error in snapshot.errors:
        key = (error.target, error.region, error.type, error.operation, error.code)
        if error in index.consumed or key in seen:
            continue
        seen.add(key)
        yield Finding(
            check=rule.id, title=rule.title, status=Status.ERROR, severity=rule.severity, clauses=[],
            units=[], resource=index.target_ref(targets[error.target], error.region),
            message=f"collection failed: {_describe_error(error)} ({error.type})",
            observed={"type": error.type, "operation": error.operation, "code": error.code,
                      "region": error.region},
            expected="collection succeeds", remediation=rule.remediation, waiver=None)


def _with_declared_platform(target: Target, platforms: Sequence[PlatformDeclaration], source: str
                            ) -> Target:
    """The snapshot's own platform record wins; else the first matching declaration applies."""
    if target.platform is not None:
        return target
    declared = next((d for d in platforms if fnmatchcase(target.id, d.target)), None)
    return target if declared is None else target.model_copy(
        update={"platform": declared.platform(source)})


def _describe_error(error: CollectionError) -> str:
    where = f" in {error.region}" if error.region else ""
    detail = f": {error.message}" if error.message else ""
    return f"{error.operation}{where} returned {error.code}{detail}"
