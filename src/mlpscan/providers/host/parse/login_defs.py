"""/etc/login.defs."""

from __future__ import annotations

import re

from mlpscan.providers.host.parse.text import JSON, content_lines, typed

_OCTAL_KEYS = {"UMASK", "HOME_MODE"}

NO_PASSWORD_EXPIRY = 99999  # shadow's own convention for "never expires"


def parse_login_defs(text: str) -> JSON:
    """`KEY value` pairs; octal modes stay strings. shadow-utils keeps the last occurrence."""
    settings: JSON = {}
    for line in content_lines(text):
        key, *rest = line.split(None, 1)
        value = rest[0].strip() if rest else ""
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
            settings[key] = value if key in _OCTAL_KEYS else typed(value)
    return settings
