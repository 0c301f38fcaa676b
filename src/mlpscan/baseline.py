"""Baseline gating: which failing findings are new against an earlier report, which were fixed.

A finding's identity is (check, target, resource type, uid, region, failed operation): the
same parts as the SARIF fingerprint, so a dashboard and the gate agree on what "the same
finding" is. Only fail and error findings are compared; a waived one is not failing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlpscan.errors import InputError
from mlpscan.findings import REPORT_SCHEMA, Finding, Report, Status
from mlpscan.loading import read_json, validate

FAILING = (Status.FAIL, Status.ERROR)
FindingKey = tuple[str, str, str, str, str, str]


def identity(finding: Finding) -> FindingKey:
    ref = finding.resource
    operation = finding.observed.get("operation") if isinstance(finding.observed, dict) else None
    return (finding.check, ref.target, ref.type, ref.uid, ref.region or "", str(operation or ""))


@dataclass(frozen=True)
class Comparison:
    """The current report against a baseline report."""

    baseline: Path
    known: frozenset[FindingKey]   # failing in the baseline
    waived: frozenset[FindingKey]  # failing under a waiver in the baseline (a lapsed waiver is news)
    new: tuple[Finding, ...]       # failing now, not in the baseline
    fixed: tuple[Finding, ...]     # failing in the baseline, evaluated now and no longer failing

    def is_new(self, finding: Finding) -> bool:
        return finding.status in FAILING and identity(finding) not in self.known

    def state(self, finding: Finding) -> str:
        """SARIF `baselineState` of a result (a fail or error, waived or not)."""
        return "unchanged" if identity(finding) in self.known | self.waived else "new"


def read_baseline(path: Path) -> Report:
    doc = read_json(path)
    if not isinstance(doc.data, dict) or doc.data.get("schema") != REPORT_SCHEMA:
        found = doc.data.get("schema") if isinstance(doc.data, dict) else None
        raise InputError(f"not a {REPORT_SCHEMA} report (schema is {found!r}); the baseline is the "
                         "mlpscan-report.json of an earlier run", path=path)
    return validate(Report, doc)


def compare(report: Report, baseline: Report, path: Path) -> Comparison:
    known = frozenset(identity(f) for f in baseline.findings if f.status in FAILING)
    waived = frozenset(identity(f) for f in baseline.findings
                       if f.status is Status.WAIVED and f.effective_status in FAILING)
    now_failing = {identity(f) for f in report.findings if f.status in FAILING}
    evaluated = {(f.check, f.resource.target) for f in report.findings}
    new = tuple(f for f in report.findings if f.status in FAILING and identity(f) not in known)
    # a check not run this time, or a target not scanned, is not "fixed": it was not looked at
    fixed = tuple(f for f in _unique(baseline.findings)
                  if f.status in FAILING and identity(f) not in now_failing
                  and (f.check, f.resource.target) in evaluated)
    return Comparison(baseline=path, known=known, waived=waived, new=new, fixed=fixed)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[FindingKey] = set()
    out = []
    for finding in findings:
        key = identity(finding)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
