"""Scores and conclusion on hand-computed examples (method in docs/record.md)."""

from __future__ import annotations

from datetime import date

import pytest

from mlpscan.answers import SurveyAnswer
from mlpscan.content import Content
from mlpscan.findings import Severity, Status
from mlpscan.record import build_record
from mlpscan.scoring import conclude, score
from tests.record.planted import asset, finding, report


def _answer(unit: str, result: str) -> SurveyAnswer:
    return SurveyAnswer(
        unit=unit,
        result=result,
        evidence="seen",
        respondent="Yamada",  # type: ignore[arg-type]
        date=date(2026, 11, 20),
        source="answers.yaml",
    )


def test_hand_computed_scores(content: Content) -> None:
    web, db = asset("web-01"), asset("db-01")
    findings = [
        finding("mfa", Status.PASS, ["L3-CES1-04"], web),
        finding("mfa", Status.FAIL, ["L3-CES1-04"], db),  # 0.5
        finding("lockout", Status.PASS, ["L3-CES1-02"], web),  # 1
        finding("remote", Status.ERROR, ["L3-CES1-03"], web),  # 0
        finding("audit", Status.PASS, ["L3-CES1-14"], web),  # 1
    ]
    answers = [
        _answer("L3-PSS1-01", "conform"),
        _answer("L3-PSS1-02", "nonconform"),
        _answer("L3-PSS1-03", "not_applicable"),
    ]
    scores = score(build_record(report(findings), content, answers))
    computing, policy = scores.category("computing"), scores.category("policy")
    assert (computing.scored, computing.score) == (4, 62.5)  # (0.5 + 1 + 0 + 1) / 4
    assert (policy.scored, policy.score) == (2, 50.0)  # (1 + 0) / 2, 不适用 left out
    assert scores.category("organisation").score is None  # nothing assessed
    assert scores.overall == 58.3  # 3.5 / 6
    assert scores.undetermined == 1
    assert scores.provisional
    # L3-CES1-04 (two-factor login, 8.1.4.1 d) is 部分符合: high-risk trigger A-19 forces 差
    assert [f.trigger.code for f in scores.fired] == ["A-19"]
    assert scores.conclusion == "poor"
    # A-18 (8.1.4.1 a, only partly automatable) has no answer: not assessed, so it does not fire
    assert "A-18" not in [f.trigger.code for f in scores.fired]


def test_without_trigger_the_score_decides(content: Content) -> None:
    web = asset("web-01")
    findings = [
        finding("lockout", Status.PASS, ["L3-CES1-02"], web),
        finding("remote", Status.FAIL, ["L3-CES1-03"], web, severity=Severity.LOW),
    ]
    scores = score(build_record(report(findings), content))
    assert scores.overall == 50.0
    assert scores.fired == ()
    assert scores.conclusion == "poor"  # 50 < 70


def test_law_category_stays_out_of_the_overall_score(content: Content) -> None:
    answers = [_answer("CSL-21-1", "nonconform"), _answer("L3-PSS1-01", "conform")]
    scores = score(build_record(report([]), content, answers))
    assert scores.category("law").score == 0.0
    assert scores.overall == 100.0


@pytest.mark.parametrize(
    ("overall", "high", "medium", "band"),
    [
        (100.0, False, False, "excellent"),
        (90.0, False, False, "excellent"),
        (89.9, False, False, "good"),
        (80.0, False, False, "good"),
        (79.9, False, False, "fair"),
        (70.0, False, False, "fair"),
        (69.9, False, False, "poor"),
        (99.0, True, False, "poor"),
        (95.0, False, True, "good"),
        (None, False, False, None),
        (None, True, False, "poor"),
    ],
)
def test_conclusion_bands(overall: float | None, high: bool, medium: bool, band: str | None) -> None:
    assert conclude(overall, high, medium) == band
