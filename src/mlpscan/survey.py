"""The survey template: the units of a level that need a person, as YAML and as an XLSX sheet.

Both are answers files waiting to be filled in (answers.py reads them back): every unit that a
scanner verifies only in part or not at all, the management chapters, and the Cybersecurity Law
obligations, with the requirement in Chinese and its translation.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fnmatch import fnmatchcase

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mlpscan.answers import ANSWER_COLUMNS, ANSWERS_SCHEMA, SURVEY_SHEET
from mlpscan.content import Content
from mlpscan.i18n import Lang, texts
from mlpscan.units import Unit, level_units

RESULT_CODES = ("conform", "partial", "nonconform", "not_applicable")
READING_COLUMNS = ("clause", "category", "control", "requirement_zh", "requirement", "scanner")
_LABELS = {
    "unit": "col.unit",
    "result": "col.result",
    "evidence": "col.evidence",
    "respondent": "col.respondent",
    "date": "col.date",
    "clause": "col.clause",
    "category": "col.category",
    "control": "col.control",
    "requirement_zh": "col.requirement_zh",
    "requirement": "col.translation",
    "scanner": "col.checks",
}


@dataclass(frozen=True)
class Question:
    unit: Unit
    checks: tuple[str, ...]


def questions(content: Content, level: int) -> list[Question]:
    """Units a person must answer, with the checks that cover part of each."""
    units = level_units(content.root, content.catalog, level)
    covering: dict[str, set[str]] = {}
    for check in content.checks_for(content.level_profile(level)):
        for clause in content.clauses_of(check, level):
            for unit_id in clause.units:
                covering.setdefault(unit_id, set()).add(check.id)
    for unit in units.units:
        if unit.extension == "law":
            for check in content.checks.values():
                if any(fnmatchcase(check.id, g) for g in unit.checks) or any(
                    p in check.params_used() for p in unit.params
                ):
                    covering.setdefault(unit.id, set()).add(check.id)
    return [
        Question(u, tuple(sorted(covering.get(u.id, ()))))
        for u in units.units
        if u.automatable != "automated"
    ]


def _entry(question: Question, lang: Lang, content: Content) -> dict[str, str | None]:
    t = texts(content.root, lang)
    unit = question.unit
    translation = unit.requirement.get("en" if lang == "zh" else lang)
    entry: dict[str, str | None] = {
        "unit": unit.id,
        "clause": unit.display_clause,
        "category": t.t(f"cat.{unit.category}"),
        "control": unit.control.get(lang),
        "requirement_zh": unit.requirement.zh,
        "requirement": translation,
    }
    if question.checks:
        entry["scanner"] = t.t("survey.scanner_note", checks=", ".join(question.checks))
    entry |= {"result": None, "evidence": None, "respondent": None, "date": None}
    return entry


def template_yaml(content: Content, level: int, lang: Lang) -> bytes:
    t = texts(content.root, lang)
    header = [f"# {t.t('title.survey')} · {t.t('m.level_value', level=level)} · GB/T 22239-2019 / 28448-2019"]
    header += [f"# {t.t('survey.instructions')}", f"# {t.t('note.unit_unverified')}"]
    body = {
        "schema": ANSWERS_SCHEMA,
        "level": level,
        "language": lang,
        "system": None,
        "respondent": None,
        "date": None,
        "answers": [_entry(q, lang, content) for q in questions(content, level)],
    }
    dumped = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110)
    return ("\n".join(header) + "\n" + dumped).encode("utf-8")


def header_label(column: str, lang: Lang, content: Content) -> str:
    """`result / 評価結果`: the answers reader keeps what is before ' / '."""
    if lang == "en":
        return column
    return f"{column} / {texts(content.root, lang).t(_LABELS[column])}"


def template_xlsx(content: Content, level: int, lang: Lang) -> bytes:
    t = texts(content.root, lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SURVEY_SHEET
    columns = (*ANSWER_COLUMNS[:2], *READING_COLUMNS, *ANSWER_COLUMNS[2:])
    for col, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=col, value=header_label(name, lang, content))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", start_color="1F3864")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    entries = [_entry(q, lang, content) for q in questions(content, level)]
    for row, entry in enumerate(entries, start=2):
        for col, name in enumerate(columns, start=1):
            sheet.cell(row=row, column=col, value=entry.get(name)).alignment = Alignment(
                wrap_text=name in ("requirement_zh", "requirement", "evidence", "scanner"), vertical="top"
            )
    last_row = max(len(entries) + 1, 2)
    choices = DataValidation(type="list", formula1='"' + ",".join(RESULT_CODES) + '"', allow_blank=True)
    choices.add(f"B2:B{last_row}")
    sheet.add_data_validation(choices)
    widths = {
        "unit": 14,
        "result": 16,
        "clause": 12,
        "category": 18,
        "control": 22,
        "requirement_zh": 50,
        "requirement": 50,
        "scanner": 30,
        "evidence": 40,
        "respondent": 16,
        "date": 12,
    }
    for col, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = widths[name]
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    meta = book.create_sheet("meta")
    for row, (key, value) in enumerate(
        (
            ("schema", ANSWERS_SCHEMA),
            ("level", level),
            ("language", lang),
            ("system", None),
            ("respondent", None),
            ("date", None),
        ),
        start=1,
    ):
        meta.cell(row=row, column=1, value=key).font = Font(bold=True)
        meta.cell(row=row, column=2, value=value)
    meta.cell(row=8, column=1, value=t.t("survey.instructions")).alignment = Alignment(wrap_text=True)
    meta.merge_cells("A8:F8")
    meta.row_dimensions[8].height = 90
    meta.column_dimensions["A"].width = 14
    meta.column_dimensions["B"].width = 30
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
