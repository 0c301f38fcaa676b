"""Every level's record holds every unit of that level: technical, 安全物理环境, the management
chapters and the cloud extension's management (profiles/standard/management/level1.yaml ... level4.yaml)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from mlpscan.answers import SurveyAnswer
from mlpscan.cli import main
from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.metadata import with_metadata
from mlpscan.record import build_record
from mlpscan.scoring import score
from mlpscan.snapshot import read_snapshot
from mlpscan.units import Unit, level_units
from mlpscan.writers.record_view import RecordView
from mlpscan.writers.xlsx import render_xlsx
from tests.conftest import EXAMPLES
from tests.record.planted import report

MANAGEMENT_CLASSES = ("PES1", "PSS1", "ORS1", "HRS1", "CMS1", "MMS1", "CMS2", "MMS2")
TECHNICAL_CLASSES = ("CNS1", "ABS1", "CES1", "PES2", "CNS2", "ABS2", "CES2")

# units per class, counted by hand from the level files (docs/record.md gives the totals)
MANAGEMENT_COUNTS = {
    1: {"PES1": 7, "PSS1": 1, "ORS1": 3, "HRS1": 4, "CMS1": 9, "MMS1": 13, "CMS2": 4, "MMS2": 1},
    2: {"PES1": 15, "PSS1": 7, "ORS1": 9, "HRS1": 8, "CMS1": 25, "MMS1": 30, "CMS2": 6, "MMS2": 1},
    3: {"PES1": 22, "PSS1": 7, "ORS1": 14, "HRS1": 12, "CMS1": 34, "MMS1": 48, "CMS2": 8, "MMS2": 1},
    4: {"PES1": 24, "PSS1": 7, "ORS1": 15, "HRS1": 14, "CMS1": 35, "MMS1": 52, "CMS2": 8, "MMS2": 1},
}
# the chapter (GB/T 22239 clause) of each class: level 1 has no 安全管理中心 in either part and
# level 2 none in the cloud extension, so their later chapters move up by one
CHAPTERS = {
    1: {"PES1": "6.1.1", "PSS1": "6.1.5", "ORS1": "6.1.6", "HRS1": "6.1.7", "CMS1": "6.1.8", "MMS1": "6.1.9",
        "CMS2": "6.2.5", "MMS2": "6.2.6"},
    2: {"PES1": "7.1.1", "PSS1": "7.1.6", "ORS1": "7.1.7", "HRS1": "7.1.8", "CMS1": "7.1.9", "MMS1": "7.1.10",
        "CMS2": "7.2.5", "MMS2": "7.2.6"},
    3: {"PES1": "8.1.1", "PSS1": "8.1.6", "ORS1": "8.1.7", "HRS1": "8.1.8", "CMS1": "8.1.9", "MMS1": "8.1.10",
        "CMS2": "8.2.6", "MMS2": "8.2.7"},
    4: {"PES1": "9.1.1", "PSS1": "9.1.6", "ORS1": "9.1.7", "HRS1": "9.1.8", "CMS1": "9.1.9", "MMS1": "9.1.10",
        "CMS2": "9.2.6", "MMS2": "9.2.7"},
}


def _class(unit: Unit) -> str:
    return unit.id.split("-")[1]


def _management(content: Content, level: int) -> list[Unit]:
    return [u for u in level_units(content.root, content.catalog, level).units if _class(u) in MANAGEMENT_CLASSES]


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_management_units_of_each_level(content: Content, level: int) -> None:
    units = _management(content, level)
    assert Counter(_class(u) for u in units) == MANAGEMENT_COUNTS[level]
    for unit in units:
        cls = _class(unit)
        assert unit.clause.startswith(CHAPTERS[level][cls] + "."), unit.id
        assert unit.extension == ("cloud" if cls.endswith("2") else "general")
        assert unit.automatable == "manual"
        assert not unit.verified
        texts = (unit.requirement.zh, unit.requirement.get("ja"), unit.requirement.get("en"))
        assert all(texts), unit.id
        assert len(set(texts)) == 3, unit.id  # zh, ja and en each their own
    numbers = Counter(_class(u) for u in units)
    assert {u.id for u in units} == {
        f"L{level}-{cls}-{n:02d}" for cls, count in numbers.items() for n in range(1, count + 1)
    }  # numbered in order within each class, no gap


def _texts(content: Content, level: int) -> set[str]:
    return {u.requirement.zh for u in _management(content, level)}


def test_level_4_is_level_3_with_the_level_4_items(content: Content) -> None:
    level3, level4 = _texts(content, 3), _texts(content, 4)
    assert level3 - level4 == {"应对关键设备实施电磁屏蔽"}  # widened to key areas at level 4
    added = level4 - level3
    assert len(added) == 11
    assert {
        "重要区域应配置第二道电子门禁系统，控制、鉴别和记录进入的人员",
        "应提供应急供电设施",
        "应对关键设备或关键区域实施电磁屏蔽",
        "关键事务岗位应配备多人共同管理",
        "应采用硬件密码模块实现密码运算和密钥管理",
        "应建立重大安全事件的跨单位联合应急预案，并进行应急预案的演练",
    } <= added


def test_level_1_asks_less_than_level_2(content: Content) -> None:
    level1 = _management(content, 1)
    assert "机房应设置灭火设备" in {u.requirement.zh for u in level1}
    assert {u.control.zh for u in level1 if _class(u) == "PES1"} == {
        "物理访问控制", "防盗窃和防破坏", "防雷击", "防火", "防水和防潮", "温湿度控制", "电力供应"
    }
    assert len(level1) < len(_management(content, 2))


def _record_unit_ids(content: Content, level: int, tmp_path: Path) -> tuple[set[str], set[str]]:
    snapshot = read_snapshot(EXAMPLES / "mixed-level4.json")
    evaluated = with_metadata(evaluate(snapshot, content, content.level_profile(level)), snapshot)
    record = build_record(evaluated, content)
    path = tmp_path / "record.xlsx"
    path.write_bytes(render_xlsx(RecordView(record, content, "ja")))
    rows = list(load_workbook(path)["record"].iter_rows(min_row=2, values_only=True))
    expected = {u.id for u in level_units(content.root, content.catalog, level).units}
    return {str(r[0]) for r in rows}, expected


@pytest.mark.parametrize("level", [1, 4])
def test_record_of_a_level_holds_every_unit_of_it(content: Content, level: int, tmp_path: Path) -> None:
    in_record, expected = _record_unit_ids(content, level, tmp_path)
    assert in_record == expected
    classes = {unit_id.split("-")[1] for unit_id in in_record if unit_id.startswith(f"L{level}-")}
    assert set(MANAGEMENT_CLASSES) <= classes  # physical, management, cloud extension management
    assert set(TECHNICAL_CLASSES) <= classes
    assert ("SMC1" in classes) is (level > 1)
    assert "CSL-21-3" in in_record  # and the law obligations


@pytest.mark.parametrize("level", [1, 4])
def test_management_answers_are_scored_in_their_categories(content: Content, level: int) -> None:
    door = {1: "L1-PES1-01", 4: "L4-PES1-03"}[level]  # 物理访问控制 (level 4: its item a)
    answers = [
        SurveyAnswer(
            unit=door, result="nonconform", evidence="no lock", respondent="Yamada",
            date=date(2026, 11, 20), source="answers.yaml",
        ),
        SurveyAnswer(
            unit=f"L{level}-MMS2-01", result="conform", evidence="ops in Shanghai", respondent="Yamada",
            date=date(2026, 11, 20), source="answers.yaml",
        ),
    ]
    scores = score(build_record(report([], level=level), content, answers))
    assert (scores.category("physical").scored, scores.category("physical").score) == (1, 0.0)
    assert (scores.category("operations").scored, scores.category("operations").score) == (1, 100.0)
    assert scores.overall == 50.0
    # the machine room entrance is a high-risk item at level 4; the guide starts at level 2
    assert [f.trigger.code for f in scores.fired] == (["A-01"] if level == 4 else [])
    assert scores.conclusion == "poor"


@pytest.mark.parametrize(("level", "lang"), [(1, "ja"), (4, "ja"), (4, "zh")])
def test_survey_template_lists_the_manual_units(tmp_path: Path, content: Content, level: int, lang: str) -> None:
    argv = ["survey", "template", "--level", str(level), "--lang", lang, "--output-dir", str(tmp_path)]
    assert main(argv) == 0
    template = yaml.safe_load((tmp_path / f"mlpscan-survey-L{level}-{lang}.yaml").read_text(encoding="utf-8"))
    assert template["level"] == level
    entries = {a["unit"]: a for a in template["answers"]}
    manual = {u.id for u in level_units(content.root, content.catalog, level).units if u.automatable != "automated"}
    assert set(entries) == manual
    assert {u.id for u in _management(content, level)} <= set(entries)
    first_door = entries[{1: "L1-PES1-01", 4: "L4-PES1-03"}[level]]
    assert first_door["requirement_zh"].startswith("机房出入口应")
    if lang == "ja":
        assert first_door["requirement"].startswith("機械室の出入口に")
    book = load_workbook(tmp_path / f"mlpscan-survey-L{level}-{lang}.xlsx")
    assert book["survey"].max_row == len(template["answers"]) + 1
