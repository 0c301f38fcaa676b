"""Shell profile settings: TMOUT and umask lines found by grep."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mlpscan.providers.host.parse.text import JSON

_TMOUT = re.compile(r"\bTMOUT=[\"']?(\d+)")

_READONLY = re.compile(r"\breadonly\b|\b(?:declare|typeset)\s+-\w*r")

_EXPORT = re.compile(r"\bexport\b|\b(?:declare|typeset)\s+-\w*x")

_TMOUT_NAMED = re.compile(r"\b(?:readonly|export|declare|typeset)\b[^;|&]*?\bTMOUT\b(?!=)")


def parse_shell_timeout(text: str) -> list[JSON]:
    """`grep -rHs` lines `file:...TMOUT...` -> one entry per assignment.

    `readonly TMOUT` / `export TMOUT` on a line of its own (no assignment) marks the
    assignments of the same file readonly / exported, as the usual three-line profile.d
    snippet intends.
    """
    entries: list[JSON] = []
    readonly_files: set[str] = set()
    exported_files: set[str] = set()
    for line in text.splitlines():
        path, sep, code = line.partition(":")
        if not sep or not path.startswith("/"):
            continue
        code = code.split("#", 1)[0]
        value = _TMOUT.search(code)
        if value is not None:
            entries.append({"file": path, "value": int(value[1]),
                            "readonly": bool(_READONLY.search(code)), "exported": bool(_EXPORT.search(code))})
            continue
        for statement in re.split(r"[;&|]+", code):
            if _TMOUT_NAMED.search(statement):
                if _READONLY.search(statement):
                    readonly_files.add(path)
                if _EXPORT.search(statement):
                    exported_files.add(path)
    for entry in entries:
        entry["readonly"] = entry["readonly"] or entry["file"] in readonly_files
        entry["exported"] = entry["exported"] or entry["file"] in exported_files
    return entries


_UMASK = re.compile(r"(?:^|[;&|\s])umask\s+(?P<mask>[0-7]{3,4})\b|^UMASK\s+(?P<defs>[0-7]{3,4})\b")


def parse_umask_settings(text: str) -> list[JSON]:
    """`grep -rHs umask` lines `file:...umask 027...` (and login.defs `UMASK 027`) -> settings."""
    settings: list[JSON] = []
    for line in text.splitlines():
        path, sep, code = line.partition(":")
        if not sep or not path.startswith("/"):
            continue
        code = code.split("#", 1)[0].strip()
        for match in _UMASK.finditer(code):
            mask = match["mask"] or match["defs"]
            settings.append({"file": path, "umask": mask.zfill(4)[-3:]})
    return settings


def shell_timeout_summary(entries: Sequence[Mapping[str, Any]]) -> JSON:
    """The smallest positive TMOUT found (0 when none), and how it is protected."""
    positive = [e for e in entries if e["value"] > 0]
    if not positive:
        return {"tmout_seconds": 0, "tmout_readonly": False, "tmout_exported": False, "tmout_file": None}
    best = min(positive, key=lambda e: e["value"])
    return {"tmout_seconds": best["value"], "tmout_file": best["file"],
            "tmout_readonly": any(e["readonly"] for e in positive),
            "tmout_exported": any(e["exported"] for e in positive)}
