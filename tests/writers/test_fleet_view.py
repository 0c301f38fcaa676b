"""The fleet view: one result line per target (counts, worst severity), in the terminal and in the
JSON report, so that thousands of hosts read as at most that many lines."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.findings import Report, Severity, Status
from mlpscan.planning import unreached_targets
from mlpscan.writers import TableOptions, render_table
from mlpscan.writers.json import render_json
from mlpscan.writers.table import TOP_CHECKS
from tests.conftest import REPO, make_snapshot, resource, target

HOSTS = 600


@pytest.fixture(scope="module")
def shipped() -> Content:
    return load_content(REPO)


def fleet_report(content: Content) -> tuple[Report, dict[str, str]]:
    """600 hosts: every tenth has a second UID-0 account (a high failure), one could not be
    reached, the rest pass what they have."""
    targets = [target(f"host:web-{n:04d}") for n in range(HOSTS)]
    resources = []
    for n in range(HOSTS - 1):
        uid0 = ["root", "toor"] if n % 10 == 0 else ["root"]
        resources.append(resource(f"host:web-{n:04d}", "host.accounts", f"web-{n:04d}:accounts",
                                  data={"uid0_accounts": uid0, "system_accounts_with_login_shell": [],
                                        "duplicate_uids": [], "duplicate_names": []}))
    errors = [{"target": f"host:web-{HOSTS - 1:04d}", "type": "host.*", "operation": "ssh session",
               "code": "ConnectTimeout", "message": "timed out"}]
    snapshot = make_snapshot(targets, resources, errors)
    return evaluate(snapshot, content, content.level_profile(3)), unreached_targets(snapshot)


def render(report: Report, unreached: dict[str, str], **options: object) -> list[str]:
    buffer = io.StringIO()
    render_table(report, Console(file=buffer, width=100, color_system=None),
                 options=TableOptions(**options), unreached=unreached)  # type: ignore[arg-type]
    return buffer.getvalue().splitlines()


def test_a_large_fleet_reads_as_one_line_per_target_at_most(shipped: Content) -> None:
    report, unreached = fleet_report(shipped)
    lines = render(report, unreached)
    per_target = [line for line in lines if line.startswith(("● host:", "✗ host:", "✓ host:"))]
    failing = {f.resource.target for f in report.findings if f.status in (Status.FAIL, Status.ERROR)}
    assert len(per_target) == len(failing) == HOSTS // 10 + 1    # the passing ones are one line together
    # besides: the title, that line, the checks failing on the most targets and the summary
    assert len(lines) - len(per_target) <= 2 + 1 + TOP_CHECKS + 4
    assert lines[1].startswith(f"✗ host:web-{HOSTS - 1:04d}  not collected")  # the lost host comes first
    first_failing = next(line for line in per_target if line.startswith("●"))
    worst = max((f.severity for f in report.findings if f.resource.target == first_failing.split()[1]
                 and f.status in (Status.FAIL, Status.ERROR)), key=lambda s: s.rank)
    assert f"worst {worst.value}" in first_failing
    assert any(line.startswith("✓ ") and "more targets: nothing needs attention" in line for line in lines)
    assert any(line.startswith("checks failing on the most targets") for line in lines)
    assert not any(line.startswith("  FAIL") and "web-" in line for line in lines)   # no resource lines


def test_verbose_and_the_checks_view_list_more(shipped: Content) -> None:
    report, unreached = fleet_report(shipped)
    every = render(report, unreached, verbose=True)
    assert sum(1 for line in every if line.startswith(("● host:", "✗ host:", "✓ host:"))) == HOSTS
    detailed = render(report, unreached, view="checks")
    assert any(line.startswith("  FAIL") for line in detailed)      # each target's checks
    small = render(report, unreached, view="targets")
    assert small == render(report, unreached)                      # auto: targets above 20


def test_the_json_report_has_a_result_per_target(shipped: Content) -> None:
    report, _ = fleet_report(shipped)
    data = json.loads(render_json(report))
    lines = data["summary"]["by_target"]
    assert [line["target"] for line in lines] == sorted(f"host:web-{n:04d}" for n in range(HOSTS))
    for line in lines:
        mine = [f for f in report.findings if f.resource.target == line["target"]]
        assert sum(line["by_status"].values()) == len(mine)
        failing = [f.severity for f in mine if f.status in (Status.FAIL, Status.ERROR)]
        expected = max(failing, key=lambda s: s.rank).value if failing else None
        assert line["worst_severity"] == expected
    assert sum(1 for line in lines if line["worst_severity"] == Severity.HIGH.value) >= HOSTS // 10
