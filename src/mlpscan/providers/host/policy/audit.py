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
