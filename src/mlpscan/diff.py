"""Comparison of two assessments of the same level (`mlpscan diff OLD NEW`, `--baseline OLD`).

Per finding (check × resource) and per unit: new, fixed, still failing, changed; and the score
change per category. A finding or unit counts as failing when it is a gap: fail or error for a
finding, 部分符合, 不符合 or "cannot be determined" for a unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mlpscan.errors import InputError
from mlpscan.findings import Finding, Status
from mlpscan.record import Record, Result
from mlpscan.scoring import Scores, score
from mlpscan.units import Category

DIFF_SCHEMA = "mlpscan.diff/1"
Change = Literal["new", "fixed", "still_failing", "changed", "gone"]
_FAILING = (Status.FAIL, Status.ERROR)
_RESOLVED = (Status.PASS, Status.NOT_APPLICABLE)


@dataclass(frozen=True)
class FindingChange:
    change: Change
    check: str
    target: str
    resource: str
    before: Status | None
    after: Status | None
    message: str


@dataclass(frozen=True)
class UnitChange:
    change: Change
    unit: str
    category: Category
    before: Result
    after: Result


@dataclass(frozen=True)
class ScoreChange:
    category: Category | None  # None: the overall score
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else round(self.after - self.before, 1)


@dataclass(frozen=True)
class Comparison:
    level: int
    old_generated: str
    new_generated: str
    findings: tuple[FindingChange, ...]
    units: tuple[UnitChange, ...]
    scores: tuple[ScoreChange, ...]
    old_scores: Scores
    new_scores: Scores

    def count(self, change: Change) -> int:
        return sum(1 for f in self.findings if f.change == change)

    def to_json(self) -> dict[str, Any]:
        def status(value: Status | Result | None) -> str | None:
            return value.value if value is not None else None

        return {
            "schema": DIFF_SCHEMA,
            "level": self.level,
            "old": {
                "generated_at": self.old_generated,
                "overall": self.old_scores.overall,
                "conclusion": self.old_scores.conclusion,
            },
            "new": {
                "generated_at": self.new_generated,
                "overall": self.new_scores.overall,
                "conclusion": self.new_scores.conclusion,
            },
            "summary": {c: self.count(c) for c in ("new", "fixed", "still_failing", "changed", "gone")},
            "scores": [
                {"category": s.category or "overall", "before": s.before, "after": s.after, "delta": s.delta}
                for s in self.scores
            ],
            "units": [
                {
                    "unit": u.unit,
                    "category": u.category,
                    "change": u.change,
                    "before": u.before.value,
                    "after": u.after.value,
                }
                for u in self.units
            ],
            "findings": [
                {
                    "check": f.check,
                    "target": f.target,
                    "resource": f.resource,
                    "change": f.change,
                    "before": status(f.before),
                    "after": status(f.after),
                    "message": f.message,
                }
                for f in self.findings
            ],
        }


def _key(finding: Finding) -> tuple[str, str, str, str]:
    r = finding.resource
    return (finding.check, r.target, r.type, r.uid)


def _classify(before_failing: bool, after_failing: bool, after_resolved: bool, same: bool) -> Change | None:
    """`fixed` only when the gap is resolved (pass, 符合, not applicable), not merely unknown now."""
    if after_failing and not before_failing:
        return "new"
    if before_failing and after_failing:
        return "still_failing" if same else "changed"
    if before_failing and after_resolved:
        return "fixed"
    return None if same else "changed"


def compare(old: Record, new: Record) -> Comparison:
    if old.level != new.level:
        raise InputError(
            f"the old assessment is level {old.level}, the new one level {new.level}: "
            "compare assessments of the same level"
        )
    before = {_key(f): f for f in old.report.findings}
    after = {_key(f): f for f in new.report.findings}
    findings: list[FindingChange] = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if now is None:
            assert was is not None
            if was.status in _FAILING:
                findings.append(FindingChange("gone", key[0], key[1], key[3], was.status, None, was.message))
            continue
        was_failing = was is not None and was.status in _FAILING
        change = _classify(
            was_failing,
            now.status in _FAILING,
            now.status in _RESOLVED,
            was is not None and was.status == now.status,
        )
        if change is not None:
            findings.append(
                FindingChange(
                    change, key[0], key[1], key[3], was.status if was else None, now.status, now.message
                )
            )
    old_units = {r.unit.id: r for r in old.records}
    units: list[UnitChange] = []
    for record in new.records:
        previous = old_units.get(record.unit.id)
        if previous is None:
            continue
        change = _classify(
            previous.result.is_gap,
            record.result.is_gap,
            record.result in (Result.CONFORM, Result.NOT_APPLICABLE),
            previous.result == record.result,
        )
        if change is not None:
            units.append(
                UnitChange(change, record.unit.id, record.unit.category, previous.result, record.result)
            )
    old_scores, new_scores = score(old), score(new)
    old_by = {c.category: c.score for c in old_scores.categories}
    scores = [ScoreChange(None, old_scores.overall, new_scores.overall)]
    scores += [ScoreChange(c.category, old_by.get(c.category), c.score) for c in new_scores.categories]
    return Comparison(
        level=new.level,
        old_generated=old.report.generated_at.isoformat(),
        new_generated=new.report.generated_at.isoformat(),
        findings=tuple(findings),
        units=tuple(units),
        scores=tuple(scores),
        old_scores=old_scores,
        new_scores=new_scores,
    )
