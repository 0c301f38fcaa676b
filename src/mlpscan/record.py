"""The assessment record (测评记录): every unit of the level × the assets it was judged on.

A pure function of a report, the content and optional survey answers. Derivation (docs/record.md):

* a finding's status gives a result: pass → 符合, fail → 不符合, error → cannot be determined,
  manual → not yet assessed, not_applicable → 不适用; a waived finding counts as the status its
  waiver hides and is shown as waived, with its justification;
* results combine the same way per asset (all the findings of a unit on one asset) and per unit
  (all its assets, and the survey answer): any "cannot be determined" → cannot be determined;
  all 符合 → 符合; all 不符合 → 不符合; 符合 with 不符合 or 部分符合 → 部分符合; 不适用 rows are left out
  (all 不适用 → 不适用); "not yet assessed" keeps a unit from 符合 but not from 不符合;
* a unit that a scanner can verify only in part (or not at all) stays "not yet assessed" until a
  survey answer is given, so a scanner's passes alone never make such a unit 符合.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from fnmatch import fnmatchcase
from typing import Any

from mlpscan.answers import SurveyAnswer
from mlpscan.content import Content
from mlpscan.findings import AppliedWaiver, Finding, Report, ResourceRef, Severity, Status
from mlpscan.units import LevelUnits, Unit, level_units


class Result(str, Enum):
    CONFORM = "conform"  # 符合
    PARTIAL = "partial"  # 部分符合
    NONCONFORM = "nonconform"  # 不符合
    NOT_APPLICABLE = "not_applicable"  # 不适用
    NOT_ASSESSED = "not_assessed"  # needs a person (survey)
    UNDETERMINED = "undetermined"  # an error: cannot be determined, never 符合

    @property
    def is_gap(self) -> bool:
        return self in (Result.PARTIAL, Result.NONCONFORM, Result.UNDETERMINED)


_FROM_STATUS = {
    Status.PASS: Result.CONFORM,
    Status.FAIL: Result.NONCONFORM,
    Status.ERROR: Result.UNDETERMINED,
    Status.MANUAL: Result.NOT_ASSESSED,
    Status.NOT_APPLICABLE: Result.NOT_APPLICABLE,
}
_DECIDED = (Result.CONFORM, Result.PARTIAL, Result.NONCONFORM)


def combine(results: Iterable[Result]) -> Result:
    """The derivation rule, used per asset and per unit alike."""
    results = list(results)
    if not results:
        return Result.NOT_ASSESSED
    if Result.UNDETERMINED in results:
        return Result.UNDETERMINED
    decided = [r for r in results if r in _DECIDED]
    pending = Result.NOT_ASSESSED in results
    if not decided:
        return Result.NOT_ASSESSED if pending else Result.NOT_APPLICABLE
    if all(r is Result.CONFORM for r in decided):
        return Result.NOT_ASSESSED if pending else Result.CONFORM
    if all(r is Result.NONCONFORM for r in decided):
        return Result.NONCONFORM
    return Result.PARTIAL


def finding_result(finding: Finding) -> Result:
    return _FROM_STATUS[finding.effective_status]


@dataclass(frozen=True)
class Row:
    """One record row: a unit judged on one asset (or by the survey, or not yet at all)."""

    unit: Unit
    result: Result
    source: str  # "scanner", "survey" or "" (no evidence yet)
    asset: ResourceRef | None = None
    findings: tuple[Finding, ...] = ()
    answer: SurveyAnswer | None = None

    @property
    def checks(self) -> list[str]:
        return sorted({f.check for f in self.findings})

    @property
    def waivers(self) -> list[AppliedWaiver]:
        return [f.waiver for f in self.findings if f.waiver is not None]

    @property
    def observed(self) -> list[Any]:
        return [f.observed for f in self.findings if f.observed is not None]

    @property
    def severity(self) -> Severity | None:
        failing = [f.severity for f in self.findings if f.effective_status in (Status.FAIL, Status.ERROR)]
        return max(failing, key=lambda s: s.rank) if failing else None


@dataclass(frozen=True)
class UnitRecord:
    unit: Unit
    result: Result
    rows: tuple[Row, ...]
    answer: SurveyAnswer | None
    survey_pending: bool  # partly or not automatable, and no answer yet

    @property
    def sources(self) -> list[str]:
        return sorted({r.source for r in self.rows if r.source})

    @property
    def failing_findings(self) -> list[Finding]:
        return [f for r in self.rows for f in r.findings if f.effective_status in (Status.FAIL, Status.ERROR)]

    @property
    def severity(self) -> Severity | None:
        severities = [r.severity for r in self.rows if r.severity is not None]
        return max(severities, key=lambda s: s.rank) if severities else None


@dataclass(frozen=True)
class Record:
    report: Report
    level: int
    units: LevelUnits
    records: tuple[UnitRecord, ...]
    answers: tuple[SurveyAnswer, ...] = ()
    generated_from: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> list[Row]:
        return [row for record in self.records for row in record.rows]

    @property
    def snapshot_time(self) -> datetime | None:
        return self.report.snapshot.started_at


def build_record(report: Report, content: Content, answers: Iterable[SurveyAnswer] = ()) -> Record:
    level = report.profile.level
    units = level_units(content.root, content.catalog, level)
    by_unit: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        for unit_id in finding.units:
            by_unit[unit_id].append(finding)
    _law_evidence(report, content, units, by_unit)
    answered = {a.unit: a for a in answers}
    records = tuple(
        _unit_record(unit, by_unit.get(unit.id, []), answered.get(unit.id)) for unit in units.units
    )
    return Record(report=report, level=level, units=units, records=records, answers=tuple(answered.values()))


def _law_evidence(
    report: Report, content: Content, units: LevelUnits, by_unit: dict[str, list[Finding]]
) -> None:
    """Law obligations take the findings of the checks (or parameters) they name as evidence."""
    law = [u for u in units.units if u.extension == "law" and (u.checks or u.params)]
    if not law:
        return
    # decided once per check id, not per finding: a fleet's report has 100,000s of findings
    targets: dict[str, list[str]] = {}
    for check_id in {f.check for f in report.findings}:
        check = content.checks.get(check_id)
        used = set(check.params_used()) if check is not None else set()
        targets[check_id] = [
            u.id
            for u in law
            if any(fnmatchcase(check_id, g) for g in u.checks) or used.intersection(u.params)
        ]
    for finding in report.findings:
        for unit_id in targets[finding.check]:
            by_unit[unit_id].append(finding)


def _asset_key(ref: ResourceRef) -> tuple[str, str, str]:
    return (ref.target, ref.type, ref.uid)


def _unit_record(unit: Unit, findings: list[Finding], answer: SurveyAnswer | None) -> UnitRecord:
    per_asset: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        per_asset[_asset_key(finding.resource)].append(finding)
    rows = [
        Row(
            unit=unit,
            result=combine(finding_result(f) for f in group),
            source="scanner",
            asset=group[0].resource,
            findings=tuple(group),
        )
        for _, group in sorted(per_asset.items())
    ]
    if answer is not None:
        rows.append(Row(unit=unit, result=Result(answer.result), source="survey", answer=answer))
    survey_pending = unit.automatable != "automated" and answer is None
    results = [r.result for r in rows] + ([Result.NOT_ASSESSED] if survey_pending else [])
    if not rows:
        rows.append(Row(unit=unit, result=Result.NOT_ASSESSED, source=""))
    return UnitRecord(
        unit=unit, result=combine(results), rows=tuple(rows), answer=answer, survey_pending=survey_pending
    )
