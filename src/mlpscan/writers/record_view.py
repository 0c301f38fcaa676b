"""The assessment record as localized tables: what the XLSX and HTML writers lay out.

Texts come from content (profiles/i18n/ui.yaml, each check's `i18n:` block, the evaluators'
messages in profiles/i18n/evaluators.yaml, the catalogue); a finding's message is translated by
reading its placeholder values back out of the English message the report holds (the report
carries no resource data), and stays English when that fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from mlpscan.content import Content
from mlpscan.diff import Comparison
from mlpscan.evaluators import evaluator_messages
from mlpscan.findings import Finding, ResourceRef, Status
from mlpscan.i18n import Lang, Texts, fill_in, read_back, texts
from mlpscan.record import Record, Result, Row, UnitRecord
from mlpscan.scoring import EXPECTED, Scores, score
from mlpscan.units import Category, Unit

OBSERVED_CHARS = 300


def translate_message(template: str, rendered: str, target: str) -> str | None:
    """``target`` filled with the values ``template`` had in ``rendered``; None when they do not match."""
    values = read_back(template, rendered)
    return None if values is None else fill_in(target, values)


def short(value: Any, limit: int = OBSERVED_CHARS) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Gap:
    unit: UnitRecord
    triggers: tuple[str, ...]
    remediation: tuple[str, ...]


class RecordView:
    def __init__(self, record: Record, content: Content, lang: Lang, comparison: Comparison | None = None):
        self.record = record
        self.content = content
        self.lang = lang
        self.texts: Texts = texts(content.root, lang)
        self.comparison = comparison

    def t(self, key: str, **values: Any) -> str:
        return self.texts.t(key, **values)

    @cached_property
    def scores(self) -> Scores:
        return score(self.record)

    @cached_property
    def _ambiguous_names(self) -> frozenset[tuple[str, str]]:
        """(target, name) pairs that name more than one resource: such assets show their uid too."""
        uids: dict[tuple[str, str], set[str]] = {}
        for unit_record in self.record.records:
            for row in unit_record.rows:
                if row.asset is not None and row.asset.name:
                    uids.setdefault((row.asset.target, row.asset.name), set()).add(row.asset.uid)
        return frozenset(key for key, found in uids.items() if len(found) > 1)

    def asset_label(self, asset: ResourceRef) -> str:
        if not asset.name:
            return asset.uid
        if (asset.target, asset.name) in self._ambiguous_names:
            return f"{asset.name} ({asset.uid})"
        return asset.name

    # -- names --------------------------------------------------------------------------------------

    def category(self, key: Category) -> str:
        return self.t(f"cat.{key}")

    def result(self, result: Result) -> str:
        return self.t(f"result.{result.value}")

    def status(self, status: Status) -> str:
        return self.t(f"status.{status.value}")

    def unit_mark(self, unit: Unit) -> str:
        return "✓" if unit.verified else "✗"

    def control(self, unit: Unit) -> str:
        zh, local = unit.control.zh, unit.control.get(self.lang)
        return zh if zh == local else f"{zh} / {local}"

    def translation(self, unit: Unit) -> str:
        return unit.requirement.get("en" if self.lang == "zh" else self.lang)

    def conclusion(self) -> str:
        band = self.scores.conclusion
        return self.t(f"conclusion.{band}") if band else self.t("conclusion.none")

    def provisional(self) -> str:
        if not self.scores.provisional:
            return self.t("conclusion.final")
        return self.t(
            "conclusion.provisional", pending=self.scores.pending, undetermined=self.scores.undetermined
        )

    def verified(self) -> str:
        return self.t("m.verified") if self.record.report.snapshot.verified else self.t("m.unverified")

    # -- checks -------------------------------------------------------------------------------------

    def check_title(self, finding: Finding) -> str:
        check = self.content.checks.get(finding.check)
        return check.text(self.lang)[0] if check else finding.title

    def message(self, finding: Finding) -> str:
        check = self.content.checks.get(finding.check)
        if check is None or self.lang == "en":
            return finding.message
        if check.evaluator is not None:
            messages = evaluator_messages(self.content.root)[check.evaluator]
            return messages.translate(finding.message, self.lang, self.t("sep.phrases")) or finding.message
        if not check.message:
            return finding.message
        translated = check.text(self.lang)[1]
        if translated is None:
            return finding.message
        return translate_message(check.message, finding.message, translated) or finding.message

    def remediation(self, finding: Finding) -> str:
        check = self.content.checks.get(finding.check)
        text = check.text(self.lang)[2] if check else finding.remediation
        return text or finding.remediation or ""

    # -- tables -------------------------------------------------------------------------------------

    def metadata(self) -> list[tuple[str, str]]:
        report = self.record.report
        system = report.system
        none = self.t("m.none")
        grading = ""
        if system and system.grading:
            g = system.grading
            grading = ", ".join(f"{k}={v}" for k, v in g.model_dump().items() if v)
        scope = "; ".join(
            f"{t.id}" + (f" ({', '.join(t.regions)})" if t.regions else "")
            for t in (report.scope.targets if report.scope else [])
        )
        snapshot = report.snapshot
        rows = [
            (self.t("m.system"), (system.name if system else None) or none),
            (self.t("m.organisation"), (system.organisation if system else None) or none),
            (self.t("m.level"), self.t("m.level_value", level=self.record.level)),
            (self.t("m.grading"), grading or none),
            (self.t("m.scope"), scope or none),
            (self.t("m.profile"), report.profile.id),
            (self.t("m.digest"), f"{snapshot.digest} ({self.verified()})"),
            (self.t("m.collected"), snapshot.started_at.isoformat() if snapshot.started_at else none),
            (self.t("m.generated"), report.generated_at.isoformat()),
        ]
        if report.next_assessment:
            rows.append(
                (
                    self.t("m.next"),
                    self.t(
                        "m.next_value",
                        date=report.next_assessment.due.isoformat(),
                        days=report.next_assessment.interval_days,
                    ),
                )
            )
        if self.record.answers:
            sources = sorted({a.source for a in self.record.answers})
            rows.append((self.t("m.answers"), f"{len(self.record.answers)} ({', '.join(sources)})"))
        return rows

    def score_headers(self) -> list[str]:
        return [
            self.t("col.category"),
            self.t("col.total"),
            self.t("col.scored"),
            self.t("col.score"),
            self.t("col.expected_score"),
            *(self.result(r) for r in Result),
        ]

    def score_rows(self) -> list[list[Any]]:
        return [
            [
                self.category(c.category),
                c.total,
                c.scored,
                c.score if c.score is not None else "–",
                EXPECTED,
                *(c.counts[r] for r in Result),
            ]
            for c in self.scores.categories
        ]

    def record_headers(self) -> list[str]:
        return [
            self.t(k)
            for k in (
                "col.unit",
                "col.unit_mark",
                "col.clause",
                "col.category",
                "col.control",
                "col.requirement_zh",
                "col.translation",
                "col.asset",
                "col.target",
                "col.region",
                "col.asset_result",
                "col.unit_result",
                "col.source",
                "col.checks",
                "col.observed",
                "col.evidence",
                "col.waiver",
                "col.remediation",
            )
        ]

    def record_rows(self) -> list[tuple[UnitRecord, Row, list[str]]]:
        out = []
        digest = self.record.report.snapshot.digest
        collected = self.record.snapshot_time.isoformat() if self.record.snapshot_time else ""
        for unit_record in self.record.records:
            unit = unit_record.unit
            for row in unit_record.rows:
                asset = row.asset
                if row.source == "survey" and row.answer is not None:
                    evidence = (
                        f"{row.answer.evidence} — {row.answer.respondent}, {row.answer.date.isoformat()}"
                    )
                elif row.source == "scanner":
                    evidence = f"{digest[:19]}… {collected} ({self.verified()})"
                else:
                    evidence = ""
                waivers = "; ".join(
                    f"{self.status(Status.WAIVED)}: {w.justification} ({w.approver}, {w.expires.isoformat()})"
                    for w in row.waivers
                )
                remediation = "\n".join(
                    dict.fromkeys(
                        self.remediation(f)
                        for f in row.findings
                        if f.effective_status in (Status.FAIL, Status.ERROR) and self.remediation(f)
                    )
                )
                out.append(
                    (
                        unit_record,
                        row,
                        [
                            unit.id,
                            self.unit_mark(unit),
                            unit.display_clause,
                            self.category(unit.category),
                            self.control(unit),
                            unit.requirement.zh,
                            self.translation(unit),
                            self.asset_label(asset)
                            if asset
                            else (self.t("source.survey") if row.answer else ""),
                            asset.target if asset else "",
                            (asset.region or "") if asset else "",
                            self.result(row.result),
                            self.result(unit_record.result),
                            self.t(f"source.{row.source}") if row.source else self.t("source.none"),
                            ", ".join(row.checks),
                            short(row.observed),
                            evidence,
                            waivers,
                            remediation,
                        ],
                    )
                )
        return out

    def finding_headers(self) -> list[str]:
        return [
            self.t(k)
            for k in (
                "col.check",
                "col.title",
                "col.status",
                "col.severity",
                "col.unit",
                "col.clause",
                "col.target",
                "col.asset",
                "col.region",
                "col.message",
                "col.observed",
                "col.expected",
                "col.remediation",
                "col.waiver",
            )
        ]

    def finding_rows(self) -> list[tuple[Finding, list[str]]]:
        return [
            (
                f,
                [
                    f.check,
                    self.check_title(f),
                    self.status(f.status),
                    self.t(f"severity.{f.severity.value}"),
                    ", ".join(f.units),
                    ", ".join(f.clauses),
                    f.resource.target,
                    f.resource.name or f.resource.uid,
                    f.resource.region or "",
                    self.message(f),
                    short(f.observed),
                    f.expected or "",
                    self.remediation(f) if f.effective_status in (Status.FAIL, Status.ERROR) else "",
                    f"{f.waiver.justification} ({f.waiver.approver})" if f.waiver else "",
                ],
            )
            for f in self.record.report.findings
        ]

    def asset_headers(self) -> list[str]:
        return [
            self.t("col.target"),
            self.t("col.type"),
            self.t("col.asset"),
            self.t("col.region"),
            *(self.status(s) for s in Status),
        ]

    def asset_rows(self) -> list[list[Any]]:
        counts: dict[tuple[str, str, str, str, str], dict[Status, int]] = {}
        for f in self.record.report.findings:
            r = f.resource
            key = (r.target, r.type, r.uid, r.name or r.uid, r.region or "")
            counts.setdefault(key, dict.fromkeys(Status, 0))[f.status] += 1
        return [[k[0], k[1], k[3], k[4], *(c[s] for s in Status)] for k, c in sorted(counts.items())]

    def gaps(self) -> list[Gap]:
        """Gap units, high-risk ones first, then by severity and unit order."""
        fired: dict[str, list[str]] = {r.unit.id: [] for f in self.scores.fired for r in f.units}
        for trigger in self.scores.fired:
            for unit_record in trigger.units:
                fired[unit_record.unit.id].append(trigger.trigger.code)
        out = []
        for unit_record in self.record.records:
            if not unit_record.result.is_gap:
                continue
            lines = list(
                dict.fromkeys(
                    self.remediation(f) for f in unit_record.failing_findings if self.remediation(f)
                )
            )
            if unit_record.answer and unit_record.answer.result in ("partial", "nonconform"):
                lines.append(self.t("note.survey_gap", evidence=unit_record.answer.evidence))
            if unit_record.result is Result.UNDETERMINED:
                lines.append(self.t("note.undetermined_gap"))
            out.append(Gap(unit_record, tuple(fired.get(unit_record.unit.id, [])), tuple(lines)))
        order = {u.unit.id: i for i, u in enumerate(self.record.records)}
        return sorted(
            out,
            key=lambda g: (
                not g.triggers,
                -(g.unit.severity.rank if g.unit.severity else -1),
                order[g.unit.unit.id],
            ),
        )

    def high_risk_rows(self) -> list[list[str]]:
        return [
            [
                f.trigger.code,
                f.trigger.text(self.lang),
                ", ".join(f"{u.unit.id} ({self.result(u.result)})" for u in f.units),
            ]
            for f in self.scores.fired
        ]

    def survey_headers(self) -> list[str]:
        return [
            self.t(k)
            for k in (
                "col.unit",
                "col.clause",
                "col.category",
                "col.control",
                "col.requirement_zh",
                "col.translation",
                "col.automatable",
                "col.result",
                "col.evidence",
                "col.respondent",
                "col.date",
            )
        ]

    def survey_rows(self) -> list[list[str]]:
        rows = []
        for unit_record in self.record.records:
            unit = unit_record.unit
            if unit.automatable == "automated" and unit_record.answer is None:
                continue
            answer = unit_record.answer
            rows.append(
                [
                    unit.id,
                    unit.display_clause,
                    self.category(unit.category),
                    self.control(unit),
                    unit.requirement.zh,
                    self.translation(unit),
                    self.t(f"auto.{unit.automatable}"),
                    self.t(f"result.{answer.result}") if answer else self.result(Result.NOT_ASSESSED),
                    answer.evidence if answer else "",
                    answer.respondent if answer else "",
                    answer.date.isoformat() if answer else "",
                ]
            )
        return rows

    def notes(self) -> list[str]:
        notes = [self.t("note.unit_unverified"), self.t("note.law_apart")]
        pending = sum(1 for r in self.record.records if r.survey_pending)
        if pending:
            notes.append(self.t("note.survey_pending", n=pending))
        if not self.record.units.management_present:
            notes.append(self.t("note.no_management", level=self.record.level))
        return notes
