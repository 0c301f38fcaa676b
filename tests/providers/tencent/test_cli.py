"""`mlpscan scan tencent` end to end: keys and endpoint from the environment, JSON and SARIF out."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fakes.tencent_accounts import build
from tests.fakes.tencent_fake import TencentFake
from tests.providers.tencent.conftest import SECRET_ID, SECRET_KEY
from tests.providers.tencent.test_scan import ACCEPTANCE
from tests.test_cli import run

Validator = Callable[[bytes | str | dict[str, Any]], list[str]]


def test_scan_tencent_level_3_reports_the_acceptance_failures(fake: TencentFake, tmp_path: Path,
                                                               sarif_validator: Validator) -> None:
    fake.add_account(build(weak=True), SECRET_ID, SECRET_KEY)
    fake.deny("cbs:DescribeSnapshots", region="ap-shanghai")
    out = tmp_path / "out"
    done = run("scan", "tencent", "--level", "3", "--format", "json,sarif", "--output-dir", str(out),
               env={"TENCENTCLOUD_SECRET_ID": SECRET_ID, "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
                    "MLPSCAN_TENCENT_ENDPOINT": fake.endpoint, "HOME": str(tmp_path)})
    assert done.returncode == 1, done.stderr
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    failures = {(f["check"], f["resource"]["name"]): f["clauses"] for f in report["findings"] if f["status"] == "fail"}
    for check, (clause, name) in ACCEPTANCE.items():
        assert clause in failures[(check, name)], check
    [denied] = [f for f in report["findings"] if f["status"] == "error"]
    assert denied["check"] == "tencent.cbs.snapshot_encrypted"
    assert "cbs:DescribeSnapshots" in denied["message"]
    sarif = json.loads((out / "mlpscan.sarif").read_bytes())
    assert sarif_validator(sarif) == []
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert set(ACCEPTANCE) <= rules
    assert sarif["runs"][0]["automationDetails"]["id"].startswith("mlpscan/level3/tencent:100000000001")
    evidence = (out / "snapshot.json").read_text(encoding="utf-8")
    assert SECRET_KEY not in evidence
