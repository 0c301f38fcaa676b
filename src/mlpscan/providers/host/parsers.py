"""Pure parsers for the output of the host command list (providers/host/commands.yaml).

Every function takes text one command printed (its stderr folded in) or data another parser
returned, and gives back plain JSON-able data. None of them raises on odd input: unknown lines
are skipped, tool messages such as `cat: /etc/x: No such file or directory` are recognised and
left out, and what cannot be decided is None rather than a guess.

Derivations that need the rules of one subsystem (PAM stacks, logrotate, sshd) live here too,
next to the parser that reads them; facts.py only assembles them into resources.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any

JSON = dict[str, Any]

# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------

_TOOL_MESSAGE = re.compile(
    r"^(?:\S*/)?(?:cat|stat|grep|awk|gawk|mawk|sh|bash|dash|ls|sudo|lastlog|getenforce)(?:: | \d+: )")
_DENIAL = re.compile(
    r"permission denied|operation not permitted|must be root|are not root|only root can|"
    r"need to be root|requires root|no hostkeys available", re.IGNORECASE)
_HEADER = re.compile(r"^==> (?P<path>.+) <==$")
_INTEGER = re.compile(r"^-?\d+$")


def is_tool_message(line: str) -> bool:
    """A message from the shell or a tool (`cat: x: No such file`), not file content."""
    return bool(_TOOL_MESSAGE.match(line.strip()))


def denial_line(text: str) -> str | None:
    """The first line saying that access was refused, if any. Comment lines and apt's
    warnings and notes (`W:`, `N:`, printed beside a complete answer) never count."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "W:", "N:")) and _DENIAL.search(stripped):
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
        header = _HEADER.match(line.strip())
        if header:
            sections.append((header["path"], []))
        elif sections:
            sections[-1][1].append(line)
    return [(path, "\n".join(body)) for path, body in sections]


def typed(value: str) -> int | str:
    """Decimal integers become numbers; everything else stays the string that was printed."""
    return int(value) if _INTEGER.match(value) else value


def to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    return None


def yes(value: Any) -> bool:
    return str(value).strip().lower() in ("yes", "true", "1", "on")


def missing_files(text: str) -> list[str]:
    """Paths a tool reported as absent (`cat: /etc/x: No such file or directory`)."""
    found = re.findall(r"^\S+: (?:cannot stat[x]? )?['‘]?(/[^:'’]+)['’]?: No such file or directory",
                       text, re.MULTILINE)
    return sorted(set(found))


# ---------------------------------------------------------------------------------------------
# System identity
# ---------------------------------------------------------------------------------------------

_DEBIAN_IDS = {"debian", "ubuntu", "linuxmint", "deepin", "uos", "raspbian", "kali", "pop"}
_RHEL_IDS = {"rhel", "centos", "fedora", "rocky", "almalinux", "ol", "openeuler", "kylin", "anolis",
             "alinux", "tencentos", "opencloudos", "euleros", "hce", "amzn", "circle", "virtuozzo",
             "scientific", "cloudlinux", "bclinux", "ctyunos", "nfs"}
_SUSE_IDS = {"suse", "sles", "sled", "opensuse", "opensuse-leap", "opensuse-tumbleweed"}


def parse_os_release(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in content_lines(text):
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
            continue
        try:
            words = shlex.split(value)
            fields[key] = " ".join(words)
        except ValueError:
            fields[key] = value.strip("\"'")
    return fields


def os_family(release: Mapping[str, str]) -> str:
    """debian | rhel | suse | other. ID_LIKE names the lineage, so it is asked before ID."""
    candidates = [*release.get("ID_LIKE", "").lower().split(), release.get("ID", "").lower()]
    for candidate in candidates:
        if candidate in _DEBIAN_IDS:
            return "debian"
        if candidate in _RHEL_IDS:
            return "rhel"
        if candidate in _SUSE_IDS or candidate.startswith("opensuse"):
            return "suse"
    return "other"


def parse_uname(text: str) -> JSON:
    """`uname -srm`: kernel name, release, machine."""
    lines = content_lines(text)
    parts = lines[0].split() if lines else []
    if len(parts) < 3:
        return {"kernel_name": None, "kernel_release": None, "machine": None}
    return {"kernel_name": parts[0], "kernel_release": parts[1], "machine": parts[-1]}


def parse_hostname(text: str) -> str | None:
    lines = content_lines(text)
    return lines[0].split()[0] if lines else None


# ---------------------------------------------------------------------------------------------
# Password policy: login.defs, pwquality, PAM
# ---------------------------------------------------------------------------------------------

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


def pwquality_documented_defaults(text: str) -> dict[str, int]:
    """Defaults as the stock pwquality.conf documents them in comments (`# minlen = 9`).

    libpwquality changed its defaults between versions (1.2 on EL7: minlen 9 and credits 1;
    1.4: minlen 8 and credits 0); the stock file of the installed version says which apply.
    """
    defaults: dict[str, int] = {}
    for raw in text.splitlines():
        match = re.fullmatch(r"#\s*([a-z_]+)\s*=\s*(-?\d+)", raw.strip())
        if match:
            defaults.setdefault(match[1], int(match[2]))
    return defaults


_PAM_TOKEN = re.compile(r"\[(?:\\.|[^\]\\])*\]|\S+")
_PAM_TYPES = ("auth", "account", "password", "session")


def _pam_module_name(path: str) -> str:
    return PurePosixPath(path).name.removesuffix(".so")


# argument names that mean a secret (pam_mysql passwd=, pam_radius secret=, token=, ...)
# (not `credit`: pwquality's dcredit=-1 is a rule, not a secret)
_SECRET_ARGUMENT = re.compile(r"pass|pwd|secret|token|credential|(?:^|_)(?:key|pw)(?:$|_)|pw$", re.IGNORECASE)
MASK = "***"


def mask_secret_argument(arg: str) -> str:
    """`passwd=hunter2` -> `passwd=***`: secrets in PAM arguments never enter a snapshot."""
    name, sep, value = arg.partition("=")
    return f"{name}={MASK}" if sep and value and _SECRET_ARGUMENT.search(name) else arg


def parse_pam_line(line: str) -> JSON | None:
    """One PAM rule: type, control, module (basename without .so), args, optional (-type)."""
    tokens = _PAM_TOKEN.findall(line.split("#", 1)[0])
    if not tokens:
        return None
    if tokens[0] == "@include":  # Debian: include every rule of another file
        target = tokens[1] if len(tokens) > 1 else ""
        return {"type": "@include", "control": "include", "module": target, "args": [],
                "optional": False}
    if len(tokens) < 3:
        return None
    kind = tokens[0].lower()
    optional = kind.startswith("-")
    kind = kind.lstrip("-")
    if kind not in _PAM_TYPES:
        return None
    control = tokens[1]
    included = control.lower() in ("include", "substack")
    module = PurePosixPath(tokens[2]).name if included else _pam_module_name(tokens[2])
    return {"type": kind, "control": control.lower() if included else control, "module": module,
            "args": [mask_secret_argument(arg) for arg in tokens[3:]], "optional": optional}


def parse_pam_stacks(text: str) -> dict[str, list[JSON]]:
    """`==> /etc/pam.d/x <==` sections -> {file basename: rules}."""
    stacks: dict[str, list[JSON]] = {}
    for path, body in headed_sections(text):
        lines = joined_continuations(content_lines(body))
        stacks[PurePosixPath(path).name] = [rule for rule in map(parse_pam_line, lines) if rule]
    return stacks


def pam_args(rule: Mapping[str, Any]) -> dict[str, str | bool]:
    """A rule's arguments as a mapping: `deny=5` -> {"deny": "5"}, `even_deny_root` -> True."""
    parsed: dict[str, str | bool] = {}
    for arg in rule.get("args", []):
        key, sep, value = str(arg).partition("=")
        parsed[key] = value if sep else True
    return parsed


def expand_stack(stacks: Mapping[str, Sequence[JSON]], name: str, kind: str | None = None,
                 _depth: int = 0) -> list[JSON]:
    """The rules a service really runs: `include`, `substack` and `@include` resolved.

    `include`/`substack` pull in the rules of their own type; `@include` pulls in every rule.
    Files that were not printed (postlogin, ...) contribute nothing.
    """
    rules = stacks.get(name)
    if rules is None or _depth > 8:
        return []
    expanded: list[JSON] = []
    for rule in rules:
        target = PurePosixPath(str(rule["module"])).name
        if rule["type"] == "@include":
            expanded.extend(expand_stack(stacks, target, kind, _depth + 1))
        elif kind is not None and rule["type"] != kind:
            continue
        elif rule["control"] in ("include", "substack"):
            expanded.extend(expand_stack(stacks, target, rule["type"], _depth + 1))
        else:
            expanded.append(rule)
    return expanded


def unresolved_includes(stacks: Mapping[str, Sequence[JSON]]) -> list[str]:
    targets = {PurePosixPath(str(r["module"])).name for rules in stacks.values() for r in rules
               if r["control"] in ("include", "substack") or r["type"] == "@include"}
    return sorted(t for t in targets if t not in stacks)


def rule_text(rule: Mapping[str, Any]) -> str:
    return " ".join([("-" if rule.get("optional") else "") + str(rule["type"]), str(rule["control"]),
                     str(rule["module"]), *map(str, rule.get("args", []))])


# The services whose logins the lockout must cover; without their files, the shared stacks.
LOGIN_SERVICES = ("sshd", "login")
SHARED_AUTH_STACKS = ("password-auth", "system-auth", "common-auth")
# Where `passwd` looks for password rules: RHEL family, then Debian family.
PASSWORD_CHANGE_STACKS = ("system-auth", "common-password")

FAILLOCK_DEFAULTS: JSON = {"deny": 3, "unlock_time": 600, "fail_interval": 900}


def _login_service_stacks(stacks: Mapping[str, Sequence[JSON]]) -> dict[str, list[JSON]]:
    names = [s for s in LOGIN_SERVICES if s in stacks] or [s for s in SHARED_AUTH_STACKS if s in stacks]
    return {name: expand_stack(stacks, name, "auth") for name in names}


def _unlock_seconds(value: Any) -> int | None:
    """None means "never unlocks by itself" (0 or `never`); that is stricter, not weaker."""
    if value is None or str(value).strip().lower() == "never":
        return None
    seconds = to_int(value)
    return None if seconds is None or seconds <= 0 else seconds


def _faillock_counts_failures(rule: Mapping[str, Any]) -> bool:
    args = pam_args(rule)
    return "authfail" in args or not ({"preauth", "authsucc"} & set(args))


def _lockout_of_stack(auth_rules: Sequence[JSON], faillock_conf: Mapping[str, Any]) -> JSON:
    faillock = [r for r in auth_rules if r["module"] == "pam_faillock"]
    if any(_faillock_counts_failures(r) for r in faillock):
        settings: JSON = {**FAILLOCK_DEFAULTS, **faillock_conf}
        for rule in faillock:  # arguments on the PAM line override faillock.conf
            settings.update(pam_args(rule))
        return _lockout_result("pam_faillock", settings, unlock_default=600)
    tally = [r for r in auth_rules if r["module"] in ("pam_tally2", "pam_tally")]
    if tally:
        tally_settings: JSON = {}
        for rule in tally:
            tally_settings.update(pam_args(rule))
        # pam_tally2 without unlock_time keeps the account locked until an admin resets it
        return _lockout_result(str(tally[0]["module"]), tally_settings, unlock_default=None)
    return {"module": None, "enabled": False, "deny": None, "unlock_time_seconds": None,
            "permanent": False}


def _lockout_result(module: str, settings: Mapping[str, Any], unlock_default: int | None) -> JSON:
    deny = to_int(settings.get("deny"))
    raw_unlock = settings.get("unlock_time", unlock_default)
    unlock = _unlock_seconds(raw_unlock)
    return {"module": module, "enabled": deny is not None and deny > 0, "deny": deny,
            "unlock_time_seconds": unlock, "permanent": unlock is None,
            "even_deny_root": bool(settings.get("even_deny_root", False))}


def lockout_policy(stacks: Mapping[str, Sequence[JSON]], faillock_conf: Mapping[str, Any]) -> JSON:
    """Login-failure lockout as enforced for sshd and console logins, weakest service deciding.

    faillock: faillock.conf, then arguments on the PAM lines (they win); defaults deny=3,
    unlock_time=600. tally2/tally: PAM arguments only. unlock_time 0/never means the account
    stays locked until an administrator unlocks it (`permanent`), which satisfies any duration.
    """
    per_service = {name: _lockout_of_stack(rules, faillock_conf)
                   for name, rules in _login_service_stacks(stacks).items()}
    if not per_service:
        return {"module": None, "enabled": False, "deny": None, "unlock_time_seconds": None,
                "permanent": False, "services": {}, "weakest_service": None}
    disabled = [name for name, policy in per_service.items() if not policy["enabled"]]
    if disabled:
        return {"module": None, "enabled": False, "deny": None, "unlock_time_seconds": None,
                "permanent": False, "services": per_service, "weakest_service": disabled[0]}
    weakest = max(per_service, key=lambda name: per_service[name]["deny"])
    timed = [p["unlock_time_seconds"] for p in per_service.values() if not p["permanent"]]
    return {"module": "+".join(sorted({str(p["module"]) for p in per_service.values()})),
            "enabled": True, "deny": per_service[weakest]["deny"],
            "unlock_time_seconds": min(timed) if timed else None, "permanent": not timed,
            "services": per_service, "weakest_service": weakest}


SECOND_FACTOR_MODULES = {
    "pam_google_authenticator": "TOTP/HOTP one-time password (google-authenticator)",
    "pam_oath": "OATH one-time password",
    "pam_radius_auth": "RADIUS (one-time-password server)",
    "pam_pkcs11": "smart card / USB key (PKCS#11)",
    "pam_p11": "smart card / USB key (PKCS#11)",
    "pam_u2f": "FIDO U2F security key",
    "pam_yubico": "YubiKey one-time password",
    "pam_duo": "Duo second factor",
}


def second_factor_modules(stacks: Mapping[str, Sequence[JSON]], service: str = "sshd") -> list[JSON]:
    """OTP / smart-card modules in a service's auth stack (the shared stacks without its file).

    A module with `nullok` lets users without a token in on one factor, so it is marked.
    """
    names = [service] if service in stacks else [s for s in SHARED_AUTH_STACKS if s in stacks]
    found: list[JSON] = []
    for name in names:
        for rule in expand_stack(stacks, name, "auth"):
            module = str(rule["module"])
            if module in SECOND_FACTOR_MODULES:
                found.append({"module": module, "kind": SECOND_FACTOR_MODULES[module],
                              "nullok": "nullok" in pam_args(rule), "rule": rule_text(rule)})
    return found


def nullok_rules(stacks: Mapping[str, Sequence[JSON]]) -> list[JSON]:
    """Auth rules with `nullok` (an empty password is accepted) in every stack printed, as each
    service runs it (includes resolved), without repeats."""
    found: dict[str, JSON] = {}
    for name in sorted(stacks):
        for rule in expand_stack(stacks, name, "auth"):
            if "nullok" in pam_args(rule) or "nullok_secure" in pam_args(rule):
                found.setdefault(rule_text(rule), {"stack": name, "rule": rule_text(rule)})
    return list(found.values())


def _password_change_stack(stacks: Mapping[str, Sequence[JSON]]) -> tuple[str | None, list[JSON]]:
    for name in PASSWORD_CHANGE_STACKS:
        if name in stacks:
            return name, expand_stack(stacks, name, "password")
    return None, []


PWHISTORY_DEFAULT_REMEMBER = 10


def password_history(stacks: Mapping[str, Sequence[JSON]],
                     pwhistory_conf: Mapping[str, Any] | None = None) -> JSON:
    """Passwords remembered by pam_pwhistory or pam_unix `remember=` on password change.

    pam_pwhistory: `remember=` on its PAM line, else `remember` in /etc/security/pwhistory.conf
    (``pwhistory_conf``, parsed; read by Linux-PAM 1.5.3+ and RHEL 9), else its default of 10.
    Both modules check independently, so the larger count applies.
    """
    stack_name, rules = _password_change_stack(stacks)
    evidence: list[str] = []
    remembered = [0]
    conf_count = to_int((pwhistory_conf or {}).get("remember"))
    for rule in rules:
        args = pam_args(rule)
        if rule["module"] == "pam_pwhistory":
            count = to_int(args.get("remember"))
            if count is None and conf_count is not None:
                count = conf_count
                evidence.append(f"remember = {conf_count} (/etc/security/pwhistory.conf)")
            remembered.append(PWHISTORY_DEFAULT_REMEMBER if count is None else count)
            evidence.append(rule_text(rule))
        elif rule["module"] == "pam_unix" and "remember" in args:
            remembered.append(to_int(args["remember"]) or 0)
            evidence.append(rule_text(rule))
    return {"remember": max(remembered), "stack": stack_name, "rules": evidence}


_CREDITS = ("dcredit", "ucredit", "lcredit", "ocredit")
_QUALITY_DEFAULTS = {
    # libpwquality >= 1.4; older versions document theirs in the stock file (see above)
    "pam_pwquality": {"minlen": 8, "minclass": 0, "dcredit": 0, "ucredit": 0, "lcredit": 0, "ocredit": 0},
    "pam_cracklib": {"minlen": 9, "minclass": 0, "dcredit": 1, "ucredit": 1, "lcredit": 1, "ocredit": 1},
}
MIN_LENGTH_FLOOR = 6  # pwquality and cracklib refuse a configured minlen below 6
PAM_UNIX_DEFAULT_MINLEN = 6


def password_quality(stacks: Mapping[str, Sequence[JSON]], pwquality_text: str) -> JSON:
    """The complexity rules enforced when a password is changed.

    pam_pwquality: module defaults < pwquality.conf (+ .conf.d) < arguments on the PAM line.
    pam_cracklib: its own defaults < PAM arguments (it does not read pwquality.conf).
    Neither: pam_unix `minlen` (default 6) and no character-class rule.

    Effective minimum length: minlen minus the positive credits (each positive credit lets a
    password be one character shorter per class used). Required classes: the larger of
    `minclass` and the number of negative credits (a negative credit requires that class).
    """
    stack_name, rules = _password_change_stack(stacks)
    checker = next((r for r in rules if r["module"] in _QUALITY_DEFAULTS), None)
    if checker is None:
        unix = next((r for r in rules if r["module"] == "pam_unix"), None)
        minlen = to_int(pam_args(unix).get("minlen")) if unix else None
        return {"module": None, "stack": stack_name, "settings": {},
                "min_length": minlen or PAM_UNIX_DEFAULT_MINLEN, "min_char_classes": 0,
                "required_classes": [], "rule": rule_text(unix) if unix else None}
    module = str(checker["module"])
    settings: JSON = dict(_QUALITY_DEFAULTS[module])
    if module == "pam_pwquality":
        settings.update({k: v for k, v in pwquality_documented_defaults(pwquality_text).items()
                         if k in settings})
        settings.update(parse_key_equals_value(pwquality_text))
    settings.update({k: typed(v) if isinstance(v, str) else v for k, v in pam_args(checker).items()})
    minlen = max(to_int(settings.get("minlen")) or 0, MIN_LENGTH_FLOOR)
    credits = {name: to_int(settings.get(name)) or 0 for name in _CREDITS}
    required = sorted(name for name, credit in credits.items() if credit < 0)
    bonus = sum(credit for credit in credits.values() if credit > 0)
    return {"module": module, "stack": stack_name, "settings": settings,
            "min_length": max(minlen - bonus, 1),
            "min_char_classes": max(to_int(settings.get("minclass")) or 0, len(required)),
            "required_classes": required, "rule": rule_text(checker)}


# ---------------------------------------------------------------------------------------------
# sshd
# ---------------------------------------------------------------------------------------------

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


def _distinct_methods(methods: Sequence[str]) -> set[str]:
    return {m.split(":", 1)[0] for m in methods}


def ssh_multi_factor(view: Mapping[str, Any], modules: Sequence[Mapping[str, Any]]) -> JSON:
    """Whether every SSH login needs two authentication techniques.

    1. AuthenticationMethods: every alternative list names two or more different methods
       (e.g. `publickey,keyboard-interactive`).
    2. A PAM second factor (OTP, smart card, FIDO) without `nullok` in the sshd auth stack,
       reached through keyboard-interactive with UsePAM, and no way around it: every
       AuthenticationMethods list includes keyboard-interactive, or (no list) public keys are
       off. A public-key login otherwise skips the PAM auth stack.
    """
    lists = view["authentication_methods"]
    shown = " ".join(",".join(alternative) for alternative in lists)
    if lists and all(len(_distinct_methods(alternative)) >= 2 for alternative in lists):
        return {"multi_factor": True, "evidence": f"sshd AuthenticationMethods {shown}"}
    usable = [m for m in modules if not m["nullok"]]
    if not usable:
        reason = ("PAM second-factor module allows users without a token (nullok)" if modules
                  else "no PAM OTP / smart-card module in the sshd auth stack")
        return {"multi_factor": False,
                "evidence": f"AuthenticationMethods {shown or 'any'}; {reason}"}
    through_pam = view["use_pam"] and view["kbd_interactive_authentication"]
    no_bypass = (all("keyboard-interactive" in _distinct_methods(a) for a in lists) if lists
                 else not view["pubkey_authentication"])
    names = ", ".join(sorted({str(m["module"]) for m in usable}))
    if through_pam and no_bypass:
        return {"multi_factor": True, "evidence": f"PAM {names} in the sshd auth stack via "
                                                  "keyboard-interactive"}
    return {"multi_factor": False,
            "evidence": f"PAM {names} present, but " + (
                "UsePAM and KbdInteractiveAuthentication are not both on" if not through_pam
                else "public-key logins bypass it (set AuthenticationMethods "
                     "publickey,keyboard-interactive)")}


# ---------------------------------------------------------------------------------------------
# Session timeout
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------

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
                or not all(n == "" or _INTEGER.match(n) for n in numbers)):
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
        if _HEADER.match(line):
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


# ---------------------------------------------------------------------------------------------
# sudo
# ---------------------------------------------------------------------------------------------

_SUDO_TAG = re.compile(r"^(?P<tag>[A-Z_]+):\s*")
_ALIAS_KINDS = ("User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias")


def _sudoers_lines(text: str) -> list[str]:
    lines: list[str] = []
    for line in joined_continuations(raw.strip() for raw in text.splitlines()):
        if not line or is_tool_message(line) or line.startswith(("#include", "@include")):
            continue  # included files are printed by the command itself
        # '#' starts a comment unless it is a numeric uid (`#0`)
        statement = re.split(r"#(?!\d)", line, maxsplit=1)[0].strip()
        if statement:
            lines.append(statement)
    return lines


def _parse_aliases(line: str, aliases: dict[str, list[str]]) -> None:
    for definition in line.split(None, 1)[1].split(":") if " " in line else []:
        name, sep, members = definition.partition("=")
        if sep:
            aliases[name.strip()] = [m.strip() for m in members.split(",") if m.strip()]


def _resolve(items: Iterable[str], aliases: Mapping[str, list[str]], depth: int = 0) -> list[str]:
    resolved: list[str] = []
    for item in items:
        if item in aliases and depth < 8:
            resolved.extend(_resolve(aliases[item], aliases, depth + 1))
        else:
            resolved.append(item)
    return resolved


def _grants_nopasswd_all(commands: str, aliases: Mapping[str, list[str]]) -> bool:
    """Walk a command list carrying tags along, as sudo does: `NOPASSWD:` stays in force for
    the following commands until `PASSWD:` turns it off."""
    nopasswd = False
    for item in re.sub(r"\([^)]*\)", " ", commands).split(","):
        command = item.strip()
        while (tag := _SUDO_TAG.match(command)) is not None:
            if tag["tag"] in ("NOPASSWD", "PASSWD"):
                nopasswd = tag["tag"] == "NOPASSWD"
            command = command[tag.end():]
        if nopasswd and "ALL" in _resolve([command.strip()], aliases):
            return True
    return False


def parse_sudoers(text: str) -> JSON:
    """Rules that give someone every command without a password (`NOPASSWD: ALL`, directly or
    through a Cmnd_Alias), and `Defaults !authenticate`. Rules for root alone are not listed:
    root needs no sudo."""
    aliases: dict[str, list[str]] = {}
    nopasswd_all: list[JSON] = []
    no_authentication: list[str] = []
    rule_count = 0
    for line in _sudoers_lines(text):
        head = line.split(None, 1)[0]
        if head in _ALIAS_KINDS:
            _parse_aliases(line, aliases)
            continue
        if head.startswith("Defaults"):
            if re.search(r"!\s*authenticate\b", line):
                scope = head.partition(":")[2] or "ALL"
                no_authentication.append(scope)
            continue
        users, sep, commands = line.partition("=")
        if not sep:
            continue
        rule_count += 1
        principals = re.sub(r"\s*,\s*", ",", users.strip()).split()[0].split(",")
        principals = _resolve(principals, aliases)
        if principals != ["root"] and _grants_nopasswd_all(commands, aliases):
            nopasswd_all.append({"principals": principals, "rule": " ".join(line.split())})
    return {"nopasswd_all": nopasswd_all, "authentication_disabled": no_authentication,
            "rule_count": rule_count}


# ---------------------------------------------------------------------------------------------
# systemd units
# ---------------------------------------------------------------------------------------------

_UNIT_STATES = {"active", "inactive", "failed", "activating", "deactivating", "reloading", "unknown",
                "maintenance", "refreshing"}


def parse_is_active(text: str, units: Sequence[str]) -> dict[str, str] | None:
    """`systemctl is-active a b c` prints one state per unit, in order. None if it did not."""
    states = [line.strip() for line in text.splitlines() if line.strip()]
    if len(states) != len(units) or not all(s in _UNIT_STATES for s in states):
        return None
    return dict(zip(units, states, strict=True))


_NO_SYSTEMD = re.compile(r"System has not been booted with systemd|Failed to connect to bus|"
                         r"systemd is not running|Host is down", re.IGNORECASE)


def systemd_absent(text: str) -> bool:
    """systemctl's own words for "systemd is not PID 1 here" (containers, SysV hosts, chroots)."""
    return bool(_NO_SYSTEMD.search(text))


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


# ---------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------


def parse_audit_status(text: str) -> JSON:
    """`auditctl -s`, both the `enabled 1` lines (audit >= 2.4) and `AUDIT_STATUS: enabled=1`."""
    status: JSON = {}
    for line in content_lines(text):
        if line.startswith("AUDIT_STATUS:"):
            for key, value in re.findall(r"(\w+)=(\S+)", line):
                status[key] = typed(value)
            continue
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"[a-z_]+", parts[0]):
            status[parts[0]] = typed(parts[1])
    return status


def _audit_tokens(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def _parse_audit_rule(line: str) -> JSON:
    tokens = _audit_tokens(line)
    rule: JSON = {"text": line, "watch": None, "perms": None, "key": None, "syscalls": [],
                  "fields": []}
    pairs = zip(tokens, [*tokens[1:], ""], strict=True)
    for option, value in pairs:
        if option == "-w":
            rule["watch"] = value
        elif option == "-p":
            rule["perms"] = value
        elif option == "-k":
            rule["key"] = value
        elif option == "-S":
            rule["syscalls"].extend(value.split(","))
        elif option == "-F":
            field = re.match(r"^([a-z_0-9]+)(!=|>=|<=|&=|=|>|<|&)(.*)$", value)
            if field:
                rule["fields"].append({"name": field[1], "op": field[2], "value": field[3]})
    for field in rule["fields"]:
        if field["name"] in ("path", "dir") and rule["watch"] is None:
            rule["watch"] = field["value"] + ("/" if field["name"] == "dir" else "")
        elif field["name"] == "perm":
            rule["perms"] = field["value"]
        elif field["name"] == "key":
            rule["key"] = field["value"]
    return rule


def parse_audit_rules(text: str) -> list[JSON]:
    """`auditctl -l` ("No rules" when empty): watches (-w or -F path/dir) and syscall rules.

    Immutability (`-e 2`) is a control setting that `-l` never lists: `auditctl -s` shows it.
    """
    return [_parse_audit_rule(line) for line in content_lines(text) if line.startswith("-")]


IDENTITY_FILES = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow")
LOGIN_RECORDS = ("/var/log/lastlog", "/var/log/faillog", "/var/log/tallylog", "/var/run/faillock",
                 "/run/faillock", "/var/log/wtmp", "/var/log/btmp")
PRIVILEGE_FILES = ("/etc/sudoers", "/etc/sudoers.d")
PRIVILEGED_PROGRAMS = ("/usr/bin/sudo", "/usr/bin/su", "/bin/su", "/usr/bin/pkexec")


def _watches(rules: Sequence[Mapping[str, Any]], target: str, *, writes: bool) -> bool:
    for rule in rules:
        watched = rule.get("watch")
        if not watched:
            continue
        perms = str(rule.get("perms") or "rwxa")
        if writes and not ({"w", "a"} & set(perms)):
            continue
        base = str(watched).rstrip("/")
        if target == base or target.startswith(base + "/"):
            return True
    return False


def _field(rule: Mapping[str, Any], name: str, value: str) -> bool:
    return any(f["name"] == name and f["op"] == "=" and f["value"] == value for f in rule["fields"])


def audit_coverage(rules: Sequence[Mapping[str, Any]]) -> JSON:
    """Which event classes the loaded rules record.

    identity: writes to /etc/passwd, shadow, group and gshadow are all watched.
    logins: lastlog, faillog, tallylog, the faillock directory, wtmp or btmp is watched.
    privilege: sudoers is watched for writes, or execve by euid 0 is recorded, or sudo/su
    execution is watched, or a `-F perm=x` rule carries a `privileged` key.
    """
    identity_missing = [f for f in IDENTITY_FILES if not _watches(rules, f, writes=True)]
    logins = [f for f in LOGIN_RECORDS if _watches(rules, f, writes=False)]
    privilege = ([f"{f} watched" for f in PRIVILEGE_FILES if _watches(rules, f, writes=True)]
                 + [f"{p} watched" for p in PRIVILEGED_PROGRAMS if _watches(rules, p, writes=False)]
                 + ["execve by euid 0 recorded" for r in rules
                    if "execve" in r["syscalls"] and _field(r, "euid", "0")]
                 + [f"privileged-command rule ({r['key']})" for r in rules
                    if "x" in str(r.get("perms") or "") and "priv" in str(r.get("key") or "")])
    events = {kind: _event_evidence(rules, kind) for kind in AUDIT_EVENT_CLASSES}
    return {"identity": not identity_missing, "identity_missing": identity_missing,
            "logins": bool(logins), "logins_watched": logins,
            "privilege": bool(privilege), "privilege_evidence": sorted(set(privilege)),
            **{kind: bool(evidence) for kind, evidence in events.items()},
            "event_evidence": events,
            "events_missing": [kind for kind, evidence in events.items() if not evidence]}


# Event classes beyond identity, logins and privilege (CIS-style rules, auditctl -l syntax):
# syscalls any of which recorded counts, files whose watch counts, and for failed access the
# exit codes the rule must filter on.
AUDIT_EVENT_CLASSES: dict[str, JSON] = {
    "time_change": {"syscalls": {"adjtimex", "settimeofday", "clock_settime", "stime"},
                    "watches": ("/etc/localtime",)},
    "permission_change": {"syscalls": {"chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown",
                                       "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr",
                                       "fremovexattr"}, "watches": ()},
    "kernel_modules": {"syscalls": {"init_module", "finit_module", "delete_module"},
                       "watches": ("/sbin/insmod", "/sbin/rmmod", "/sbin/modprobe", "/usr/bin/kmod",
                                   "/usr/sbin/insmod", "/usr/sbin/rmmod", "/usr/sbin/modprobe")},
    "failed_access": {"syscalls": {"open", "openat", "creat", "truncate", "ftruncate", "open_by_handle_at"},
                      "exits": {"-EACCES", "-EPERM", "-13", "-1"}, "watches": ()},
    "sessions": {"syscalls": set(),
                 "watches": ("/var/run/utmp", "/run/utmp", "/var/log/wtmp", "/var/log/btmp")},
}


def _event_evidence(rules: Sequence[Mapping[str, Any]], kind: str) -> list[str]:
    spec = AUDIT_EVENT_CLASSES[kind]
    found = [f"{path} watched" for path in spec["watches"] if _watches(rules, path, writes=False)]
    for rule in rules:
        named = spec["syscalls"] & set(rule["syscalls"])
        if not named:
            continue
        exits = spec.get("exits")
        if exits and not any(f["name"] == "exit" and f["value"] in exits for f in rule["fields"]):
            continue
        found.append(rule["text"])
    return found


# ---------------------------------------------------------------------------------------------
# File modes
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Logging: rsyslog, journald, logrotate
# ---------------------------------------------------------------------------------------------

_RSYSLOG_REMOTE = re.compile(
    r"(?:^|\s|then\s)(?P<proto>@@?)(?:\([^)]*\))?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)"
    r"(?::(?P<port>\d+))?")
_RSYSLOG_FILE = re.compile(r"(?:^|\s)-?(?P<path>/var/log/[^\s;]+)")
_RAINER_PARAM = re.compile(r'([\w.]+)\s*=\s*"([^"]*)"')


def _rsyslog_statements(text: str) -> list[str]:
    """Comment-free statements, with multi-line `action(...)` joined into one."""
    statements: list[str] = []
    pending = ""
    for raw in content_lines(text):
        line = re.sub(r"\s#.*$", "", raw)
        pending = f"{pending} {line}".strip() if pending else line
        if pending.count("(") > pending.count(")"):
            continue
        statements.append(pending)
        pending = ""
    if pending:
        statements.append(pending)
    return statements


def parse_rsyslog(text: str) -> JSON:
    """rsyslog.conf + rsyslog.d: files written under /var/log and remote forwarding targets
    (`@host` UDP, `@@host` TCP, `action(type="omfwd" target=...)`)."""
    files: set[str] = set()
    remote: list[JSON] = []
    legacy: dict[str, str] = {}   # `$DefaultNetstreamDriver gtls`, `$ActionSendStreamDriverMode 1`, ...
    for statement in _rsyslog_statements(text):
        if statement.startswith("$"):
            key, _, value = statement[1:].partition(" ")
            legacy[key.lower()] = value.strip().lower()
            continue
        if statement.startswith("global("):
            legacy.update({f"global.{k.lower()}": v.lower() for k, v in _RAINER_PARAM.findall(statement)})
            continue
        if statement.startswith(("module(", "input(", "template(", "main_queue(")):
            continue
        for action in re.findall(r"action\s*\((.*?)\)", statement, re.DOTALL):
            params = {k.lower(): v for k, v in _RAINER_PARAM.findall(action)}
            kind = params.get("type", "").lower()
            if kind == "omfwd" and params.get("target"):
                remote.append({"target": params["target"], "port": to_int(params.get("port")) or 514,
                               "protocol": params.get("protocol", "udp").lower(), "rule": statement,
                               "tls": _omfwd_tls(params, legacy)})
            elif kind == "omfile" and params.get("file"):
                files.add(params["file"])
        bare = re.sub(r"action\s*\(.*?\)", " ", statement, flags=re.DOTALL)
        for match in _RSYSLOG_REMOTE.finditer(bare):
            tcp = match["proto"] == "@@"
            remote.append({"target": match["host"].strip("[]"), "port": to_int(match["port"]) or 514,
                           "protocol": "tcp" if tcp else "udp", "rule": statement,
                           "tls": tcp and _legacy_tls(legacy)})
        files.update(m["path"] for m in _RSYSLOG_FILE.finditer(bare))
    return {"files": sorted(files), "remote": remote}


_TLS_DRIVERS = ("gtls", "ossl")


def _omfwd_tls(params: Mapping[str, str], legacy: Mapping[str, str]) -> bool:
    """omfwd over TLS: StreamDriver gtls/ossl (or the global default) with StreamDriverMode 1."""
    driver = params.get("streamdriver", legacy.get("global.defaultnetstreamdriver",
                                                   legacy.get("defaultnetstreamdriver", ""))).lower()
    mode = params.get("streamdrivermode", legacy.get("actionsendstreamdrivermode", "0"))
    return params.get("protocol", "udp").lower() == "tcp" and driver in _TLS_DRIVERS and mode == "1"


def _legacy_tls(legacy: Mapping[str, str]) -> bool:
    """`@@host` over TLS: `$DefaultNetstreamDriver gtls` and `$ActionSendStreamDriverMode 1`."""
    driver = legacy.get("defaultnetstreamdriver", legacy.get("global.defaultnetstreamdriver", ""))
    return driver in _TLS_DRIVERS and legacy.get("actionsendstreamdrivermode") == "1"


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


_PERIODS = {"hourly": 1 / 24, "daily": 1.0, "weekly": 7.0, "monthly": 30.0, "yearly": 365.0}
_SCRIPT_START = {"postrotate", "prerotate", "firstaction", "lastaction", "preremove"}
LOGROTATE_DROPINS = "/etc/logrotate.d"


def _apply_logrotate_directive(settings: JSON, words: Sequence[str]) -> None:
    name = words[0].lower()
    argument = words[1] if len(words) > 1 else ""
    if name in _PERIODS:
        settings["criterion"], settings["period_days"] = name, _PERIODS[name]
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


def stanza_retention(stanza: Mapping[str, Any]) -> JSON:
    """The shortest time a line written to the file is kept: `days`, or `unlimited`.

    Right after a rotation the rotated files cover rotate × period days, so that is the
    guarantee. A month counts 30 days (6 × monthly = 180 d, the usual six-month setting) and a
    year 365. Size-triggered rotation (`size`, or `maxsize` with a period), or no criterion at
    all, can rotate at every daily logrotate run, so its period is one day. `rotate -1` keeps
    rotated files forever. `maxage N` deletes rotated files older than N days, so it caps the
    result.
    """
    rotate = to_int(stanza.get("rotate"))
    rotate = 0 if rotate is None else rotate
    period = stanza.get("period_days") if stanza.get("criterion") in _PERIODS else 1.0
    if stanza.get("maxsize"):
        period = min(period or 1.0, 1.0)
    period = float(period or 1.0)
    maxage = to_int(stanza.get("maxage"))
    how = _period_words(stanza, period)
    if rotate < 0:
        if maxage is None:
            return {"days": None, "unlimited": True, "basis": "rotate -1 (rotated logs never removed)"}
        return {"days": maxage, "unlimited": False, "basis": f"rotate -1, maxage {maxage}"}
    days = int(rotate * period)
    basis = f"rotate {rotate} × {how} = {days} d"
    if maxage is not None and maxage < days:
        return {"days": maxage, "unlimited": False, "basis": f"{basis}, capped by maxage {maxage}"}
    return {"days": days, "unlimited": False, "basis": basis}


def _period_words(stanza: Mapping[str, Any], period: float) -> str:
    criterion = stanza.get("criterion")
    if criterion in _PERIODS and not stanza.get("maxsize"):
        return f"{criterion} ({period:g} d)"
    return "size-triggered (at most one rotation a day)"


# ---------------------------------------------------------------------------------------------
# Time, firewall, network, MAC, processes, updates
# ---------------------------------------------------------------------------------------------


def parse_timedatectl(text: str) -> JSON:
    """`timedatectl show` KEY=value lines (systemd >= 239; older ones print an error)."""
    values: JSON = {}
    for line in content_lines(text):
        key, sep, value = line.partition("=")
        if sep and re.fullmatch(r"[A-Za-z]+", key):
            values[key] = value
    return values


def timedatectl_date(values: Mapping[str, Any]) -> date | None:
    """The host's own date, from TimeUSec (`Fri 2026-11-20 13:40:12 CST`)."""
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", str(values.get("TimeUSec", "")))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_nft(text: str) -> JSON:
    """`nft list ruleset`: tables, base chains with their hook and policy, rule count."""
    tables: list[str] = []
    chains: list[JSON] = []
    rules = 0
    depth = 0
    chain: JSON | None = None
    for line in content_lines(text):
        if line.startswith("table "):
            tables.append(" ".join(line.split()[1:3]))
        elif line.startswith("chain ") and depth == 1:
            chain = {"name": line.split()[1], "hook": None, "policy": None, "rules": 0}
            chains.append(chain)
        elif chain is not None and line.startswith("type ") and "hook" in line:
            hook = re.search(r"hook (\w+)", line)
            policy = re.search(r"policy (\w+)", line)
            chain["hook"] = hook[1] if hook else None
            chain["policy"] = policy[1] if policy else "accept"
        elif chain is not None and depth == 2 and line not in ("}",) and not line.startswith("policy "):
            chain["rules"] += 1
            rules += 1
        depth += line.count("{") - line.count("}")
        if depth < 2:
            chain = None
    inbound = [c for c in chains if c["hook"] == "input"]
    return {"tables": tables, "base_chains": [c for c in chains if c["hook"]], "chain_count": len(chains),
            "rule_count": rules, "active": bool(tables),
            "filters_input": any(c["rules"] > 0 or c["policy"] in ("drop", "reject") for c in inbound)}


def parse_nft_chains(text: str) -> dict[str, JSON]:
    """`nft list ruleset` -> {"<family>:<table>::<chain>": {hook, policy, rules}}; a rule's jump or
    goto target is written with its table, so chains of different tables never mix."""
    chains: dict[str, JSON] = {}
    table = ""
    chain: JSON | None = None
    depth = 0
    for line in content_lines(text):
        if line.startswith("table ") and depth == 0:
            table = ":".join(line.split()[1:3])   # `inet:firewalld`: no space, so `jump` keeps one word
        elif line.startswith("chain ") and depth == 1:
            chain = {"hook": None, "policy": None, "rules": []}
            chains[f"{table}::{line.split()[1]}"] = chain
        elif chain is not None and depth == 2 and line.startswith("type ") and " hook " in line:
            hook = re.search(r"hook (\w+)", line)
            policy = re.search(r"policy (\w+)", line)
            chain["hook"] = hook[1] if hook else None
            chain["policy"] = policy[1] if policy else "accept"
        elif chain is not None and depth == 2 and line != "}" and not line.startswith("policy "):
            chain["rules"].append(re.sub(r"\b(jump|goto) (\S+)$", rf"\1 {table}::\2", line))
        depth += line.count("{") - line.count("}")
        if depth < 2:
            chain = None
    return chains


def parse_iptables_chains(text: str) -> dict[str, JSON]:
    """`iptables -S` -> {chain: {policy, rules: [words of each -A line]}}."""
    chains: dict[str, JSON] = {}
    for line in content_lines(text):
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        if len(words) >= 2 and words[0] in ("-P", "-N"):
            chain = chains.setdefault(words[1], {"policy": None, "rules": []})
            if words[0] == "-P" and len(words) >= 3:
                chain["policy"] = words[2]
        elif len(words) >= 2 and words[0] == "-A":
            chains.setdefault(words[1], {"policy": None, "rules": []})["rules"].append(words)
    return chains


def parse_iptables(text: str) -> JSON:
    """`iptables -S` (filter table): chain policies and rules."""
    policies: dict[str, str] = {}
    rules: list[str] = []
    for line in content_lines(text):
        parts = line.split()
        if parts[0] == "-P" and len(parts) >= 3:
            policies[parts[1]] = parts[2]
        elif parts[0] == "-A":
            rules.append(line)
    input_rules = [r for r in rules if r.split()[1] == "INPUT"]
    return {"policies": policies, "rule_count": len(rules),
            "active": bool(rules) or any(policy != "ACCEPT" for policy in policies.values()),
            "filters_input": bool(input_rules) or policies.get("INPUT", "ACCEPT") != "ACCEPT"}


def _split_address(local: str) -> tuple[str, str, int | None]:
    address, _, port_text = local.rpartition(":")
    interface = ""
    if "%" in address:
        address, _, interface = address.partition("%")
        interface = interface.rstrip("]")
    return address.strip("[]"), interface, to_int(port_text)


def _loopback(address: str, interface: str) -> bool:
    if interface == "lo":
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def parse_listening(text: str) -> list[JSON]:
    """`ss -H -tuln`: proto, address, port, loopback (a header line is skipped if present)."""
    sockets: list[JSON] = []
    seen: set[tuple[str, str, int]] = set()
    for line in content_lines(text):
        parts = line.split()
        if len(parts) < 5 or parts[0] not in ("tcp", "udp"):
            continue
        address, interface, port = _split_address(parts[4])
        if port is None or (parts[0], address, port) in seen:
            continue
        seen.add((parts[0], address, port))
        sockets.append({"proto": parts[0], "address": address or "*", "port": port,
                        "interface": interface or None, "loopback": _loopback(address, interface)})
    return sockets


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


# Process names as `ps -o comm=` prints them: at most 15 characters (the kernel's comm field).
SECURITY_AGENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "clamd": ("ClamAV", ("anti_malware",)),
    "freshclam": ("ClamAV signature updater", ("anti_malware",)),
    "clamonacc": ("ClamAV on-access scanner", ("anti_malware",)),
    "AliYunDun": ("Alibaba Cloud Security Center", ("anti_malware", "intrusion_detection")),
    "AliYunDunUpdate": ("Alibaba Cloud Security Center", ("anti_malware", "intrusion_detection")),
    "AliYunDunMonitor": ("Alibaba Cloud Security Center", ("anti_malware", "intrusion_detection")),
    "YDService": ("Tencent Cloud Workload Protection", ("anti_malware", "intrusion_detection")),
    "YDLive": ("Tencent Cloud Workload Protection", ("anti_malware", "intrusion_detection")),
    "hostguard": ("Huawei Cloud Host Security Service", ("anti_malware", "intrusion_detection")),
    "falcon-sensor": ("CrowdStrike Falcon", ("anti_malware", "intrusion_detection")),
    "wdavdaemon": ("Microsoft Defender for Endpoint", ("anti_malware", "intrusion_detection")),
    "ds_agent": ("Trend Micro Deep Security", ("anti_malware", "intrusion_detection")),
    "ds_am": ("Trend Micro Deep Security", ("anti_malware",)),
    "s1-agent": ("SentinelOne", ("anti_malware", "intrusion_detection")),
    "elastic-endpoint": ("Elastic Defend", ("anti_malware", "intrusion_detection")),
    "cbagentd": ("VMware Carbon Black", ("anti_malware", "intrusion_detection")),
    "savd": ("Sophos Anti-Virus", ("anti_malware",)),
    "savscand": ("Sophos Anti-Virus", ("anti_malware",)),
    "sophos_threat_detector": ("Sophos Protection for Linux", ("anti_malware",)),
    "kesl": ("Kaspersky Endpoint Security", ("anti_malware",)),
    "mfetpd": ("Trellix (McAfee) Endpoint Security", ("anti_malware",)),
    "wazuh-agentd": ("Wazuh agent", ("intrusion_detection",)),
    "wazuh-syscheckd": ("Wazuh agent", ("intrusion_detection",)),
    "ossec-agentd": ("OSSEC agent", ("intrusion_detection",)),
    "ossec-syscheckd": ("OSSEC agent", ("intrusion_detection",)),
    "falco": ("Falco", ("intrusion_detection",)),
    "auditbeat": ("Elastic Auditbeat", ("intrusion_detection",)),
    "tetragon": ("Tetragon", ("intrusion_detection",)),
}
_AGENT_BY_COMM = {name[:15]: (name, product, roles) for name, (product, roles) in SECURITY_AGENTS.items()}


def parse_processes(text: str) -> list[str]:
    """Distinct process names; kernel threads (`kworker/0:1`) are left out."""
    return sorted({line for line in content_lines(text) if "/" not in line})


def security_agents(process_names: Iterable[str]) -> list[JSON]:
    found: dict[str, JSON] = {}
    for comm in process_names:
        known = _AGENT_BY_COMM.get(comm[:15])
        if known is not None:
            name, product, roles = known
            found.setdefault(name, {"process": name, "product": product, "roles": list(roles)})
    return sorted(found.values(), key=lambda agent: str(agent["process"]))


_AIDE_DATABASE = re.compile(r"^/\S*/aide\.db(?:\.gz)?$")


def parse_aide(text: str) -> JSON:
    """The `aide` command: binary, database, cron files/entries and systemd timers naming AIDE.

    database: `present` (aide.db or aide.db.gz; an aide.db.new* alone means `aide --init` ran
    but its output was never put in place), `missing`, `unreadable` (/var/lib/aide is 0700 on
    RHEL: readable with --sudo), or None when AIDE is not installed. A timer whose NEXT column
    is `n/a` or `-` is inactive and does not count as a schedule.
    """
    sections = dict(headed_sections(text))
    binary = next((line for line in content_lines(sections.get("binary", "")) if line.startswith("/")), None)
    if binary is None:
        return {"installed": False, "binary": None, "database": None, "cron": [], "timers": [],
                "scheduled": False}
    database_text = sections.get("database", "")
    database_lines = [line.strip() for line in database_text.splitlines() if line.strip()]
    if any(_AIDE_DATABASE.match(line) for line in database_lines):
        database = "present"
    elif _DENIAL.search(database_text):
        database = "unreadable"
    else:
        database = "missing"
    cron = sorted({line for line in content_lines(sections.get("cron", "")) if line.startswith("/")})
    timers = []
    for line in content_lines(sections.get("timers", "")):
        unit = next((word for word in line.split() if word.endswith(".timer")), None)
        if unit is not None:
            timers.append({"unit": unit, "active": line.split()[0] not in ("n/a", "-")})
    return {"installed": True, "binary": binary, "database": database, "cron": cron, "timers": timers,
            "scheduled": bool(cron) or any(t["active"] for t in timers)}


def aide_monitoring(aide: Mapping[str, Any], *, session_is_root: bool) -> JSON:
    """Whether AIDE counts as intrusion detection (file-integrity monitoring).

    It counts when the binary is installed, a cron job or an active systemd timer runs it, and
    its database is not known to be missing (`aide --check` without one only fails). Whether
    its reports reach someone (cron mail, MAILTO, a log forwarder) is not verified here.
    """
    if not aide["installed"]:
        return {"counts": False, "evidence": "AIDE is not installed"}
    where = ", ".join([*aide["cron"], *(t["unit"] for t in aide["timers"] if t["active"])])
    if not aide["scheduled"]:
        spool = "" if session_is_root else " (root's crontab is read only with --sudo)"
        return {"counts": False, "evidence": f"AIDE installed at {aide['binary']} but no cron job or "
                                             f"active systemd timer runs it{spool}"}
    if aide["database"] == "missing":
        return {"counts": False, "evidence": f"AIDE scheduled ({where}) but it has no database: "
                                             "run `aide --init` and move the new database in place"}
    database = "database present" if aide["database"] == "present" else "database not readable without --sudo"
    return {"counts": True, "evidence": f"AIDE scheduled ({where}), {database}; alert routing not verified"}


_APT_UPGRADABLE = re.compile(r"^(?P<package>[^/\s]+)/(?P<suites>\S+) (?P<candidate>\S+) (?P<arch>\S+) "
                             r"\[upgradable from: (?P<current>[^\]]+)\]$")
_APT_SECURITY_SUITE = re.compile(r"-security$")
_RPM_ADVISORY = re.compile(r"^(?P<advisory>\S+)\s+(?P<severity>\S*Sec\.?|\S*[Ss]ecurity\S*)\s+"
                           r"(?P<package>\S+)$")


def parse_security_updates(text: str) -> JSON:
    """Pending security updates from the package manager's local cache.

    apt: `apt list --upgradable` lines `pkg/suite[,suite] version arch [upgradable from: old]`,
    counted when a suite of the candidate version is a security suite (`bookworm-security`,
    `oldstable-security`, `jammy-security`; Ubuntu lists `jammy-updates,jammy-security`).
    dnf/yum: `updateinfo list --security` lines (advisory, severity/Sec., package).
    `pending` is None when the cache could not answer.
    """
    lines = content_lines(text)
    problem = next((line for line in lines
                    if line.startswith(("E:", "Error:", "no supported package manager"))), None)
    is_apt = any(line.startswith(("Listing...", "WARNING: apt does not have a stable CLI"))
                 or _APT_UPGRADABLE.match(line) for line in lines)
    manager = "apt" if is_apt else ("none" if problem == "no supported package manager" else "dnf/yum")
    if problem is not None:
        return {"package_manager": manager, "pending": None, "packages": [], "advisories": [],
                "problem": problem}
    if is_apt:
        packages = sorted({m["package"] for m in map(_APT_UPGRADABLE.match, lines)
                           if m and any(_APT_SECURITY_SUITE.search(s) for s in m["suites"].split(","))})
        return {"package_manager": manager, "pending": len(packages), "packages": packages,
                "advisories": [], "problem": None}
    matches = [m for m in map(_RPM_ADVISORY.match, lines) if m]
    packages = sorted({m["package"] for m in matches})
    return {"package_manager": manager, "pending": len(packages), "packages": packages,
            "advisories": sorted({m["advisory"] for m in matches}), "problem": None}
