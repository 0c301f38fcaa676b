"""The JSON report (contract `mlpscan.report/1`): the full audit record, passes included."""

from __future__ import annotations

import json

from mlpscan.findings import Report


def render_json(report: Report) -> bytes:
    document = report.model_dump(mode="json", by_alias=True)
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
