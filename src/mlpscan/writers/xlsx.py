"""The assessment record as an XLSX workbook (openpyxl): summary, record, findings, assets, survey.

Every sheet has a frozen header row, an autofilter and set column widths; result and status
cells are coloured by conditional formatting, so a consultant's later edits keep the colours.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule, Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mlpscan.findings import Status
from mlpscan.record import Result
from mlpscan.writers.record_view import RecordView

HEADER_FILL = PatternFill("solid", start_color="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
COLOURS = {
    Result.CONFORM: "C6EFCE",
    Result.PARTIAL: "FFEB9C",
    Result.NONCONFORM: "FFC7CE",
    Result.UNDETERMINED: "E4C1F9",
    Result.NOT_ASSESSED: "DDEBF7",
    Result.NOT_APPLICABLE: "EDEDED",
}
STATUS_COLOURS = {
    Status.PASS: "C6EFCE",
    Status.FAIL: "FFC7CE",
    Status.ERROR: "E4C1F9",
    Status.MANUAL: "DDEBF7",
    Status.WAIVED: "FFEB9C",
    Status.NOT_APPLICABLE: "EDEDED",
}
WRAP = Alignment(vertical="top", wrap_text=True)
MAX_WIDTH = 60
CELL_CHARS = 32000  # Excel's limit per cell is 32,767


def render_xlsx(view: RecordView) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "summary"
    _summary(summary, view)
    rows = view.record_rows()
    record = _table(
        book.create_sheet("record"), view.record_headers(), [r for _, _, r in rows], wrap=(5, 6, 14, 15, 17)
    )
    _colour_results(record, view, columns=(10, 11))
    findings = _table(
        book.create_sheet("findings"),
        view.finding_headers(),
        [r for _, r in view.finding_rows()],
        wrap=(9, 12),
    )
    _colour_statuses(findings, view, column=2)
    _table(book.create_sheet("assets"), view.asset_headers(), view.asset_rows())
    survey = _table(book.create_sheet("survey"), view.survey_headers(), view.survey_rows(), wrap=(4, 5, 8))
    _colour_results(survey, view, columns=(7,))
    if view.comparison is not None:
        _diff(book.create_sheet("diff"), view)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        # command output may hold control characters, which a workbook cell cannot
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value[:CELL_CHARS])
    return value


def _table(
    sheet: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    start: int = 1,
    wrap: Sequence[int] = (),
) -> Worksheet:
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=start, column=col, value=header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    wrapped = set(wrap)
    for index, row in enumerate(rows, start=start + 1):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=index, column=col, value=_cell(value))
            if col - 1 in wrapped:
                cell.alignment = WRAP  # one shared style: openpyxl styles per cell are costly
    last = get_column_letter(max(len(headers), 1))
    sheet.freeze_panes = f"A{start + 1}"
    sheet.auto_filter.ref = f"A{start}:{last}{start + max(len(rows), 1)}"
    for col, header in enumerate(headers, start=1):
        longest = max([len(str(header))] + [min(len(str(r[col - 1])), MAX_WIDTH) for r in rows[:500]])
        sheet.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, max(8, longest + 2))
    return sheet


def _equal_fill(text: str, colour: str) -> Rule:
    """Fill cells whose value is ``text`` (types-openpyxl leaves CellIsRule untyped)."""
    fill = PatternFill("solid", start_color=colour, end_color=colour)
    rule: Rule = CellIsRule(operator="equal", formula=[f'"{text}"'], fill=fill)  # type: ignore[no-untyped-call]
    return rule


def _colour_results(sheet: Worksheet, view: RecordView, columns: Sequence[int]) -> None:
    for col in columns:
        letter = get_column_letter(col + 1)
        area = f"{letter}2:{letter}{max(sheet.max_row, 2)}"
        for result, colour in COLOURS.items():
            sheet.conditional_formatting.add(area, _equal_fill(view.result(result), colour))


def _colour_statuses(sheet: Worksheet, view: RecordView, column: int) -> None:
    letter = get_column_letter(column + 1)
    area = f"{letter}2:{letter}{max(sheet.max_row, 2)}"
    for status, colour in STATUS_COLOURS.items():
        sheet.conditional_formatting.add(area, _equal_fill(view.status(status), colour))


def _summary(sheet: Worksheet, view: RecordView) -> None:
    sheet["A1"] = f"{view.t('title.record')} · GB/T 22239-2019 / GB/T 28448-2019"
    sheet["A1"].font = Font(bold=True, size=14)
    row = 3
    for label, value in view.metadata():
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        value_cell = sheet.cell(row=row, column=2, value=value)
        if value.endswith(f"({view.t('m.unverified')})"):
            value_cell.font = Font(bold=True, color="C00000")
        row += 1
    scores = view.scores
    for label, shown in (
        (view.t("m.overall"), scores.overall if scores.overall is not None else "–"),
        (view.t("m.conclusion"), view.conclusion()),
        ("", view.provisional()),
    ):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        sheet.cell(row=row, column=2, value=shown).font = Font(bold=True)
        row += 1
    if not view.record.report.snapshot.verified:
        sheet.cell(row=row, column=2, value=view.t("m.unverified_note")).font = Font(
            bold=True, color="C00000"
        )
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value=view.t("h.high_risk")).font = Font(bold=True, size=12)
    row += 1
    for line in view.high_risk_rows() or [[view.t("note.high_risk_none")]]:
        for col, value in enumerate(line, start=1):
            sheet.cell(row=row, column=col, value=value).font = Font(
                color="C00000" if len(line) > 1 else None
            )
        row += 1
    sheet.cell(row=row, column=1, value=view.t("note.high_risk"))
    row += 2
    sheet.cell(row=row, column=1, value=view.t("h.scores")).font = Font(bold=True, size=12)
    row += 1
    for col, header in enumerate(view.score_headers(), start=1):
        cell = sheet.cell(row=row, column=col, value=header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for values in view.score_rows():
        row += 1
        for col, value in enumerate(values, start=1):
            sheet.cell(row=row, column=col, value=value)
    sheet.freeze_panes = None
    row += 2
    sheet.cell(row=row, column=1, value=view.t("h.method")).font = Font(bold=True, size=12)
    sheet.cell(row=row + 1, column=1, value=view.t("method.text")).alignment = Alignment(wrap_text=True)
    sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=8)
    sheet.row_dimensions[row + 1].height = 120
    for offset, note in enumerate(view.notes(), start=2):
        sheet.cell(row=row + offset, column=1, value=note)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 70
    for col in range(3, 12):
        sheet.column_dimensions[get_column_letter(col)].width = 14


def _diff(sheet: Worksheet, view: RecordView) -> None:
    comparison = view.comparison
    assert comparison is not None
    headers = [view.t("col.category"), view.t("col.before"), view.t("col.after"), view.t("col.change")]
    rows: list[list[Any]] = [
        [view.t("m.overall") if s.category is None else view.category(s.category), s.before, s.after, s.delta]
        for s in comparison.scores
    ]
    _table(sheet, headers, rows)
    start = len(rows) + 3
    unit_headers = [
        view.t("col.unit"),
        view.t("col.category"),
        view.t("col.change"),
        view.t("col.before"),
        view.t("col.after"),
    ]
    sheet.cell(row=start - 1, column=1, value=view.t("diff.units")).font = Font(bold=True)
    for col, header in enumerate(unit_headers, start=1):
        cell = sheet.cell(row=start, column=col, value=header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for offset, unit in enumerate(comparison.units, start=1):
        for col, value in enumerate(
            [
                unit.unit,
                view.category(unit.category),
                view.t(f"diff.{unit.change}"),
                view.result(unit.before),
                view.result(unit.after),
            ],
            start=1,
        ):
            sheet.cell(row=start + offset, column=col, value=value)
    start += len(comparison.units) + 3
    sheet.cell(row=start - 1, column=1, value=view.t("diff.findings")).font = Font(bold=True)
    finding_headers = [
        view.t("col.check"),
        view.t("col.target"),
        view.t("col.asset"),
        view.t("col.change"),
        view.t("col.before"),
        view.t("col.after"),
        view.t("col.message"),
    ]
    for col, header in enumerate(finding_headers, start=1):
        cell = sheet.cell(row=start, column=col, value=header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for offset, f in enumerate(comparison.findings, start=1):
        values = [
            f.check,
            f.target,
            f.resource,
            view.t(f"diff.{f.change}"),
            view.status(f.before) if f.before else "",
            view.status(f.after) if f.after else "",
            f.message,
        ]
        for col, value in enumerate(values, start=1):
            sheet.cell(row=start + offset, column=col, value=_cell(value))
