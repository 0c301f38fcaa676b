"""auditctl -s and auditctl -l."""

from __future__ import annotations

import re
import shlex

from mlpscan.providers.host.parse.text import JSON, content_lines, typed


def parse_audit_status(text: str) -> JSON:
    """`auditctl -s`, both the `enabled 1` lines (audit >= 2.4) and `AUDIT_STATUS: enabled=1`."""
    status: JSON = {}
    for line in content_lines(text):
        if line.startswith("AUDIT_STATUS:"):
            for key, value in re.findall(r"(\w+)=(\S+)", line):
                status[key] = typed(value)
            continue
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"[a-z_]+", parts[0]):
            status[parts[0]] = typed(parts[1])
    return status


def _audit_tokens(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def _parse_audit_rule(line: str) -> JSON:
    tokens = _audit_tokens(line)
    rule: JSON = {"text": line, "watch": None, "perms": None, "key": None, "syscalls": [],
                  "fields": []}
    pairs = zip(tokens, [*tokens[1:], ""], strict=True)
    for option, value in pairs:
        if option == "-w":
            rule["watch"] = value
        elif option == "-p":
            rule["perms"] = value
        elif option == "-k":
            rule["key"] = value
        elif option == "-S":
            rule["syscalls"].extend(value.split(","))
        elif option == "-F":
            field = re.match(r"^([a-z_0-9]+)(!=|>=|<=|&=|=|>|<|&)(.*)$", value)
            if field:
                rule["fields"].append({"name": field[1], "op": field[2], "value": field[3]})
    for field in rule["fields"]:
        if field["name"] in ("path", "dir") and rule["watch"] is None:
            rule["watch"] = field["value"] + ("/" if field["name"] == "dir" else "")
        elif field["name"] == "perm":
            rule["perms"] = field["value"]
        elif field["name"] == "key":
            rule["key"] = field["value"]
    return rule


def parse_audit_rules(text: str) -> list[JSON]:
    """`auditctl -l` ("No rules" when empty): watches (-w or -F path/dir) and syscall rules.

    Immutability (`-e 2`) is a control setting that `-l` never lists: `auditctl -s` shows it.
    """
    return [_parse_audit_rule(line) for line in content_lines(text) if line.startswith("-")]
