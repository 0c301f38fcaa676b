"""The terminal view: per target, the checks that need attention, then the counts.

Made for people at 80 columns. A check id is never folded or cut: it is what one copies into
`mlpscan checks show` or a waiver. Every other line is cut to the width; a target that could
not be collected at all is one line; and every string that comes from a snapshot is bounded and
stripped of control characters before it reaches the terminal (a snapshot is input too).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Literal

from rich.console import Console
from rich.text import Text

from mlpscan.baseline import Comparison
from mlpscan.catalog import CATEGORIES, Catalog
from mlpscan.findings import Finding, Report, Severity, Status

SHOWN = frozenset({Status.FAIL, Status.ERROR, Status.MANUAL, Status.WAIVED})
ORDER = (Status.FAIL, Status.ERROR, Status.MANUAL, Status.WAIVED, Status.PASS, Status.NOT_APPLICABLE)
LABEL = {Status.FAIL: "FAIL", Status.ERROR: "ERROR", Status.MANUAL: "MANUAL", Status.WAIVED: "WAIVED",
         Status.PASS: "PASS", Status.NOT_APPLICABLE: "N/A"}
SEVERITY_STYLE = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow"}
STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.ERROR: "bold magenta",
         Status.MANUAL: "yellow", Status.NOT_APPLICABLE: "dim", Status.WAIVED: "cyan"}
FAILING = (Status.FAIL, Status.ERROR)
DEFAULT_MAX_ROWS = 200     # resource lines in all; the JSON report has every finding
PER_CHECK = 5              # resource lines per check without -v
MAX_TEXT = 300             # characters of one snapshot-derived string on a line
MAX_DETAIL = 2000          # characters of one value in the -v details
DETAIL_INDENT, DETAIL_KEY = 6, 11
FLEET_TARGETS = 20         # above this many targets, `--view auto` is one line per target
TOP_CHECKS = 10            # checks failing on the most targets, under the fleet view
View = Literal["auto", "targets", "checks"]
# C0/C1 controls, DEL, lone surrogates and the bidirectional overrides that can disguise text
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class TableOptions:
    statuses: frozenset[Status] = SHOWN
    severities: frozenset[Severity] | None = None   # None: every severity
    verbose: bool = False
    quiet: bool = False                              # the summary only
    max_rows: int = DEFAULT_MAX_ROWS
    view: View = "auto"      # targets: one line per target (the fleet view); checks: their checks too

    def fleet(self, targets: int) -> bool:
        return self.view == "targets" or (self.view == "auto" and targets > FLEET_TARGETS)

    @property
    def filtered(self) -> bool:
        """Whether the view was narrowed from its default."""
        return self.statuses != SHOWN or self.severities is not None

    def shows(self, finding: Finding) -> bool:
        return finding.status in self.statuses and (
            self.severities is None or finding.severity in self.severities)


def render_table(report: Report, console: Console, *, options: TableOptions | None = None,
                 unreached: Mapping[str, str] | None = None, comparison: Comparison | None = None,
                 catalog: Catalog | None = None) -> None:
    """``unreached`` maps a target that could not be collected at all to why (one line each)."""
    options = options or TableOptions()
    view = _View(console, options, unreached or {}, comparison, catalog)
    if not options.quiet:
        view.body(report)
    view.summary(report)


class _View:
    def __init__(self, console: Console, options: TableOptions, unreached: Mapping[str, str],
                 comparison: Comparison | None, catalog: Catalog | None) -> None:
        self.out = console
        self.options = options
        self.unreached = unreached
        self.comparison = comparison
        self.catalog = catalog
        self.budget = options.max_rows
        self.hidden = 0

    # -- the findings, per target ---------------------------------------------------------------

    def body(self, report: Report) -> None:
        by_target: dict[str, list[Finding]] = defaultdict(list)
        for finding in report.findings:
            by_target[finding.resource.target].append(finding)
        title = f"mlpscan · {report.profile.id} (MLPS level {report.profile.level})"
        if self.options.filtered:
            title += " · showing " + self._filter_text()
        self.out.print(Text(title, style="bold"), overflow="fold")
        if self.options.fleet(len(set(by_target) | set(self.unreached))):
            self.fleet(by_target)
            return
        shown_any = False
        for target in sorted(set(by_target) | set(self.unreached)):
            shown_any |= self.target(target, by_target.get(target, []))
        if not shown_any:
            self.out.print(Text("nothing to show" if self.options.filtered else "nothing needs attention",
                                style="green"))
        if self.hidden:
            self.line(Text(f"… {self.hidden} more finding(s) not listed: the JSON report has every one "
                           "(or narrow the view with --status, --severity)", style="dim"))
        if self.comparison is not None and self.comparison.fixed:
            self.fixed(self.comparison)

    def target(self, target: str, findings: list[Finding]) -> bool:
        """Print one target; returns whether anything was printed for it."""
        if target in self.unreached:
            printed = self.unreached_line(target, findings)
            findings = [f for f in findings if f.status is not Status.ERROR]  # all said in that line
            shown = [f for f in findings if self.options.shows(f)]
        else:
            shown = [f for f in findings if self.options.shows(f)]
            printed = bool(shown) or not self.options.filtered
            if printed:
                self.result_line(target, findings, shown=bool(shown))
        blocks = sorted(_blocks(shown), key=lambda b: (ORDER.index(b[0]), -b[1][0].severity.rank,
                                                        b[1][0].check))
        for status, group in blocks:
            self.block(status, group)
        return printed or bool(shown)

    def result_line(self, target: str, findings: list[Finding], *, shown: bool) -> None:
        """A target's result: its counts per status and its worst failing severity."""
        mark = ("● ", "bold") if shown else ("✓ ", "green")
        line = Text.assemble(mark, (_clean(target), "bold"), "  ", _counts(findings))
        worst = _worst(findings)
        if worst is not None:
            line.append(f"  · worst {worst.value}", style=SEVERITY_STYLE.get(worst, ""))
        self.line(line)

    # -- the fleet view: one line per target ----------------------------------------------------

    def fleet(self, by_target: Mapping[str, list[Finding]]) -> None:
        """Targets that need attention first, worst first; the others in one line (-v: each); then
        the checks that fail on the most targets."""
        quiet: list[str] = []
        targets = sorted(set(by_target) | set(self.unreached),
                         key=lambda t: _fleet_order(t, by_target.get(t, [])))
        for target in targets:
            findings = by_target.get(target, [])
            if target in self.unreached:
                self.unreached_line(target, findings)
                continue
            shown = [f for f in findings if self.options.shows(f)]
            if shown or self.options.verbose:
                self.result_line(target, findings, shown=bool(shown))
            else:
                quiet.append(target)
        if quiet:
            self.line(Text(f"✓ {len(quiet)} more target{'s' * (len(quiet) != 1)}: "
                           + ("nothing to show" if self.options.filtered else "nothing needs attention")
                           + " (-v lists each)", style="green"))
        # a target not collected at all is said in its line, not once per check here
        self.top_checks([f for target, findings in by_target.items() if target not in self.unreached
                         for f in findings])

    def top_checks(self, findings: list[Finding]) -> None:
        failing: dict[tuple[str, Status], set[str]] = defaultdict(set)
        severity: dict[str, Severity] = {}
        for finding in findings:
            if finding.status in FAILING and self.options.shows(finding):
                failing[(finding.check, finding.status)].add(finding.resource.target)
                severity[finding.check] = finding.severity
        if not failing:
            return
        ranked = sorted(failing.items(), key=lambda kv: (-len(kv[1]), ORDER.index(kv[0][1]), kv[0][0]))
        shown = min(TOP_CHECKS, len(ranked))
        self.line(Text(f"checks failing on the most targets ({shown} of {len(ranked)}):", style="bold"))
        for (check, status), targets in ranked[:TOP_CHECKS]:
            head = Text.assemble("  ", (f"{LABEL[status]:<7}", STYLE[status]), f"{severity[check].value:<9}",
                                 check)
            fixed = len(head)
            head.append(f"  on {len(targets)} target{'s' * (len(targets) != 1)}", style="dim")
            self.whole(head, fixed=fixed)

    def unreached_line(self, target: str, findings: list[Finding]) -> bool:
        if Status.ERROR not in self.options.statuses:
            return False
        checks = len({f.check for f in findings if f.status is Status.ERROR})
        self.line(Text.assemble(("✗ ", "bold magenta"), (_clean(target), "bold"),
                                (f"  not collected ({checks} checks not evaluated): ", "magenta"),
                                _clean(self.unreached[target])))
        return True

    def block(self, status: Status, findings: list[Finding]) -> None:
        first = findings[0]
        head = Text.assemble("  ", (f"{LABEL[status]:<7}", STYLE[status]), f"{first.severity.value:<9}",
                             first.check)
        if len(findings) > 1:
            head.append(f"  ({len(findings)})", style="dim")
        self.whole(head, fixed=len(head) - (len(f"  ({len(findings)})") if len(findings) > 1 else 0))
        limit = len(findings) if self.options.verbose else PER_CHECK
        for finding in findings[:limit]:
            if self.budget <= 0:
                self.hidden += 1
                continue
            self.budget -= 1
            self.resource(finding)
        if len(findings) > limit:
            self.line(Text(f"    … and {len(findings) - limit} more (-v lists them)", style="dim"))

    def resource(self, finding: Finding) -> None:
        ref = finding.resource
        label = _clean(ref.name or ref.uid) + (f" ({_clean(ref.region)})" if ref.region else "")
        line = Text("    ")
        if self.comparison is not None and self.comparison.is_new(finding):
            line.append("new ", style="bold yellow")
        line.append(label, style="bold")
        if not self.options.verbose:
            line.append(f": {_clean(_short_message(finding))}")
            self.line(line)
            return
        self.line(line)
        for key, value in self.details(finding):
            self.hanging(key, value)

    def details(self, finding: Finding) -> Iterator[tuple[str, str]]:
        ref = finding.resource
        yield "resource", _clean(f"{ref.type} {ref.uid}", MAX_DETAIL)
        yield "message", _clean(finding.message, MAX_DETAIL)
        if finding.observed is not None:
            observed = json.dumps(finding.observed, ensure_ascii=False, default=str)
            yield "observed", _clean(observed, MAX_DETAIL)
        if finding.expected:
            yield "expected", _clean(finding.expected, MAX_DETAIL)
        if finding.clauses:
            yield "clauses", "; ".join(self.clause(c) for c in finding.clauses)
        if finding.units:
            yield "units", " ".join(finding.units)
        # The legal basis, control family and unit verification of a finding (DESIGN §3, §5) are
        # shown here once findings carry them.
        if finding.remediation:
            yield "remediation", _clean(finding.remediation, MAX_DETAIL)
        if finding.waiver is not None:
            waiver = finding.waiver
            yield "waiver", _clean(f"{waiver.status.value} waived by {waiver.approver} until "
                                   f"{waiver.expires.isoformat()}: {waiver.justification}", MAX_DETAIL)

    def clause(self, clause_id: str) -> str:
        if self.catalog is None or clause_id not in self.catalog:
            return clause_id
        clause = self.catalog.get(clause_id)
        return f"{clause.display_id} {clause.control_zh} ({clause.control_en})"

    def fixed(self, comparison: Comparison) -> None:
        self.line(Text(f"fixed since the baseline ({len(comparison.fixed)}):", style="bold green"))
        for finding in comparison.fixed[:PER_CHECK * 4]:
            ref = finding.resource
            self.whole(Text.assemble("  ", ("FIXED  ", "green"), finding.check),
                       fixed=2 + 7 + len(finding.check))
            self.line(Text(f"    {_clean(ref.target)} {_clean(ref.name or ref.uid)}"))
        if len(comparison.fixed) > PER_CHECK * 4:
            self.line(Text(f"  … and {len(comparison.fixed) - PER_CHECK * 4} more", style="dim"))

    # -- the counts -----------------------------------------------------------------------------

    def summary(self, report: Report) -> None:
        counts = report.summary.by_status
        targets = len({f.resource.target for f in report.findings} | set(self.unreached))
        parts = [Text(f"{LABEL[s].lower()} {counts[s]}", style=STYLE[s] if counts[s] else "dim")
                 for s in ORDER]
        self.out.print(f"summary: {len(report.findings)} findings on {targets} target{'s' * (targets != 1)}")
        self.out.print(Text(" · ").join(parts))
        failing = [f for f in report.findings if f.status in FAILING]
        if failing:
            severities = Counter(f.severity for f in failing)
            self.out.print("by severity (fail, error): " + " · ".join(
                f"{s.value} {severities[s]}" for s in Severity if severities[s]))
            categories = Counter(_category(f) for f in failing)
            self.out.print("by category (fail, error): " + " · ".join(
                f"{name} {n}" for name, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))))
        if self.comparison is not None:
            comparison = self.comparison
            self.out.print(f"baseline {_clean(str(comparison.baseline))}: {len(comparison.new)} new, "
                           f"{sum(1 for f in failing if not comparison.is_new(f))} known, "
                           f"{len(comparison.fixed)} fixed")

    # -- output helpers -------------------------------------------------------------------------

    def line(self, text: Text) -> None:
        """One line, cut to the width."""
        self.out.print(text, no_wrap=True, overflow="ellipsis")

    def hanging(self, key: str, value: str) -> None:
        """``key`` then ``value`` wrapped to the width, its lines aligned after the key."""
        indent = DETAIL_INDENT + DETAIL_KEY + 1
        for number, part in enumerate(Text(value).wrap(self.out, max(20, self.out.width - indent))):
            head = f"{key:<{DETAIL_KEY}} " if number == 0 else " " * (DETAIL_KEY + 1)
            part.rstrip()
            self.out.print(Text.assemble(" " * DETAIL_INDENT, (head, "dim"), part), no_wrap=True,
                           overflow="ignore", crop=False)

    def whole(self, text: Text, *, fixed: int) -> None:
        """One line whose first ``fixed`` characters (a check id) are never cut: only what follows
        them may be dropped; if even they do not fit, the line runs past the width unbroken."""
        if len(text) > self.out.width:
            text = text[:max(fixed, self.out.width)]
        self.out.print(text, no_wrap=True, overflow="ignore", crop=False, soft_wrap=True)

    def _filter_text(self) -> str:
        text = ", ".join(LABEL[s].lower() for s in ORDER if s in self.options.statuses)
        if self.options.severities is not None:
            text += " at " + ", ".join(s.value for s in Severity if s in self.options.severities)
        return text


def _blocks(findings: list[Finding]) -> Iterator[tuple[Status, list[Finding]]]:
    ordered = sorted(findings, key=lambda f: (f.check, ORDER.index(f.status), -f.severity.rank,
                                              f.resource.uid))
    for (_, status), group in groupby(ordered, key=lambda f: (f.check, f.status)):
        yield status, list(group)


def _short_message(finding: Finding) -> str:
    """A collection error is said by what failed; -v gives the whole message."""
    observed = finding.observed
    if finding.status is Status.ERROR and isinstance(observed, dict) and observed.get("operation"):
        return f"not evaluated: {observed['operation']} returned {observed.get('code')}"
    return finding.message


def _worst(findings: list[Finding]) -> Severity | None:
    failing = [f.severity for f in findings if f.status in FAILING]
    return max(failing, key=lambda s: s.rank) if failing else None


def _fleet_order(target: str, findings: list[Finding]) -> tuple[int, int, int, str]:
    """Not collected first, then by worst severity, then by how much fails."""
    worst = _worst(findings)
    failing = sum(1 for f in findings if f.status in FAILING)
    return (0 if not findings else 1, -(worst.rank if worst else -1), -failing, target)


def _counts(findings: list[Finding]) -> Text:
    counts = Counter(f.status for f in findings)
    parts = [Text(f"{LABEL[s].lower()} {counts[s]}", style=STYLE[s]) for s in ORDER if counts[s]]
    return Text(" · ").join(parts) if parts else Text("no findings", style="dim")


def _category(finding: Finding) -> str:
    """The layer (安全计算环境 ...) of the finding's first clause: the third number of its id."""
    if not finding.clauses:
        return "no clause"
    parts = finding.clauses[0].split(".")
    return CATEGORIES[parts[2]][1] if len(parts) > 2 and parts[2] in CATEGORIES else "other"


def _clean(text: str, limit: int = MAX_TEXT) -> str:
    """Bounded and printable: a snapshot may carry megabyte names and terminal escape sequences."""
    text = _UNPRINTABLE.sub("?", " ".join(text[:limit + 1].replace("\t", " ").splitlines()))
    return text if len(text) <= limit else text[:limit - 1] + "…"
