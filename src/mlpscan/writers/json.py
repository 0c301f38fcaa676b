"""The JSON report (contract `mlpscan.report/1`): the full audit record, passes included."""

from __future__ import annotations

from mlpscan.findings import Report


def render_json(report: Report) -> bytes:
    # pydantic's own serializer: no intermediate Python dicts for 100,000s of findings
    return report.model_dump_json(indent=2, by_alias=True).encode() + b"\n"
