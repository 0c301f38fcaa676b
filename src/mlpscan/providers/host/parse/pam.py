"""PAM stacks (/etc/pam.d) and pwquality.conf's documented defaults; secret arguments are masked."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from mlpscan.providers.host.parse.text import JSON, content_lines, headed_sections, joined_continuations


def pwquality_documented_defaults(text: str) -> dict[str, int]:
    """Defaults as the stock pwquality.conf documents them in comments (`# minlen = 9`).

    libpwquality changed its defaults between versions (1.2 on EL7: minlen 9 and credits 1;
    1.4: minlen 8 and credits 0); the stock file of the installed version says which apply.
    """
    defaults: dict[str, int] = {}
    for raw in text.splitlines():
        match = re.fullmatch(r"#\s*([a-z_]+)\s*=\s*(-?\d+)", raw.strip())
        if match:
            defaults.setdefault(match[1], int(match[2]))
    return defaults


_PAM_TOKEN = re.compile(r"\[(?:\\.|[^\]\\])*\]|\S+")

_PAM_TYPES = ("auth", "account", "password", "session")


def _pam_module_name(path: str) -> str:
    return PurePosixPath(path).name.removesuffix(".so")


# argument names that mean a secret (pam_mysql passwd=, pam_radius secret=, token=, ...)
# (not `credit`: pwquality's dcredit=-1 is a rule, not a secret)
_SECRET_ARGUMENT = re.compile(r"pass|pwd|secret|token|credential|(?:^|_)(?:key|pw)(?:$|_)|pw$", re.IGNORECASE)

MASK = "***"


def mask_secret_argument(arg: str) -> str:
    """`passwd=hunter2` -> `passwd=***`: secrets in PAM arguments never enter a snapshot."""
    name, sep, value = arg.partition("=")
    return f"{name}={MASK}" if sep and value and _SECRET_ARGUMENT.search(name) else arg


def parse_pam_line(line: str) -> JSON | None:
    """One PAM rule: type, control, module (basename without .so), args, optional (-type)."""
    tokens = _PAM_TOKEN.findall(line.split("#", 1)[0])
    if not tokens:
        return None
    if tokens[0] == "@include":  # Debian: include every rule of another file
        target = tokens[1] if len(tokens) > 1 else ""
        return {"type": "@include", "control": "include", "module": target, "args": [],
                "optional": False}
    if len(tokens) < 3:
        return None
    kind = tokens[0].lower()
    optional = kind.startswith("-")
    kind = kind.lstrip("-")
    if kind not in _PAM_TYPES:
        return None
    control = tokens[1]
    included = control.lower() in ("include", "substack")
    module = PurePosixPath(tokens[2]).name if included else _pam_module_name(tokens[2])
    return {"type": kind, "control": control.lower() if included else control, "module": module,
            "args": [mask_secret_argument(arg) for arg in tokens[3:]], "optional": optional}


def parse_pam_stacks(text: str) -> dict[str, list[JSON]]:
    """`==> /etc/pam.d/x <==` sections -> {file basename: rules}."""
    stacks: dict[str, list[JSON]] = {}
    for path, body in headed_sections(text):
        lines = joined_continuations(content_lines(body))
        stacks[PurePosixPath(path).name] = [rule for rule in map(parse_pam_line, lines) if rule]
    return stacks


def pam_args(rule: Mapping[str, Any]) -> dict[str, str | bool]:
    """A rule's arguments as a mapping: `deny=5` -> {"deny": "5"}, `even_deny_root` -> True."""
    parsed: dict[str, str | bool] = {}
    for arg in rule.get("args", []):
        key, sep, value = str(arg).partition("=")
        parsed[key] = value if sep else True
    return parsed


def expand_stack(stacks: Mapping[str, Sequence[JSON]], name: str, kind: str | None = None,
                 _depth: int = 0) -> list[JSON]:
    """The rules a service really runs: `include`, `substack` and `@include` resolved.

    `include`/`substack` pull in the rules of their own type; `@include` pulls in every rule.
    Files that were not printed (postlogin, ...) contribute nothing.
    """
    rules = stacks.get(name)
    if rules is None or _depth > 8:
        return []
    expanded: list[JSON] = []
    for rule in rules:
        target = PurePosixPath(str(rule["module"])).name
        if rule["type"] == "@include":
            expanded.extend(expand_stack(stacks, target, kind, _depth + 1))
        elif kind is not None and rule["type"] != kind:
            continue
        elif rule["control"] in ("include", "substack"):
            expanded.extend(expand_stack(stacks, target, rule["type"], _depth + 1))
        else:
            expanded.append(rule)
    return expanded


def unresolved_includes(stacks: Mapping[str, Sequence[JSON]]) -> list[str]:
    targets = {PurePosixPath(str(r["module"])).name for rules in stacks.values() for r in rules
               if r["control"] in ("include", "substack") or r["type"] == "@include"}
    return sorted(t for t in targets if t not in stacks)


def rule_text(rule: Mapping[str, Any]) -> str:
    return " ".join([("-" if rule.get("optional") else "") + str(rule["type"]), str(rule["control"]),
                     str(rule["module"]), *map(str, rule.get("args", []))])


def parse_pwhistory_module(text: str) -> bool | None:
    """Whether the installed pam_pwhistory reads /etc/security/pwhistory.conf (the
    `pwhistory_module` command's lines); None when no module was found."""
    answers = [line.rstrip().endswith(" reads /etc/security/pwhistory.conf") for line in content_lines(text)
               if line.rstrip().endswith("read /etc/security/pwhistory.conf")
               or line.rstrip().endswith("reads /etc/security/pwhistory.conf")]
    return any(answers) if answers else None
