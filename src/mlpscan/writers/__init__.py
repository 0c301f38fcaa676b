"""Writers turn a Report into bytes; none of them re-evaluates anything.

File formats register here, once each: a name (what `--format` takes), the file it is written to
in the output directory, and a function from `RenderInput` to bytes. The terminal view (`table`)
is not a file format: it is printed by the front end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from mlpscan.baseline import Comparison
from mlpscan.catalog import Catalog
from mlpscan.checks import Check
from mlpscan.findings import Report
from mlpscan.writers.json import render_json
from mlpscan.writers.junit import render_junit
from mlpscan.writers.sarif import render_sarif
from mlpscan.writers.table import TableOptions, render_table

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
)}
FORMATS = (TABLE, *FILE_FORMATS)
DEFAULT_FORMATS = (TABLE, "json", "sarif")

__all__ = ["DEFAULT_FORMATS", "FILE_FORMATS", "FORMATS", "TABLE", "FileFormat", "RenderInput", "TableOptions",
           "render_json", "render_junit", "render_sarif", "render_table"]
