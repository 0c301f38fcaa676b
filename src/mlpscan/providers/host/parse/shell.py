"""Shell profile settings: TMOUT and umask lines found by grep."""

from __future__ import annotations

import re

from mlpscan.providers.host.parse.text import JSON

# an assignment at the start of a statement, bare or declared (`export TMOUT=600`, `then
# TMOUT=600`), not text that mentions one (`echo "TMOUT=$TMOUT"`); a value that is not a number
# (empty, a variable) guarantees no timeout and counts as 0
_TMOUT = re.compile(r"(?:^|[;&|(]|\b(?:then|else|do)\b)\s*"
                    r"(?:(?:export|readonly|declare|typeset|local)\s+(?:-\w+\s+)*)?TMOUT=[\"']?(\d*)")

_UNSET = re.compile(r"\bunset\b[^;|&]*\bTMOUT\b")

_READONLY = re.compile(r"\breadonly\b|\b(?:declare|typeset)\s+-\w*r")

_EXPORT = re.compile(r"\bexport\b|\b(?:declare|typeset)\s+-\w*x")

_TMOUT_NAMED = re.compile(r"\b(?:readonly|export|declare|typeset)\b[^;|&]*?\bTMOUT\b(?!=)")


def parse_shell_timeout(text: str) -> list[JSON]:
    """`grep -rHs` lines `file:...TMOUT...` -> one entry per assignment.

    `readonly TMOUT` / `export TMOUT` on a line of its own (no assignment) marks the
    assignments of the same file readonly / exported, as the usual three-line profile.d
    snippet intends. `unset TMOUT` removes the timeout: an entry of value 0.
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
            entries.append({"file": path, "value": int(value[1] or 0),
                            "readonly": bool(_READONLY.search(code)), "exported": bool(_EXPORT.search(code))})
            continue
        if _UNSET.search(code):
            entries.append({"file": path, "value": 0, "readonly": False, "exported": False})
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


_UMASK = re.compile(r"(?:^|[;&|\s])umask\s+"
                    r"(?P<mask>[0-7]{1,4}\b|[ugoa]*[=+-][rwx]*(?:,[ugoa]*[=+-][rwx]*)*(?![\w-]))"
                    r"|^UMASK\s+(?P<defs>[0-7]{1,4})\b")

_SYMBOLIC_CLASSES = {"u": 0o700, "g": 0o070, "o": 0o007}
_SYMBOLIC_PERMISSIONS = {"r": 0o444, "w": 0o222, "x": 0o111}


def umask_value(text: str) -> str | None:
    """An umask argument as three octal digits: `27` -> 027, `0027` -> 027, `u=rwx,g=rx,o=` -> 027.

    A symbolic mask is known only when `=` clauses name every class: `g-w` or `u=rwx` alone
    change the mask the shell already has, which is not known here (None).
    """
    if re.fullmatch(r"[0-7]{1,4}", text):
        return f"{int(text, 8) & 0o777:03o}"
    allowed, named = 0, 0
    for clause in text.split(","):
        found = re.fullmatch(r"([ugoa]*)([=+-])([rwx]*)", clause)
        if found is None or found[2] != "=":
            return None
        classes = sum(_SYMBOLIC_CLASSES.values()) if found[1] in ("", "a") or "a" in found[1] \
            else sum(_SYMBOLIC_CLASSES[c] for c in set(found[1]))
        granted = sum(_SYMBOLIC_PERMISSIONS[p] for p in set(found[3]))
        allowed = (allowed & ~classes) | (granted & classes)
        named |= classes
    return f"{~allowed & 0o777:03o}" if named == 0o777 else None


def parse_umask_settings(text: str) -> list[JSON]:
    """`grep -rHs umask` lines `file:...umask 027...` (and login.defs `UMASK 027`) -> settings:
    {file, umask (three octal digits, None when not known), text (as written)}."""
    settings: list[JSON] = []
    for line in text.splitlines():
        path, sep, code = line.partition(":")
        if not sep or not path.startswith("/"):
            continue
        code = code.split("#", 1)[0].strip()
        for match in _UMASK.finditer(code):
            written = match["mask"] or match["defs"]
            settings.append({"file": path, "umask": umask_value(written), "text": written})
    return settings
