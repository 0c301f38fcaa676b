"""The JSON report (contract `mlpscan.report/1`): the full audit record, passes included."""

from __future__ import annotations

from mlpscan.findings import Report


def render_json(report: Report) -> bytes:
    # pydantic's own serializer: no intermediate Python dicts for 100,000s of findings
    # (to bytes directly: a 100 MB report is not held as str and bytes at once)
    return Report.__pydantic_serializer__.to_json(report, indent=2, by_alias=True) + b"\n"
