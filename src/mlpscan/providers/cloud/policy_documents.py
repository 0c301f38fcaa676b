"""Reading bucket policy documents of S3, OSS and COS alike: statements, wildcards, conditions.

The three clouds write the same policy language with different names: AWS `Statement`/`Effect`
and `aws:` keys, Alibaba the same with `acs:`, Tencent often in lower case with `name/cos:`
actions, `qcs` principals and `bool_equal` conditions. This module only reads: it turns a
document into statements with lower-cased element names and answers what a pattern covers. What
counts as "TLS only" is decided by the evaluator that uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

EVERYONE = frozenset({"*", "qcs::cam::anyone:anyone"})


@dataclass(frozen=True)
class Statement:
    effect: str                          # "allow" / "deny", lower case
    principal: Any                       # as written; None when absent
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: dict[str, dict[str, list[Any]]]   # operator -> key -> values, all names as written
    negated: tuple[str, ...]             # NotPrincipal / NotAction / NotResource, when used


def statements(document: Any) -> list[Statement] | None:
    """The statements of a policy document; None when it is not one (not an object, or its
    Statement is neither an object nor a list of objects)."""
    if not isinstance(document, dict):
        return None
    top = {str(key).lower(): value for key, value in document.items()}
    raw = top.get("statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        return None
    found = []
    for item in raw:
        element = {str(key).lower(): value for key, value in item.items()}
        condition = element.get("condition") or {}
        found.append(Statement(
            effect=str(element.get("effect") or "").lower(),
            principal=element.get("principal", top.get("principal")),   # COS may name it once, on top
            actions=_strings(element.get("action")),
            resources=_strings(element.get("resource")),
            condition={str(op): {str(k): as_list(v) for k, v in keys.items()}
                       for op, keys in condition.items() if isinstance(keys, dict)}
            if isinstance(condition, dict) else {"?": {}},
            negated=tuple(name for name in ("notprincipal", "notaction", "notresource") if name in element)))
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in as_list(value) if item is not None)


def everyone(principal: Any) -> bool:
    """The principal is anybody: "*", {"AWS": "*"}, ["*"], {"qcs": ["qcs::cam::anyone:anyone"]}."""
    if isinstance(principal, dict):
        return any(str(item) in EVERYONE for values in principal.values() for item in as_list(values))
    return any(str(item) in EVERYONE for item in as_list(principal))


@cache
def _pattern(glob: str, case_sensitive: bool) -> re.Pattern[str]:
    """A policy wildcard pattern: `*` any run of characters, `?` one character, nothing else special."""
    body = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in glob)
    return re.compile(body, 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def matches(glob: str, text: str, *, case_sensitive: bool = True) -> bool:
    return _pattern(glob, case_sensitive).fullmatch(text) is not None


def covers_everything_under(glob: str, prefix: str, *, case_sensitive: bool = True) -> bool:
    """Whether the pattern matches every string that starts with `prefix` ("s3:" for every S3
    action, "arn:aws:s3:::bucket/" for every object): it must end with `*`, and what comes before
    that `*` must match some beginning of the prefix."""
    if not glob.endswith("*"):
        return False
    head = glob[:-1]
    return any(matches(head, prefix[:end], case_sensitive=case_sensitive) for end in range(len(prefix) + 1))
