"""The terminal table: what needs attention first, then the counts."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mlpscan.findings import Report, Severity, Status

SHOWN = (Status.ERROR, Status.FAIL, Status.MANUAL, Status.WAIVED)
STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.ERROR: "bold magenta",
         Status.MANUAL: "yellow", Status.NOT_APPLICABLE: "dim", Status.WAIVED: "cyan"}
DEFAULT_MAX_ROWS = 200


def render_table(report: Report, console: Console, *, max_rows: int = DEFAULT_MAX_ROWS) -> None:
    rows = [f for f in report.findings if f.status in SHOWN]
    rows.sort(key=lambda f: (SHOWN.index(f.status), -f.severity.rank, f.check, f.resource.uid))
    title = f"mlpscan · {report.profile.id} (MLPS level {report.profile.level})"
    if rows:
        table = Table(title=title, show_lines=False, expand=False)
        table.add_column("Status", no_wrap=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Check", overflow="fold")
        table.add_column("Resource", overflow="fold")
        table.add_column("Clauses", overflow="fold")
        table.add_column("Message", overflow="fold", ratio=2)
        for finding in rows[:max_rows]:
            ref = finding.resource
            resource = f"{ref.target}\n{ref.name or ref.uid}" + (f" ({ref.region})" if ref.region else "")
            status = finding.status.value
            if finding.waiver is not None:
                status += f"\n({finding.waiver.status.value})"
            table.add_row(Text(status, style=STYLE[finding.status]), finding.severity.value,
                          finding.check, resource, " ".join(finding.clauses), finding.message)
        console.print(table)
        if len(rows) > max_rows:
            console.print(f"… and {len(rows) - max_rows} more; the JSON report has every finding.")
    else:
        console.print(Text(f"{title}: nothing needs attention", style="green"))
    counts = report.summary.by_status
    parts = [Text(f"{status.value} {counts[status]}", style=STYLE[status]) for status in Status]
    console.print(Text("  ").join(parts))
    failing = report.summary.by_severity
    if any(failing.values()):
        console.print("failing or error by severity: " + ", ".join(
            f"{sev.value} {failing[sev]}" for sev in Severity if failing[sev]))
