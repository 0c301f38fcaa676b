"""Shared helpers for reading command output: tool messages, refusals, headed sections, numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

JSON = dict[str, Any]

_TOOL_MESSAGE = re.compile(
    r"^(?:\S*/)?(?:cat|stat|grep|awk|gawk|mawk|sh|bash|dash|ls|sudo|lastlog|getenforce)(?:: | \d+: )")

DENIAL = re.compile(
    r"permission denied|operation not permitted|must be root|are not root|only root can|"
    r"need to be root|requires root|no hostkeys available", re.IGNORECASE)

HEADER = re.compile(r"^==> (?P<path>.+) <==$")

INTEGER = re.compile(r"^-?\d+$")


def is_tool_message(line: str) -> bool:
    """A message from the shell or a tool (`cat: x: No such file`), not file content."""
    return bool(_TOOL_MESSAGE.match(line.strip()))


def denial_line(text: str) -> str | None:
    """The first line saying that access was refused, if any. Comment lines and apt's
    warnings and notes (`W:`, `N:`, printed beside a complete answer) never count."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "W:", "N:")) and DENIAL.search(stripped):
            return stripped
    return None


_NOT_FOUND = re.compile(r"^(?:\S+: )?(?:line )?(?:\d+: )?(?P<program>[\w./+-]+): (?:command )?not found$")

_NO_SUCH_FILE = re.compile(r"^\S+: (?:cannot (?:open|stat|access) )?['‘]?(?P<path>/[^:'’]+)['’]?: "
                           r"No such file or directory$")


def failure_sentence(text: str, exit_code: int) -> str:
    """One plain sentence for a command that failed; never the shell's own words."""
    for line in text.splitlines():
        stripped = line.strip()
        if (found := _NOT_FOUND.match(stripped)) is not None:
            return f"{found['program'].rsplit('/', 1)[-1]} is not installed on this host"
        if _NO_SYSTEMD.search(stripped):
            return "systemd is not running on this host (it is not the init system)"
        if (missing := _NO_SUCH_FILE.match(stripped)) is not None:
            return f"{missing['path']} does not exist on this host"
    if exit_code == 127:
        return "the program is not installed on this host"
    return f"the command ended with exit code {exit_code}"


_DENIED_PATH = re.compile(r"['‘]?(?P<path>/[^\s:'’]+)['’]?: (?:Permission denied|Operation not permitted)")


def denial_sentence(line: str) -> str:
    """A tool's refusal as a sentence: `cat: /etc/x: Permission denied` -> reading /etc/x was
    refused; sshd's "no hostkeys available" says it needs root; other refusals are already one."""
    if (denied := _DENIED_PATH.search(line)) is not None:
        return f"reading {denied['path']} was refused (permission denied)"
    if "no hostkeys available" in line:
        return "sshd -T needs root to read the host keys"
    return line.strip()


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def content_lines(text: str, comment_prefixes: tuple[str, ...] = ("#",)) -> list[str]:
    """Stripped lines, without blank lines, full-line comments and tool messages."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith(comment_prefixes) and not is_tool_message(line):
            lines.append(line)
    return lines


def joined_continuations(lines: Iterable[str]) -> list[str]:
    """Join lines that end with a backslash to the next one (PAM, sudoers)."""
    joined: list[str] = []
    pending = ""
    for line in lines:
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    if pending.strip():
        joined.append(pending.strip())
    return joined


def headed_sections(text: str) -> list[tuple[str, str]]:
    """Split `==> /path <==` headed output (pam_stacks, logrotate) into (path, body) pairs."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        header = HEADER.match(line.strip())
        if header:
            sections.append((header["path"], []))
        elif sections:
            sections[-1][1].append(line)
    return [(path, "\n".join(body)) for path, body in sections]


def typed(value: str) -> int | str:
    """Decimal integers become numbers; everything else stays the string that was printed."""
    return int(value) if INTEGER.match(value) else value


def to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and INTEGER.match(value.strip()):
        return int(value.strip())
    return None


def yes(value: Any) -> bool:
    return str(value).strip().lower() in ("yes", "true", "1", "on")


def missing_files(text: str) -> list[str]:
    """Paths a tool reported as absent (`cat: /etc/x: No such file or directory`)."""
    found = re.findall(r"^\S+: (?:cannot stat[x]? )?['‘]?(/[^:'’]+)['’]?: No such file or directory",
                       text, re.MULTILINE)
    return sorted(set(found))


def parse_key_equals_value(text: str, comment_prefixes: tuple[str, ...] = ("#",)) -> JSON:
    """`key = value` settings (pwquality.conf, faillock.conf, auditd.conf); a bare key is True.

    Files are printed in the order their program reads them, so a later value wins.
    """
    values: JSON = {}
    for line in content_lines(text, comment_prefixes):
        key, sep, value = line.partition("=")
        key = key.strip().lower()
        if re.fullmatch(r"[a-z_][a-z0-9_]*", key):
            values[key] = typed(value.strip()) if sep else True
    return values


_NO_SYSTEMD = re.compile(r"System has not been booted with systemd|Failed to connect to bus|"
                         r"systemd is not running|Host is down", re.IGNORECASE)


def systemd_absent(text: str) -> bool:
    """systemctl's own words for "systemd is not PID 1 here" (containers, SysV hosts, chroots)."""
    return bool(_NO_SYSTEMD.search(text))
