"""What the PAM stacks enforce: lockout, second factors, nullok, password history and quality."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlpscan.providers.host.parse.pam import expand_stack, pam_args, pwquality_documented_defaults, rule_text
from mlpscan.providers.host.parse.text import JSON, parse_key_equals_value, to_int, typed

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


_FAILLOCK_MODES = ("preauth", "authfail", "authsucc")


def _faillock_mode(rule: Mapping[str, Any]) -> str:
    """preauth, authfail or authsucc; a line naming none is a preauth (pam_faillock.c args_parse)."""
    modes = [arg for arg in rule.get("args", []) if arg in _FAILLOCK_MODES]
    return str(modes[-1]) if modes else "preauth"


def _faillock_options(rule: Mapping[str, Any], faillock_conf: Mapping[str, Any]) -> JSON:
    """One invocation's options: faillock.conf, then the arguments on its own line (each line
    reads the file afresh: one line's arguments do not reach another)."""
    options: JSON = {**FAILLOCK_DEFAULTS, **faillock_conf}
    options.update({k: v for k, v in pam_args(rule).items() if k not in _FAILLOCK_MODES})
    return options


def _failure_is_fatal(rule: Mapping[str, Any], following: Sequence[JSON]) -> bool:
    """Whether the module's PAM_AUTH_ERR ends the login: required, requisite, a bracketed control
    whose auth_err (else default) action is bad or die, or `sufficient` right before a
    required pam_deny (pam_faillock(8)'s first example: a sufficient failure is ignored, and the
    stack then falls on pam_deny)."""
    control = str(rule["control"]).lower()
    if control in ("required", "requisite"):
        return True
    if control.startswith("["):
        actions = dict(item.partition("=")[::2] for item in control.strip("[]").split())
        return actions.get("auth_err", actions.get("default")) in ("bad", "die")
    if control == "sufficient" and following:
        after = following[0]
        return after["module"] == "pam_deny" and str(after["control"]).lower() in ("required", "requisite")
    return False


def _deny(options: Mapping[str, Any]) -> int:
    return to_int(options.get("deny")) or 0


def _faillock_lockout(faillock: Sequence[JSON], auth_rules: Sequence[JSON],
                      faillock_conf: Mapping[str, Any]) -> JSON:
    """What pam_faillock enforces in one auth stack (pam_faillock(8), pam_faillock.c).

    authfail lines record a failure, unless their own deny already counts the user as locked.
    preauth and authsucc lines refuse a locked user, which ends the login only when their
    failure is fatal (_failure_is_fatal). The account locks at the smallest deny of such an
    enforcing line that the recorded failures can reach: an authfail whose deny is lower stops
    counting first, and the account never locks. Without an authfail line, or without an
    enforcing line, nothing locks.
    """
    writers = [_faillock_options(r, faillock_conf) for r in faillock if _faillock_mode(r) == "authfail"]
    enforcing: list[JSON] = []
    for rule in faillock:
        if _faillock_mode(rule) == "authfail":
            continue
        position = next(i for i, r in enumerate(auth_rules) if r is rule)
        if _failure_is_fatal(rule, auth_rules[position + 1:]):
            enforcing.append(_faillock_options(rule, faillock_conf))
    problem = None
    if not writers:
        problem = "no pam_faillock authfail line records failed logins"
    elif not enforcing:
        problem = ("no pam_faillock preauth (or authsucc) line whose failure ends the login refuses a "
                   "locked account")
    reachable = [options for options in enforcing if _deny(options) > 0
                 and any(_deny(w) == 0 or _deny(w) >= _deny(options) for w in writers)]
    if problem is None and not reachable:
        problem = ("deny is 0, or authfail stops counting failures (its own deny) before the enforcing "
                   "line's deny is reached")
    if problem is not None:
        return {"module": "pam_faillock", "enabled": False, "deny": None, "unlock_time_seconds": None,
                "permanent": False, "even_deny_root": False, "problem": problem}
    decisive = min(reachable, key=_deny)
    return {**_lockout_result("pam_faillock", decisive, unlock_default=600), "problem": None}


def _lockout_of_stack(auth_rules: Sequence[JSON], faillock_conf: Mapping[str, Any]) -> JSON:
    faillock = [r for r in auth_rules if r["module"] == "pam_faillock"]
    if faillock:
        return _faillock_lockout(faillock, auth_rules, faillock_conf)
    tally = [r for r in auth_rules if r["module"] in ("pam_tally2", "pam_tally")]
    if tally:
        tally_settings: JSON = {}
        for rule in tally:
            tally_settings.update(pam_args(rule))
        # pam_tally2 without unlock_time keeps the account locked until an admin resets it
        return {**_lockout_result(str(tally[0]["module"]), tally_settings, unlock_default=None),
                "problem": None}
    return {"module": None, "enabled": False, "deny": None, "unlock_time_seconds": None,
            "permanent": False, "problem": "neither pam_faillock nor pam_tally2 is in the auth stack"}


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


# a module whose failure PAM ignores enforces nothing: `optional`, or `sufficient` (its failure
# is ignored too)
_NOT_ENFORCING = ("optional", "sufficient")


def _enforces(rule: Mapping[str, Any]) -> bool:
    return str(rule["control"]).lower() not in _NOT_ENFORCING


def _password_change_stack(stacks: Mapping[str, Sequence[JSON]]) -> tuple[str | None, list[JSON]]:
    for name in PASSWORD_CHANGE_STACKS:
        if name in stacks:
            return name, expand_stack(stacks, name, "password")
    return None, []


PWHISTORY_DEFAULT_REMEMBER = 10


def password_history(stacks: Mapping[str, Sequence[JSON]],
                     pwhistory_conf: Mapping[str, Any] | None = None, conf_read: bool | None = True) -> JSON:
    """Passwords remembered by pam_pwhistory or pam_unix `remember=` on password change.

    pam_pwhistory: `remember=` on its PAM line, else `remember` in /etc/security/pwhistory.conf
    when the installed module reads that file (``conf_read``: Linux-PAM 1.5.3+ and RHEL 9 do,
    Debian 12 and Ubuntu 22.04 do not), else its default of 10. When that is not known
    (``conf_read`` None) the smaller of the file's count and the default is taken; a `conf=`
    argument names a file this scan does not read, so that count is unknown, and the result is
    None when nothing else remembers a password.
    Both modules check independently, so the larger count applies.
    """
    stack_name, rules = _password_change_stack(stacks)
    evidence: list[str] = []
    remembered: list[int | None] = [0]
    conf_count = to_int((pwhistory_conf or {}).get("remember"))
    for rule in rules:
        args = pam_args(rule)
        if rule["module"] == "pam_pwhistory":
            if not _enforces(rule):
                evidence.append(f"{rule_text(rule)}: {rule['control']}, so a reused password is not refused")
                continue
            count = to_int(args.get("remember"))
            if count is None and "conf" in args:
                evidence.append(f"{rule_text(rule)}: remember comes from a conf= file that is not read")
                remembered.append(None)
                continue
            if count is None and conf_count is not None and conf_read is not False:
                count = conf_count if conf_read else min(conf_count, PWHISTORY_DEFAULT_REMEMBER)
                evidence.append(f"remember = {conf_count} (/etc/security/pwhistory.conf)"
                                + ("" if conf_read else ", or the default 10 if the module does not read it"))
            elif count is None and conf_count is not None:
                evidence.append(f"remember = {conf_count} in /etc/security/pwhistory.conf is not read by "
                                "this pam_pwhistory (Linux-PAM before 1.5.3)")
            remembered.append(PWHISTORY_DEFAULT_REMEMBER if count is None else count)
            evidence.append(rule_text(rule))
        elif rule["module"] == "pam_unix" and "remember" in args:
            remembered.append(to_int(args["remember"]) or 0)
            evidence.append(rule_text(rule))
    # the larger count applies, so the known ones are a floor; with nothing known, nothing is said
    known = max(count for count in remembered if count is not None)
    remember = None if known == 0 and None in remembered else known
    return {"remember": remember, "stack": stack_name, "rules": evidence}


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

    pam_pwquality: module defaults < pwquality.conf.d < pwquality.conf < arguments on the PAM line
    (``pwquality_text`` holds the files in that order). A checker with control `optional` or
    `sufficient`, or with `enforcing=0`, only warns: then pam_unix's rules are what is enforced.
    pam_cracklib: its own defaults < PAM arguments (it does not read pwquality.conf).
    Neither: pam_unix `minlen` (default 6) and no character-class rule.

    Effective minimum length: minlen minus the positive credits (each positive credit lets a
    password be one character shorter per class used). Required classes: the larger of
    `minclass` and the number of negative credits (a negative credit requires that class).
    """
    stack_name, rules = _password_change_stack(stacks)
    checker = next((r for r in rules if r["module"] in _QUALITY_DEFAULTS), None)
    settings: JSON = {}
    if checker is not None:
        module = str(checker["module"])
        settings = dict(_QUALITY_DEFAULTS[module])
        if module == "pam_pwquality":
            settings.update({k: v for k, v in pwquality_documented_defaults(pwquality_text).items()
                             if k in settings})
            settings.update(parse_key_equals_value(pwquality_text))
        settings.update({k: typed(v) if isinstance(v, str) else v for k, v in pam_args(checker).items()})
    # a checker PAM may ignore (optional, sufficient) or told only to warn (enforcing=0) rejects
    # nothing: pam_unix's own length rule is all that is left
    not_enforced = checker is not None and (not _enforces(checker) or to_int(settings.get("enforcing")) == 0)
    if checker is None or not_enforced:
        unix = next((r for r in rules if r["module"] == "pam_unix"), None)
        minlen = to_int(pam_args(unix).get("minlen")) if unix else None
        return {"module": None, "stack": stack_name, "settings": settings,
                "min_length": minlen or PAM_UNIX_DEFAULT_MINLEN, "min_char_classes": 0,
                "required_classes": [], "rule": rule_text(unix) if unix else None,
                "not_enforced": rule_text(checker) if checker is not None and not_enforced else None}
    module = str(checker["module"])
    minlen = max(to_int(settings.get("minlen")) or 0, MIN_LENGTH_FLOOR)
    credits = {name: to_int(settings.get(name)) or 0 for name in _CREDITS}
    required = sorted(name for name, credit in credits.items() if credit < 0)
    bonus = sum(credit for credit in credits.values() if credit > 0)
    return {"module": module, "stack": stack_name, "settings": settings,
            "min_length": max(minlen - bonus, 1),
            "min_char_classes": max(to_int(settings.get("minclass")) or 0, len(required)),
            "required_classes": required, "rule": rule_text(checker), "not_enforced": None}
