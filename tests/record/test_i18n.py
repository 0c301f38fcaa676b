"""Every user-facing text in the three languages, from content; placeholders kept in translation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlpscan.content import Content, load_content
from mlpscan.errors import InputError
from mlpscan.findings import Severity, Status
from mlpscan.i18n import default_lang, placeholders, text_problems, texts
from mlpscan.record import Result
from mlpscan.units import CATEGORIES, level_units
from mlpscan.writers.words import translate_message
from tests.conftest import REPO


def test_every_check_has_chinese_and_japanese_texts(content: Content) -> None:
    problems = {
        cid: text_problems({"message": c.message, "remediation": c.remediation}, c.i18n)
        for cid, c in content.checks.items()
    }
    assert {cid: p for cid, p in problems.items() if p} == {}


def test_a_check_without_a_language_is_reported(content: Content) -> None:
    check = content.checks["aws.ec2.snapshot_encrypted"]
    only_zh = {"zh": check.i18n["zh"]}
    assert text_problems({"message": check.message, "remediation": check.remediation}, only_zh) == [
        "no 'ja' texts (i18n.ja)"
    ]


def test_a_translation_that_drops_a_placeholder_fails_to_load(content_copy) -> None:  # type: ignore[no-untyped-def]

    root = content_copy()
    path = root / "checks" / "aws" / "ec2" / "snapshot_encrypted.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "'{region} のスナップショット {name} が", "'スナップショット {name} が"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"i18n.ja.message: placeholders differ"):
        load_content(root)


def test_interface_texts_in_three_languages_with_the_same_placeholders() -> None:
    table = yaml.safe_load((REPO / "profiles" / "i18n" / "ui.yaml").read_text(encoding="utf-8"))
    for key, value in table.items():
        assert set(value) == {"en", "zh", "ja"}, key
        assert placeholders(value["zh"]) == placeholders(value["en"]) == placeholders(value["ja"]), key


def test_every_category_result_and_status_is_named(content: Content) -> None:

    for lang in ("en", "zh", "ja"):
        t = texts(content.root, lang)  # type: ignore[arg-type]
        for key in [
            *(f"cat.{c}" for c in CATEGORIES),
            *(f"result.{r.value}" for r in Result),
            *(f"status.{s.value}" for s in Status),
            *(f"severity.{s.value}" for s in Severity),
        ]:
            assert t.t(key)
    assert texts(content.root, "ja").t("cat.computing") == "計算環境のセキュリティ"
    assert texts(content.root, "zh").t("result.partial") == "部分符合"


def test_management_units_are_in_three_languages_and_clauses_stay_chinese(content: Content) -> None:
    units = level_units(content.root, content.catalog, 3)
    classes = ("PES1", "PSS1", "ORS1", "HRS1", "CMS1", "MMS1", "CMS2", "MMS2")
    management = [u for u in units.units if u.id.split("-")[1] in classes]
    assert len(management) == 146  # 22 + 7 + 14 + 12 + 34 + 48, cloud 8 + 1
    for unit in management:
        texts_ = (unit.requirement.zh, unit.requirement.get("ja"), unit.requirement.get("en"))
        assert all(texts_), unit.id
        assert len(set(texts_)) == 3, unit.id
        assert not unit.verified  # the unit ids were not checked against GB/T 28448's text


def test_default_language_from_the_locale() -> None:
    assert default_lang({"LANG": "ja_JP.UTF-8"}) == "ja"
    assert default_lang({"LC_ALL": "zh_CN.UTF-8", "LANG": "ja_JP.UTF-8"}) == "zh"
    assert default_lang({"LANG": "de_DE.UTF-8"}) == "en"
    assert default_lang({}) == "en"


def test_a_finding_message_is_translated_from_the_report_alone() -> None:
    template = "Log group {name} in {region} keeps events {data.retentionInDays} days, less than {param.x}"
    rendered = "Log group app in cn-north-1 keeps events 30 days, less than 180"
    ja = "{region} のロググループ {name} は {data.retentionInDays} 日で {param.x} 日未満です"
    assert (
        translate_message(template, rendered, ja) == "cn-north-1 のロググループ app は 30 日で 180 日未満です"
    )
    assert translate_message(template, "something else", ja) is None


def test_ui_file_is_where_the_loader_looks() -> None:
    assert (REPO / "profiles" / "i18n" / "ui.yaml").is_file()
    assert Path(REPO / "profiles" / "standard" / "management" / "level3.yaml").is_file()


def test_every_technical_clause_has_a_japanese_translation(content: Content) -> None:
    table = yaml.safe_load((REPO / "profiles" / "i18n" / "clauses.ja.yaml").read_text(encoding="utf-8"))
    missing = sorted({c.id for c in content.catalog if c.zh not in table["requirements"]}
                     | {c.id for c in content.catalog if c.control_zh not in table["controls"]})
    assert missing == []
