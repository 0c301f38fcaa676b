"""JUnit XML for CI dashboards (GitLab, Jenkins, Azure DevOps): one test case per check and target.

A target is a test suite. Its test case for a check fails when any of the check's findings on
that target fails, is an error when none fails but one could not be evaluated, and is skipped
when it needs manual evidence, does not apply or is waived; the message lists the resources.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable

from mlpscan.findings import Finding, Report, Status

MAX_LISTED = 50          # resources named in one test case's text
MAX_TEXT = 2000          # characters of one message
# Characters XML 1.0 cannot carry at all (a snapshot may hold them): replaced, never emitted.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_OUTCOME_ORDER = (Status.FAIL, Status.ERROR, Status.MANUAL, Status.WAIVED, Status.NOT_APPLICABLE,
                  Status.PASS)


def render_junit(report: Report) -> bytes:
    by_target: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        by_target[finding.resource.target][finding.check].append(finding)
    root = ET.Element("testsuites", name=f"mlpscan {report.profile.id}")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for target in sorted(by_target):
        suite = ET.SubElement(root, "testsuite", name=_text(target), tests="0", failures="0",
                              errors="0", skipped="0", timestamp=report.generated_at.isoformat())
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for check in sorted(by_target[target]):
            kind = _case(suite, target, check, by_target[target][check])
            counts["tests"] += 1
            if kind is not None:
                counts[kind] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
        for key in totals:
            totals[key] += counts[key]
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _case(suite: ET.Element, target: str, check: str, findings: list[Finding]) -> str | None:
    """Add one test case; returns the counter it adds to (failures, errors, skipped) or None."""
    case = ET.SubElement(suite, "testcase", classname=_text(target), name=check)
    by_status: dict[Status, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_status[finding.status].append(finding)
    outcome = next(s for s in _OUTCOME_ORDER if by_status.get(s))
    if outcome is Status.PASS:
        return None
    first = by_status[outcome][0]
    summary = f"{len(by_status[outcome])} {outcome.value}: {first.title}"
    body = _body(findings)
    if outcome is Status.FAIL:
        element = ET.SubElement(case, "failure", type=first.severity.value, message=_text(summary))
        kind = "failures"
    elif outcome is Status.ERROR:
        element = ET.SubElement(case, "error", type="not evaluated", message=_text(summary))
        kind = "errors"
    else:
        element = ET.SubElement(case, "skipped", type=outcome.value, message=_text(summary))
        kind = "skipped"
    element.text = body
    return kind


def _body(findings: Iterable[Finding]) -> str:
    lines = []
    listed = [f for f in findings if f.status is not Status.PASS]
    for finding in listed[:MAX_LISTED]:
        ref = finding.resource
        where = ref.name or ref.uid
        if ref.region:
            where += f" ({ref.region})"
        lines.append(f"[{finding.status.value}, {finding.severity.value}] {where}: {finding.message}")
        if finding.clauses:
            lines.append(f"  clauses: {' '.join(finding.clauses)}; units: {' '.join(finding.units)}")
        if finding.remediation and finding.status is Status.FAIL:
            lines.append(f"  remediation: {finding.remediation}")
        if finding.waiver is not None:
            lines.append(f"  waived by {finding.waiver.approver} until {finding.waiver.expires.isoformat()}: "
                         f"{finding.waiver.justification}")
    if len(listed) > MAX_LISTED:
        lines.append(f"... and {len(listed) - MAX_LISTED} more (the JSON report has every finding)")
    return "\n".join(_text(line, MAX_TEXT) for line in lines)


def _text(value: str, limit: int = MAX_TEXT) -> str:
    value = value if len(value) <= limit else value[:limit - 1] + "…"
    return _NOT_XML.sub("?", value)
