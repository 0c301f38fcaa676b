"""SARIF 2.1.0 for code-scanning dashboards (DESIGN §8).

Fail and error findings become results (waived fails carry a suppression); passes, manual and
not-applicable findings stay in the JSON report. The rules are those of the checks that ran
(that made at least one finding), so a dashboard never lists a rule nothing was judged by.

Every result has a relative file URI, chosen in this order: the file that declared the target
(mlpscan.yaml or the inventory, relative to the working directory: the repository checkout in
CI); else the fallback anchor the user named (`--sarif-anchor`, e.g. the workflow file); else
the check's definition inside mlpscan's content (`checks/...yaml`), which is not a file of the
user's repository, so a dashboard lists the alert without a code excerpt. The cloud or host
resource goes into a logical location, never into the URI.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic_core

from mlpscan._gc import gc_paused
from mlpscan.baseline import Comparison, identity
from mlpscan.catalog import Catalog
from mlpscan.checks import Check
from mlpscan.findings import (
    COLLECTION_INCOMPLETE,
    BuiltinRule,
    Finding,
    LawBasis,
    Report,
    Severity,
    Status,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "2.0", Severity.INFO: "0.0"}
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
         Severity.LOW: "warning", Severity.INFO: "note"}
MAX_TAGS = 20
RESULT_STATUSES = (Status.FAIL, Status.ERROR)


@gc_paused()
def render_sarif(
    report: Report,
    checks: Mapping[str, Check],
    catalog: Catalog,
    *,
    anchors: Mapping[str, str] | None = None,
    fallback_anchor: str | None = None,
    category: str | None = None,
    notifications: Sequence[str] = (),
    comparison: Comparison | None = None,
    information_uri: str = "https://pypi.org/project/mlpscan/",
) -> bytes:
    """``checks`` are the checks the evaluation selected; ``anchors`` maps a target id to the
    relative path of the file that declared it; ``fallback_anchor`` is used for the others.
    With ``comparison``, each result carries its `baselineState` (new or unchanged)."""
    level = report.profile.level
    builtin = {COLLECTION_INCOMPLETE.id: COLLECTION_INCOMPLETE}
    ran = {f.check for f in report.findings}
    used_checks = sorted(c for c in checks if c in ran)
    used_builtin = sorted(c for c in ran if c in builtin)
    rule_index = {rule_id: i for i, rule_id in enumerate(used_checks + used_builtin)}
    rules = [_rule(checks[rule_id], level, catalog) for rule_id in used_checks]
    rules += [_builtin_rule(builtin[rule_id]) for rule_id in used_builtin]
    where = _Anchors(anchors or {}, fallback_anchor)
    results = [_result(f, rule_index[f.check], checks.get(f.check), where, comparison)
               for f in report.findings if f.effective_status in RESULT_STATUSES]
    targets = sorted({f.resource.target for f in report.findings})
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "mlpscan",
            "version": report.tool.version,
            "semanticVersion": report.tool.version,
            "informationUri": information_uri,
            "rules": rules,
        }},
        "automationDetails": {"id": f"mlpscan/{report.profile.id}/{category or _category(targets)}/"},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": text}} for text in notifications],
        }],
        "results": results,
        "properties": {
            "profile": report.profile.id,
            "level": level,
            "snapshotDigest": report.snapshot.digest,
            "summary": {k.value: v for k, v in report.summary.by_status.items()},
        },
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return pydantic_core.to_json(document, indent=2) + b"\n"  # the stdlib encoder is slow with indent


def _category(targets: list[str]) -> str:
    """One target: its id. Several: a stable name for the set, so uploads do not close each other."""
    if len(targets) == 1:
        return targets[0]
    return "fleet-" + hashlib.sha256("\n".join(targets).encode()).hexdigest()[:12]


def _rule(check: Check, level: int, catalog: Catalog) -> dict[str, Any]:
    clause_ids = check.clauses.get(level, [])
    clauses = [catalog.get(c) for c in clause_ids if c in catalog]
    units = sorted({u for c in clauses for u in c.units})
    clause_lines = [f"- GB/T 22239-2019 {c.display_id} {c.control_zh} ({c.control_en}): {c.zh} — {c.en}"
                    f" [GB/T 28448: {', '.join(_unit(u, catalog) for u in c.units)}]" for c in clauses]
    law_lines = [_law_line(basis) for basis in check.law]
    text = [check.description or check.title, "", f"MLPS level {level} clauses:", *clause_lines]
    markdown = [f"**{check.title}** (severity: {check.severity.value})", ""]
    if check.description:
        markdown += [check.description, ""]
    markdown += [f"**MLPS level {level} (GB/T 22239-2019)**", "", *clause_lines]
    if law_lines:
        text += ["", "Legal basis (a law, not the standard, sets this requirement):", *law_lines]
        markdown += ["", "**Legal basis** (a law, not the standard, sets this requirement)", "", *law_lines]
    if any(catalog.unit_status(u) == "unverified" for u in units):
        note = ("Unit ids marked (unverified) were reconstructed and have not been checked against "
                "the text of GB/T 28448-2019.")
        text += ["", note]
        markdown += ["", f"_{note}_"]
    if check.remediation:
        text += ["", f"Remediation: {check.remediation}"]
        markdown += ["", f"**Remediation:** {check.remediation}"]
    if check.source is not None:
        markdown += ["", f"Check definition: `{check.source.as_posix()}`"]
    tags = ["mlps", f"mlps/L{level}", "security", *check.provider, *clause_ids, *units]
    return {
        "id": check.id,
        "name": _pascal(check.id),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.description or check.title},
        "help": {"text": "\n".join(text), "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": LEVEL[check.severity]},
        "properties": {
            "tags": list(dict.fromkeys(tags))[:MAX_TAGS],
            "security-severity": SECURITY_SEVERITY[check.severity],
            "precision": "high",
            "problem.severity": "error" if LEVEL[check.severity] == "error" else "warning",
            "mlps.clauses": clause_ids,
            "mlps.units": units,
        },
    }


def _unit(unit: str, catalog: Catalog) -> str:
    return unit if catalog.unit_status(unit) == "verified" else f"{unit} (unverified)"


def _law_line(basis: LawBasis) -> str:
    articles = "; ".join(
        f"{a.version} {a.article}" + (f" (in force {a.in_force.isoformat()})" if a.adopted else "")
        for a in basis.articles)
    return f"- {basis.instrument} ({basis.instrument_zh}), {articles}: {basis.requirement}"


def _builtin_rule(rule: BuiltinRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {"text": f"{rule.description}\n\nRemediation: {rule.remediation}",
                 "markdown": (f"**{rule.title}**\n\n{rule.description}\n\n"
                              f"**Remediation:** {rule.remediation}")},
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": ["mlps", "collection"], "security-severity": SECURITY_SEVERITY[rule.severity],
                       "precision": "high", "problem.severity": "warning"},
    }


def _pascal(check_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[._]", check_id))


class _Anchors:
    def __init__(self, declared: Mapping[str, str], fallback: str | None) -> None:
        self.declared = declared
        self.fallback = fallback

    def uri(self, target: str, check: Check | None) -> str:
        definition = check.source.as_posix() if check is not None and check.source else None
        return self.declared.get(target) or self.fallback or definition or "mlpscan.yaml"


def _result(finding: Finding, index: int, check: Check | None, anchors: _Anchors,
            comparison: Comparison | None) -> dict[str, Any]:
    ref = finding.resource
    status = finding.effective_status
    uri = anchors.uri(ref.target, check)
    prefix = "collection error: " if status is Status.ERROR else ""
    where = f"{ref.target} {ref.type} {ref.name or ref.uid}" + (f" ({ref.region})" if ref.region else "")
    result: dict[str, Any] = {
        "ruleId": finding.check,
        "ruleIndex": index,
        "kind": "fail",
        "level": "note" if status is Status.ERROR else LEVEL[finding.severity],
        "message": {"text": f"{prefix}{finding.message} [{where}]"},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": 1}},
            "logicalLocations": [{"fullyQualifiedName": ref.uid, "name": ref.name or ref.uid,
                                  "kind": "resource"}],
        }],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint(finding)},
        "properties": {
            "status": status.value,
            "severity": finding.severity.value,
            "target": ref.target,
            "resourceType": ref.type,
            "resource": ref.uid,
            "region": ref.region,
            "clauses": finding.clauses,
            "units": finding.units,
        },
    }
    if comparison is not None:
        result["baselineState"] = comparison.state(finding)
    if finding.waiver is not None:
        result["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": (f"{finding.waiver.justification} (approved by "
                              f"{finding.waiver.approver}, expires {finding.waiver.expires.isoformat()})"),
        }]
    return result


def fingerprint(finding: Finding) -> str:
    """Stable identity of an alert: rule, target, resource, region, and the failed operation."""
    return hashlib.sha256("\x1f".join(identity(finding)).encode()).hexdigest()
