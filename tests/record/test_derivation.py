"""The derivation rules of the record (docs/record.md), on planted findings and answers."""

from __future__ import annotations

from datetime import date

import pytest

from mlpscan.answers import SurveyAnswer
from mlpscan.content import Content
from mlpscan.findings import Status
from mlpscan.record import Result, build_record, combine
from tests.record.planted import asset, finding, report

C, P, N = Result.CONFORM, Result.PARTIAL, Result.NONCONFORM
NA, PENDING, ERR = Result.NOT_APPLICABLE, Result.NOT_ASSESSED, Result.UNDETERMINED


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([C, C], C),  # all passes -> 符合
        ([C, N], P),  # passes and failures -> 部分符合
        ([N, N], N),  # all failures -> 不符合
        ([C, ERR], ERR),  # any error -> cannot be determined, never 符合
        ([N, ERR], ERR),
        ([NA, NA], NA),  # all not applicable -> 不适用
        ([C, NA], C),  # not-applicable rows are left out
        ([N, NA], N),
        ([C, PENDING], PENDING),  # a pending part keeps a unit from 符合 ...
        ([N, PENDING], N),  # ... but not from 不符合
        ([P, C], P),
        ([], PENDING),
    ],
)
def test_combine(results: list[Result], expected: Result) -> None:
    assert combine(results) is expected


def _unit(record, unit_id):  # type: ignore[no-untyped-def]
    return next(r for r in record.records if r.unit.id == unit_id)


def test_one_row_per_unit_and_asset_and_every_unit_present(content: Content) -> None:
    web, db = asset("web-01"), asset("db-01", target="host:db-01")
    planted = report(
        [
            finding("a.check", Status.PASS, ["L3-CES1-04"], web),
            finding("b.check", Status.FAIL, ["L3-CES1-04"], web),
            finding("a.check", Status.PASS, ["L3-CES1-04"], db),
        ]
    )
    record = build_record(planted, content)
    unit = _unit(record, "L3-CES1-04")
    assert [(r.asset.name if r.asset else None, r.result) for r in unit.rows] == [("db-01", C), ("web-01", P)]
    assert unit.result is P
    assert {r.unit.id for r in record.records} >= {"L3-CES1-01", "L3-PSS1-01", "L3-MMS1-48", "CSL-21-3"}
    assert len({r.unit.id for r in record.records}) == len(record.records)
    untouched = _unit(record, "L3-CES1-02")
    assert [(r.result, r.source) for r in untouched.rows] == [(PENDING, "")]


def test_error_is_cannot_be_determined(content: Content) -> None:
    web = asset("web-01")
    record = build_record(
        report(
            [
                finding("a.check", Status.PASS, ["L3-CES1-02"], web),
                finding("b.check", Status.ERROR, ["L3-CES1-02"], asset("db-01")),
            ]
        ),
        content,
    )
    assert _unit(record, "L3-CES1-02").result is ERR


def test_waived_counts_as_what_it_hides_and_is_shown(content: Content) -> None:
    web = asset("web-01")
    record = build_record(
        report([finding("a.check", Status.FAIL, ["L3-CES1-02"], web, waived=Status.FAIL)]), content
    )
    unit = _unit(record, "L3-CES1-02")
    assert unit.result is N
    [row] = unit.rows
    assert [w.justification for w in row.waivers] == ["accepted until the move"]


def test_not_applicable(content: Content) -> None:
    record = build_record(
        report([finding("a.check", Status.NOT_APPLICABLE, ["L3-CES1-02"], asset("w"))]), content
    )
    assert _unit(record, "L3-CES1-02").result is NA


def test_partly_automatable_unit_needs_the_survey_to_conform(content: Content) -> None:
    # L3-CES1-01 (8.1.4.1 a) is only partly verifiable by a scanner
    passing = report([finding("a.check", Status.PASS, ["L3-CES1-01"], asset("w"))])
    assert _unit(build_record(passing, content), "L3-CES1-01").result is PENDING
    answer = SurveyAnswer(
        unit="L3-CES1-01",
        result="conform",
        evidence="policy v3 read",
        respondent="Yamada",
        date=date(2026, 11, 20),
        source="answers.yaml",
    )
    answered = _unit(build_record(passing, content, [answer]), "L3-CES1-01")
    assert answered.result is C
    assert answered.sources == ["scanner", "survey"]
    failing = report([finding("a.check", Status.FAIL, ["L3-CES1-01"], asset("w"))])
    # a survey answer never hides what the scanner saw failing
    assert _unit(build_record(failing, content, [answer]), "L3-CES1-01").result is P


def test_manual_unit_from_survey_only(content: Content) -> None:
    answer = SurveyAnswer(
        unit="L3-PSS1-01",
        result="nonconform",
        evidence="no policy",
        respondent="Yamada",
        date=date(2026, 11, 20),
        source="answers.yaml",
    )
    unit = _unit(build_record(report([]), content, [answer]), "L3-PSS1-01")
    assert unit.result is N
    assert [(r.source, r.result) for r in unit.rows] == [("survey", N)]


def test_law_obligation_takes_the_findings_of_its_checks(content: Content) -> None:
    # CSL-21-3 (six-month log retention) reads every check that uses log_retention_days
    retention = finding("host.logging.retention", Status.FAIL, ["L3-CES1-14"], asset("w"))
    unit = _unit(build_record(report([retention]), content), "CSL-21-3")
    assert [r.checks for r in unit.rows if r.source == "scanner"] == [["host.logging.retention"]]
    assert unit.result is N
