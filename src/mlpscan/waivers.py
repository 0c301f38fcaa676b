"""Waivers: accepted exceptions with a justification, an approver and a required expiry date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from mlpscan.findings import AppliedWaiver, Finding, Status
from mlpscan.loading import read_document, validate

WAIVABLE = (Status.FAIL, Status.ERROR, Status.MANUAL)


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str = Field(description="Check id or glob, e.g. 'aws.s3.*'")
    resource: str = Field(description="Glob over the resource uid or name; '*' for every resource")
    target: str = Field(default="*", description="Glob over the target id")
    justification: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    expires: date = Field(description="Last day the waiver applies (YYYY-MM-DD)")

    def matches(self, finding: Finding) -> bool:
        ref = finding.resource
        return (fnmatchcase(finding.check, self.check)
                and fnmatchcase(ref.target, self.target)
                and (fnmatchcase(ref.uid, self.resource)
                     or (ref.name is not None and fnmatchcase(ref.name, self.resource))))

    def expired(self, today: date) -> bool:
        return self.expires < today

    def describe(self) -> str:
        return f"waiver for {self.check} on {self.resource} (approved by {self.approver})"


class WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    waivers: list[Waiver]


def read_waivers(path: Path) -> list[Waiver]:
    doc = read_document(path)
    return list(validate(WaiverFile, doc).waivers)


def apply_waivers(findings: list[Finding], waivers: list[tuple[Waiver, str | None]], today: date
                  ) -> tuple[list[Finding], list[str]]:
    """Mark waived findings; return them with warnings about expired or unused waivers.

    A waived finding keeps its underlying status in `waiver.status`. An expired waiver no
    longer applies: the finding keeps its status and its message says the waiver lapsed.
    """
    warnings: list[str] = []
    used: set[int] = set()
    out = [_waive(f, waivers, today, used) if f.status in WAIVABLE else f for f in findings] \
        if waivers else findings
    for index, (waiver, source) in enumerate(waivers):
        where = f"{source}: " if source else ""
        if waiver.expired(today):
            warnings.append(f"{where}{waiver.describe()} expired on {waiver.expires.isoformat()} "
                            "and no longer applies")
        elif index not in used:
            warnings.append(f"{where}{waiver.describe()} matched no finding")
    return out, warnings


def _waive(finding: Finding, waivers: list[tuple[Waiver, str | None]], today: date, used: set[int]
           ) -> Finding:
    """The finding under the first live waiver that matches it; lapsed matches are noted."""
    lapsed: list[str] = []
    for index, (waiver, source) in enumerate(waivers):
        if not waiver.matches(finding):
            continue
        used.add(index)
        if waiver.expired(today):
            lapsed.append(waiver.expires.isoformat())
            continue
        return replace(finding, status=Status.WAIVED, waiver=AppliedWaiver(
            status=finding.status, justification=waiver.justification, approver=waiver.approver,
            expires=waiver.expires, source=source))
    if lapsed:
        return replace(finding, message=f"{finding.message} (waiver expired on {', '.join(lapsed)})")
    return finding
