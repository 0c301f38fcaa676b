"""systemd: unit states, enabled units, SysV fallbacks, journald.conf and its time spans."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mlpscan.providers.host.parse.text import JSON, content_lines, headed_sections

_UNIT_STATES = {"active", "inactive", "failed", "activating", "deactivating", "reloading", "unknown",
                "maintenance", "refreshing"}


def parse_is_active(text: str, units: Sequence[str]) -> dict[str, str] | None:
    """`systemctl is-active a b c` prints one state per unit, in order. None if it did not."""
    states = [line.strip() for line in text.splitlines() if line.strip()]
    if len(states) != len(units) or not all(s in _UNIT_STATES for s in states):
        return None
    return dict(zip(units, states, strict=True))


def parse_init_system(text: str) -> JSON:
    """`init_system`: PID 1's name and the services with a SysV start link (`S02ssh` -> ssh)."""
    sections = dict(headed_sections(text))
    pid1 = next(iter(content_lines(sections.get("pid1", ""))), None)
    started = sorted({m[1] for line in content_lines(sections.get("rc", ""))
                      if (m := re.fullmatch(r"S\d{2}([\w.@-]+)", line))})
    return {"pid1": pid1, "sysv_started": started}


def parse_enabled_services(text: str) -> list[JSON]:
    """`systemctl list-unit-files --state=enabled`: unit, state (and vendor preset, if shown)."""
    services: list[JSON] = []
    for line in content_lines(text):
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(".service"):
            services.append({"unit": parts[0], "state": parts[1]})
    return services


def parse_journald_conf(text: str) -> JSON:
    """[Journal] settings; drop-ins are printed after journald.conf and override it."""
    settings: JSON = {}
    section = None
    for line in content_lines(text, ("#", ";")):
        if line.startswith("["):
            section = line.strip("[]").strip()
            continue
        key, sep, value = line.partition("=")
        if sep and section == "Journal":
            settings[key.strip()] = value.strip()
    return settings


_SYSTEMD_UNITS = {
    "us": 1e-6, "usec": 1e-6, "ms": 1e-3, "msec": 1e-3, "": 1, "s": 1, "sec": 1, "second": 1,
    "seconds": 1, "m": 60, "min": 60, "minute": 60, "minutes": 60, "h": 3600, "hr": 3600,
    "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400, "w": 604800,
    "week": 604800, "weeks": 604800, "M": 2629800, "month": 2629800, "months": 2629800,
    "y": 31557600, "year": 31557600, "years": 31557600,
}


def systemd_timespan_seconds(value: str) -> int | None:
    """`6month`, `180d`, `1y 2w`, `3600` (seconds); systemd's month is 30.44 days."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([A-Za-z]*)", value.strip())
    if not parts or any(unit not in _SYSTEMD_UNITS for _, unit in parts):
        return None
    return int(sum(float(number) * _SYSTEMD_UNITS[unit] for number, unit in parts))


_SIZE_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4, "P": 1024**5}


def parse_journal_disk(text: str) -> int | None:
    """`journalctl --disk-usage`: "... take up 48.0M in the file system." -> bytes."""
    match = re.search(r"take up (\d+(?:\.\d+)?)([KMGTP]?)B?\b", text)
    return int(float(match[1]) * _SIZE_UNITS[match[2]]) if match else None
