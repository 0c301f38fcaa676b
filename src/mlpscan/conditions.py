"""The small condition language of checks: leaves compare a jmespath value, `all`/`any`/`not` compose,
and `every`/`none` judge the items of a list.

Evaluation is three-valued. A leaf whose path is missing or whose value has the wrong type is
*undetermined* (it carries the reason), never false-and-therefore-passing: `all` fails if any
child fails, else is undetermined if any child is; `any` passes if any child passes, else is
undetermined if any child is; `not` keeps undetermined. The engine turns undetermined into an
`error` finding.

A list condition names a list (`path`), optionally the items it is about (`where`, evaluated on
each item) and what they must satisfy (`satisfies`, evaluated on each item):

    every: {path: Listeners, where: {path: ListenerProtocol, op: eq, value: https},
            satisfies: {path: TLSCipherPolicy, op: in, param: aliyun_tls_policies}}
    none:  {path: SecurityIpList, satisfies: {path: "@", op: eq, value: 0.0.0.0/0}}

`every` fails on one item that does not satisfy, `none` on one item that does; an item whose
`where` or `satisfies` cannot be decided makes the whole condition undetermined unless another item
already decided it. A missing list, or a value that is not a list, is undetermined. An empty list
satisfies both (say `{path: X, op: ne, value: []}` beside it when the list must not be empty).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

import jmespath
import jmespath.exceptions
import jmespath.functions

from mlpscan.errors import one_line, shown

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "intersects", "matches",
             "exists", "absent")
_NO_VALUE_OPS = {"exists", "absent"}
_LEAF_KEYS = {"path", "op", "value", "param"}
_COMBINATORS = ("all", "any", "not", "every", "none")
_LIST_KEYS = {"path", "where", "satisfies"}
MAX_LISTED_ITEMS = 5   # offending items kept in `observed`, enough to show an assessor which ones
_LIST_OPS = {"in", "not_in", "intersects"}
_ORDER_OPS = {"gt", "gte", "lt", "lte"}
# Far beyond any real check; keeps parsing and describing a condition clear of Python's recursion
# limit and of the cost of a structure that YAML aliases repeated many times.
MAX_DEPTH = 32
MAX_NODES = 10_000
_FUNCTIONS: dict[str, Any] = dict(jmespath.functions.Functions.FUNCTION_TABLE)


@dataclass(frozen=True)
class Undetermined:
    """Why a condition could not be decided from the data."""

    reason: str


Truth = bool | Undetermined
Getter = Callable[[Any], Any]


class IncomparableValues(jmespath.exceptions.JMESPathError):
    """jmespath (1.1) orders a number against a string with Python's `<`, which raises TypeError:
    for the data that is a value of the wrong type, so it is undetermined like any other."""


def _search(parsed: Any) -> Getter:
    def search(document: Any) -> Any:
        try:
            return parsed.search(document)
        except TypeError as exc:
            raise IncomparableValues(f"values of different types compared ({exc})") from None

    return search


@cache
def compile_path(expression: str) -> Getter:
    """A getter for a jmespath expression; plain dotted field chains skip the interpreter."""
    try:
        parsed = jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        raise ValueError(f"invalid jmespath {expression!r}: {jmespath_problem(exc)}") from None
    problem = _function_problem(parsed.parsed)
    if problem:
        raise ValueError(f"invalid jmespath {expression!r}: {problem}")
    fields = _field_chain(cast(dict[str, Any], parsed.parsed))
    if fields is None:
        return _search(parsed)
    return _dotted_getter(tuple(fields))


def jmespath_problem(exc: jmespath.exceptions.JMESPathError) -> str:
    """What is wrong with an expression, on one line (jmespath's own text draws a caret diagram)."""
    if isinstance(exc, jmespath.exceptions.IncompleteExpressionError):
        return "incomplete expression"
    if isinstance(exc, jmespath.exceptions.LexerError):
        return f"{exc.message} at column {exc.lexer_position}"
    if isinstance(exc, jmespath.exceptions.ArityError):
        return one_line(str(exc))
    if isinstance(exc, jmespath.exceptions.ParseError):
        return f"{exc.msg}: unexpected {exc.token_value!r} at column {exc.lex_position}"
    return one_line(str(exc))


def _function_problem(node: Any) -> str | None:
    """A call jmespath would refuse only when evaluating (unknown function, wrong number of
    arguments): every finding of the check would be an error, so it is a content error."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, list):
            pending.extend(current)
            continue
        if not isinstance(current, dict):
            continue
        pending.extend(current.get("children", []))
        if current.get("type") != "function_expression":
            continue
        name, given = str(current.get("value")), len(current.get("children", []))
        if name not in _FUNCTIONS:
            return f"unknown function {name}()"
        signature = _FUNCTIONS[name]["signature"]
        variadic = any(arg.get("variadic") for arg in signature)
        if given < len(signature) or (given > len(signature) and not variadic):
            wanted = f"{'at least ' if variadic else ''}{len(signature)}"
            return f"function {name}() takes {wanted} argument(s), not {given}"
    return None


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
            return Undetermined(f"cannot evaluate '{self.path}': {jmespath_problem(exc)}")
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


@dataclass(frozen=True)
class EachItem(Condition):
    """`every` (or `none`) item of the list at `path` that matches `where` satisfies `satisfies`."""

    quantifier: str            # "every" | "none"
    path: str
    satisfies: Condition
    where: Condition | None = None
    getter: Getter = field(compare=False, repr=False, default=lambda _: None)

    def evaluate(self, document: Any, params: Mapping[str, Any], observed: dict[str, Any]) -> Truth:
        try:
            items = self.getter(document)
        except jmespath.exceptions.JMESPathError as exc:
            return Undetermined(f"cannot evaluate '{self.path}': {jmespath_problem(exc)}")
        if items is None:
            return Undetermined(f"'{self.path}' is missing")
        if not isinstance(items, list):
            return Undetermined(f"'{self.path}' is {type(items).__name__} {_show(items)}, not a list")
        offending: list[dict[str, Any]] = []
        undetermined: Undetermined | None = None
        counted = 0
        for index, item in enumerate(items):
            seen: dict[str, Any] = {}
            applies: Truth = True if self.where is None else self.where.evaluate(item, params, seen)
            if applies is False:
                continue
            truth = self.satisfies.evaluate(item, params, seen)
            settled = truth is (self.quantifier == "every")   # this item cannot fail the condition
            if settled:
                counted += 1 if applies is True else 0
                continue
            problem = applies if isinstance(applies, Undetermined) else (
                truth if isinstance(truth, Undetermined) else None)
            if problem is not None:   # whether this item counts, or passes, cannot be told
                reason = f"item {index} of '{self.path}': {problem.reason}"
                undetermined = undetermined or Undetermined(reason)
                continue
            counted += 1
            offending.append({"item": index, **seen})
        observed[self.path] = {"items": len(items), "judged": counted,
                               "offending": offending[:MAX_LISTED_ITEMS]}
        if offending:
            return False
        return undetermined if undetermined is not None else True

    def describe(self, params: Mapping[str, Any]) -> str:
        which = f" where {_group(self.where, params)}" if self.where is not None else ""
        head = "every item" if self.quantifier == "every" else "no item"
        return f"{head} of {self.path}{which} satisfies {_group(self.satisfies, params)}"

    def paths(self) -> list[str]:
        inner = [*(self.where.paths() if self.where is not None else []), *self.satisfies.paths()]
        return [self.path, *inner]

    def params(self) -> list[str]:
        return [*(self.where.params() if self.where is not None else []), *self.satisfies.params()]


def _group(condition: Condition, params: Mapping[str, Any]) -> str:
    text = condition.describe(params)
    return f"({text})" if isinstance(condition, (AllOf, AnyOf, EachItem)) else text


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
        if isinstance(actual, (list, dict)) or not isinstance(expected, list):
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
    """Compile a condition from its YAML form; raises ValueError naming the problem.

    ``declared_params`` maps each parameter name to its declaration (anything with a ``type``
    such as ``list[int]``) or to an example value: a parameter must suit its operator.
    """
    return _parse(raw, declared_params, depth=1, budget=[MAX_NODES])


def _parse(raw: Any, declared: Mapping[str, Any] | None, *, depth: int, budget: list[int]) -> Condition:
    if depth > MAX_DEPTH:
        raise ValueError(f"conditions are nested deeper than {MAX_DEPTH} levels")
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError(f"a condition has more than {MAX_NODES:,} parts")
    if not isinstance(raw, dict):
        raise ValueError(f"a condition must be a mapping, got {type(raw).__name__}")
    combinators = [key for key in _COMBINATORS if key in raw]
    if combinators:
        if len(raw) != 1:
            raise ValueError(f"'{combinators[0]}' must be the only key of its condition")
        key = combinators[0]
        if key in ("every", "none"):
            return _parse_each(key, raw[key], declared, depth=depth, budget=budget)
        if key == "not":
            return Not(_parse(raw["not"], declared, depth=depth + 1, budget=budget))
        children = raw[key]
        if not isinstance(children, list) or not children:
            raise ValueError(f"'{key}' needs a non-empty list of conditions")
        parsed = tuple(_parse(child, declared, depth=depth + 1, budget=budget) for child in children)
        return AllOf(parsed) if key == "all" else AnyOf(parsed)
    unknown = sorted(str(k) for k in set(raw) - _LEAF_KEYS)
    if unknown:
        raise ValueError(f"unknown condition key {unknown[0]!r} (expected path/op/value/param "
                         "or all/any/not/every/none)")
    path, op = raw.get("path"), raw.get("op")
    if not isinstance(path, str) or not path:
        raise ValueError("a condition needs 'path' (a jmespath expression)")
    if not isinstance(op, str) or op not in OPERATORS:
        raise ValueError(f"unknown operator {shown(op)}; use one of {', '.join(OPERATORS)}")
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
        if declared is not None:
            if param not in declared:
                raise ValueError(f"unknown parameter '{param}'")
            _check_param_suits(op, param, declared[param])
    value = raw.get("value")
    if has_value:
        _check_value_suits(op, value)
    pattern = None
    if op == "matches" and isinstance(value, str):
        try:
            pattern = re.compile(value)
        except (re.error, RecursionError, OverflowError) as exc:
            raise ValueError(f"invalid regular expression {shown(value)}: {exc}") from None
    return Leaf(path=path, op=op, value=value, param=param, getter=getter, pattern=pattern)


def _parse_each(key: str, raw: Any, declared: Mapping[str, Any] | None, *, depth: int,
                budget: list[int]) -> EachItem:
    if not isinstance(raw, dict):
        raise ValueError(f"'{key}' needs a mapping with path, satisfies and optionally where")
    unknown = sorted(str(k) for k in set(raw) - _LIST_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in '{key}' (expected path, where, satisfies)")
    path = raw.get("path")
    if not isinstance(path, str) or not path:
        raise ValueError(f"'{key}' needs 'path' (a jmespath expression giving a list)")
    if "satisfies" not in raw:
        raise ValueError(f"'{key}' needs 'satisfies' (the condition every item is judged by)")
    where = raw.get("where")
    return EachItem(
        quantifier=key, path=path, getter=compile_path(path),
        satisfies=_parse(raw["satisfies"], declared, depth=depth + 1, budget=budget),
        where=None if where is None else _parse(where, declared, depth=depth + 1, budget=budget))


def _check_value_suits(op: str, value: Any) -> None:
    if op in _LIST_OPS and not isinstance(value, list):
        raise ValueError(f"operator '{op}' needs a list value")
    if op == "matches" and not isinstance(value, str):
        raise ValueError("operator 'matches' needs a regular expression string value")
    if op in _ORDER_OPS and not (_is_number(value) or isinstance(value, str)):
        raise ValueError(f"operator '{op}' needs a number or a string value, got {shown(value)}")
    if op == "contains" and isinstance(value, (list, dict)):
        raise ValueError("operator 'contains' needs a single value (an element or a substring)")


def _check_param_suits(op: str, name: str, declaration: Any) -> None:
    """A parameter's declared type must suit the operator: `in` over a number would crash."""
    kind = _param_kind(declaration)
    if op == "matches":
        raise ValueError("operator 'matches' needs a regular expression 'value', not a parameter")
    if op in _LIST_OPS and kind != "list":
        raise ValueError(f"operator '{op}' needs a list parameter; '{name}' is {kind}")
    if op in _ORDER_OPS and kind not in ("number", "str"):
        raise ValueError(f"operator '{op}' needs a number or string parameter; '{name}' is {kind}")
    if op == "contains" and kind == "list":
        raise ValueError(f"operator 'contains' needs a single-valued parameter; '{name}' is a list")


def _param_kind(declaration: Any) -> str:
    declared_type = getattr(declaration, "type", None)
    if isinstance(declared_type, str):  # a Parameter from profiles/params.yaml
        return {"int": "number", "bool": "bool", "str": "str"}.get(declared_type, "list")
    if isinstance(declaration, bool):
        return "bool"
    if _is_number(declaration):
        return "number"
    if isinstance(declaration, str):
        return "str"
    return "list" if isinstance(declaration, list) else type(declaration).__name__

