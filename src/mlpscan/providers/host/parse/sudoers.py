"""sudoers: rules that give every command without a password."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from mlpscan.providers.host.parse.text import JSON, is_tool_message, joined_continuations

_SUDO_TAG = re.compile(r"^(?P<tag>[A-Z_]+):\s*")

_ALIAS_KINDS = ("User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias")


def _sudoers_lines(text: str) -> list[str]:
    lines: list[str] = []
    for line in joined_continuations(raw.strip() for raw in text.splitlines()):
        if not line or is_tool_message(line) or line.startswith(("#include", "@include")):
            continue  # included files are printed by the command itself
        # '#' starts a comment unless it is a numeric uid (`#0`)
        statement = re.split(r"#(?!\d)", line, maxsplit=1)[0].strip()
        if statement:
            lines.append(statement)
    return lines


def _parse_aliases(line: str, aliases: dict[str, list[str]]) -> None:
    for definition in line.split(None, 1)[1].split(":") if " " in line else []:
        name, sep, members = definition.partition("=")
        if sep:
            aliases[name.strip()] = [m.strip() for m in members.split(",") if m.strip()]


def _resolve(items: Iterable[str], aliases: Mapping[str, list[str]], depth: int = 0) -> list[str]:
    resolved: list[str] = []
    for item in items:
        if item in aliases and depth < 8:
            resolved.extend(_resolve(aliases[item], aliases, depth + 1))
        else:
            resolved.append(item)
    return resolved


def _grants_nopasswd_all(commands: str, aliases: Mapping[str, list[str]]) -> bool:
    """Walk a command list carrying tags along, as sudo does: `NOPASSWD:` stays in force for
    the following commands until `PASSWD:` turns it off."""
    nopasswd = False
    for item in re.sub(r"\([^)]*\)", " ", commands).split(","):
        command = item.strip()
        while (tag := _SUDO_TAG.match(command)) is not None:
            if tag["tag"] in ("NOPASSWD", "PASSWD"):
                nopasswd = tag["tag"] == "NOPASSWD"
            command = command[tag.end():]
        if nopasswd and "ALL" in _resolve([command.strip()], aliases):
            return True
    return False


def parse_sudoers(text: str) -> JSON:
    """Rules that give someone every command without a password (`NOPASSWD: ALL`, directly or
    through a Cmnd_Alias), and `Defaults !authenticate`. Rules for root alone are not listed:
    root needs no sudo."""
    aliases: dict[str, list[str]] = {}
    nopasswd_all: list[JSON] = []
    no_authentication: list[str] = []
    rule_count = 0
    for line in _sudoers_lines(text):
        head = line.split(None, 1)[0]
        if head in _ALIAS_KINDS:
            _parse_aliases(line, aliases)
            continue
        if head.startswith("Defaults"):
            if re.search(r"!\s*authenticate\b", line):
                scope = head.partition(":")[2] or "ALL"
                no_authentication.append(scope)
            continue
        users, sep, commands = line.partition("=")
        if not sep:
            continue
        rule_count += 1
        principals = re.sub(r"\s*,\s*", ",", users.strip()).split()[0].split(",")
        principals = _resolve(principals, aliases)
        if principals != ["root"] and _grants_nopasswd_all(commands, aliases):
            nopasswd_all.append({"principals": principals, "rule": " ".join(line.split())})
    return {"nopasswd_all": nopasswd_all, "authentication_disabled": no_authentication,
            "rule_count": rule_count}
