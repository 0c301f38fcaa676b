from __future__ import annotations

import io
import json

from rich.console import Console

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.writers import render_json, render_table
from tests.conftest import make_snapshot, resource, target


def small_report(content: Content):  # type: ignore[no-untyped-def]
    snapshot = make_snapshot(
        [target("aliyun:1", regions=["cn-hangzhou"])],
        [resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hongkong:1:hk", "cn-hongkong", name="hk"),
         resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hangzhou:1:hz", "cn-hangzhou", name="hz")])
    return evaluate(snapshot, content, content.level_profile(3))


def test_json_report_has_the_contract_fields(content: Content) -> None:
    document = json.loads(render_json(small_report(content)))
    # DESIGN §7 order; system, scope, next_assessment and laws are optional additions within report/1
    assert list(document) == ["schema", "tool", "generated_at", "system", "scope", "profile", "snapshot",
                              "next_assessment", "summary", "laws", "findings"]
    assert document["schema"] == "mlpscan.report/1"
    assert document["profile"]["id"] == "level3"
    assert document["profile"]["params"]["log_retention_days"] == 180
    assert document["snapshot"]["digest"].startswith("sha256:")
    # residency: hz passes, hk fails; platform: no published level for cn-hongkong -> manual
    assert document["summary"]["by_status"] == {"pass": 1, "fail": 1, "error": 0, "manual": 1,
                                                "not_applicable": 0, "waived": 0}
    finding = document["findings"][0]
    assert set(finding) == {"check", "title", "status", "severity", "clauses", "units", "resource", "message",
                            "observed", "expected", "remediation", "waiver", "unit_status", "law"}
    assert set(finding["resource"]) == {"type", "uid", "name", "target", "region"}
    assert any(f["status"] == "pass" for f in document["findings"])  # passes are part of the record


def test_table_lists_what_needs_attention(content: Content) -> None:
    buffer = io.StringIO()
    render_table(small_report(content), Console(file=buffer, width=160, color_system=None))
    text = buffer.getvalue()
    assert "cloud.residency.mainland_region" in text
    assert "hk (cn-hongkong)" in text
    assert "hz (cn-hangzhou)" not in text  # passes are counted, not listed
    assert "pass 1" in text
    assert "fail 1" in text
    assert "manual 1" in text


def test_table_with_nothing_to_show(content: Content) -> None:
    buffer = io.StringIO()
    report = evaluate(make_snapshot([target("host:a", provider="host")]), content, content.level_profile(3))
    render_table(report, Console(file=buffer, width=120, color_system=None))
    assert "nothing needs attention" in buffer.getvalue()
