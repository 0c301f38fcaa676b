"""`mlpscan diff` on two planted reports: per finding, per unit, score change per category."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mlpscan.cli import main
from mlpscan.content import Content
from mlpscan.diff import compare
from mlpscan.errors import InputError
from mlpscan.findings import Status
from mlpscan.record import Result, build_record
from mlpscan.writers.json import render_json
from tests.record.planted import asset, finding, report

WEB, DB = asset("web-01"), asset("db-01")


def _old():  # type: ignore[no-untyped-def]
    return report(
        [
            finding("lockout", Status.FAIL, ["L3-CES1-02"], WEB),  # fixed later
            finding("remote", Status.FAIL, ["L3-CES1-03"], WEB),  # still failing
            finding("mfa", Status.PASS, ["L3-CES1-04"], WEB),  # new failure later
            finding("audit", Status.FAIL, ["L3-CES1-14"], WEB),  # fail -> error: changed
            finding("gone", Status.FAIL, ["L3-CES1-19"], DB),  # no longer evaluated
        ]
    )


def _new():  # type: ignore[no-untyped-def]
    return report(
        [
            finding("lockout", Status.PASS, ["L3-CES1-02"], WEB),
            finding("remote", Status.FAIL, ["L3-CES1-03"], WEB),
            finding("mfa", Status.FAIL, ["L3-CES1-04"], WEB),
            finding("audit", Status.ERROR, ["L3-CES1-14"], WEB),
        ],
        generated=datetime(2027, 5, 20, tzinfo=timezone.utc),
    )


def test_compare_planted_reports(content: Content) -> None:
    comparison = compare(build_record(_old(), content), build_record(_new(), content))
    by_check = {f.check: f.change for f in comparison.findings}
    assert by_check == {
        "lockout": "fixed",
        "remote": "still_failing",
        "mfa": "new",
        "audit": "changed",
        "gone": "gone",
    }
    by_unit = {u.unit: (u.change, u.before, u.after) for u in comparison.units}
    assert by_unit["L3-CES1-02"] == ("fixed", Result.NONCONFORM, Result.CONFORM)
    assert by_unit["L3-CES1-03"] == ("still_failing", Result.NONCONFORM, Result.NONCONFORM)
    assert by_unit["L3-CES1-04"] == ("new", Result.CONFORM, Result.NONCONFORM)
    assert by_unit["L3-CES1-14"] == ("changed", Result.NONCONFORM, Result.UNDETERMINED)
    # a unit no longer evaluated is unknown now, not fixed
    assert by_unit["L3-CES1-19"] == ("changed", Result.NONCONFORM, Result.NOT_ASSESSED)
    computing = next(s for s in comparison.scores if s.category == "computing")
    # before: CES1-02 0, CES1-03 0, CES1-04 1, CES1-14 0, CES1-19 0 -> 20.0; after: 1, 0, 0, 0 -> 25.0
    assert (computing.before, computing.after, computing.delta) == (20.0, 25.0, 5.0)
    overall = next(s for s in comparison.scores if s.category is None)
    assert overall.delta == 5.0


def test_levels_must_match(content: Content) -> None:
    with pytest.raises(InputError, match="compare assessments of the same level"):
        compare(build_record(report([], level=2), content), build_record(report([]), content))


def test_cli_diff_json_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_bytes(render_json(_old()))
    new.write_bytes(render_json(_new()))
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "mlpscan.diff/1"
    assert data["summary"] == {"new": 1, "fixed": 1, "still_failing": 1, "changed": 1, "gone": 1}
    assert {"category": "computing", "before": 20.0, "after": 25.0, "delta": 5.0} in data["scores"]
    assert main(["diff", str(old), str(new), "--lang", "ja"]) == 0
    table = capsys.readouterr().out
    assert "前回評価との比較" in table
    assert "解消" in table
    assert "計算環境のセキュリティ" in table
