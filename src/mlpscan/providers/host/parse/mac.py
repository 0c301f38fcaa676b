"""SELinux (getenforce) and AppArmor (module state, loaded profiles)."""

from __future__ import annotations

import re

from mlpscan.providers.host.parse.text import JSON, content_lines


def parse_getenforce(text: str) -> str | None:
    """enforcing | permissive | disabled, or None when SELinux tools are not installed."""
    for line in content_lines(text):
        if line.lower() in ("enforcing", "permissive", "disabled"):
            return line.lower()
    return None


def parse_apparmor(text: str) -> bool:
    """/sys/module/apparmor/parameters/enabled is `Y` when the AppArmor module is active."""
    lines = content_lines(text)
    return bool(lines) and lines[0].upper() == "Y"


def parse_apparmor_profiles(text: str) -> JSON | None:
    """/sys/kernel/security/apparmor/profiles lines `name (mode)` -> counts per mode; None when
    the file gave no profile line (not readable, AppArmor off)."""
    modes: dict[str, int] = {}
    for line in content_lines(text):
        match = re.match(r"^(?P<name>.+) \((?P<mode>[a-z]+)\)$", line)
        if match:
            modes[match["mode"]] = modes.get(match["mode"], 0) + 1
    if not modes:
        return None
    return {"enforce": modes.get("enforce", 0) + modes.get("kill", 0), "complain": modes.get("complain", 0),
            "unconfined": modes.get("unconfined", 0), "total": sum(modes.values())}
