from __future__ import annotations

import re
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


DECLARED = {"log_retention_days": 180, "risky_ports": [22], "mfa_required": True, "region": "cn-north-1"}


@pytest.mark.parametrize(("raw", "message"), [
    # accepted before, then crashed in evaluate: `in` iterating over a number
    ({"path": "a", "op": "in", "param": "log_retention_days"},
     "operator 'in' needs a list parameter; 'log_retention_days' is number"),
    ({"path": "a", "op": "not_in", "param": "mfa_required"}, "needs a list parameter; 'mfa_required' is bool"),
    ({"path": "a", "op": "intersects", "param": "region"}, "needs a list parameter; 'region' is str"),
    ({"path": "a", "op": "gte", "param": "risky_ports"}, "needs a number or string parameter"),
    ({"path": "a", "op": "contains", "param": "risky_ports"}, "needs a single-valued parameter"),
    ({"path": "a", "op": "matches", "param": "region"}, "needs a regular expression 'value'"),
    ({"path": "a", "op": "lt", "value": [1]}, "operator 'lt' needs a number or a string value"),
    ({"path": "a", "op": "contains", "value": {"k": 1}}, "needs a single value"),
])
def test_a_parameter_or_value_must_suit_its_operator(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("'", "'")):
        parse(raw, DECLARED)


def test_suitable_parameters_load() -> None:
    assert parse({"path": "port", "op": "in", "param": "risky_ports"}, DECLARED)
    assert parse({"path": "days", "op": "gte", "param": "log_retention_days"}, DECLARED)


def test_a_scalar_where_a_list_was_expected_is_undetermined_not_a_crash() -> None:
    # belt and braces for a condition built without declared parameters
    condition = parse({"path": "port", "op": "in", "param": "days"})
    truth = condition.evaluate({"port": 22}, {"days": 180}, {})
    assert isinstance(truth, Undetermined)


def test_conditions_nested_too_deep_are_refused_not_a_recursion_error() -> None:
    raw: dict[str, Any] = {"path": "a", "op": "exists"}
    for _ in range(5000):
        raw = {"not": raw}
    with pytest.raises(ValueError, match="conditions are nested deeper than 32 levels"):
        parse(raw)


def test_a_condition_repeated_by_aliases_has_a_size_budget() -> None:
    leaf = {"path": "a", "op": "exists"}
    layer: Any = leaf
    for _ in range(5):  # 10**5 leaves: what a YAML alias chain can make of a few lines
        layer = {"any": [layer] * 10}
    with pytest.raises(ValueError, match="a condition has more than 10,000 parts"):
        parse(layer)


@pytest.mark.parametrize(("expression", "message"), [
    ("a[", "invalid jmespath 'a[': incomplete expression"),
    ("a.'b", "invalid jmespath \"a.'b\": Unclosed ' delimiter at column 2"),
    ("a[?x==`1", "Unclosed ` delimiter at column 6"),
    ("nope(a)", "unknown function nope()"),
    ("length(a, b)", "function length() takes 1 argument(s), not 2"),
    ("merge()", "function merge() takes at least 1 argument(s), not 0"),
])
def test_jmespath_errors_are_one_line(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        compile_path(expression)
    assert "\n" not in str(caught.value)


def test_a_jmespath_failure_while_evaluating_is_one_line() -> None:
    truth = judge({"path": "max(a)", "op": "gt", "value": 1}, {"a": ["x", 1]})
    assert isinstance(truth, Undetermined)
    assert "\n" not in truth.reason
    assert truth.reason.startswith("cannot evaluate 'max(a)': In function max()")



def test_ordering_a_number_against_a_string_is_undetermined_not_a_crash() -> None:
    # jmespath 1.1 hands `5 > "80"` to Python, which raises TypeError
    truth = judge({"path": "EndPort > Port", "op": "eq", "value": True}, {"EndPort": 90, "Port": "80"})
    assert isinstance(truth, Undetermined)
    assert truth.reason.startswith("cannot evaluate 'EndPort > Port': values of different types compared")
    listed = judge({"none": {"path": "L", "satisfies": {"path": "EndPort > Port", "op": "eq", "value": True}}},
                   {"L": [{"EndPort": 90, "Port": "80"}]})
    assert isinstance(listed, Undetermined)
    assert judge({"path": "EndPort > Port", "op": "eq", "value": True}, {"EndPort": 90, "Port": 80}) is True


# -- list conditions: every / none -------------------------------------------------------------

HTTPS = {"path": "ListenerProtocol", "op": "eq", "value": "https"}
STRICT = {"path": "TLSCipherPolicy", "op": "in", "value": ["tls_cipher_policy_1_2"]}
LISTENERS = {"Listeners": [{"ListenerProtocol": "https", "TLSCipherPolicy": "tls_cipher_policy_1_2"},
                           {"ListenerProtocol": "tcp"}]}


@pytest.mark.parametrize(("raw", "document", "expected"), [
    ({"every": {"path": "Listeners", "where": HTTPS, "satisfies": STRICT}}, LISTENERS, True),
    ({"every": {"path": "Listeners", "where": HTTPS, "satisfies": STRICT}},
     {"Listeners": [{"ListenerProtocol": "https", "TLSCipherPolicy": "tls_cipher_policy_1_0"}]}, False),
    ({"every": {"path": "Listeners", "satisfies": {"path": "AclStatus", "op": "eq", "value": "on"}}},
     {"Listeners": [{"AclStatus": "on"}, {"AclStatus": "off"}]}, False),
    ({"every": {"path": "Listeners", "satisfies": STRICT}}, {"Listeners": []}, True),
    ({"none": {"path": "Entries", "satisfies": {"path": "@", "op": "eq", "value": "0.0.0.0/0"}}},
     {"Entries": ["10.0.0.0/8", "192.168.0.0/16"]}, True),
    ({"none": {"path": "Entries", "satisfies": {"path": "@", "op": "eq", "value": "0.0.0.0/0"}}},
     {"Entries": ["10.0.0.0/8", "0.0.0.0/0"]}, False),
    ({"none": {"path": "Entries", "satisfies": {"path": "@", "op": "eq", "value": "0.0.0.0/0"}}},
     {"Entries": []}, True),
    # nested: no enabled endpoint has an ACL entry open to everyone
    ({"none": {"path": "Endpoints", "where": {"path": "Enable", "op": "eq", "value": True},
               "satisfies": {"not": {"every": {"path": "AclEntries",
                                               "satisfies": {"path": "Entry", "op": "ne", "value": "0.0.0.0/0"}}}}}},
     {"Endpoints": [{"Enable": False, "AclEntries": [{"Entry": "0.0.0.0/0"}]},
                    {"Enable": True, "AclEntries": [{"Entry": "10.0.0.0/8"}]}]}, True),
    ({"none": {"path": "Endpoints", "where": {"path": "Enable", "op": "eq", "value": True},
               "satisfies": {"not": {"every": {"path": "AclEntries",
                                               "satisfies": {"path": "Entry", "op": "ne", "value": "0.0.0.0/0"}}}}}},
     {"Endpoints": [{"Enable": True, "AclEntries": [{"Entry": "0.0.0.0/0"}]}]}, False),
])
def test_list_conditions(raw: dict[str, Any], document: Any, expected: bool) -> None:
    assert judge(raw, document) is expected


@pytest.mark.parametrize(("raw", "document", "reason"), [
    ({"every": {"path": "Listeners", "satisfies": STRICT}}, {}, "'Listeners' is missing"),
    ({"every": {"path": "Listeners", "satisfies": STRICT}}, {"Listeners": {"TLSCipherPolicy": "x"}},
     "'Listeners' is dict"),
    ({"none": {"path": "Entries", "satisfies": STRICT}}, {"Entries": "0.0.0.0/0"}, "not a list"),
    # an item without the field: the item cannot be judged, so neither can the list
    ({"every": {"path": "Listeners", "satisfies": STRICT}}, {"Listeners": [{"ListenerProtocol": "https"}]},
     "item 0 of 'Listeners': 'TLSCipherPolicy' is missing"),
    ({"none": {"path": "Listeners", "satisfies": STRICT}}, {"Listeners": [{"TLSCipherPolicy": 12}]},
     "item 0 of 'Listeners': 'TLSCipherPolicy' is int"),
    # whether an item counts cannot be told, and it would fail if it did
    ({"every": {"path": "Listeners", "where": HTTPS, "satisfies": STRICT}},
     {"Listeners": [{"TLSCipherPolicy": "tls_cipher_policy_1_0"}]}, "'ListenerProtocol' is missing"),
])
def test_a_missing_or_mistyped_list_or_item_is_undetermined_never_a_pass(
        raw: dict[str, Any], document: Any, reason: str) -> None:
    truth = judge(raw, document)
    assert isinstance(truth, Undetermined)
    assert reason in truth.reason


def test_a_failing_item_decides_even_when_another_is_undetermined() -> None:
    raw = {"every": {"path": "L", "satisfies": {"path": "ok", "op": "eq", "value": True}}}
    assert judge(raw, {"L": [{"nothing": 1}, {"ok": False}]}) is False
    assert isinstance(judge(raw, {"L": [{"nothing": 1}, {"ok": True}]}), Undetermined)
    # an item whose `where` cannot be read but which satisfies anyway does not matter
    scoped = {"every": {"path": "L", "where": {"path": "kind", "op": "eq", "value": "x"},
                        "satisfies": {"path": "ok", "op": "eq", "value": True}}}
    assert judge(scoped, {"L": [{"ok": True}]}) is True


def test_list_conditions_record_the_offending_items_and_describe_themselves() -> None:
    condition = parse({"every": {"path": "Listeners", "where": HTTPS,
                                 "satisfies": {"path": "TLSCipherPolicy", "op": "in", "param": "policies"}}},
                      {"policies": ["tls_cipher_policy_1_2"]})
    observed: dict[str, Any] = {}
    document = {"Listeners": [{"ListenerProtocol": "https", "TLSCipherPolicy": "tls_cipher_policy_1_0"},
                              {"ListenerProtocol": "tcp"}]}
    params = {"policies": ["tls_cipher_policy_1_2"]}
    assert condition.evaluate(document, params, observed) is False
    assert observed == {"Listeners": {"items": 2, "judged": 1, "offending": [
        {"item": 0, "ListenerProtocol": "https", "TLSCipherPolicy": "tls_cipher_policy_1_0"}]}}
    assert condition.describe(params) == (
        "every item of Listeners where ListenerProtocol eq 'https' satisfies "
        "TLSCipherPolicy in ['tls_cipher_policy_1_2'] (policies)")
    assert condition.paths() == ["Listeners", "ListenerProtocol", "TLSCipherPolicy"]
    assert condition.params() == ["policies"]


def test_a_list_condition_composes_and_keeps_kleene_logic() -> None:
    every_ok = {"every": {"path": "L", "satisfies": {"path": "ok", "op": "eq", "value": True}}}
    raw = {"any": [{"path": "L", "op": "eq", "value": []}, {"not": every_ok}]}
    assert judge(raw, {"L": []}) is True
    assert judge(raw, {"L": [{"ok": True}]}) is False
    assert judge({"not": every_ok}, {"L": [{"ok": False}]}) is True
    assert isinstance(judge({"not": every_ok}, {}), Undetermined)


@pytest.mark.parametrize(("raw", "message"), [
    ({"every": "Listeners"}, "'every' needs a mapping"),
    ({"every": {"satisfies": STRICT}}, "'every' needs 'path'"),
    ({"none": {"path": "L"}}, "'none' needs 'satisfies'"),
    ({"every": {"path": "L", "satisfies": STRICT, "op": "eq"}}, "unknown key 'op' in 'every'"),
    ({"every": {"path": "L[", "satisfies": STRICT}}, "invalid jmespath"),
    ({"every": {"path": "L", "satisfies": {"path": "a", "op": "eq", "param": "nope"}}}, "unknown parameter 'nope'"),
    ({"every": {"path": "L", "satisfies": STRICT}, "none": {"path": "L", "satisfies": STRICT}}, "only key"),
])
def test_bad_list_conditions_are_refused(raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse(raw, PARAMS)


def test_list_conditions_count_towards_depth_and_size_limits() -> None:
    raw: dict[str, Any] = {"path": "a", "op": "exists"}
    for _ in range(40):
        raw = {"every": {"path": "L", "satisfies": raw}}
    with pytest.raises(ValueError, match="nested deeper than 32 levels"):
        parse(raw)
