"""The record as XLSX (read back with openpyxl) and HTML, in ja, zh and en, from examples."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mlpscan.answers import SurveyAnswer
from mlpscan.content import Content
from mlpscan.diff import compare
from mlpscan.engine import evaluate
from mlpscan.findings import Status
from mlpscan.i18n import Lang
from mlpscan.metadata import with_metadata
from mlpscan.record import Record, build_record
from mlpscan.snapshot import read_snapshot
from mlpscan.writers import html as html_writer
from mlpscan.writers.html import render_html
from mlpscan.writers.record_view import RecordView
from mlpscan.writers.xlsx import render_xlsx
from tests.conftest import EXAMPLES
from tests.record.planted import asset, finding, report

LANGS: tuple[Lang, ...] = ("ja", "zh", "en")


@pytest.fixture(scope="module")
def record(content: Content) -> Record:
    snapshot = read_snapshot(EXAMPLES / "aws-china.json")
    evaluated = with_metadata(evaluate(snapshot, content, content.level_profile(3)), snapshot)
    answer = SurveyAnswer(
        unit="L3-PSS1-01",
        result="partial",
        evidence="方針は草案のまま",
        respondent="山田",
        date=date(2026, 11, 20),
        source="answers.yaml",
    )
    return build_record(evaluated, content, [answer])


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_has_a_row_per_unit_and_asset_and_every_unit(
    tmp_path: Path, record: Record, content: Content, lang: Lang
) -> None:
    path = tmp_path / "record.xlsx"
    path.write_bytes(render_xlsx(RecordView(record, content, lang)))
    book = load_workbook(path)
    assert book.sheetnames == ["summary", "record", "findings", "assets", "survey"]
    sheet = book["record"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref
    assert sheet.conditional_formatting
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(record.rows)
    assert {r[0] for r in rows} == {u.unit.id for u in record.records}  # every unit of the level
    pairs = [(r[0], r[7], r[8], r[12]) for r in rows]
    assert len(pairs) == len(set(pairs))  # one row per (unit, asset)
    survey_row = next(r for r in rows if r[0] == "L3-PSS1-01")
    assert "方針は草案のまま" in survey_row[15]
    assert "山田" in survey_row[15]
    assert len(list(book["findings"].iter_rows(min_row=2))) == len(record.report.findings)
    view = RecordView(record, content, lang)
    summary = [c for row in book["summary"].iter_rows(values_only=True) for c in row if c]
    assert view.t("h.method") in summary
    assert view.t("method.text") in summary
    assert any(str(c).startswith(view.t("m.level_value", level=3)) for c in summary)


def test_xlsx_texts_follow_the_language(record: Record, content: Content, tmp_path: Path) -> None:
    expected = {
        "ja": ("評価項目ID", "一部適合"),
        "zh": ("测评项编号", "部分符合"),
        "en": ("Unit", "Partly conforms"),
    }
    for lang, (header, partial) in expected.items():
        path = tmp_path / f"{lang}.xlsx"
        path.write_bytes(render_xlsx(RecordView(record, content, lang)))  # type: ignore[arg-type]
        sheet = load_workbook(path)["record"]
        assert sheet["A1"].value == header
        assert partial in [c.value for c in sheet["L"]]
        # clause texts stay in Chinese, the translation beside them
        row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "L3-PSS1-01")
        assert row[5].startswith("应制定网络安全工作的总体方针")


def test_html_is_self_contained_with_charts_and_record(record: Record, content: Content) -> None:
    html = render_html(RecordView(record, content, "ja")).decode("utf-8")
    assert '<svg id="radar"' in html
    assert 'class="achieved"' in html
    assert 'class="expected"' in html
    assert '<svg id="bars"' in html
    assert 'class="bar"' in html
    assert html.count('<tr data-result="') == len(record.rows)
    for external in ("http://", "https://", "<link", "@import", 'src="'):
        assert external not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "高リスク項目" in html
    assert "採点方法" in html
    assert 'id="unverified"' not in html  # the example's digest verifies


def test_unverified_snapshot_is_marked_in_every_format(content: Content, tmp_path: Path) -> None:
    record = build_record(report([], verified=False), content)
    for lang in LANGS:
        view = RecordView(record, content, lang)
        mark = view.t("m.unverified")
        assert 'id="unverified"' in render_html(view).decode("utf-8")
        path = tmp_path / f"u-{lang}.xlsx"
        path.write_bytes(render_xlsx(view))
        cells = [c for row in load_workbook(path)["summary"].iter_rows(values_only=True) for c in row if c]
        assert any(f"({mark})" in str(c) for c in cells)


def test_baseline_adds_a_comparison_section(record: Record, content: Content, tmp_path: Path) -> None:
    baseline = build_record(report([]), content)
    view = RecordView(record, content, "en", comparison=compare(baseline, record))
    assert 'id="diff"' in render_html(view).decode("utf-8")
    path = tmp_path / "d.xlsx"
    path.write_bytes(render_xlsx(view))
    assert "diff" in load_workbook(path).sheetnames


def test_control_characters_in_observed_values_do_not_break_the_workbook(content: Content, tmp_path: Path) -> None:
    planted = report([finding("a.check", Status.FAIL, ["L3-CES1-02"], asset("w"), message="\x1b[31mred\x00")])
    path = tmp_path / "c.xlsx"
    path.write_bytes(render_xlsx(RecordView(build_record(planted, content), content, "en")))
    messages = [r[9] for r in load_workbook(path)["findings"].iter_rows(min_row=2, values_only=True)]
    assert messages == ["\ufffd[31mred\ufffd"]


def test_html_keeps_the_gaps_when_a_fleet_has_too_many_rows(
    record: Record, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_writer, "MAX_ROWS", 12)
    page = render_html(RecordView(record, content, "en")).decode("utf-8")
    results = re.findall(r'<tr data-result="(\w+)"', page)
    assert len(results) == 12
    assert set(results) <= {"undetermined", "nonconform", "partial"}
    assert f"12 of the record&#x27;s {len(record.rows)} rows" in page
