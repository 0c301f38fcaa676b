"""Survey answers: what a person found for the units a scanner cannot see (`--answers FILE`).

An answers file is the survey template filled in (YAML, or the XLSX sheet of the template):
per unit a result, the evidence, who answered and when. It is validated like every other input:
one line naming the file and the problem, exit code 2. Entries left without a result are
unanswered and ignored.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any, Literal

from openpyxl import load_workbook
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlpscan.errors import InputError
from mlpscan.loading import Document, input_error_from, read_bytes, read_document, validate

ANSWERS_SCHEMA = "mlpscan.answers/1"
# A filled-in survey template is some tens of kilobytes; parts expanding past this are no answers file.
MAX_XLSX_EXPANDED = 64 * 1024 * 1024
AnswerResult = Literal["conform", "partial", "nonconform", "not_applicable"]

# What a consultant may type in any of the three languages (and the template's own codes).
_SPELLINGS: dict[str, AnswerResult] = {
    "conform": "conform",
    "符合": "conform",
    "適合": "conform",
    "yes": "conform",
    "partial": "partial",
    "部分符合": "partial",
    "一部適合": "partial",
    "nonconform": "nonconform",
    "不符合": "nonconform",
    "不適合": "nonconform",
    "no": "nonconform",
    "not_applicable": "not_applicable",
    "不适用": "not_applicable",
    "該当なし": "not_applicable",
    "n/a": "not_applicable",
}
SURVEY_SHEET = "survey"
# The columns of the survey sheet that the answers reader takes back (the rest is for reading).
ANSWER_COLUMNS = ("unit", "result", "evidence", "respondent", "date")


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    unit: str = Field(min_length=1)
    result: AnswerResult | None = None
    evidence: str | None = None
    respondent: str | None = None
    date: dt.date | None = None
    # the template's reading aids, taken back unchanged and ignored
    clause: str | None = None
    category: str | None = None
    control: str | None = None
    requirement: str | None = None
    requirement_zh: str | None = None
    scanner: str | None = None

    @field_validator("result", mode="before")
    @classmethod
    def _spelling(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and value.strip().lower() in _SPELLINGS:
            return _SPELLINGS[value.strip().lower()]
        raise ValueError(
            f"unknown result {value!r}; use conform, partial, nonconform or not_applicable "
            "(or 符合, 部分符合, 不符合, 不适用)"
        )


class AnswersFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    schema_: Literal["mlpscan.answers/1"] = Field(default="mlpscan.answers/1", alias="schema")
    level: int = Field(ge=1, le=4)
    system: str | None = None
    language: str | None = None
    respondent: str | None = Field(default=None, description="default for answers that name nobody")
    date: dt.date | None = Field(default=None, description="default for answers without a date")
    answers: list[Answer]


class SurveyAnswer(BaseModel):
    """An answer as the record uses it: result given, respondent and date resolved."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    unit: str
    result: AnswerResult
    evidence: str
    respondent: str
    date: dt.date
    source: str


def read_answers(path: Path, level: int, known_units: set[str]) -> list[SurveyAnswer]:
    """The answered entries of ``path``, checked against the level and its units."""
    doc = _read_xlsx(path) if path.suffix.lower() == ".xlsx" else read_document(path)
    file = validate(AnswersFile, doc)
    if file.level != level:
        raise InputError(
            f"answers are for level {file.level}, the report is level {level}",
            path=path,
            line=doc.line_of(["level"]),
        )
    seen: set[str] = set()
    answers: list[SurveyAnswer] = []
    for index, entry in enumerate(file.answers):
        where: list[int | str] = ["answers", index]
        if entry.unit not in known_units:
            raise InputError(
                f"answers[{index}]: unit {entry.unit} is not a unit of level {level}",
                path=path,
                line=doc.line_of([*where, "unit"]),
            )
        if entry.unit in seen:
            raise InputError(
                f"answers[{index}]: unit {entry.unit} is answered twice",
                path=path,
                line=doc.line_of([*where, "unit"]),
            )
        seen.add(entry.unit)
        if entry.result is None:
            continue
        respondent = entry.respondent or file.respondent
        when = entry.date or file.date
        missing = [name for name, value in (("respondent", respondent), ("date", when)) if not value]
        if missing:
            raise InputError(
                f"answers[{index}] ({entry.unit}): no {' or '.join(missing)} (give it on the "
                "answer or at the top of the file)",
                path=path,
                line=doc.line_of(where),
            )
        if not (entry.evidence or "").strip() and entry.result != "not_applicable":
            raise InputError(
                f"answers[{index}] ({entry.unit}): a result needs its evidence (what was "
                "seen, read or heard)",
                path=path,
                line=doc.line_of(where),
            )
        assert respondent is not None
        assert when is not None
        answers.append(
            SurveyAnswer(
                unit=entry.unit,
                result=entry.result,
                evidence=(entry.evidence or "").strip(),
                respondent=respondent,
                date=when,
                source=path.name,
            )
        )
    return answers


def _read_xlsx(path: Path) -> Document:
    """The survey sheet of a filled-in template workbook, as the same document a YAML file gives."""
    data = read_bytes(path)   # a regular file of bounded size, as every input
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:   # a part never expands past its stated size
            expanded = sum(member.file_size for member in archive.infolist())
        if expanded > MAX_XLSX_EXPANDED:
            raise InputError(f"the workbook expands to {expanded:,} bytes, over {MAX_XLSX_EXPANDED:,}: "
                             "not a survey answers file", path=path)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if SURVEY_SHEET not in book.sheetnames or "meta" not in book.sheetnames:
                raise InputError(
                    f"workbook has no '{SURVEY_SHEET}' and 'meta' sheets (use the survey template)", path=path
                )
            # read-only workbooks parse each sheet while its rows are iterated: a damaged part fails here
            meta = {
                str(row[0]): _cell(row[1])
                for row in book["meta"].iter_rows(values_only=True)
                if len(row) > 1 and row[0]
            }
            rows = list(book[SURVEY_SHEET].iter_rows(values_only=True))
        finally:
            book.close()
    except InputError:
        raise
    except Exception as exc:  # zipfile, openpyxl and the XML parser raise many types for a damaged workbook
        raise InputError(f"not a readable XLSX workbook ({type(exc).__name__})", path=path) from None
    if not rows:
        raise InputError(f"sheet '{SURVEY_SHEET}' is empty", path=path)
    # the template's headers read `result / 評価結果`: the code is before the slash
    header = [str(cell).split(" / ")[0].strip() if cell is not None else "" for cell in rows[0]]
    positions = {name: header.index(name) for name in ANSWER_COLUMNS if name in header}
    if "unit" not in positions or "result" not in positions:
        raise InputError(f"sheet '{SURVEY_SHEET}' needs the columns unit and result (row 1)", path=path)
    answers = []
    for row in rows[1:]:
        entry = {name: _cell(row[col]) for name, col in positions.items() if col < len(row)}
        if entry.get("unit") is not None:
            answers.append({k: v for k, v in entry.items() if v is not None})
    payload = {
        key: meta[key] for key in ("level", "system", "respondent", "date") if meta.get(key) is not None
    }
    payload["answers"] = answers
    try:
        AnswersFile.model_validate(payload)
    except ValidationError as exc:
        error = input_error_from(exc, Document(path=path, data=payload))
        raise InputError(error.message.replace("answers[", "survey row index ["), path=path) from None
    return Document(path=path, data=payload)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
