"""The terminal view: readable at 80 columns, ids whole, one line per lost target, filters, bounds."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.findings import Report, Severity, Status
from mlpscan.i18n import Lang
from mlpscan.planning import unreached_targets
from mlpscan.snapshot import read_snapshot
from mlpscan.writers import TableOptions, render_table
from mlpscan.writers.words import FindingWords
from tests.conftest import EXAMPLES, REPO, make_snapshot, resource, target
from tests.test_cli import run

EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.json"))


@pytest.fixture(scope="module")
def shipped() -> Content:
    """Every shipped check (the examples meet provider checks, not only the cross-cloud ones)."""
    return load_content(REPO)


def render(report: Report, width: int = 80, **kwargs: object) -> str:
    buffer = io.StringIO()
    render_table(report, Console(file=buffer, width=width, color_system=None), **kwargs)  # type: ignore[arg-type]
    return buffer.getvalue()


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_failing_check_id_prints_whole_at_80_columns(name: str, tmp_path: Path) -> None:
    done = run("evaluate", str(EXAMPLES / name), "--format", "table,json", "--output-dir", str(tmp_path),
               env={"COLUMNS": "80"})
    assert done.returncode in (0, 1), done.stderr
    report = json.loads((tmp_path / "mlpscan-report.json").read_text(encoding="utf-8"))
    failing = {f["check"] for f in report["findings"] if f["status"] in ("fail", "error")}
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    words = {word for line in lines for word in re.split(r"\s+", line)}
    assert failing <= words, failing - words       # each id is one whitespace-delimited word
    assert len(lines) < 12 * len(failing) + 12     # not 162 lines for 10 findings


def test_an_unreachable_target_is_one_line(shipped: Content) -> None:
    error = {"target": "aws:2", "type": "aws.*", "operation": "sts:GetCallerIdentity", "code": "ExpiredToken",
             "message": "The security token included in the request is expired"}
    snapshot = make_snapshot([target("aws:1", regions=["cn-north-1"]), target("aws:2", regions=["cn-north-1"])],
                             [resource("aws:1", "aws.s3.bucket", "arn:aws-cn:s3:::b", "cn-north-1", name="b")],
                             [error])
    report = evaluate(snapshot, shipped, shipped.level_profile(3))
    assert sum(1 for f in report.findings if f.resource.target == "aws:2" and f.status is Status.ERROR) >= 2
    text = render(report, unreached=unreached_targets(snapshot))
    lines = [line for line in text.splitlines() if "aws:2" in line]
    assert len(lines) == 1, text
    assert re.match(r"✗ aws:2  not collected \(\d+ checks not evaluated\): sts:GetCallerIdentity ", lines[0])


def test_grouped_by_target_then_check(content: Content) -> None:
    snapshot = make_snapshot(
        [target("aliyun:1", regions=["cn-hongkong"]), target("aliyun:2", regions=["cn-hongkong"])],
        [resource(t, "aliyun.oss.bucket", f"acs:oss:cn-hongkong:{t}:{n}", "cn-hongkong", name=n)
         for t in ("aliyun:1", "aliyun:2") for n in ("a", "b")])
    text = render(evaluate(snapshot, content, content.level_profile(3)))
    lines = text.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("● ")]
    assert [lines[i].split()[1] for i in heads] == ["aliyun:1", "aliyun:2"]
    blocks = [line for line in lines if "cloud.residency.mainland_region" in line]
    assert len(blocks) == 2
    assert all("(2)" in line for line in blocks)
    assert text.index("summary:") > heads[-1]


def test_summary_by_severity_and_category(shipped: Content) -> None:
    snapshot = read_snapshot(EXAMPLES / "host.json")
    report = evaluate(snapshot, shipped, shipped.level_profile(3))
    text = render(report, width=100)
    failing = [f for f in report.findings if f.status in (Status.FAIL, Status.ERROR)]
    by_severity = next(line for line in text.splitlines() if line.startswith("by severity"))
    for severity in Severity:
        count = sum(1 for f in failing if f.severity is severity)
        assert (f"{severity.value} {count}" in by_severity) == bool(count)
    by_category = next(line for line in text.splitlines() if line.startswith("by category"))
    assert "Computing environment" in by_category
    assert sum(int(n) for n in re.findall(r"(\d+)", by_category.split(":", 1)[1])) == len(failing)


def test_filters_and_quiet(shipped: Content) -> None:
    report = evaluate(read_snapshot(EXAMPLES / "aws-china.json"), shipped, shipped.level_profile(3))
    only_errors = render(report, options=TableOptions(statuses=frozenset({Status.ERROR})))
    assert "ERROR" in only_errors
    assert "  FAIL " not in only_errors
    critical = render(report, options=TableOptions(statuses=frozenset(Status), severities=frozenset({Severity.CRITICAL})))
    shown = [line.split()[1] for line in critical.splitlines() if re.match(r"  [A-Z/]+ +\w+ ", line)]
    assert shown
    assert set(shown) == {"critical"}
    quiet = render(report, options=TableOptions(quiet=True)).splitlines()
    assert quiet[0].startswith("summary:")
    assert not any("aws." in line for line in quiet)


def test_verbose_shows_observed_expected_clause_and_unit(shipped: Content) -> None:
    report = evaluate(read_snapshot(EXAMPLES / "tencent.json"), shipped, shipped.level_profile(3))
    text = render(report, options=TableOptions(verbose=True), catalog=shipped.catalog, width=120)
    block = text[text.index("tencent.cam.user_login_mfa"):]
    block = block[:block.index("\n  ", block.index("remediation"))]
    for key in ("observed", "expected", "clauses", "units", "remediation"):
        assert re.search(rf"^ {{6}}{key} ", block, re.MULTILINE), key
    assert "8.1.4.1 d)" in block            # the clause as the standard prints it, with its control
    assert "L3-CES1-04" in block


def test_snapshot_text_is_bounded_and_stripped(content: Content) -> None:
    huge = "n" * 1_000_000
    snapshot = make_snapshot([target("aliyun:1", regions=["cn-hongkong"])],
                             [resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hongkong:1:" + huge, "cn-hongkong",
                                       name="evil\x1b[2J\x1b]0;title\x07\u202e" + huge)])
    report = evaluate(snapshot, content, content.level_profile(3))
    for options in (TableOptions(), TableOptions(verbose=True)):
        text = render(report, options=options)
        assert len(text) < 20_000
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "\u202e" not in text


def test_nothing_to_show(content: Content) -> None:
    declared = {"name": "AWS China (Beijing)", "level": 3, "source": "declared in mlpscan.yaml"}
    report = evaluate(make_snapshot([target("aws:1", regions=["cn-north-1"], platform=declared)]), content,
                      content.level_profile(3))
    assert "✓ aws:1" in render(report)
    filtered = render(report, options=TableOptions(statuses=frozenset({Status.FAIL})))
    assert "nothing to show" in filtered


@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_the_view_in_japanese_and_chinese_keeps_ids_whole_at_80_cells(shipped: Content, lang: Lang) -> None:
    report = evaluate(read_snapshot(EXAMPLES / "tencent.json"), shipped, shipped.level_profile(3))
    words = FindingWords(shipped, lang)
    text = render(report, words=words)
    lines = text.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), max(lines, key=cell_len)
    failing = {f.check for f in report.findings if f.status in (Status.FAIL, Status.ERROR)}
    assert failing <= {word for line in lines for word in re.split(r"\s+", line)}
    assert lines[0] == words.t("term.title", profile="level3", level=3)
    assert "summary" not in text
    assert words.t("term.label.fail") in text
    mfa = next(f for f in report.findings if f.check == "tencent.cam.user_login_mfa" and f.status is Status.FAIL)
    translated = words.message(mfa)
    assert translated != mfa.message                           # the check's own zh/ja message
    assert f"    {mfa.resource.name}: {translated}"[:30] in text      # cut to 80 cells after that
    verbose = render(report, width=120, words=words, options=TableOptions(verbose=True))
    assert words.remediation(mfa)[:30] in verbose
    assert words.t("term.d.remediation") in verbose


def test_english_words_leave_the_view_as_it_was(shipped: Content) -> None:
    report = evaluate(read_snapshot(EXAMPLES / "tencent.json"), shipped, shipped.level_profile(3))
    assert render(report, words=FindingWords(shipped, "en")) == render(report)
    assert render(report).startswith("mlpscan · level3 (MLPS level 3)\n")


def test_lang_on_the_command_line_sets_the_terminal_language(tmp_path: Path) -> None:
    done = run("evaluate", str(EXAMPLES / "tencent.json"), "--lang", "ja", "--format", "table",
               "--output-dir", str(tmp_path), env={"COLUMNS": "80"})
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("mlpscan · level3（等級保護 第 3 級）\n")
    assert "集計：1 件の対象" in done.stdout
