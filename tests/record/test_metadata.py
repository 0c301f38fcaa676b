"""Report metadata: system and grading from mlpscan.yaml, scope, snapshot verification, next assessment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mlpscan.cli import main
from tests.conftest import EXAMPLES

CONFIG = """\
system:
  name: payments-portal
  organisation: 示例科技有限公司
  level: 3
  grading: {object: social, degree: serious}
"""


def _evaluate(tmp_path: Path, snapshot: Path, *extra: str) -> tuple[int, Path]:
    config = tmp_path / "mlpscan.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        [
            "evaluate",
            str(snapshot),
            "--config",
            str(config),
            "--format",
            "json,html,xlsx",
            "--output-dir",
            str(out),
            *extra,
        ]
    )
    return code, out


def test_report_names_system_grading_scope_and_next_assessment(tmp_path: Path) -> None:
    code, out = _evaluate(tmp_path, EXAMPLES / "aws-china.json", "--lang", "zh")
    assert code == 1
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["system"] == {
        "name": "payments-portal",
        "level": 3,
        "organisation": "示例科技有限公司",
        "grading": {"object": "social", "degree": "serious", "service_object": None, "service_degree": None},
    }
    assert [t["id"] for t in report["scope"]["targets"]] == ["aws:111122223333", "aws:444455556666"]
    assert report["scope"]["targets"][0]["regions"] == ["cn-north-1", "cn-northwest-1"]
    assert report["snapshot"]["verified"] is True
    assert report["next_assessment"]["interval_days"] == 365
    html = (out / "mlpscan-record.html").read_text(encoding="utf-8")
    assert "payments-portal" in html
    assert "示例科技有限公司" in html
    assert 'id="unverified"' not in html


@pytest.mark.parametrize(("level", "days"), [(1, 730), (2, 730), (3, 365), (4, 182)])
def test_next_assessment_is_a_level_parameter(tmp_path: Path, level: int, days: int) -> None:
    out = tmp_path / "o"
    assert main(
        [
            "evaluate",
            str(EXAMPLES / "host.json"),
            "--level",
            str(level),
            "--format",
            "json",
            "--output-dir",
            str(out),
        ]
    ) in (0, 1)
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["next_assessment"]["interval_days"] == days


def test_tampered_snapshot_is_unverified_in_every_format(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "aws-china.json").read_text(encoding="utf-8"))
    data["resources"][0]["name"] = "changed-after-collection"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data), encoding="utf-8")
    _, out = _evaluate(tmp_path, tampered, "--lang", "ja")
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["snapshot"]["verified"] is False
    html = (out / "mlpscan-record.html").read_text(encoding="utf-8")
    assert 'id="unverified"' in html
    assert "未検証" in html
    cells = [
        c
        for row in load_workbook(out / "mlpscan-record.xlsx")["summary"].iter_rows(values_only=True)
        for c in row
        if c
    ]
    assert any("(未検証)" in str(c) for c in cells)
    # and the record rebuilt later from the JSON alone says so too
    again = tmp_path / "again"
    assert main(["report", str(out / "mlpscan-report.json"), "--lang", "en", "--output-dir", str(again)]) == 0
    assert "UNVERIFIED" in (again / "mlpscan-record.html").read_text(encoding="utf-8")
