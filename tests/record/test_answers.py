"""Survey answers are validated like every other input: one line naming the file, exit code 2."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from mlpscan.answers import read_answers
from mlpscan.cli import main
from mlpscan.content import Content
from mlpscan.errors import InputError
from mlpscan.survey import template_xlsx
from mlpscan.units import level_units
from mlpscan.writers.json import render_json
from tests.record.planted import report


@pytest.fixture
def known(content: Content) -> set[str]:
    return {u.id for u in level_units(content.root, content.catalog, 3).units}


def _write(path: Path, body: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def test_answers_are_read_with_defaults_and_spellings(tmp_path: Path, known: set[str]) -> None:
    path = _write(
        tmp_path / "a.yaml",
        {
            "schema": "mlpscan.answers/1",
            "level": 3,
            "respondent": "山田",
            "date": "2026-11-20",
            "answers": [
                {"unit": "L3-PSS1-01", "result": "符合", "evidence": "方針 v3"},
                {
                    "unit": "L3-PSS1-02",
                    "result": "一部適合",
                    "evidence": "手順書の一部のみ",
                    "respondent": "Li",
                    "date": "2026-11-21",
                },
                {"unit": "L3-PSS1-03", "result": None},  # unanswered: ignored
                {"unit": "L3-PSS1-04", "result": "n/a"},
            ],
        },
    )
    answers = read_answers(path, 3, known)
    assert [(a.unit, a.result, a.respondent, a.date.isoformat()) for a in answers] == [
        ("L3-PSS1-01", "conform", "山田", "2026-11-20"),
        ("L3-PSS1-02", "partial", "Li", "2026-11-21"),
        ("L3-PSS1-04", "not_applicable", "山田", "2026-11-20"),
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"level": 3, "answers": [{"unit": "L3-NOPE1-01", "result": "conform"}]}, "is not a unit of level 3"),
        ({"level": 2, "answers": []}, "answers are for level 2, the report is level 3"),
        ({"level": 3, "answers": [{"unit": "L3-PSS1-01", "result": "maybe"}]}, "unknown result 'maybe'"),
        (
            {"level": 3, "answers": [{"unit": "L3-PSS1-01", "result": "conform", "evidence": "x"}]},
            "no respondent or date",
        ),
        (
            {
                "level": 3,
                "respondent": "a",
                "date": "2026-11-20",
                "answers": [{"unit": "L3-PSS1-01", "result": "conform"}],
            },
            "a result needs its evidence",
        ),
        (
            {
                "level": 3,
                "respondent": "a",
                "date": "2026-11-20",
                "answers": [
                    {"unit": "L3-PSS1-01", "result": "conform", "evidence": "x"},
                    {"unit": "L3-PSS1-01", "result": "partial", "evidence": "y"},
                ],
            },
            "answered twice",
        ),
        ({"level": 3, "answers": [{"unit": "L3-PSS1-01", "reslt": "conform"}]}, "unknown field 'reslt'"),
        ({"level": 3, "date": "yesterday", "answers": []}, "date"),
    ],
)
def test_bad_answers_are_one_line(
    tmp_path: Path, known: set[str], body: dict[str, object], problem: str
) -> None:
    path = _write(tmp_path / "bad.yaml", body)
    with pytest.raises(InputError) as caught:
        read_answers(path, 3, known)
    assert problem in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_cli_bad_answers_exit_2_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report_file = tmp_path / "report.json"
    report_file.write_bytes(render_json(report([])))
    answers = _write(
        tmp_path / "bad.yaml", {"level": 3, "answers": [{"unit": "L3-XYZ", "result": "conform"}]}
    )
    out = tmp_path / "out"
    code = main(["report", str(report_file), "--answers", str(answers), "--output-dir", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "bad.yaml" in err
    assert "L3-XYZ" in err
    assert not out.exists()


def test_cli_bad_report_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "r.json"
    bogus.write_text(json.dumps({"schema": "something/1"}), encoding="utf-8")
    assert main(["report", str(bogus), "--output-dir", str(tmp_path / "o")]) == 2
    assert "not an mlpscan report or snapshot" in capsys.readouterr().err


def test_filled_xlsx_template_is_an_answers_file(tmp_path: Path, content: Content, known: set[str]) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_bytes(template_xlsx(content, 3, "ja"))
    book = load_workbook(path)
    sheet = book["survey"]
    header = [c.value for c in sheet[1]]
    assert header[0].startswith("unit / ")
    assert header[1].startswith("result / ")
    columns = {str(h).split(" / ")[0]: i for i, h in enumerate(header)}
    units = [row[columns["unit"]].value for row in sheet.iter_rows(min_row=2)]
    assert "L3-PSS1-01" in units
    assert "CSL-37" in units
    assert "L3-CES1-04" not in units  # fully automated: the scanner answers it
    row = units.index("L3-PSS1-01") + 2
    sheet.cell(row=row, column=columns["result"] + 1, value="不適合")
    sheet.cell(row=row, column=columns["evidence"] + 1, value="基本方針が未制定")
    book["meta"]["B5"] = "佐藤"  # respondent
    book["meta"]["B6"] = "2026-11-20"  # date
    book.save(path)
    [answer] = read_answers(path, 3, known)
    assert (answer.unit, answer.result, answer.respondent) == ("L3-PSS1-01", "nonconform", "佐藤")


def test_not_a_workbook(tmp_path: Path, known: set[str]) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable XLSX workbook"):
        read_answers(path, 3, known)


def _rewritten(template: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The template workbook with each part's bytes passed through `change` (name, data)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, change(info.filename, source.read(info)))
    return out.getvalue()


def _flip_in_compressed_sheet(template: bytes) -> bytes:
    """One byte of the survey sheet's compressed data changed: the archive opens, the part is garbage."""
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        info = source.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(template)
    data[start + info.compress_size // 2] ^= 0x55
    return bytes(data)


@pytest.mark.parametrize("damage", ["sheet XML not well-formed", "sheet data damaged in the archive", "a FIFO"])
def test_a_damaged_workbook_is_one_line_naming_the_file(tmp_path: Path, content: Content, known: set[str],
                                                      damage: str) -> None:
    """Found by bench/campaign.py: openpyxl reads a read-only workbook's sheets only while their rows are
    iterated, so a damaged part raised ParseError or BadZipFile there, an internal error (exit 4)."""
    path = tmp_path / "answers.xlsx"
    template = template_xlsx(content, 3, "en")
    if damage == "a FIFO":
        os.mkfifo(path)   # read, it would block until someone writes
    elif damage == "sheet data damaged in the archive":
        path.write_bytes(_flip_in_compressed_sheet(template))
    else:
        path.write_bytes(_rewritten(template, lambda name, data: data[: len(data) // 2] + b"<<<"
                                    if name.startswith("xl/worksheets/") else data))
    with pytest.raises(InputError) as caught:
        read_answers(path, 3, known)
    assert caught.value.path == str(path)
    assert "\n" not in str(caught.value)
