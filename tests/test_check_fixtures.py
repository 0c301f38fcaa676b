"""Every check ships pass and fail cases (tests/checks/<provider>/<rest of id>.yaml), run here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from tests.conftest import REPO, make_snapshot

FIXTURES = Path(__file__).parent / "checks"
CONTENT = load_content(REPO)


def fixture_path(check_id: str) -> Path:
    provider, rest = check_id.split(".", 1)
    return FIXTURES / provider / f"{rest}.yaml"


def load_cases(check_id: str) -> list[dict[str, Any]]:
    path = fixture_path(check_id)
    if not path.is_file():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["check"] == check_id, path
    cases: list[dict[str, Any]] = document["cases"]
    return cases


@pytest.mark.parametrize("check_id", sorted(CONTENT.checks))
def test_every_check_has_pass_and_fail_cases(check_id: str) -> None:
    expectations = {case["expect"] for case in load_cases(check_id)}
    assert {"pass", "fail"} <= expectations, f"{fixture_path(check_id)} needs pass and fail cases"


CASES = [(check_id, case) for check_id in sorted(CONTENT.checks) for case in load_cases(check_id)]


@pytest.mark.parametrize(("check_id", "case"), CASES, ids=[f"{c}: {case['name']}" for c, case in CASES])
def test_check_case(content: Content, check_id: str, case: dict[str, Any]) -> None:
    check = content.checks[check_id]
    level = case.get("level", max(check.clauses))
    snapshot = make_snapshot(case["targets"], case.get("resources"), case.get("errors"))
    report = evaluate(snapshot, content, content.level_profile(level))
    statuses = [f.status.value for f in report.findings if f.check == check_id]
    assert statuses, f"{case['name']}: the check produced no finding"
    assert set(statuses) == {case["expect"]}, f"{case['name']}: {statuses}"


def test_no_orphan_fixtures() -> None:
    for path in FIXTURES.rglob("*.yaml"):
        check_id = yaml.safe_load(path.read_text(encoding="utf-8"))["check"]
        assert check_id in CONTENT.checks, f"{path} is for an unknown check"
        assert fixture_path(check_id) == path
