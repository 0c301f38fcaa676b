"""Which event classes the loaded audit rules record, and what auditd does as its disk fills."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlpscan.providers.host.parse.text import JSON

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


# The system-call tables a syscall rule must name on each machine: a 64-bit kernel also runs
# 32-bit programs through its compat table (x86_64 IA32 emulation, aarch64 AArch32, ppc64 and
# s390x), whose calls a rule for arch=b64 never sees. riscv64 has no compat table.
_COMPAT_MACHINES = ("x86_64", "amd64", "aarch64", "arm64", "ppc64", "ppc64le", "s390x", "mips64")
_NATIVE_64 = ("riscv64", "loongarch64")
_ARCH_TABLE = {"b64": "b64", "b32": "b32", "x86_64": "b64", "aarch64": "b64", "ppc64": "b64",
               "ppc64le": "b64", "s390x": "b64", "i386": "b32", "i686": "b32", "arm": "b32",
               "armeb": "b32", "ppc": "b32", "s390": "b32"}


def syscall_tables(machine: str | None) -> tuple[str, ...]:
    """The arch= tables a syscall rule must cover on ``machine`` (`uname -m`); both when unknown."""
    if machine in _NATIVE_64:
        return ("b64",)
    if machine is not None and machine not in _COMPAT_MACHINES and not machine.endswith("64"):
        return ("b32",)
    return ("b64", "b32")


def _table(rule: Mapping[str, Any], native: str) -> str:
    """The table a syscall rule applies to: its arch= field, else the machine's own."""
    arch = next((f["value"] for f in rule["fields"] if f["name"] == "arch" and f["op"] == "="), None)
    return _ARCH_TABLE.get(str(arch), str(arch)) if arch is not None else native


def audit_coverage(rules: Sequence[Mapping[str, Any]], tables: Sequence[str] = ("b64", "b32")) -> JSON:
    """Which event classes the loaded rules record.

    identity: writes to /etc/passwd, shadow, group and gshadow are all watched.
    logins: lastlog, faillog, tallylog, the faillock directory, wtmp or btmp is watched.
    privilege: sudoers is watched for writes, or execve by euid 0 is recorded, or sudo/su
    execution is watched, or a `-F perm=x` rule carries a `privileged` key.
    A class recorded through system calls counts only when rules cover every table in
    ``tables`` (syscall_tables): a 64-bit-only rule set misses what 32-bit programs do.
    """
    identity_missing = [f for f in IDENTITY_FILES if not _watches(rules, f, writes=True)]
    root_execs = [r for r in rules if "execve" in r["syscalls"] and _field(r, "euid", "0")]
    logins = [f for f in LOGIN_RECORDS if _watches(rules, f, writes=False)]
    privilege = ([f"{f} watched" for f in PRIVILEGE_FILES if _watches(rules, f, writes=True)]
                 + [f"{p} watched" for p in PRIVILEGED_PROGRAMS if _watches(rules, p, writes=False)]
                 + (["execve by euid 0 recorded"] if _covers_tables(root_execs, tables) else [])
                 + [f"privileged-command rule ({r['key']})" for r in rules
                    if "x" in str(r.get("perms") or "") and "priv" in str(r.get("key") or "")])
    events = {kind: _event_evidence(rules, kind, tables) for kind in AUDIT_EVENT_CLASSES}
    gaps = {kind: _missing_tables(rules, kind, tables) for kind in AUDIT_EVENT_CLASSES}
    return {"identity": not identity_missing, "identity_missing": identity_missing,
            "logins": bool(logins), "logins_watched": logins,
            "privilege": bool(privilege), "privilege_evidence": sorted(set(privilege)),
            **{kind: bool(evidence) for kind, evidence in events.items()},
            "event_evidence": events,
            "events_missing": [kind for kind, evidence in events.items() if not evidence],
            "tables_required": list(tables),
            "tables_missing": {kind: missing for kind, missing in gaps.items()
                               if missing and not events[kind]}}


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


def _covers_tables(rules: Sequence[Mapping[str, Any]], tables: Sequence[str]) -> bool:
    native = tables[0]
    return bool(rules) and set(tables) <= {_table(rule, native) for rule in rules}


def _class_rules(rules: Sequence[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    spec = AUDIT_EVENT_CLASSES[kind]
    found = []
    for rule in rules:
        if not spec["syscalls"] & set(rule["syscalls"]):
            continue
        exits = spec.get("exits")
        if exits and not any(f["name"] == "exit" and f["value"] in exits for f in rule["fields"]):
            continue
        found.append(rule)
    return found


def _missing_tables(rules: Sequence[Mapping[str, Any]], kind: str, tables: Sequence[str]) -> list[str]:
    covered = {_table(rule, tables[0]) for rule in _class_rules(rules, kind)}
    return [table for table in tables if table not in covered]


def _event_evidence(rules: Sequence[Mapping[str, Any]], kind: str, tables: Sequence[str]) -> list[str]:
    spec = AUDIT_EVENT_CLASSES[kind]
    found = [f"{path} watched" for path in spec["watches"] if _watches(rules, path, writes=False)]
    syscall_rules = _class_rules(rules, kind)
    if _covers_tables(syscall_rules, tables):
        found.extend(str(rule["text"]) for rule in syscall_rules)
    return found


# auditd.conf(5) and auditd-config.c (audit 2.8 to 4.x): what each disk action accepts, and what
# auditd does when the keyword is not set (clear_config)
_FAILURE_ACTIONS = ("ignore", "syslog", "rotate", "email", "exec", "suspend", "single", "halt")
DISK_ACTIONS: dict[str, JSON] = {
    "space_left_action": {"valid": _FAILURE_ACTIONS, "default": "ignore"},
    "admin_space_left_action": {"valid": _FAILURE_ACTIONS, "default": "ignore"},
    "disk_full_action": {"valid": tuple(a for a in _FAILURE_ACTIONS if a != "email"), "default": "ignore"},
    "disk_error_action": {"valid": tuple(a for a in _FAILURE_ACTIONS if a not in ("email", "rotate")),
                          "default": "syslog"},
}


def disk_actions(conf: Mapping[str, Any]) -> JSON:
    """What auditd does as its disk fills or fails, from parse_auditd_conf's result.

    Unset keywords take auditd's defaults. A value auditd.conf(5) does not allow for its keyword
    (email for disk_full_action, rotate for disk_error_action, exec without a script path, a
    misspelling) makes auditd refuse the whole file, as does any line it cannot split: those are
    `config_errors`, and then no action takes effect at all.
    """
    settings, options = conf["settings"], conf["options"]
    actions: dict[str, str] = {}
    errors = [f"line {p['line']}: {p['problem']}" for p in conf["problems"] if not p["ignored"]]
    for keyword, spec in DISK_ACTIONS.items():
        value = str(settings.get(keyword, spec["default"])).lower()
        actions[keyword] = value
        if value not in spec["valid"]:
            errors.append(f"{keyword} = {settings[keyword]} is not one of {', '.join(spec['valid'])}: "
                          "auditd refuses the file")
        elif value == "exec" and not str(options.get(keyword, "")).startswith("/"):
            errors.append(f"{keyword} = exec needs the absolute path of a script: auditd refuses the file")
    return {"actions": actions, "defaulted": sorted(k for k in DISK_ACTIONS if k not in settings),
            "config_errors": errors}
