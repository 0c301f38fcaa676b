"""Read-only, in name and in fact.

Clouds: every API action the fakes and moto received during the campaign's scans (the fakes' own
request logs; for AWS, the fault proxy every AWS call went through) is classified. Reads are
Describe*, List*, Get*, Query* (and GET requests of the REST storage APIs). Two documented
exceptions are allowed and listed: iam:GenerateCredentialReport (README: it only asks IAM to
refresh the credential report) and sts:AssumeRole (connecting with --role-arn / accounts:; it
issues temporary keys and changes no configuration). Anything else counts.

Hosts: the host's full scan with --sudo ran under strace attached to its sshd. Every process the
session started (the login shell, sudo, and all they ran; sshd's own processes excluded) is
followed: a program known to change the system (with the arguments that make it change it), and
every attempt, successful or not, to open a file for writing, create, remove, rename, link or
chmod/chown one. Allowed and listed: /dev/null and terminals, and sudo's own timestamp records
(/run/sudo/ts), which sudo writes for any command it runs.
"""

from __future__ import annotations

import functools
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.campaign.common import Figures
from bench.campaign.leaks import FullScans
from bench.campaign.scans import Call, Stage

READ = re.compile(r"^(Describe|List|Get|BatchGet|Query)[A-Z0-9]")
DOCUMENTED = {"GenerateCredentialReport": "iam:GenerateCredentialReport, documented (README, Read-only)",
              "AssumeRole": "sts:AssumeRole, connecting to an account by role (temporary keys, no change)"}


def classify(call: Call) -> str:
    """'read', 'documented: ...' or 'mutating'."""
    action = call.action.rsplit(":", 1)[-1]
    if call.provider == "aws" and " " in action:             # REST: "POST /findings/list"
        method, path = action.split(" ", 1)
        named = rest_operation(call.service, method, path)
        if named is None:
            return "read" if method in ("GET", "HEAD") else "mutating"
        action = named
    if action in DOCUMENTED:
        return f"documented: {DOCUMENTED[action]}"
    return "read" if READ.match(action) else "mutating"


@functools.cache
def _rest_models() -> dict[str, Any]:
    """signing name -> botocore service model, for the services mlpscan's AWS manifest calls."""
    import botocore.session  # noqa: PLC0415
    from bench.campaign.common import REPO  # noqa: PLC0415

    manifest = (REPO / "providers" / "aws" / "resources.yaml").read_text(encoding="utf-8")
    services = set(re.findall(r'"([a-z0-9-]+):[A-Z]', manifest)) | {"s3", "sts", "iam"}
    session = botocore.session.get_session()
    models = {}
    for name in sorted(services):
        try:
            model = session.get_service_model(name)
        except Exception:
            continue
        models[model.metadata.get("signingName") or model.metadata["endpointPrefix"]] = model
    return models


def rest_operation(service: str, method: str, path: str) -> str | None:
    """The botocore operation a REST request is, from its signing service, method and path."""
    model = _rest_models().get(service)
    if model is None or service == "s3":    # S3 tells operations apart by query string: by method
        return None
    for name in model.operation_names:
        http = model.operation_model(name).http
        template = http["requestUri"].split("?", 1)[0]
        pieces = re.split(r"(\{[^}]+\})", template)
        pattern = "^" + "".join((".+" if piece.endswith("+}") else "[^/]+") if piece.startswith("{")
                                else re.escape(piece) for piece in pieces) + "/?$"
        if http["method"] == method and re.match(pattern, path.split("?", 1)[0]):
            return str(name)
    return None


# -- hosts ------------------------------------------------------------------------------------

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^([a-z0-9_]+)\((.*)\)\s+=\s+(-?\d+|\?)(?:\s+(\w+).*)?$")
ALLOWED_PATHS = re.compile(r"^(/dev/null|/dev/tty.*|/dev/pts/.*|/dev/ptmx|(/var)?/run/sudo/ts/.*)$")
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
CHANGING_CALLS = {"unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir",
                  "chmod", "fchmodat", "chown", "fchownat", "lchown", "truncate", "link", "linkat", "symlink",
                  "symlinkat", "creat"}
SSHD = re.compile(r"/sshd(-session|-auth)?$")
# programs that change the system, and the arguments that make them (None: any use)
CHANGING_PROGRAMS: dict[str, re.Pattern[str] | None] = {
    **dict.fromkeys(["rm", "mv", "cp", "dd", "tee", "truncate", "chmod", "chown", "chgrp", "ln", "mkdir",
                     "rmdir", "touch", "install", "useradd", "usermod", "userdel", "groupadd", "groupmod",
                     "groupdel",
                     "passwd", "chpasswd", "chage", "mount", "umount", "reboot", "shutdown", "halt",
                     "poweroff",
                     "kill", "pkill", "killall", "logrotate", "setenforce", "aa-enforce", "aa-complain",
                     "aa-disable", "service", "update-rc.d", "chkconfig", "hostnamectl"]),
    "apt": re.compile(r"\b(install|remove|purge|upgrade|full-upgrade|update|autoremove|edit-sources)\b"),
    "apt-get": re.compile(r"\b(install|remove|purge|upgrade|dist-upgrade|update|autoremove|clean|"
                          r"autoclean)\b"),
    "dpkg": re.compile(r"(^|\s)(-i|-r|-P|--install|--remove|--purge|--configure|-a)\b"),
    "dnf": re.compile(r"\b(install|remove|erase|upgrade|update|makecache|clean|autoremove|distro-sync)\b"),
    "yum": re.compile(r"\b(install|remove|erase|upgrade|update|makecache|clean|autoremove)\b"),
    "rpm": re.compile(r"(^|\s)(-i|-U|-F|-e|--install|--upgrade|--erase|--import|--rebuilddb)\b"),
    "systemctl": re.compile(r"\b(start|stop|restart|reload|enable|disable|mask|unmask|daemon-reload|kill|"
                            r"set-property|edit|isolate|reset-failed)\b"),
    "iptables": re.compile(r"(^|\s)-(A|I|D|R|F|N|X|P|Z|E)\b"),
    "nft": re.compile(r"\b(add|delete|flush|insert|replace|create|destroy|reset|-f)\b"),
    "auditctl": re.compile(r"(^|\s)-(D|a|A|d|w|W|e|f|r|b|R)\b"),
    "sysctl": re.compile(r"(^|\s)(-w|-p|--write|--load)\b|="),
    "crontab": re.compile(r"(^|\s)-(e|r|i)\b"),
    "sed": re.compile(r"(^|\s)(-i|--in-place)"),
    "journalctl": re.compile(r"--(vacuum|rotate|flush|relinquish|sync|setup-keys)"),
    "timedatectl": re.compile(r"\bset-|\bset-ntp"),
    "apparmor_parser": re.compile(r"(^|\s)-(r|a|R)\b|--(replace|add|remove)"),
}


@dataclass
class Trace:
    programs: Counter[str] = field(default_factory=Counter)
    changing: list[str] = field(default_factory=list)
    allowed: Counter[str] = field(default_factory=Counter)
    session_processes: int = 0


def read_trace(log: Path, root_pid: int) -> Trace:
    program: dict[int, str] = {root_pid: "/usr/sbin/sshd"}
    session: set[int] = set()
    pending: dict[int, str] = {}     # pid -> the start of an unfinished call
    trace = Trace()
    for raw in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = LINE.match(raw)
        if not match:
            continue
        pid, text = int(match.group(1)), match.group(2)
        if text.endswith("<unfinished ...>"):
            pending[pid] = text[: -len("<unfinished ...>")].rstrip()
            continue
        resumed = re.match(r"^<\.\.\. (\w+) resumed>(.*)$", text)
        if resumed:
            text = pending.pop(pid, resumed.group(1) + "(") + resumed.group(2)
        if text.startswith(("+++", "---")):
            continue
        call = CALL.match(text)
        if not call:
            continue
        name, args, result, error = call.group(1), call.group(2), call.group(3), call.group(4)
        if name in ("clone", "clone3", "fork", "vfork") and result not in ("?",) and int(result) > 0:
            child = int(result)
            program[child] = program.get(pid, "?")
            if pid in session:
                session.add(child)
            continue
        if name in ("execve", "execveat") and result == "0":
            path = _first_string(args) or "?"
            program[pid] = path
            if pid in session or not SSHD.search(path):
                session.add(pid)
                trace.session_processes += 1
                argv = " ".join(re.findall(r'"((?:[^"\\]|\\.)*)"', args.split("[", 1)[-1].split("]", 1)[0]))
                trace.programs[Path(path).name] += 1
                _judge_program(trace, Path(path).name, argv)
            continue
        if pid not in session:
            continue
        _judge_file_call(trace, program.get(pid, "?"), name, args, result=result, error=error)
    return trace


def _first_string(args: str) -> str | None:
    found = re.search(r'"((?:[^"\\]|\\.)*)"', args)
    return found.group(1) if found else None


def _judge_program(trace: Trace, name: str, argv: str) -> None:
    if name not in CHANGING_PROGRAMS:
        return
    rule = CHANGING_PROGRAMS[name]
    arguments = argv.split(" ", 1)[1] if " " in argv else ""
    if rule is None or rule.search(arguments):
        trace.changing.append(f"runs {argv[:160]}")


def _judge_file_call(trace: Trace, program: str, name: str, args: str, *, result: str,
                     error: str | None) -> None:
    if name in ("open", "openat", "creat"):
        if name != "creat" and not any(flag in args for flag in WRITE_FLAGS):
            return
        if "O_TMPFILE" in args:      # an unnamed file, gone when closed: nothing on disk changes
            trace.allowed[f"{Path(program).name}: {name} O_TMPFILE in {_first_string(args)}"] += 1
            return
        path = _first_string(args) or "?"
    elif name in CHANGING_CALLS:
        path = _first_string(args) or "?"
    else:
        return
    outcome = "done" if result not in ("-1", "?") else f"refused {error or ''}".strip()
    what = f"{Path(program).name}: {name} {path} ({outcome})"
    if ALLOWED_PATHS.match(path):
        trace.allowed[f"{Path(program).name}: {name} {re.sub(r'/[^/]+$', '/*', path)}"] += 1
    else:
        trace.changing.append(what)


# ---------------------------------------------------------------------------------------------

def judge_readonly(stages: list[Stage], full: FullScans) -> Figures:
    figures = Figures("read-only", applies=("mutating_calls",))
    started = time.monotonic()
    calls = [c for stage in stages for c in stage.calls]
    kinds: Counter[str] = Counter()
    mutating: Counter[str] = Counter()
    documented: Counter[str] = Counter()
    for call in calls:
        kind = classify(call)
        kinds[call.provider] += 1
        if kind == "mutating":
            mutating[f"{call.provider} {call.action}"] += 1
        elif kind.startswith("documented"):
            documented[f"{call.provider} {call.action}"] += 1
    for action, times in sorted(mutating.items()):
        figures.count("mutating_calls", f"{action} ({times} times)", times)
    details: dict[str, object] = {"cloud_calls": dict(kinds), "distinct_actions": len({(c.provider, c.action)
                                                                                         for c in calls}),
                                  "documented_exceptions": dict(documented)}
    if full.host_trace is not None and full.host_trace_pid is not None and full.host_trace.exists():
        trace = read_trace(full.host_trace, full.host_trace_pid)
        for change in sorted(set(trace.changing)):
            figures.count("mutating_calls", f"host: {change}")
        details.update(host_programs=dict(trace.programs.most_common()), host_allowed=dict(trace.allowed),
                       host_session_processes=trace.session_processes)
        if not trace.programs:
            figures.notes.append("harness: the host trace saw no program run (strace did not attach?)")
    figures.cases = len(calls) + int(details.get("host_session_processes", 0))  # type: ignore[call-overload]
    figures.seconds = time.monotonic() - started
    figures.details = details
    return figures
