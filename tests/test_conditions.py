from __future__ import annotations

from typing import Any

import jmespath
import pytest

from mlpscan.conditions import AllOf, Undetermined, compile_path, parse

PARAMS = {"log_retention_days": 180, "risky_ports": [22, 3389]}


def judge(raw: dict[str, Any], document: Any) -> Any:
    return parse(raw, PARAMS).evaluate(document, PARAMS, {})


@pytest.mark.parametrize(("raw", "document", "expected"), [
    ({"path": "a", "op": "eq", "value": 1}, {"a": 1}, True),
    ({"path": "a", "op": "eq", "value": 1}, {"a": 1.0}, True),
    ({"path": "a", "op": "ne", "value": "x"}, {"a": "y"}, True),
    ({"path": "a", "op": "gt", "value": 5}, {"a": 5}, False),
    ({"path": "a", "op": "gte", "param": "log_retention_days"}, {"a": 180}, True),
    ({"path": "a", "op": "gte", "param": "log_retention_days"}, {"a": 30}, False),
    ({"path": "a", "op": "lt", "value": 5}, {"a": 4}, True),
    ({"path": "a", "op": "lte", "value": "2026-01-01"}, {"a": "2025-12-31"}, True),
    ({"path": "port", "op": "in", "param": "risky_ports"}, {"port": 3389}, True),
    ({"path": "port", "op": "not_in", "param": "risky_ports"}, {"port": 443}, True),
    ({"path": "tags", "op": "contains", "value": "prod"}, {"tags": ["dev", "prod"]}, True),
    ({"path": "open", "op": "intersects", "param": "risky_ports"}, {"open": [443, 3389]}, True),
    ({"path": "open", "op": "intersects", "param": "risky_ports"}, {"open": [80, 443]}, False),
    ({"path": "open", "op": "intersects", "value": [22]}, {"open": []}, False),
    ({"path": "name", "op": "contains", "value": "log"}, {"name": "audit-logs"}, True),
    ({"path": "name", "op": "matches", "value": "^oss-cn-(?!hongkong)"}, {"name": "oss-cn-hangzhou"}, True),
    ({"path": "name", "op": "matches", "value": "^oss-cn-(?!hongkong)"}, {"name": "oss-cn-hongkong"}, False),
    ({"path": "a.b", "op": "exists"}, {"a": {"b": 0}}, True),
    ({"path": "a.b", "op": "absent"}, {"a": {}}, True),
    ({"path": "a.b", "op": "exists"}, {"a": "not an object"}, False),
    ({"path": "length(Users[?MFA==`false`])", "op": "eq", "value": 0},
     {"Users": [{"MFA": True}, {"MFA": True}]}, True),
    ({"path": "Users[].Name", "op": "contains", "value": "root"}, {"Users": [{"Name": "root"}]}, True),
])
def test_operators(raw: dict[str, Any], document: Any, expected: bool) -> None:
    assert judge(raw, document) is expected


@pytest.mark.parametrize(("raw", "document", "reason"), [
    ({"path": "a", "op": "eq", "value": True}, {}, "'a' is missing"),
    ({"path": "a", "op": "eq", "value": True}, {"a": 1}, "cannot apply eq true"),
    ({"path": "a", "op": "gte", "value": 180}, {"a": "180"}, "is str"),
    ({"path": "a", "op": "gt", "value": 1}, {"a": True}, "is bool"),
    ({"path": "a", "op": "contains", "value": "x"}, {"a": 5}, "cannot apply contains"),
    ({"path": "a", "op": "matches", "value": "x"}, {"a": 5}, "cannot apply matches"),
    ({"path": "a", "op": "in", "value": [1, 2]}, {"a": "1"}, "cannot apply in"),
    ({"path": "a", "op": "intersects", "value": [1, 2]}, {"a": 1}, "cannot apply intersects"),
    ({"path": "max(keys[].days)", "op": "lte", "value": 90}, {}, "cannot evaluate 'max(keys[].days)'"),
])
def test_missing_or_mistyped_values_are_undetermined_never_false(
        raw: dict[str, Any], document: Any, reason: str) -> None:
    truth = judge(raw, document)
    assert isinstance(truth, Undetermined)
    assert reason in truth.reason


def test_kleene_logic_never_turns_an_error_into_a_pass() -> None:
    missing = {"path": "missing", "op": "eq", "value": 1}
    true, false = {"path": "a", "op": "eq", "value": 1}, {"path": "a", "op": "eq", "value": 2}
    doc = {"a": 1}
    assert judge({"all": [true, missing]}, doc) == Undetermined("'missing' is missing")
    assert judge({"all": [false, missing]}, doc) is False
    assert judge({"any": [true, missing]}, doc) is True
    assert judge({"any": [false, missing]}, doc) == Undetermined("'missing' is missing")
    assert isinstance(judge({"not": missing}, doc), Undetermined)
    assert judge({"not": false}, doc) is True


def test_absent_or_threshold_reads_like_cloudwatch_retention() -> None:
    # CloudWatch omits retentionInDays when logs never expire
    condition = {"any": [{"path": "retentionInDays", "op": "absent"},
                         {"path": "retentionInDays", "op": "gte", "param": "log_retention_days"}]}
    assert judge(condition, {}) is True
    assert judge(condition, {"retentionInDays": 365}) is True
    assert judge(condition, {"retentionInDays": 30}) is False


def test_observed_records_every_path_read() -> None:
    observed: dict[str, Any] = {}
    parse({"all": [{"path": "a", "op": "eq", "value": 1}, {"path": "b.c", "op": "exists"}]},
          PARAMS).evaluate({"a": 1, "b": {"c": 2}}, PARAMS, observed)
    assert observed == {"a": 1, "b.c": 2}


def test_describe_shows_parameter_values() -> None:
    condition = parse({"all": [{"path": "a", "op": "gte", "param": "log_retention_days"},
                               {"any": [{"path": "b", "op": "eq", "value": True},
                                        {"not": {"path": "c", "op": "exists"}}]}]}, PARAMS)
    assert isinstance(condition, AllOf)
    assert condition.describe(PARAMS) == "a gte 180 (log_retention_days) and (b eq true or not c exists)"


@pytest.mark.parametrize("expression", ["a", "a.b.c", "A.B", '"x-y".z', "a[0]", "a[].b", "a || b"])
def test_fast_path_agrees_with_jmespath(expression: str) -> None:
    documents = [{}, {"a": {"b": {"c": 1}}}, {"a": [{"b": 1}]}, {"a": "s"}, {"A": {"B": None}},
                 {"x-y": {"z": 3}}, {"b": 2}, None, [1, 2]]
    getter = compile_path(expression)
    for document in documents:
        assert getter(document) == jmespath.search(expression, document)


@pytest.mark.parametrize(("raw", "message"), [
    ("text", "must be a mapping"),
    ({"path": "a", "op": "like", "value": 1}, "unknown operator 'like'"),
    ({"path": "a", "op": "eq"}, "exactly one of 'value' or 'param'"),
    ({"path": "a", "op": "eq", "value": 1, "param": "log_retention_days"}, "exactly one of"),
    ({"path": "a", "op": "exists", "value": 1}, "takes no value"),
    ({"path": "a", "op": "eq", "param": "nope"}, "unknown parameter 'nope'"),
    ({"path": "a", "op": "in", "value": 1}, "needs a list"),
    ({"path": "a", "op": "matches", "value": "("}, "invalid regular expression"),
    ({"path": "a[", "op": "exists"}, "invalid jmespath"),
    ({"path": "a", "op": "eq", "value": 1, "extra": 2}, "unknown condition key 'extra'"),
    ({"all": []}, "non-empty list"),
    ({"all": [{"path": "a", "op": "exists"}], "path": "b"}, "only key"),
    ({"op": "exists"}, "needs 'path'"),
])
def test_parse_rejects_bad_conditions(raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse(raw, PARAMS)
