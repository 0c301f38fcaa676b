"""sshd: `sshd -T` dumps, sshd_config with its drop-ins and Match blocks, `sshd -T -C` contexts."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from mlpscan.providers.host.parse.text import (
    JSON,
    content_lines,
    first_line,
    headed_sections,
    missing_files,
    to_int,
    typed,
    yes,
)

SSHD_LIST_KEYS = {"hostkey", "listenaddress", "port", "acceptenv", "subsystem", "allowusers",
                  "denyusers", "allowgroups", "denygroups", "setenv", "hostcertificate", "include",
                  "permitopen", "permitlisten", "channeltimeout", "authorizedkeysfile"}

SSHD_TIME_KEYS = {"clientaliveinterval", "logingracetime"}

SSHD_INTEGER_KEYS = {"port", "clientalivecountmax", "maxauthtries", "maxsessions", "x11displayoffset"}

# List keys whose one line holds several words (`AllowUsers a b`); the others hold one value a line.
SSHD_WORD_LIST_KEYS = {"allowusers", "denyusers", "allowgroups", "denygroups", "acceptenv", "channeltimeout"}

# Values compared case-insensitively by sshd; everything else (paths, users) keeps its case.
SSHD_CASELESS_KEYS = {"permitrootlogin", "passwordauthentication", "pubkeyauthentication",
                      "kbdinteractiveauthentication", "challengeresponseauthentication", "usepam",
                      "permitemptypasswords", "x11forwarding", "hostbasedauthentication",
                      "gssapiauthentication", "kerberosauthentication", "allowtcpforwarding",
                      "authenticationmethods", "loglevel", "strictmodes", "ignorerhosts"}

# Upstream OpenSSH defaults (8.x/9.x) for the keys the checks read, used when only the
# configuration file could be read and it leaves a key unset.
SSHD_DEFAULTS: JSON = {
    "port": [22], "permitrootlogin": "prohibit-password", "passwordauthentication": "yes",
    "pubkeyauthentication": "yes", "kbdinteractiveauthentication": "yes", "usepam": "no",
    "permitemptypasswords": "no", "hostbasedauthentication": "no", "gssapiauthentication": "no",
    "clientaliveinterval": 0, "clientalivecountmax": 3, "maxauthtries": 6, "logingracetime": 120,
    "authenticationmethods": "any", "x11forwarding": "no", "channeltimeout": ["none"],
}

_SSH_TIME_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def sshd_time_seconds(value: Any) -> int | None:
    """sshd's time format: `300`, `5m`, `1h30m`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    parts = re.findall(r"(\d+)([smhdw]?)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(int(number) * _SSH_TIME_UNITS[unit] for number, unit in parts)


def _sshd_value(key: str, value: str) -> Any:
    if key in SSHD_TIME_KEYS:
        seconds = sshd_time_seconds(value)
        return value if seconds is None else seconds
    if key in SSHD_INTEGER_KEYS:
        return typed(value)
    if key in SSHD_CASELESS_KEYS:
        return value.lower()
    return value


def _add_sshd_setting(settings: JSON, key: str, value: str, *, first_wins: bool) -> None:
    """Repeatable keys accumulate; for the others `sshd -T` prints one value and sshd_config
    keeps the first one it reads."""
    if key in SSHD_LIST_KEYS:
        items = value.split() if key in SSHD_WORD_LIST_KEYS else [_sshd_value(key, value)]
        settings.setdefault(key, []).extend(items)
    elif not (first_wins and key in settings):
        settings[key] = _sshd_value(key, value)


def parse_sshd_effective(text: str) -> JSON | None:
    """`sshd -T`: lower-case keys, repeatable keys as lists. None if it is not a settings dump
    (sshd refused to run: no readable host keys, a configuration error, not installed)."""
    settings: JSON = {}
    for line in content_lines(text):
        key, _, value = line.partition(" ")
        if not re.fullmatch(r"[a-z0-9]+", key):
            continue
        _add_sshd_setting(settings, key, value.strip(), first_wins=False)
    if "port" not in settings or len(settings) < 10:
        return None
    return settings


SSHD_CONFIG = "/etc/ssh/sshd_config"


class _SshdConfigReader:
    """Reads sshd_config as sshd does: files in order, an `Include` read where it stands.

    Settings outside Match blocks are the global ones; each `Match` line opens a block (until
    the next Match or the end of its file) whose settings are kept apart, with an `Include`
    inside it read into that block, as sshd does.
    """

    def __init__(self, files: Mapping[str, list[str]]) -> None:
        self.files = files
        self.settings: JSON = {}
        self.blocks: list[JSON] = []      # {"condition": Match line without "Match", "settings"}
        self.includes: list[str] = []
        self.read: list[str] = []

    def read_file(self, path: str, depth: int = 0, block: JSON | None = None) -> None:
        self.read.append(path)
        current = block
        for line in self.files[path]:
            keyword, value = _sshd_config_pair(line)
            if not keyword:
                continue
            if keyword == "match":
                # `Match all` applies to every connection: its settings are global ones again
                current = None if value.lower() == "all" else {"condition": value, "settings": {}}
                if current is not None:
                    self.blocks.append(current)
                continue
            if keyword == "include":
                self.includes.append(value)
                for included in self._included(value):
                    if depth < 8:
                        self.read_file(included, depth + 1, current)
                continue
            if keyword == "challengeresponseauthentication":  # the old name of the same switch
                keyword = "kbdinteractiveauthentication"
            target = current["settings"] if current is not None else self.settings
            _add_sshd_setting(target, keyword, value, first_wins=True)

    def _included(self, value: str) -> list[str]:
        """Printed files an `Include` names; relative patterns are under /etc/ssh; sshd reads a
        glob's matches in lexical order."""
        found: list[str] = []
        for pattern in value.split():
            full = pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"
            found.extend(sorted(p for p in self.files if p != SSHD_CONFIG and fnmatchcase(p, full)))
        return found


def parse_sshd_config(text: str) -> JSON:
    """sshd_config plus its drop-ins, as sshd would read them: the first value wins, repeatable
    keys accumulate, `Match` blocks are kept apart (match_settings), OpenSSH defaults fill the
    gaps of the global settings.

    The command heads each file with `==> path <==`, so the drop-ins are read where the main
    file's `Include` stands (at its top on Debian, Ubuntu and RHEL 9: they win), and a drop-in
    no `Include` names is not read at all (`not_included`). Text without headers is read as one
    file; an `Include` in it cannot be honoured, and the result is marked `approximate`.
    """
    sections = headed_sections(text)
    headed = bool(sections)
    files = ({path: content_lines(body) for path, body in sections} if headed
             else {SSHD_CONFIG: content_lines(text)})
    reader = _SshdConfigReader(files)
    found = SSHD_CONFIG in files and bool(files[SSHD_CONFIG]) and SSHD_CONFIG not in missing_files(text)
    if SSHD_CONFIG in files:
        reader.read_file(SSHD_CONFIG)
    settings = reader.settings
    defaulted = sorted(k for k in SSHD_DEFAULTS if k not in settings)
    for key in defaulted:
        settings[key] = SSHD_DEFAULTS[key]
    return {"settings": settings, "defaulted": defaulted,
            "match_blocks": [b["condition"] for b in reader.blocks],
            "match_settings": reader.blocks,
            "includes": reader.includes, "approximate": bool(reader.includes) and not headed,
            "files_read": reader.read if headed else [],
            "not_included": [p for p in files if p not in reader.read], "found": found}


def _sshd_config_pair(line: str) -> tuple[str, str]:
    match = re.match(r"^(\S+?)(?:\s*=\s*|\s+)(.*)$", line)
    if not match:
        return line.lower(), ""
    value = match[2].strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return match[1].lower(), value


ANY_CONNECTION = "(any connection)"   # the sshd_contexts header of the context no Match names


def parse_sshd_contexts(text: str) -> list[JSON]:
    """`sshd_contexts`: one entry per context, {condition, spec, settings or None, problem}.

    condition is the Match line (without `Match`), or None for a connection no Match names;
    settings is None when `sshd -T -C` printed no settings dump for it (problem says why).
    """
    contexts: list[JSON] = []
    for header, body in headed_sections(text):
        lines = body.splitlines()
        spec = lines[0].removeprefix("spec ").strip() if lines and lines[0].startswith("spec ") else None
        rest = "\n".join(lines[1:] if spec is not None else lines)
        settings = parse_sshd_effective(rest)
        condition = None if header == ANY_CONNECTION else re.sub(r"^match\s+", "", header, flags=re.I)
        problem = None if settings is not None else (first_line(rest)[:300] or "no output")
        contexts.append({"condition": condition, "spec": spec, "settings": settings, "problem": problem})
    return contexts


def sshd_match_criteria(condition: str) -> dict[str, list[str]]:
    """`User root,admin Address 10.0.0.0/8` -> {"user": ["root", "admin"], "address": [...]}."""
    words = condition.split()
    if len(words) == 1 and words[0].lower() == "all":
        return {"all": []}
    return {words[i].lower(): words[i + 1].split(",") for i in range(0, len(words) - 1, 2)}


def sshd_pattern_list_matches(patterns: Sequence[str], value: str) -> bool:
    """sshd's pattern lists: a matching negated pattern (`!root`) wins, else any positive one."""
    positive = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if fnmatchcase(value, pattern[1:]):
                return False
        elif fnmatchcase(value, pattern):
            positive = True
    return positive


def _method_lists(value: Any) -> list[list[str]]:
    """`AuthenticationMethods publickey,password publickey,keyboard-interactive` -> lists."""
    text = str(value or "any").strip()
    if text.lower() in ("any", ""):
        return []
    return [[m for m in alternative.split(",") if m] for alternative in text.split()]


def _channel_session_timeout(values: Any) -> int | None:
    for item in values if isinstance(values, list) else [values]:
        kind, sep, interval = str(item).partition("=")
        if sep and kind.startswith("session"):
            return sshd_time_seconds(interval)
    return None


def sshd_view(settings: Mapping[str, Any]) -> JSON:
    """The handful of sshd settings the checks read, typed."""
    kbd = settings.get("kbdinteractiveauthentication",
                       settings.get("challengeresponseauthentication", "no"))
    return {
        "permit_root_login": str(settings.get("permitrootlogin", "")).lower() or None,
        "password_authentication": yes(settings.get("passwordauthentication")),
        "pubkey_authentication": yes(settings.get("pubkeyauthentication")),
        "kbd_interactive_authentication": yes(kbd),
        "use_pam": yes(settings.get("usepam")),
        "permit_empty_passwords": yes(settings.get("permitemptypasswords")),
        "authentication_methods": _method_lists(settings.get("authenticationmethods")),
        "client_alive_interval": to_int(settings.get("clientaliveinterval")) or 0,
        "client_alive_count_max": to_int(settings.get("clientalivecountmax")) or 0,
        "channel_timeout_session": _channel_session_timeout(settings.get("channeltimeout", [])),
        "max_auth_tries": to_int(settings.get("maxauthtries")),
        "allow_users": list(settings.get("allowusers", [])),
        "allow_groups": list(settings.get("allowgroups", [])),
        "listen_addresses": [str(a) for a in settings.get("listenaddress", [])],
    }
