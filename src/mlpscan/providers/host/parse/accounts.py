"""/etc/passwd, the shadow metadata digest (never a hash) and lastlog/lastlog2."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath

from mlpscan.providers.host.parse.text import HEADER, INTEGER, JSON, content_lines, headed_sections, to_int

NON_LOGIN_SHELLS = {"nologin", "false", "sync", "shutdown", "halt", "null"}

_ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$")


def login_shell(shell: str) -> bool:
    """An empty shell field means /bin/sh; nologin, false and the sync/shutdown/halt helpers
    only run one thing and never give a shell."""
    return PurePosixPath(shell or "/bin/sh").name not in NON_LOGIN_SHELLS


def _passwd_field_state(value: str) -> str:
    """What /etc/passwd's second field says, never the field itself (it may hold a hash)."""
    if value == "x":
        return "shadow"
    if value == "":
        return "empty"
    if value.startswith(("!", "*")):
        return "locked"
    return "inline"


def parse_passwd(text: str) -> list[JSON]:
    """name, uid, gid, home, shell, login_shell; GECOS is left out (personal information)."""
    users: list[JSON] = []
    for line in content_lines(text):
        fields = line.split(":")
        if len(fields) != 7 or fields[0].startswith(("+", "-")) or not _ACCOUNT_NAME.match(fields[0]):
            continue
        uid, gid = to_int(fields[2]), to_int(fields[3])
        if uid is None or gid is None:
            continue
        users.append({"name": fields[0], "uid": uid, "gid": gid, "home": fields[5], "shell": fields[6],
                      "login_shell": login_shell(fields[6]),
                      "passwd_field": _passwd_field_state(fields[1])})
    return users


_SHADOW_STATES = ("EMPTY", "LOCKED", "SET")


def parse_shadow_meta(text: str) -> tuple[list[JSON], int]:
    """The awk digest `name:state:lastchg:min:max:warn:inactive:expire` -> (entries, rejected).

    Only that exact shape is accepted: 8 fields, a state word, numbers or nothing elsewhere.
    A raw /etc/shadow line (9 fields, a hash in the second) is rejected and never stored.
    """
    entries: list[JSON] = []
    rejected = 0
    for line in content_lines(text):
        fields = line.split(":")
        numbers = fields[2:] if len(fields) == 8 else []
        if (len(fields) != 8 or fields[1] not in _SHADOW_STATES or not _ACCOUNT_NAME.match(fields[0])
                or not all(n == "" or INTEGER.match(n) for n in numbers)):
            rejected += 1
            continue
        lastchg, minimum, maximum, warn, inactive, expire = (to_int(n) for n in numbers)
        entries.append({"name": fields[0], "state": fields[1], "last_change_day": lastchg,
                        "min_days": minimum, "max_days": maximum, "warn_days": warn,
                        "inactive_days": inactive, "expire_day": expire})
    return entries, rejected


def epoch_day(day: int | None) -> str | None:
    """shadow stores dates as days since 1970-01-01."""
    if day is None or day <= 0:
        return None
    return (date(1970, 1, 1) + timedelta(days=day)).isoformat()


_LASTLOG_DATE = re.compile(
    r"(?P<wd>[A-Z][a-z]{2}) (?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<time>\d\d:\d\d:\d\d) "
    r"(?P<tz>[+-]\d{4}) (?P<year>\d{4})\s*$")


def lastlog_tool(text: str) -> str:
    """`lastlog2` when the command fell back to it (its output is headed so), else `lastlog`."""
    return "lastlog2" if any(h == "lastlog2" for h, _ in headed_sections(text)) else "lastlog"


def parse_lastlog(text: str) -> dict[str, JSON]:
    """`lastlog` or `lastlog2` -> {user: {"never": bool, "date": ISO date or None}}.

    Both print `Username Port From Latest` and the same date format. lastlog lists every
    account; lastlog2 only those in its database (see lastlog_tool).
    """
    logins: dict[str, JSON] = {}
    for line in content_lines(text):
        if HEADER.match(line):
            continue
        name = line.split()[0]
        if name == "Username" or not _ACCOUNT_NAME.match(name):
            continue
        if "**Never logged in**" in line:
            logins[name] = {"never": True, "date": None}
            continue
        stamp = _LASTLOG_DATE.search(line)
        if stamp is None:
            continue
        moment = datetime.strptime(
            f"{stamp['year']} {stamp['mon']} {stamp['day']} {stamp['time']} {stamp['tz']}",
            "%Y %b %d %H:%M:%S %z")
        logins[name] = {"never": False, "date": moment.date().isoformat()}
    return logins
