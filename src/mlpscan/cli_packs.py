"""`mlpscan coverage --pack ID`: how much of a vendor's compliance pack the checks cover."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mlpscan.content import load_content
from mlpscan.packs import coverage, load_pack


def print_pack_coverage(content_dir: str | Path | None, pack_id: str, *, as_json: bool,
                        console: Console | None = None) -> int:
    """Print the pack's rules with the checks that cover each, or why none does; returns exit code 0."""
    content = load_content(content_dir)
    report = coverage(load_pack(content.root, pack_id), content.checks)
    rows: list[dict[str, Any]] = [
        {"rule": r.rule.id, "service": r.rule.service, "covered": r.covered, "checks": list(r.checks),
         "not_covered": r.rule.not_covered} for r in report.rules]
    if as_json:   # nothing but the document on stdout
        print(json.dumps({"pack": report.pack.id, "title": report.pack.title, "covered": report.covered,
                          "total": report.total, "rules": rows,
                          "inconsistencies": report.inconsistencies()}, indent=2, ensure_ascii=False))
        return 0
    out = console or Console()
    table = Table("Rule", "Service", "Checks (or why none)", title=report.pack.title)
    table.columns[0].no_wrap = True
    for rule in report.rules:
        why = f"not covered: {rule.rule.not_covered}"
        table.add_row(rule.rule.id, rule.rule.service, "\n".join(rule.checks) or why)
    out.print(table)
    out.print(f"{report.pack.id}: {report.covered} of {report.total} rules covered by mlpscan checks "
              f"({report.total - report.covered} not covered, each with its reason above)")
    for problem in report.inconsistencies():
        out.print(f"warning: {problem}")
    return 0
