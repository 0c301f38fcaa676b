"""Findings and the report (contract `mlpscan.report/1`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA = "mlpscan.report/1"


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    MANUAL = "manual"
    NOT_APPLICABLE = "not_applicable"
    WAIVED = "waived"


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3,
                  Severity.CRITICAL: 4}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Findings are plain dataclasses: an evaluation makes hundreds of thousands of them, and the
# report model still validates, serialises and describes them (JSON Schema) through pydantic.
@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceRef:
    __pydantic_config__ = ConfigDict(extra="forbid")

    type: str
    uid: str
    name: str | None = None
    target: str
    region: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedWaiver:
    """The waiver that turned a finding into `waived`; `status` keeps what it would have been."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    status: Status = field(metadata={"description": "The underlying status the waiver hides"})
    justification: str
    approver: str
    expires: date
    source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LawArticle:
    """One article of one version of a law, with the dates that say when it applies."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    version: str = field(metadata={"description": "Which text, e.g. '2016' or '2025 amendment'"})
    article: str = field(metadata={"description": "e.g. 'art. 21(3)'"})
    in_force: date
    adopted: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LawBasis:
    """A law (not GB/T 22239) that sets the requirement a check tests, e.g. six-month log retention."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    id: str
    instrument: str = field(metadata={"description": "The law or measures, in English"})
    instrument_zh: str
    articles: tuple[LawArticle, ...]
    requirement: str


# verified: the unit id and its wording match published GB/T 28448 unit lists (level 3);
# unverified: the numbering was reconstructed and has not been checked against the standard's text.
UnitStatus = Literal["verified", "unverified"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    __pydantic_config__ = ConfigDict(extra="forbid")

    check: str
    title: str
    status: Status
    severity: Severity
    clauses: list[str]
    units: list[str]
    resource: ResourceRef
    message: str
    observed: Any = None
    expected: str | None = None
    remediation: str | None = None
    waiver: AppliedWaiver | None = None
    unit_status: dict[str, UnitStatus] = field(
        default_factory=dict,
        metadata={"description": "Each unit's mark: 'verified' (checked against published GB/T 28448 "
                                 "unit lists) or 'unverified' (reconstructed numbering)"})
    law: tuple[str, ...] = field(
        default=(), metadata={"description": "Ids of the laws that set this requirement where the standard "
                                             "does not; the report's `laws` gives each one's articles"})

    @property
    def effective_status(self) -> Status:
        """What the finding would be without its waiver."""
        return self.waiver.status if self.waiver else self.status


class ProfileSummary(_Model):
    id: str
    level: int
    params: dict[str, Any]


class SnapshotRef(_Model):
    digest: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    verified: bool | None = Field(
        default=None, description="The digest recorded in the snapshot matches its content; false when it "
                                  "does not or none was recorded (shown as 'unverified' in every format)")


class GradingInfo(_Model):
    """How the level was reached (GB/T 22240-2020), when mlpscan.yaml says so."""

    object: Literal["citizen", "social", "national"] | None = None
    degree: Literal["general", "serious", "grave"] | None = None
    service_object: Literal["citizen", "social", "national"] | None = None
    service_degree: Literal["general", "serious", "grave"] | None = None


class SystemInfo(_Model):
    """The system assessed (mlpscan.yaml `system:`)."""

    name: str | None = None
    level: int
    organisation: str | None = None
    grading: GradingInfo | None = None


class ScopeTarget(_Model):
    id: str
    provider: str
    account: str | None = None
    address: str | None = Field(default=None, description="host:port a host was reached at")
    regions: list[str] = Field(default_factory=list)


class Scope(_Model):
    targets: list[ScopeTarget]


class NextAssessment(_Model):
    due: date
    interval_days: int = Field(description="The level's assessment_interval_days parameter")


class ToolInfo(_Model):
    name: str = "mlpscan"
    version: str


class TargetResult(_Model):
    """One target's line of the fleet view."""

    target: str
    by_status: dict[Status, int] = Field(
        description="Its findings per status (statuses it has none of left out)")
    worst_severity: Severity | None = Field(
        default=None, description="The highest severity among its fail and error findings (null: none)")


class Summary(_Model):
    by_status: dict[Status, int]
    by_severity: dict[Severity, int] = Field(description="Failing and error findings per severity")
    by_target: list[TargetResult] = Field(
        default_factory=list, description="One result line per target, by target id: a fleet of 5,000 hosts "
                                          "reads as 5,000 lines")


class Report(_Model):
    schema_: Literal["mlpscan.report/1"] = Field(default="mlpscan.report/1", alias="schema")
    tool: ToolInfo
    generated_at: datetime
    system: SystemInfo | None = None
    scope: Scope | None = None
    profile: ProfileSummary
    snapshot: SnapshotRef
    next_assessment: NextAssessment | None = None
    summary: Summary
    laws: dict[str, LawBasis] = Field(
        default_factory=dict, description="The laws findings cite in `law`, by id (once, not per finding)")
    findings: list[Finding]

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def failing(self, threshold: Severity | None) -> list[Finding]:
        """Fail and error findings at or above ``threshold`` (None: never failing)."""
        if threshold is None:
            return []
        return [f for f in self.findings
                if f.status in (Status.FAIL, Status.ERROR) and f.severity.rank >= threshold.rank]


@dataclass(frozen=True)
class BuiltinRule:
    """A finding the engine makes itself, outside any check file."""

    id: str
    title: str
    description: str
    severity: Severity
    remediation: str


COLLECTION_INCOMPLETE = BuiltinRule(
    id="mlpscan.collection_incomplete",
    title="Evidence collection failed for data no selected check decided on",
    description="A collection error (denied, throttled, timed out, unreachable) that none of the "
                "profile's checks turned into an error finding of its own. It is reported so that "
                "an incomplete snapshot is never silent; it maps to no clause.",
    severity=Severity.LOW,
    remediation="Grant the read-only permissions in providers/<provider>/ (or fix connectivity) and "
                "collect again.",
)


def summarize(findings: list[Finding]) -> Summary:
    by_status = dict.fromkeys(Status, 0)
    by_severity = dict.fromkeys(Severity, 0)
    per_target: dict[str, dict[Status, int]] = {}
    worst: dict[str, Severity] = {}
    for finding in findings:
        by_status[finding.status] += 1
        target = finding.resource.target
        counts = per_target.setdefault(target, {})
        counts[finding.status] = counts.get(finding.status, 0) + 1
        if finding.status in (Status.FAIL, Status.ERROR):
            by_severity[finding.severity] += 1
            if target not in worst or finding.severity.rank > worst[target].rank:
                worst[target] = finding.severity
    by_target = [TargetResult(target=target, by_status={s: counts[s] for s in Status if s in counts},
                              worst_severity=worst.get(target))
                 for target, counts in sorted(per_target.items())]
    return Summary(by_status=by_status, by_severity=by_severity, by_target=by_target)
