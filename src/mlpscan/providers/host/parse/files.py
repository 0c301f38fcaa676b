"""`stat -c '%n %a %U %G'` output and permission bits."""

from __future__ import annotations

import re

from mlpscan.providers.host.parse.text import JSON

_STAT_LINE = re.compile(r"^(?P<path>/\S+) (?P<mode>[0-7]{1,4}) (?P<owner>\S+) (?P<group>\S+)$")

_STAT_ERROR = re.compile(r"^stat: cannot stat[x]? ['‘](?P<path>[^'’]+)['’]: (?P<reason>.+)$")


def parse_stat(text: str) -> JSON:
    """`stat -c '%n %a %U %G'` -> files {path: {mode, owner, group}}, missing, unreadable."""
    files: JSON = {}
    missing: list[str] = []
    unreadable: dict[str, str] = {}
    # not content_lines(): the `stat:` error lines are the evidence for missing files here
    for line in (raw.strip() for raw in text.splitlines()):
        found = _STAT_LINE.match(line)
        if found:
            files[found["path"]] = {"mode": found["mode"], "owner": found["owner"],
                                    "group": found["group"]}
            continue
        error = _STAT_ERROR.match(line)
        if error and "No such file" in error["reason"]:
            missing.append(error["path"])
        elif error:
            unreadable[error["path"]] = line
    return {"files": files, "missing": missing, "unreadable": unreadable}


_PERMISSION_BITS = (("owner_read", 0o400), ("owner_write", 0o200), ("owner_execute", 0o100),
                    ("group_read", 0o040), ("group_write", 0o020), ("group_execute", 0o010),
                    ("other_read", 0o004), ("other_write", 0o002), ("other_execute", 0o001))


def permissions(mode: int) -> list[str]:
    """0o640 -> ["owner_read", "owner_write", "group_read"]: what checks compare with a list."""
    return [name for name, bit in _PERMISSION_BITS if mode & bit]


def mode_within(mode: str, limit: int) -> bool:
    """No permission bit beyond `limit` (e.g. 0o640: no group write, nothing for others)."""
    return int(mode, 8) & ~limit & 0o7777 == 0
