"""What a login session ends up with: the idle timeout (TMOUT) and the umask.

Only the files a login shell reads count: /etc/profile, the `*.sh` files directly in
/etc/profile.d (and RHEL's sh.local, which /etc/profile also sources), /etc/bash.bashrc (Debian,
from /etc/profile for bash) and /etc/bashrc (RHEL, from ~/.bashrc). A `tmout.sh.disabled` or a
file in a subdirectory is never sourced. login.defs' UMASK reaches a session only through
pam_umask in that service's session stack (without it, UMASK is useradd's home-directory mode).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mlpscan.providers.host.parse.pam import expand_stack, pam_args
from mlpscan.providers.host.parse.shell import umask_value
from mlpscan.providers.host.parse.text import JSON

_SOURCED = re.compile(r"/etc/profile|/etc/bash\.bashrc|/etc/bashrc|/etc/profile\.d/[^/]+\.sh"
                      r"|/etc/profile\.d/sh\.local")

DEFAULT_UMASK = "022"   # what a session has when nothing sets one (init's, sshd's and login's)

LOGIN_DEFS = "/etc/login.defs"


def sourced_by_login_shell(path: str) -> bool:
    return bool(_SOURCED.fullmatch(path))


def effective_tmout(entries: Sequence[Mapping[str, Any]]) -> JSON:
    """The TMOUT a login shell can end up with, from the assignments of the files it sources.

    Their order is not fully known (where /etc/profile's own line stands against its profile.d
    loop), so the answer is the one that holds whatever the order: once an assignment is
    readonly no later one can change it, so the result is one of the readonly values if there
    are any, else any assignment may come last; the longest of those candidates decides, and a
    candidate of 0 (no timeout) decides outright.
    """
    sourced = [e for e in entries if e["sourced"]]
    candidates = [e for e in sourced if e["readonly"]] or sourced
    if not candidates:
        return {"tmout_seconds": 0, "tmout_readonly": False, "tmout_exported": False, "tmout_file": None}
    deciding = min(candidates, key=lambda e: e["value"]) if any(e["value"] == 0 for e in candidates) \
        else max(candidates, key=lambda e: e["value"])
    return {"tmout_seconds": deciding["value"], "tmout_file": deciding["file"],
            "tmout_readonly": deciding["readonly"], "tmout_exported": any(e["exported"] for e in sourced)}


# the services whose sessions count, as for the lockout: their own files, else the shared stacks
SESSION_SERVICES = ("sshd", "login")
SHARED_SESSION_STACKS = ("common-session", "system-auth", "password-auth")


def session_services(stacks: Mapping[str, Sequence[JSON]] | None) -> list[str]:
    if stacks is None:
        return list(SESSION_SERVICES)
    return [s for s in SESSION_SERVICES if s in stacks] or [s for s in SHARED_SESSION_STACKS if s in stacks] \
        or list(SESSION_SERVICES)


def _pam_umask(stacks: Mapping[str, Sequence[JSON]], service: str) -> JSON | None:
    for rule in expand_stack(stacks, service, "session"):
        if rule["module"] == "pam_umask":
            return rule
    return None


def login_umasks(settings: Sequence[Mapping[str, Any]], stacks: Mapping[str, Sequence[JSON]] | None,
                 services: Sequence[str]) -> JSON:
    """Every umask a login session of ``services`` can end up with, and why.

    Each session gets the umasks of the shell profiles, plus pam_umask's (its `umask=` argument,
    else login.defs UMASK) where pam_umask is in its session stack; a session that gets none
    keeps the default 022. ``stacks`` None: the PAM stacks could not be read, so no pam_umask is
    assumed (the stricter reading). An umask that cannot be worked out (a relative symbolic
    one) makes the answer unknown.
    """
    profile = [s for s in settings if s["file"] != LOGIN_DEFS and sourced_by_login_shell(s["file"])]
    defs = next((s for s in reversed(settings) if s["file"] == LOGIN_DEFS), None)
    masks: list[str | None] = []
    evidence = [f"umask {s['text']} in {s['file']}" for s in profile]
    defs_applied = False
    for service in services:
        rule = _pam_umask(stacks, service) if stacks is not None else None
        from_pam: list[str | None] = []
        if rule is not None:
            argument = pam_args(rule).get("umask")
            if isinstance(argument, str):
                from_pam = [umask_value(argument)]
                evidence.append(f"pam_umask umask={argument} in the {service} session stack")
            elif defs is not None:
                from_pam = [defs["umask"]]
                defs_applied = True
                evidence.append(f"UMASK {defs['text']} in {LOGIN_DEFS} through pam_umask ({service})")
        service_masks = [s["umask"] for s in profile] + from_pam
        if not service_masks:
            service_masks = [DEFAULT_UMASK]
            evidence.append(f"{service} sessions: nothing sets an umask, the default {DEFAULT_UMASK} applies")
        masks.extend(service_masks)
    if defs is not None and not defs_applied:
        evidence.append(f"UMASK {defs['text']} in {LOGIN_DEFS} not applied: no pam_umask in a login "
                        "session stack")
    ignored = [s for s in settings if s["file"] != LOGIN_DEFS and not sourced_by_login_shell(s["file"])]
    evidence += [f"umask {s['text']} in {s['file']} not applied: a login shell does not source it"
                 for s in ignored]
    known = [m for m in masks if m is not None]
    if len(known) < len(masks):
        return {"umask": None, "granted": None, "evidence": "; ".join(evidence)}
    granted = 0
    for mask in known:
        granted |= 0o777 & ~int(mask, 8)
    loosest = min(known, key=lambda mask: int(mask, 8).bit_count())
    return {"umask": loosest, "granted": granted, "evidence": "; ".join(evidence)}
