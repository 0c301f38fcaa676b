"""The small condition language of checks: leaves compare a jmespath value, `all`/`any`/`not` compose.

Evaluation is three-valued. A leaf whose path is missing or whose value has the wrong type is
*undetermined* (it carries the reason), never false-and-therefore-passing: `all` fails if any
child fails, else is undetermined if any child is; `any` passes if any child passes, else is
undetermined if any child is; `not` keeps undetermined. The engine turns undetermined into an
`error` finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

import jmespath
import jmespath.exceptions

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "intersects", "matches",
             "exists", "absent")
_NO_VALUE_OPS = {"exists", "absent"}
_LEAF_KEYS = {"path", "op", "value", "param"}


@dataclass(frozen=True)
class Undetermined:
    """Why a condition could not be decided from the data."""

    reason: str


Truth = bool | Undetermined
Getter = Callable[[Any], Any]


@cache
def compile_path(expression: str) -> Getter:
    """A getter for a jmespath expression; plain dotted field chains skip the interpreter."""
    try:
        parsed = jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        raise ValueError(f"invalid jmespath {expression!r}: {exc}") from None
    fields = _field_chain(cast(dict[str, Any], parsed.parsed))
    if fields is None:
        return parsed.search
    return _dotted_getter(tuple(fields))


def _field_chain(node: dict[str, Any]) -> list[str] | None:
    if node["type"] == "field":
        return [node["value"]]
    if node["type"] == "subexpression":
        chain: list[str] = []
        for child in node["children"]:
            part = _field_chain(child)
            if part is None:
                return None
            chain.extend(part)
        return chain
    return None


def _dotted_getter(fields: tuple[str, ...]) -> Getter:
    def get(document: Any) -> Any:
        for name in fields:
            if not isinstance(document, dict):
                return None  # jmespath: a field of a non-object is null
            document = document.get(name)
        return document

    return get


class Condition:
    """Compiled condition node."""

    def evaluate(self, document: Any, params: Mapping[str, Any], observed: dict[str, Any]) -> Truth:
        raise NotImplementedError

    def describe(self, params: Mapping[str, Any]) -> str:
        raise NotImplementedError

    def paths(self) -> list[str]:
        raise NotImplementedError

    def params(self) -> list[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class Leaf(Condition):
    path: str
    op: str
    value: Any = None
    param: str | None = None
    getter: Getter = field(compare=False, repr=False, default=lambda _: None)
    pattern: re.Pattern[str] | None = field(compare=False, repr=False, default=None)

    def expected(self, params: Mapping[str, Any]) -> Any:
        return params[self.param] if self.param is not None else self.value

    def evaluate(self, document: Any, params: Mapping[str, Any], observed: dict[str, Any]) -> Truth:
        try:
            actual = self.getter(document)
        except jmespath.exceptions.JMESPathError as exc:   # e.g. max() over a missing list
            return Undetermined(f"cannot evaluate '{self.path}': {exc}")
        observed[self.path] = actual
        if self.op == "exists":
            return actual is not None
        if self.op == "absent":
            return actual is None
        if actual is None:
            return Undetermined(f"'{self.path}' is missing")
        return _compare(self.op, actual, self.expected(params), self.path, self.pattern)

    def describe(self, params: Mapping[str, Any]) -> str:
        if self.op in _NO_VALUE_OPS:
            return f"{self.path} {self.op}"
        shown = _show(self.expected(params))
        return f"{self.path} {self.op} {shown}" + (f" ({self.param})" if self.param else "")

    def paths(self) -> list[str]:
        return [self.path]

    def params(self) -> list[str]:
        return [self.param] if self.param else []


@dataclass(frozen=True)
class AllOf(Condition):
    children: tuple[Condition, ...]

    def evaluate(self, document: Any, params: Mapping[str, Any], observed: dict[str, Any]) -> Truth:
        undetermined: Undetermined | None = None
        for child in self.children:
            truth = child.evaluate(document, params, observed)
            if truth is False:
                return False
            if isinstance(truth, Undetermined) and undetermined is None:
                undetermined = truth
        return undetermined if undetermined is not None else True

    def describe(self, params: Mapping[str, Any]) -> str:
        return " and ".join(_group(c, params) for c in self.children)

    def paths(self) -> list[str]:
        return [p for c in self.children for p in c.paths()]

    def params(self) -> list[str]:
        return [p for c in self.children for p in c.params()]


@dataclass(frozen=True)
class AnyOf(Condition):
    children: tuple[Condition, ...]

    def evaluate(self, document: Any, params: Mapping[str, Any], observed: dict[str, Any]) -> Truth:
        undetermined: Undetermined | None = None
        for child in self.children:
            truth = child.evaluate(document, params, observed)
            if truth is True:
                return True
            if isinstance(truth, Undetermined) and undetermined is None:
                undetermined = truth
        return undetermined if undetermined is not None else False

    def describe(self, params: Mapping[str, Any]) -> str:
        return " or ".join(_group(c, params) for c in self.children)

    def paths(self) -> list[str]:
        return [p for c in self.children for p in c.paths()]

    def params(self) -> list[str]:
        return [p for c in self.children for p in c.params()]


@dataclass(frozen=True)
class Not(Condition):
    child: Condition

    def evaluate(self, document: Any, params: Mapping[str, Any], observed: dict[str, Any]) -> Truth:
        truth = self.child.evaluate(document, params, observed)
        return truth if isinstance(truth, Undetermined) else not truth

    def describe(self, params: Mapping[str, Any]) -> str:
        return f"not {_group(self.child, params)}"

    def paths(self) -> list[str]:
        return self.child.paths()

    def params(self) -> list[str]:
        return self.child.params()


def _group(condition: Condition, params: Mapping[str, Any]) -> str:
    text = condition.describe(params)
    return f"({text})" if isinstance(condition, (AllOf, AnyOf)) else text


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_kind(a: Any, b: Any) -> bool:
    if _is_number(a) and _is_number(b):
        return True
    return type(a) is type(b)


def _mismatch(op: str, actual: Any, expected: Any, path: str) -> Undetermined:
    return Undetermined(
        f"'{path}' is {type(actual).__name__} {_show(actual)}, cannot apply {op} {_show(expected)}")


def _compare(op: str, actual: Any, expected: Any, path: str, pattern: re.Pattern[str] | None) -> Truth:
    if op in ("eq", "ne"):
        if not _same_kind(actual, expected):
            return _mismatch(op, actual, expected, path)
        return (actual == expected) is (op == "eq")
    if op in ("gt", "gte", "lt", "lte"):
        if not ((_is_number(actual) and _is_number(expected))
                or (isinstance(actual, str) and isinstance(expected, str))):
            return _mismatch(op, actual, expected, path)
        if op == "gt":
            return bool(actual > expected)
        if op == "gte":
            return bool(actual >= expected)
        if op == "lt":
            return bool(actual < expected)
        return bool(actual <= expected)
    if op in ("in", "not_in"):
        if isinstance(actual, (list, dict)):
            return _mismatch(op, actual, expected, path)
        if not any(_same_kind(actual, option) for option in expected):
            # no option of that kind: the answer would be vacuous, so say so
            return _mismatch(op, actual, expected, path) if expected else (op == "not_in")
        return any(actual == o and _same_kind(actual, o) for o in expected) is (op == "in")
    if op == "intersects":  # a list shares an element with the expected list (open ports vs risky ports)
        if not isinstance(actual, list) or not isinstance(expected, list):
            return _mismatch(op, actual, expected, path)
        return any(_same_kind(item, option) and item == option for item in actual for option in expected)
    if op == "contains":
        if isinstance(actual, list):
            return any(item == expected and _same_kind(item, expected) for item in actual)
        if isinstance(actual, str) and isinstance(expected, str):
            return expected in actual
        return _mismatch(op, actual, expected, path)
    if op == "matches":
        if not isinstance(actual, str) or pattern is None:
            return _mismatch(op, actual, expected, path)
        return pattern.search(actual) is not None
    raise AssertionError(f"unknown operator {op}")  # parse() only admits OPERATORS


def parse(raw: Any, declared_params: Mapping[str, Any] | None = None) -> Condition:
    """Compile a condition from its YAML form; raises ValueError naming the problem."""
    if not isinstance(raw, dict):
        raise ValueError(f"a condition must be a mapping, got {type(raw).__name__}")
    combinators = [key for key in ("all", "any", "not") if key in raw]
    if combinators:
        if len(raw) != 1:
            raise ValueError(f"'{combinators[0]}' must be the only key of its condition")
        key = combinators[0]
        if key == "not":
            return Not(parse(raw["not"], declared_params))
        children = raw[key]
        if not isinstance(children, list) or not children:
            raise ValueError(f"'{key}' needs a non-empty list of conditions")
        parsed = tuple(parse(child, declared_params) for child in children)
        return AllOf(parsed) if key == "all" else AnyOf(parsed)
    unknown = sorted(set(raw) - _LEAF_KEYS)
    if unknown:
        raise ValueError(f"unknown condition key '{unknown[0]}' (expected path/op/value/param "
                         "or all/any/not)")
    path, op = raw.get("path"), raw.get("op")
    if not isinstance(path, str) or not path:
        raise ValueError("a condition needs 'path' (a jmespath expression)")
    if op not in OPERATORS:
        raise ValueError(f"unknown operator {op!r}; use one of {', '.join(OPERATORS)}")
    getter = compile_path(path)
    has_value, param = "value" in raw, raw.get("param")
    if op in _NO_VALUE_OPS:
        if has_value or param is not None:
            raise ValueError(f"operator '{op}' takes no value")
        return Leaf(path=path, op=op, getter=getter)
    if has_value == (param is not None):
        raise ValueError(f"operator '{op}' needs exactly one of 'value' or 'param'")
    if param is not None:
        if not isinstance(param, str):
            raise ValueError("'param' must be a parameter name")
        if declared_params is not None and param not in declared_params:
            raise ValueError(f"unknown parameter '{param}'")
    value = raw.get("value")
    if op in ("in", "not_in", "intersects") and has_value and not isinstance(value, list):
        raise ValueError(f"operator '{op}' needs a list value")
    pattern = None
    if op == "matches":
        if not isinstance(value, str):
            raise ValueError("operator 'matches' needs a regular expression string value")
        try:
            pattern = re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return Leaf(path=path, op=op, value=value, param=param, getter=getter, pattern=pattern)
