"""Scores per category and overall, and the conclusion (优/良/中/差), from a record.

Method (docs/record.md, stated in every output because the official formula could not be
sourced exactly): each unit scores 符合 1, 部分符合 0.5, 不符合 0 and "cannot be determined" 0;
不适用 and "not yet assessed" units are left out. A category's score, and the overall score over
the ten MLPS categories, is 100 × (sum of unit scores) / (units scored). Every unit weighs the
same: the template's weights per unit (关键/重要/一般) and its 整体测评 corrections are not applied.
Conclusion bands after the 2021 report template: 优 ≥ 90, 良 ≥ 80, 中 ≥ 70, else 差; any fired
high-risk trigger forces 差; a gap whose failing check is of high or critical severity is taken as
at least a medium risk and keeps the conclusion from 优. While any unit is not yet assessed or
cannot be determined, the conclusion is provisional.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from mlpscan.findings import Severity
from mlpscan.record import Record, Result, UnitRecord
from mlpscan.units import CATEGORIES, MLPS_CATEGORIES, Category, Trigger

Conclusion = Literal["excellent", "good", "fair", "poor"]
UNIT_SCORE = {Result.CONFORM: 1.0, Result.PARTIAL: 0.5, Result.NONCONFORM: 0.0, Result.UNDETERMINED: 0.0}
BANDS: tuple[tuple[float, Conclusion], ...] = ((90.0, "excellent"), (80.0, "good"), (70.0, "fair"))
EXPECTED = 100.0  # the level's requirement: every applicable unit 符合


@dataclass(frozen=True)
class CategoryScore:
    category: Category
    counts: dict[Result, int]
    scored: int
    score: float | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class FiredTrigger:
    trigger: Trigger
    units: tuple[UnitRecord, ...]


@dataclass(frozen=True)
class Scores:
    categories: tuple[CategoryScore, ...]
    overall: float | None
    conclusion: Conclusion | None
    provisional: bool
    pending: int  # MLPS units not yet assessed
    undetermined: int
    fired: tuple[FiredTrigger, ...]
    unruled: tuple[FiredTrigger, ...]  # triggers whose units cannot be determined yet
    medium_risk_cap: bool

    def category(self, key: Category) -> CategoryScore:
        return next(c for c in self.categories if c.category == key)


def _score(records: list[UnitRecord]) -> tuple[int, float | None]:
    values = [UNIT_SCORE[r.result] for r in records if r.result in UNIT_SCORE]
    return len(values), (round(100.0 * sum(values) / len(values), 1) if values else None)


def score(record: Record) -> Scores:
    by_category: dict[Category, list[UnitRecord]] = {c: [] for c in CATEGORIES}
    for unit_record in record.records:
        by_category[unit_record.unit.category].append(unit_record)
    categories = []
    for key in CATEGORIES:
        members = by_category[key]
        if not members:
            continue
        scored, value = _score(members)
        counts = Counter(r.result for r in members)
        categories.append(
            CategoryScore(
                category=key, counts={r: counts.get(r, 0) for r in Result}, scored=scored, score=value
            )
        )
    mlps = [r for key in MLPS_CATEGORIES for r in by_category[key]]
    _, overall = _score(mlps)
    clause_results: dict[str, list[UnitRecord]] = {}
    for unit_record in mlps:
        clause_results.setdefault(unit_record.unit.clause, []).append(unit_record)
    fired, unruled = [], []
    for trigger in record.units.triggers:
        members = [
            r for clause in trigger.clauses.get(record.level, []) for r in clause_results.get(clause, [])
        ]
        gaps = tuple(r for r in members if r.result in (Result.NONCONFORM, Result.PARTIAL))
        if gaps:
            fired.append(FiredTrigger(trigger, gaps))
        elif any(r.result is Result.UNDETERMINED for r in members):
            unruled.append(
                FiredTrigger(trigger, tuple(r for r in members if r.result is Result.UNDETERMINED))
            )
    medium = any(
        r.result.is_gap and r.severity is not None and r.severity.rank >= Severity.HIGH.rank for r in mlps
    )
    pending = sum(1 for r in mlps if r.result is Result.NOT_ASSESSED)
    undetermined = sum(1 for r in mlps if r.result is Result.UNDETERMINED)
    return Scores(
        categories=tuple(categories),
        overall=overall,
        conclusion=conclude(overall, bool(fired), medium),
        provisional=bool(pending or undetermined),
        pending=pending,
        undetermined=undetermined,
        fired=tuple(fired),
        unruled=tuple(unruled),
        medium_risk_cap=medium,
    )


def conclude(overall: float | None, high_risk: bool, medium_risk: bool) -> Conclusion | None:
    if high_risk:
        return "poor"
    if overall is None:
        return None
    for floor, band in BANDS:
        if overall >= floor:
            return "good" if band == "excellent" and medium_risk else band
    return "poor"
