"""The HTML record in a real headless Chromium: no console errors, charts drawn, script ran.

Screenshots are written to $MLPSCAN_TEST_ARTIFACTS (default: test-artifacts/ in the checkout)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from mlpscan.cli import main
from tests.conftest import EXAMPLES, REPO
from tests.record.browser import load

ARTIFACTS = Path(os.environ.get("MLPSCAN_TEST_ARTIFACTS", REPO / "test-artifacts"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The record of the AWS China example with a partly filled survey, in each language."""
    work = tmp_path_factory.mktemp("html")
    assert main(["survey", "template", "--level", "3", "--lang", "ja", "--output-dir", str(work)]) == 0
    survey = yaml.safe_load((work / "mlpscan-survey-L3-ja.yaml").read_text(encoding="utf-8"))
    survey |= {"system": "payments-portal", "respondent": "山田 太郎", "date": "2026-11-20"}
    for index, entry in enumerate(survey["answers"]):
        entry["result"] = ("conform", "conform", "partial", "nonconform")[index % 4]
        entry["evidence"] = "規程と記録を確認"
    answers = work / "answers.yaml"
    answers.write_text(yaml.safe_dump(survey, allow_unicode=True), encoding="utf-8")
    out = {}
    for lang in ("ja", "zh", "en"):
        directory = work / lang
        code = main(
            [
                "evaluate",
                str(EXAMPLES / "aws-china.json"),
                "--level",
                "3",
                "--format",
                "json,html",
                "--lang",
                lang,
                "--answers",
                str(answers),
                "--output-dir",
                str(directory),
            ]
        )
        assert code == 1  # the example has failing findings
        out[lang] = directory / "mlpscan-record.html"
    return out


@pytest.mark.parametrize("lang", ["ja", "zh", "en"])
def test_record_renders_in_chromium(pages: dict[str, Path], tmp_path: Path, lang: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / f"record-{lang}.png"
    screenshot.unlink(missing_ok=True)
    dom, console = load(pages[lang], tmp_path / "profile", screenshot=screenshot)
    assert console == []
    assert re.search(r'<svg id="radar"[^>]*>.*<polygon class="achieved" points="[\d., ]+"', dom, re.S)
    assert len(re.findall(r'<rect class="bar"', dom)) >= 11
    # the inline script ran: it filled in the row count from its template
    count = re.search(r'id="row-count"[^>]*>([^<]+)<', dom)
    assert count is not None
    assert re.search(r"\d", count.group(1))
    assert f'<html lang="{lang}">' in dom
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000


def test_console_errors_are_caught(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>", encoding="utf-8")
    _, console = load(page, tmp_path / "profile")
    assert any("undefinedFunction" in line for line in console)


def test_record_table_filters_and_sorts_in_chromium(pages: dict[str, Path], tmp_path: Path) -> None:
    dom, console = load(pages["en"], tmp_path / "profile", fragment="result=nonconform&sort=0")
    assert console == []
    rows = re.findall(
        r'<tr data-result="(\w+)" data-category="\w+"( style="display: none;")?>\s*<td>([^<]*)</td>', dom
    )
    shown = [(result, unit) for result, hidden, unit in rows if not hidden]
    assert shown
    assert {result for result, _ in shown} == {"nonconform"}
    assert len(shown) < len(rows)
    units = [unit for _, _, unit in rows]
    assert units == sorted(units, key=_natural)  # sorted by the first column (unit id), ascending


def _natural(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
