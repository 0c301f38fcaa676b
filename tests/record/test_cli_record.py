"""`mlpscan survey template` and `mlpscan report --baseline` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from mlpscan.cli import main
from tests.conftest import EXAMPLES


@pytest.mark.parametrize("lang", ["ja", "zh", "en"])
def test_survey_template_lists_management_and_law_units(tmp_path: Path, lang: str) -> None:
    assert main(["survey", "template", "--level", "3", "--lang", lang, "--output-dir", str(tmp_path)]) == 0
    template = yaml.safe_load((tmp_path / f"mlpscan-survey-L3-{lang}.yaml").read_text(encoding="utf-8"))
    assert template["schema"] == "mlpscan.answers/1"
    assert template["level"] == 3
    units = {a["unit"]: a for a in template["answers"]}
    for unit in (
        "L3-PSS1-01",
        "L3-ORS1-01",
        "L3-HRS1-01",
        "L3-CMS1-01",
        "L3-MMS1-01",
        "L3-PES1-01",
        "CSL-21-1",
        "CSL-21-3",
        "CSL-25",
        "CSL-41",
        "CSL-37",
    ):
        assert unit in units
    assert all(a["result"] is None for a in template["answers"])
    partly = units["L3-CES1-01"]  # partly automatable: the scanner's checks named
    assert "host.password.complexity" in partly["scanner"]
    assert partly["requirement_zh"].startswith("应对登录的用户进行身份标识和鉴别")
    book = load_workbook(tmp_path / f"mlpscan-survey-L3-{lang}.xlsx")
    assert book["survey"].max_row == len(template["answers"]) + 1


def test_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["survey", "template", "--level", "3", "--lang", "fr", "--output-dir", str(tmp_path)])
    assert code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_report_with_baseline_adds_the_comparison(tmp_path: Path) -> None:
    old_dir, new_dir, record_dir = tmp_path / "old", tmp_path / "new", tmp_path / "record"
    assert (
        main(
            [
                "evaluate",
                str(EXAMPLES / "aliyun.json"),
                "--level",
                "3",
                "--format",
                "json",
                "--output-dir",
                str(old_dir),
            ]
        )
        == 1
    )
    assert (
        main(
            [
                "evaluate",
                str(EXAMPLES / "aws-china.json"),
                "--level",
                "3",
                "--format",
                "json",
                "--output-dir",
                str(new_dir),
            ]
        )
        == 1
    )
    assert (
        main(
            [
                "report",
                str(new_dir / "mlpscan-report.json"),
                "--baseline",
                str(old_dir / "mlpscan-report.json"),
                "--lang",
                "ja",
                "--output-dir",
                str(record_dir),
            ]
        )
        == 0
    )
    html = (record_dir / "mlpscan-record.html").read_text(encoding="utf-8")
    assert 'id="diff"' in html
    assert "前回評価との比較" in html
    assert "diff" in load_workbook(record_dir / "mlpscan-record.xlsx").sheetnames


def test_validate_loads_the_record_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    # technical + 安全物理环境 and management + law: 25 + 42 + 8, 64 + 101 + 8, 111 + 146 + 8, 121 + 156 + 8
    assert "record content OK: units L1 75, L2 173, L3 265, L4 285," in out


# Every level's management file is checked the same way as it loads. LEVEL is the file's level,
# OTHER another level; CHAPTER and OTHER_CHAPTER their chapters of GB/T 22239 (level + 5).
BROKEN_MANAGEMENT = {
    "unknown requirement": ("[theft.fix", "[theft.fixed", "unknown requirement 'theft.fixed'"),
    "unknown control": ("{control: theft,", "{control: thief,", "unknown control 'thief'"),
    "level of another file": ("\nlevel: LEVEL\n", "\nlevel: OTHER\n", "level OTHER in a file named levelLEVEL.yaml"),
    "clause of another level": ('clause: "CHAPTER.1.1"', 'clause: "OTHER_CHAPTER.1.1"',
                                "clause OTHER_CHAPTER.1.1 is not in the chapter of level LEVEL"),
    "unit class": ("units: PES1", "units: SMC1", "chapters[0].units: String should match pattern"),
    "unit id used twice": ("units: PSS1", "units: PES1", "unit LLEVEL-PES1-01 is used by"),
    "unknown field": ("verified: false\n", "verified: false\nsource: x\n", "unknown field 'source'"),
}


@pytest.mark.parametrize("level", [1, 2, 3, 4])
@pytest.mark.parametrize("case", sorted(BROKEN_MANAGEMENT))
def test_validate_names_a_broken_management_file(content_copy, capsys: pytest.CaptureFixture[str], level: int, case: str) -> None:  # type: ignore[no-untyped-def]
    other = 1 if level == 4 else level + 1
    old, new, message = (
        s.replace("OTHER_CHAPTER", str(other + 5)).replace("CHAPTER", str(level + 5))
        .replace("OTHER", str(other)).replace("LEVEL", str(level))
        for s in BROKEN_MANAGEMENT[case]
    )
    root = content_copy()
    path = root / "profiles" / "standard" / "management" / f"level{level}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["validate", "--content", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"level{level}.yaml" in err
    assert message in err


@pytest.mark.parametrize("level", [1, 4])
def test_every_level_needs_its_management_file(content_copy, capsys: pytest.CaptureFixture[str], level: int) -> None:  # type: ignore[no-untyped-def]
    root = content_copy()
    (root / "profiles" / "standard" / "management" / f"level{level}.yaml").unlink()
    assert main(["validate", "--content", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"level{level}.yaml" in err
    assert "file not found" in err
