"""logrotate.conf and logrotate.d, read in the order logrotate reads them."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from mlpscan.providers.host.parse.text import JSON, content_lines, headed_sections, to_int

PERIODS = {"hourly": 1 / 24, "daily": 1.0, "weekly": 7.0, "monthly": 30.0, "yearly": 365.0}

_SCRIPT_START = {"postrotate", "prerotate", "firstaction", "lastaction", "preremove"}

LOGROTATE_DROPINS = "/etc/logrotate.d"


def _apply_logrotate_directive(settings: JSON, words: Sequence[str]) -> None:
    name = words[0].lower()
    argument = words[1] if len(words) > 1 else ""
    if name in PERIODS:
        settings["criterion"], settings["period_days"] = name, PERIODS[name]
    elif name == "size" or name.startswith("size="):
        settings["criterion"], settings["period_days"] = "size", None
    elif name == "rotate":
        settings["rotate"] = to_int(argument)
    elif name == "maxage":
        settings["maxage"] = to_int(argument)
    elif name == "maxsize":
        settings["maxsize"] = True


def _logrotate_file_order(text: str) -> tuple[list[tuple[str, list[str]]], bool]:
    """Lines in the order logrotate reads them: logrotate.conf up to `include /etc/logrotate.d`,
    then the drop-ins, then the rest of logrotate.conf. Without that include the drop-ins are
    not read at all, and neither are they here."""
    sections = [(path, content_lines(body)) for path, body in headed_sections(text)]
    main = next(((p, lines) for p, lines in sections if p == "/etc/logrotate.conf"), None)
    dropins = [(p, lines) for p, lines in sections if p != "/etc/logrotate.conf"]
    if main is None:
        return dropins, True
    path, lines = main
    cut = next((i for i, line in enumerate(lines)
                if re.fullmatch(rf"include\s+{re.escape(LOGROTATE_DROPINS)}/?", line)), None)
    if cut is None:
        return [main], False
    return [(path, lines[:cut]), *dropins, (path, lines[cut + 1:])], True


def parse_logrotate(text: str) -> JSON:
    """Global defaults and every stanza with its effective rotate/period/maxage.

    Directives outside braces change the defaults for what is read after them (as logrotate
    does); scripts (postrotate ... endscript) are skipped.
    """
    ordered, dropins_read = _logrotate_file_order(text)
    defaults: JSON = {"rotate": 0, "criterion": None, "period_days": None, "maxage": None,
                      "maxsize": False}
    stanzas: list[JSON] = []
    for path, lines in ordered:
        _read_logrotate_file(path, lines, defaults, stanzas)
    return {"defaults": defaults, "stanzas": stanzas, "dropins_read": dropins_read}


def _read_logrotate_file(source: str, lines: Sequence[str], defaults: JSON, stanzas: list[JSON]) -> None:
    pending_paths: list[str] = []
    current: JSON | None = None
    in_script = False
    for line in lines:
        if in_script:
            in_script = line.split()[0] != "endscript"
            continue
        if current is None:
            head, brace, _ = line.partition("{")
            words = _logrotate_words(head)
            if brace:
                current = {**defaults, "paths": pending_paths + words, "file": source}
                pending_paths = []
            elif words and words[0].startswith(("/", "*")):
                pending_paths.extend(words)
            elif words:
                _apply_logrotate_directive(defaults, words)
            continue
        if line.startswith("}"):
            stanzas.append(current)
            current = None
            continue
        words = line.split()
        if words[0] in _SCRIPT_START:
            in_script = True
        else:
            _apply_logrotate_directive(current, words)


def _logrotate_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def stanza_covers(stanza: Mapping[str, Any], path: str) -> bool:
    return any(path == pattern or fnmatchcase(path, pattern) for pattern in stanza["paths"])


def stanza_for(logrotate: Mapping[str, Any], path: str) -> JSON | None:
    """The first stanza naming the file (exactly or by glob)."""
    return next((dict(s) for s in logrotate["stanzas"] if stanza_covers(s, path)), None)
