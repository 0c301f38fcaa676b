"""Writers turn a Report into bytes; none of them re-evaluates anything.

File formats register here, once each: a name (what `--format` takes), the file it is written to
in the output directory, and a function from `RenderInput` to bytes. The terminal view (`table`)
is not a file format: it is printed by the front end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from mlpscan.answers import SurveyAnswer
from mlpscan.baseline import Comparison
from mlpscan.catalog import Catalog
from mlpscan.checks import Check
from mlpscan.content import Content
from mlpscan.diff import compare as compare_records
from mlpscan.findings import Report
from mlpscan.i18n import Lang, default_lang
from mlpscan.record import build_record
from mlpscan.writers.html import render_html
from mlpscan.writers.json import render_json
from mlpscan.writers.junit import render_junit
from mlpscan.writers.record_view import RecordView
from mlpscan.writers.sarif import render_sarif
from mlpscan.writers.table import TableOptions, render_table
from mlpscan.writers.xlsx import render_xlsx

TABLE = "table"


@dataclass(frozen=True)
class RenderInput:
    """Everything a file writer may use besides the report itself."""

    report: Report
    checks: Mapping[str, Check]                    # the checks the evaluation selected
    catalog: Catalog
    anchors: Mapping[str, str] = field(default_factory=dict)   # target id -> declaring file
    sarif_anchor: str | None = None
    sarif_category: str | None = None
    notifications: Sequence[str] = ()
    comparison: Comparison | None = None
    content: Content | None = None                 # the assessment record's formats need it
    lang: Lang | None = None
    answers: Sequence[SurveyAnswer] = ()
    baseline: Report | None = None

    @cached_property
    def record_view(self) -> RecordView:
        """The assessment record, built once for every record format of a run."""
        if self.content is None:
            raise ValueError("the assessment record needs the content")
        record = build_record(self.report, self.content, list(self.answers))
        before = build_record(self.baseline, self.content, []) if self.baseline is not None else None
        return RecordView(record, self.content, self.lang or default_lang(),
                          comparison=compare_records(before, record) if before is not None else None)


@dataclass(frozen=True)
class FileFormat:
    name: str
    filename: str
    render: Callable[[RenderInput], bytes]


def _sarif(given: RenderInput) -> bytes:
    return render_sarif(given.report, given.checks, given.catalog, anchors=given.anchors,
                        fallback_anchor=given.sarif_anchor, category=given.sarif_category,
                        notifications=given.notifications, comparison=given.comparison)


FILE_FORMATS: dict[str, FileFormat] = {f.name: f for f in (
    FileFormat("json", "mlpscan-report.json", lambda given: render_json(given.report)),
    FileFormat("sarif", "mlpscan.sarif", _sarif),
    FileFormat("junit", "mlpscan-junit.xml", lambda given: render_junit(given.report)),
    FileFormat("xlsx", "mlpscan-record.xlsx", lambda given: render_xlsx(given.record_view)),
    FileFormat("html", "mlpscan-record.html", lambda given: render_html(given.record_view)),
)}
FORMATS = (TABLE, *FILE_FORMATS)
DEFAULT_FORMATS = (TABLE, "json", "sarif")

__all__ = ["DEFAULT_FORMATS", "FILE_FORMATS", "FORMATS", "TABLE", "FileFormat", "RenderInput", "TableOptions",
           "render_json", "render_junit", "render_sarif", "render_table"]
