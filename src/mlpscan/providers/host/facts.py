"""Host facts: the command results of one host, assembled into snapshot resources.

One resource per fact area, typed `host.<kind>` with uid `<target>#<kind>` (the host itself is
`host.system` with uid = target id). Three kinds have one resource per item, because their
checks compare every item with a level parameter, which a condition cannot do inside a list:
`host.user` (one per account with a login shell), `host.listener` (one per listening socket)
and `host.service` (one per enabled service). Every resource's data names the commands it was
built from in `source`.

A command that did not answer becomes a collection error typed with the resource that needed
it; when an area's essential command failed, that resource is left out, so its checks report
the error instead of judging half the evidence. Password hashes never get here: shadow data
arrives as the awk digest of commands.yaml, and the parser accepts nothing else.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from mlpscan.providers.host.commands import CommandResult
from mlpscan.providers.host.parse.accounts import (
    epoch_day,
    lastlog_tool,
    parse_lastlog,
    parse_passwd,
    parse_shadow_meta,
)
from mlpscan.providers.host.parse.audit import parse_audit_rules, parse_audit_status, parse_auditd_conf
from mlpscan.providers.host.parse.files import mode_within, parse_stat, permissions
from mlpscan.providers.host.parse.firewall import (
    parse_iptables,
    parse_iptables_chains,
    parse_nft,
    parse_nft_chains,
)
from mlpscan.providers.host.parse.login_defs import NO_PASSWORD_EXPIRY, parse_login_defs
from mlpscan.providers.host.parse.logrotate import parse_logrotate, stanza_covers, stanza_for
from mlpscan.providers.host.parse.mac import parse_apparmor, parse_apparmor_profiles, parse_getenforce
from mlpscan.providers.host.parse.network import parse_listening
from mlpscan.providers.host.parse.packages import parse_security_updates
from mlpscan.providers.host.parse.pam import (
    parse_pam_stacks,
    parse_pwhistory_module,
    rule_text,
    unresolved_includes,
)
from mlpscan.providers.host.parse.processes import parse_aide, parse_processes, security_agents
from mlpscan.providers.host.parse.rsyslog import parse_rsyslog
from mlpscan.providers.host.parse.shell import parse_shell_timeout, parse_umask_settings
from mlpscan.providers.host.parse.sshd import (
    parse_sshd_config,
    parse_sshd_contexts,
    parse_sshd_effective,
    sshd_view,
)
from mlpscan.providers.host.parse.sudoers import parse_sudoers
from mlpscan.providers.host.parse.system import (
    os_family,
    parse_hostname,
    parse_os_release,
    parse_timedatectl,
    parse_uname,
    timedatectl_date,
)
from mlpscan.providers.host.parse.systemd import (
    parse_enabled_services,
    parse_init_system,
    parse_is_active,
    parse_journal_disk,
    parse_journald_conf,
    systemd_timespan_seconds,
)
from mlpscan.providers.host.parse.text import (
    content_lines,
    denial_line,
    denial_sentence,
    failure_sentence,
    first_line,
    missing_files,
    parse_key_equals_value,
    systemd_absent,
    to_int,
    yes,
)
from mlpscan.providers.host.policy import firewall as fp
from mlpscan.providers.host.policy import sshd as sp
from mlpscan.providers.host.policy.agents import aide_monitoring
from mlpscan.providers.host.policy.audit import audit_coverage, disk_actions, syscall_tables
from mlpscan.providers.host.policy.pam import (
    lockout_policy,
    nullok_rules,
    password_history,
    password_quality,
    second_factor_modules,
)
from mlpscan.providers.host.policy.retention import stanza_retention
from mlpscan.providers.host.policy.session import (
    effective_tmout,
    login_umasks,
    session_services,
    sourced_by_login_shell,
)
from mlpscan.snapshot import CollectionError, Resource

JSON = dict[str, Any]

# The commands marked `root: true` in providers/host/commands.yaml (a test keeps them equal).
ROOT_COMMANDS = frozenset({"sshd_effective", "sshd_contexts", "shadow_meta", "sudoers", "audit_status",
                           "audit_rules", "firewall_nft", "firewall_iptables", "apparmor_profiles"})
# Commands whose output may legitimately mention a refusal for one item among several.
_PER_LINE_DENIALS = frozenset({"log_file_modes", "shell_timeout", "aide"})

AUDIT_LOG = "/var/log/audit/audit.log"
JOURNAL_DIR = "/var/log/journal"
AUTH_AND_SYSTEM_LOGS = ("/var/log/secure", "/var/log/auth.log", "/var/log/messages", "/var/log/syslog")
SYSLOG_DAEMONS = {"rsyslog": "rsyslogd", "syslog-ng": "syslog-ng"}
# unit -> the daemon's process name (as `ps -o comm=` shows it), for hosts without systemd
TIME_DAEMONS = {"chronyd": "chronyd", "chrony": "chronyd", "ntpd": "ntpd", "ntp": "ntpd",
                "systemd-timesyncd": "systemd-timesyncd"}
DEFAULT_UID_MIN, DEFAULT_UID_MAX = 1000, 60000
CREDENTIAL_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-")


@dataclass(frozen=True)
class Failure:
    code: str
    message: str


@dataclass(frozen=True)
class SessionCut:
    """Why a session ended before every command ran: the commands without a result say so."""

    code: str                       # Timeout | OutputLimit | SessionLost
    reason: str
    truncated_command: str | None = None


class Unavailable(Exception):
    """Raised by a builder when a command answered, but not about what the area needs."""

    def __init__(self, command: str, failure: Failure) -> None:
        super().__init__(failure.message)
        self.command = command
        self.failure = failure


class Fact(NamedTuple):
    """One resource to be: `item` tells items of a per-item kind apart."""

    item: str | None
    name: str | None
    data: JSON


class Host:
    """The results of one session, with what each command's failure means."""

    def __init__(self, results: Mapping[str, CommandResult], *, sudo: bool, now: datetime | None,
                 cut: SessionCut | None = None, max_command_output: int | None = None) -> None:
        self.results = results
        self.sudo = sudo
        self._now = now
        self._cut = cut
        self._max_output = max_command_output
        self._failures: dict[str, Failure | None] = {}

    def failure(self, command: str) -> Failure | None:
        if command not in self._failures:
            self._failures[command] = self._classify(command)
        return self._failures[command]

    def usable(self, command: str) -> bool:
        return self.failure(command) is None

    def text(self, command: str) -> str:
        """The output of a command that answered; "" otherwise."""
        result = self.results.get(command)
        return result.output if result is not None and self.usable(command) else ""

    def exit_code(self, command: str) -> int | None:
        result = self.results.get(command)
        return result.exit_code if result is not None else None

    def installed(self, command: str) -> bool:
        """False when the command's program is not installed (exit 127, tolerated by ok_codes)."""
        return self.usable(command) and self.exit_code(command) != 127

    @cached_property
    def session_is_root(self) -> bool:
        """With --sudo, or when /etc/shadow was readable (the session ran as root anyway).

        Read from the raw result, not through failure(): classifying a refusal asks this.
        """
        shadow = self.results.get("shadow_meta")
        readable = shadow is not None and shadow.ok and denial_line(shadow.output) is None
        return self.sudo or readable

    @cached_property
    def os_release(self) -> dict[str, str]:
        return parse_os_release(self.text("os_release"))

    @cached_property
    def today(self) -> tuple[date, str]:
        """The date ages are counted from: the host's own clock (lastlog dates are in it),
        else the collector's."""
        host_date = timedatectl_date(parse_timedatectl(self.text("timedatectl")))
        if host_date is not None:
            return host_date, "host clock (timedatectl)"
        moment = self._now or datetime.now(timezone.utc)
        return moment.date(), "collector clock"

    def _classify(self, command: str) -> Failure | None:
        result = self.results.get(command)
        if result is None:
            if self._cut is not None:
                return Failure(self._cut.code, f"{command} did not complete: {self._cut.reason}")
            return Failure("CommandFailed", "no result: the session ended before this command finished")
        if result.truncated:
            limit = f"its {self._max_output}-byte limit" if self._max_output else "its byte limit"
            return Failure("OutputTruncated", f"the output of {command} went past {limit} "
                                              "(--max-command-output, --max-session-output): "
                                              "what was read is not judged")
        refused = None if command in _PER_LINE_DENIALS else denial_line(result.output)
        if refused is not None:
            return self.denied(refused)
        if command == "sudoers" and result.exit_code != 0 and not result.output.strip() \
                and not self.session_is_root:
            # `cat ... 2>/dev/null` hides the refusal: no output and a failure is all there is
            return self.denied("cannot read /etc/sudoers or /etc/sudoers.d")
        if result.ok:
            return None
        sentence = failure_sentence(result.output, result.exit_code)
        if result.exit_code == 127:
            return Failure("NotFound", sentence)
        return Failure("CommandFailed", sentence)

    def denied(self, line: str) -> Failure:
        """A refusal, in a sentence; without root it names the fix. As root (a container,
        SELinux) it cannot."""
        hint = "" if self.session_is_root else " (needs --sudo)"
        return Failure("PermissionDenied", denial_sentence(line)[:300] + hint)


# ---------------------------------------------------------------------------------------------
# Areas: what each resource needs, and how it is built
# ---------------------------------------------------------------------------------------------

Builder = Callable[[Host], list[Fact]]


@dataclass(frozen=True)
class Area:
    kind: str
    build: Builder
    needs: tuple[str, ...] = ()      # every one must answer, or the resource is left out
    needs_any: tuple[str, ...] = ()  # alternatives: one answering is enough
    uses: tuple[str, ...] = ()       # read when they answered

    @property
    def type(self) -> str:
        return f"host.{self.kind}"

    def blocking(self, host: Host) -> list[str]:
        """The failed commands that keep this resource from being built."""
        failed = [c for c in self.needs if host.failure(c) is not None]
        if self.needs_any and all(host.failure(c) is not None for c in self.needs_any):
            failed.extend(self.needs_any)
        return failed

    def sources(self, host: Host) -> list[str]:
        return [c for c in (*self.needs, *self.needs_any, *self.uses) if host.usable(c)]


def build_resources(target_id: str, results: Mapping[str, CommandResult], *, sudo: bool,
                    now: datetime | None = None, cut: SessionCut | None = None,
                    max_command_output: int | None = None) -> tuple[list[Resource], list[CollectionError]]:
    """Resources and collection errors for one host from its command results.

    ``now`` is the collector's clock, used for ages only when the host's own date is unknown;
    ``cut`` says why the session ended early, for the commands that have no result.
    """
    host = Host(results, sudo=sudo, now=now, cut=cut, max_command_output=max_command_output)
    resources: list[Resource] = []
    errors: list[CollectionError] = []
    handled: set[str] = set()
    for area in AREAS:
        blocking = area.blocking(host)
        handled.update(blocking)
        if blocking:
            errors.extend(_error(target_id, area.type, c, host.failure(c)) for c in blocking)
            continue
        handled.update(area.needs_any)  # a failed alternative is recorded in the data instead
        try:
            facts = area.build(host)
        except Unavailable as exc:
            errors.append(_error(target_id, area.type, exc.command, exc.failure))
            handled.add(exc.command)
            continue
        resources.extend(_resource(target_id, area, fact, area.sources(host)) for fact in facts)
    errors.extend(_unneeded_failures(target_id, host, handled))
    return resources, errors


def _unneeded_failures(target_id: str, host: Host, handled: set[str]) -> list[CollectionError]:
    """A failed command no area depended on is still never silent: it is reported under the
    first area that reads it."""
    errors = []
    for area in AREAS:
        for command in area.uses:
            failure = host.failure(command)
            if failure is not None and command not in handled:
                errors.append(_error(target_id, area.type, command, failure))
                handled.add(command)
    return errors


def _error(target_id: str, kind: str, command: str, failure: Failure | None) -> CollectionError:
    failure = failure or Failure("CommandFailed", "")
    return CollectionError(target=target_id, type=kind, region=None, operation=command,
                           code=failure.code, message=failure.message)


def _resource(target_id: str, area: Area, fact: Fact, sources: list[str]) -> Resource:
    if area.kind == "system":
        uid = target_id
    else:
        uid = f"{target_id}#{area.kind}" + (f"/{fact.item}" if fact.item is not None else "")
    return Resource(target=target_id, type=area.type, uid=uid, name=fact.name, region=None,
                    data={**fact.data, "source": sources})


# ---------------------------------------------------------------------------------------------
# System and accounts
# ---------------------------------------------------------------------------------------------


def _system(host: Host) -> list[Fact]:
    release = host.os_release
    kernel = parse_uname(host.text("uname"))
    hostname = parse_hostname(host.text("hostname"))
    data = {"hostname": hostname, "family": os_family(release),
            "os": {"id": release.get("ID"), "version_id": release.get("VERSION_ID"),
                   "name": release.get("PRETTY_NAME") or release.get("NAME")},
            "kernel": kernel, "os_release": release}
    return [Fact(None, hostname, data)]


def _uid_range(host: Host) -> tuple[int, int]:
    defs = parse_login_defs(host.text("login_defs"))
    return (to_int(defs.get("UID_MIN")) or DEFAULT_UID_MIN,
            to_int(defs.get("UID_MAX")) or DEFAULT_UID_MAX)


def _passwd_users(host: Host) -> list[JSON]:
    """/etc/passwd entries, each marked system_account (not root, outside UID_MIN..UID_MAX)."""
    uid_min, uid_max = _uid_range(host)
    users = parse_passwd(host.text("passwd"))
    for user in users:
        user["system_account"] = user["uid"] != 0 and not uid_min <= user["uid"] <= uid_max
    return users


def _accounts(host: Host) -> list[Fact]:
    users = _passwd_users(host)
    names_by_uid: dict[int, list[str]] = defaultdict(list)
    for user in users:
        names_by_uid[user["uid"]].append(user["name"])
    uid_min, uid_max = _uid_range(host)
    data = {
        "users": users, "user_count": len(users),
        "login_accounts": [u["name"] for u in users if u["login_shell"]],
        "duplicate_uids": [{"uid": uid, "names": names} for uid, names in sorted(names_by_uid.items())
                           if len(names) > 1],
        "duplicate_names": sorted(n for n, c in Counter(u["name"] for u in users).items() if c > 1),
        "uid0_accounts": [u["name"] for u in users if u["uid"] == 0],
        "system_accounts_with_login_shell": [u["name"] for u in users
                                             if u["system_account"] and u["login_shell"]],
        "uid_min": uid_min, "uid_max": uid_max,
    }
    return [Fact(None, "accounts", data)]


def _users(host: Host) -> list[Fact]:
    """One fact per account with a login shell: when it last logged in."""
    today, clock = host.today
    lastlog_available = host.installed("lastlog") and bool(content_lines(host.text("lastlog")))
    logins = parse_lastlog(host.text("lastlog")) if lastlog_available else {}
    tool = lastlog_tool(host.text("lastlog")) if lastlog_available else None
    # lastlog2 lists only the users in its database: one not listed never logged in
    absent = {"never": True, "date": None} if tool == "lastlog2" else None
    facts = []
    for user in _passwd_users(host):
        if not user["login_shell"]:
            continue
        login = logins.get(user["name"], absent) if lastlog_available else None
        last = date.fromisoformat(login["date"]) if login and login["date"] else None
        data = {"name": user["name"], "uid": user["uid"], "shell": user["shell"],
                "system_account": user["system_account"], "lastlog_available": lastlog_available,
                "lastlog_tool": tool,
                "never_logged_in": login["never"] if login else None,
                "last_login": last.isoformat() if last else None,
                "days_since_login": max((today - last).days, 0) if last else None,
                "as_of": today.isoformat(), "as_of_source": clock}
        facts.append(Fact(user["name"], user["name"], data))
    return facts


def _shadow(host: Host) -> list[Fact]:
    entries, rejected = parse_shadow_meta(host.text("shadow_meta"))
    if not entries:
        raise Unavailable("shadow_meta", Failure(
            "CommandFailed", f"no account in the expected name:state:... digest form ({rejected} line(s) "
                             "rejected and not stored)"))
    today, clock = host.today
    accounts = [_shadow_account(entry, today) for entry in entries]
    passwd_empty = {u["name"] for u in parse_passwd(host.text("passwd")) if u["passwd_field"] == "empty"}
    with_password = [a for a in accounts if a["state"] == "SET"]
    data = {
        "accounts": accounts,
        "empty_password_accounts": sorted({a["name"] for a in accounts if a["state"] == "EMPTY"}
                                          | passwd_empty),
        "password_accounts": [a["name"] for a in with_password],
        "longest_password_max_days": max((_effective_max_days(a) for a in with_password), default=None),
        "accounts_without_password_expiry": [a["name"] for a in with_password
                                             if _effective_max_days(a) >= NO_PASSWORD_EXPIRY],
        "rejected_lines": rejected, "as_of": today.isoformat(), "as_of_source": clock,
    }
    return [Fact(None, "shadow", data)]


def _shadow_account(entry: Mapping[str, Any], today: date) -> JSON:
    changed = epoch_day(entry["last_change_day"])
    expires = epoch_day(entry["expire_day"])
    return {"name": entry["name"], "state": entry["state"], "last_changed": changed,
            "password_age_days": (today - date.fromisoformat(changed)).days if changed else None,
            "must_change_at_login": entry["last_change_day"] == 0,
            "min_days": entry["min_days"], "max_days": entry["max_days"], "warn_days": entry["warn_days"],
            "inactive_days": entry["inactive_days"], "expires": expires,
            "expired": bool(expires and date.fromisoformat(expires) <= today)}


def _effective_max_days(account: Mapping[str, Any]) -> int:
    """An empty or negative maximum means the password never expires."""
    maximum = account["max_days"]
    return NO_PASSWORD_EXPIRY if maximum is None or maximum < 0 else min(maximum, NO_PASSWORD_EXPIRY)


# ---------------------------------------------------------------------------------------------
# Password policy, PAM, sshd, session, sudo
# ---------------------------------------------------------------------------------------------


def _password_policy(host: Host) -> list[Fact]:
    defs = parse_login_defs(host.text("login_defs"))
    stacks = parse_pam_stacks(host.text("pam_stacks"))
    quality = password_quality(stacks, host.text("pwquality"))
    conf_read = (parse_pwhistory_module(host.text("pwhistory_module")) if host.usable("pwhistory_module")
                 else None)
    history = password_history(stacks, parse_key_equals_value(host.text("pwhistory_conf")), conf_read)
    max_days = to_int(defs.get("PASS_MAX_DAYS"))
    data = {
        "pass_max_days": NO_PASSWORD_EXPIRY if max_days is None or max_days < 0 else max_days,
        "pass_min_days": to_int(defs.get("PASS_MIN_DAYS")) or 0,
        "pass_warn_age": to_int(defs.get("PASS_WARN_AGE")),
        "pass_min_len": to_int(defs.get("PASS_MIN_LEN")),
        "encrypt_method": defs.get("ENCRYPT_METHOD"), "umask": defs.get("UMASK"),
        "min_length": quality["min_length"], "min_char_classes": quality["min_char_classes"],
        "complexity": quality, "history": history["remember"], "history_evidence": history,
        "login_defs": defs,
    }
    return [Fact(None, "password policy", data)]


def _pam(host: Host) -> list[Fact]:
    stacks = parse_pam_stacks(host.text("pam_stacks"))
    faillock_text = host.text("faillock_conf")
    faillock = parse_key_equals_value(faillock_text)
    data = {"files": sorted(stacks), "lockout": lockout_policy(stacks, faillock),
            "faillock_conf": faillock,
            "faillock_conf_present": "/etc/security/faillock.conf" not in missing_files(faillock_text),
            "second_factor_modules": second_factor_modules(stacks),
            "nullok_rules": nullok_rules(stacks),
            "unresolved_includes": unresolved_includes(stacks),
            "stacks": {name: [rule_text(rule) for rule in rules] for name, rules in sorted(stacks.items())}}
    return [Fact(None, "PAM", data)]


@dataclass(frozen=True)
class SshdRead:
    installed: bool
    settings: JSON
    source: str | None
    effective_error: str | None = None
    config: JSON | None = None


def _sshd_effective_problem(host: Host) -> str:
    """Why `sshd -T` gave no settings (refused, not installed, a configuration error)."""
    failure = host.failure("sshd_effective")
    if failure is not None:
        return failure.message
    return first_line(host.text("sshd_effective"))[:300] or "sshd -T printed no settings"


def _read_sshd(host: Host) -> SshdRead | None:
    """sshd's settings from `sshd -T`, else from its configuration files; None if neither."""
    effective = parse_sshd_effective(host.text("sshd_effective"))
    config = parse_sshd_config(host.text("sshd_config")) if host.usable("sshd_config") else None
    found = config if config is not None and config["found"] else None
    if effective is not None:
        return SshdRead(True, effective, "sshd -T", None, found)
    if found is not None:
        return SshdRead(True, found["settings"], "sshd_config", _sshd_effective_problem(host), found)
    failure = host.failure("sshd_effective")
    if failure is not None and failure.code == "NotFound":
        return SshdRead(False, {}, None, failure.message, None)
    return None


def _sshd_contexts(host: Host, read: SshdRead) -> tuple[list[sp.Context], JSON]:
    """Every Match context, from `sshd -T -C` where it ran, else from the Match blocks."""
    tested = parse_sshd_contexts(host.text("sshd_contexts")) if host.usable("sshd_contexts") else None
    if tested is not None and not any(c["settings"] is not None for c in tested):
        tested = None  # sshd -T -C refused every context (no host keys without root, an old sshd)
    config = read.config if read.config is not None and read.config.get("found") else None
    global_source = read.source or "sshd_config"
    contexts, unevaluated = sp.contexts_from(read.settings, global_source, tested, config)
    if tested is not None:
        how = "sshd -T -C for each Match condition"
    elif config is not None:
        failure = host.failure("sshd_contexts")
        why = failure.message if failure else "it printed no settings"
        how = f"Match blocks read from sshd_config (sshd -T -C unavailable: {why})"
    else:
        how = "no Match context could be read"
    return contexts, {"contexts_source": how, "unevaluated_conditions": unevaluated,
                      "contexts_complete": (tested is not None or config is not None) and not unevaluated}


def _sshd(host: Host) -> list[Fact]:
    read = _read_sshd(host)
    if read is None:
        raise Unavailable("sshd_effective", host.failure("sshd_effective") or Failure(
            "CommandFailed", _sshd_effective_problem(host)))
    if not read.installed:
        return [Fact(None, "sshd", {"installed": False, "settings_source": None,
                                    "effective_error": read.effective_error})]
    view = sshd_view(read.settings)
    modules = second_factor_modules(parse_pam_stacks(host.text("pam_stacks")))
    contexts, how = _sshd_contexts(host, read)
    config = read.config or {}
    data = {"installed": True, "settings_source": read.source, "effective_error": read.effective_error,
            "approximate": read.source == "sshd_config" and bool(config.get("approximate")),
            "defaulted": config.get("defaulted", []) if read.source == "sshd_config" else [],
            "match_blocks": config.get("match_blocks", []), **view, "global": view,
            **sp.weakest(contexts, modules, pam_readable=host.usable("pam_stacks")), **how,
            **_ssh_management_access(host, read.settings),
            "second_factor_modules": modules, "settings": read.settings}
    return [Fact(None, "sshd", data)]


def _ssh_management_access(host: Host, settings: Mapping[str, Any]) -> JSON:
    """Whether sshd listens only on named addresses, and whether the firewall limits its ports."""
    addresses = [_address_part(str(a)) for a in settings.get("listenaddress", [])]
    specific = bool(addresses) and not any(fp.internet_facing(a) for a in addresses)
    ports = [int(port) for port in settings.get("port", [22]) if to_int(port) is not None]
    verdicts = [port_exposure(host, port, "tcp") for port in ports or [22]]
    restricted: bool | None = True
    if any(verdict == "open" for verdict, _ in verdicts):
        restricted = False
    elif any(verdict is None for verdict, _ in verdicts):
        restricted = None
    return {"listen_addresses_specific": specific, "ssh_ports_firewall_restricted": restricted,
            "ssh_firewall_evidence": "; ".join(evidence for _, evidence in verdicts)}


def _address_part(listen: str) -> str:
    """`0.0.0.0:22` -> 0.0.0.0, `[::]:22` -> ::, a bare IPv6 address as it is."""
    if listen.startswith("["):
        return listen[1:].partition("]")[0]
    return listen.rpartition(":")[0] if listen.count(":") == 1 else listen


def _ssh_idle(host: Host) -> tuple[int | None, str]:
    read = _read_sshd(host)
    if read is None:
        return None, "sshd settings could not be read"
    if not read.installed:
        return 0, "sshd is not installed"
    contexts, _ = _sshd_contexts(host, read)
    return sp.weakest_idle(contexts)


def _session(host: Host) -> list[Fact]:
    entries = [{**e, "sourced": sourced_by_login_shell(e["file"])}
               for e in parse_shell_timeout(host.text("shell_timeout"))]
    idle, basis = _ssh_idle(host)
    data = {**effective_tmout(entries), "tmout_entries": entries,
            "ssh_idle_timeout_seconds": idle, "ssh_idle_basis": basis}
    return [Fact(None, "session timeout", data)]


def _sudo(host: Host) -> list[Fact]:
    text = host.text("sudoers")
    data = {"sudoers_present": bool(content_lines(text)), **parse_sudoers(text)}
    return [Fact(None, "sudo", data)]


# ---------------------------------------------------------------------------------------------
# Audit and logging
# ---------------------------------------------------------------------------------------------


def _unit_states(host: Host, command: str, daemons: Mapping[str, str]) -> tuple[dict[str, str] | None, str]:
    """Unit states from `systemctl is-active`, else whether their daemon runs (`ps`).

    Without systemd as PID 1 (containers, some minimal hosts) systemctl cannot answer, but
    the process list still tells whether rsyslogd, auditd or chronyd runs.
    """
    states = parse_is_active(host.text(command), list(daemons)) if host.usable(command) else None
    if states is not None:
        return states, "systemctl is-active"
    if not host.usable("processes"):
        return None, "neither systemctl nor the process list answered"
    running = set(parse_processes(host.text("processes")))
    failure = host.failure(command)
    why = failure.message if failure else failure_sentence(host.text(command), host.exit_code(command) or 0)
    return ({unit: "active" if comm[:15] in running else "inactive" for unit, comm in daemons.items()},
            f"process list ({why})")


def _audit(host: Host) -> list[Fact]:
    states, state_source = _unit_states(host, "auditd_active", {"auditd": "auditd"})
    if states is None:
        raise Unavailable("auditd_active", host.failure("auditd_active") or Failure(
            "CommandFailed", first_line(host.text("auditd_active"))[:300] or "no unit state printed"))
    auditctl = host.installed("audit_status")
    status = parse_audit_status(host.text("audit_status")) if auditctl else {}
    flag = to_int(status.get("enabled"))
    rules = parse_audit_rules(host.text("audit_rules")) if host.installed("audit_rules") else []
    conf = parse_auditd_conf(host.text("auditd_conf") if host.installed("auditd_conf") else "")
    actions = disk_actions(conf)
    data = {"active": states["auditd"] == "active", "state": states["auditd"], "state_source": state_source,
            "auditctl_installed": auditctl, "enabled_flag": flag,
            # nobody could have made the rules immutable without auditctl
            "kernel_auditing": flag in (1, 2) if flag is not None else (False if not auditctl else None),
            "immutable": flag == 2 if flag is not None else (False if not auditctl else None),
            "status": status, "rule_count": len(rules), "rules": [r["text"] for r in rules],
            "coverage": audit_coverage(rules, syscall_tables(parse_uname(host.text("uname"))["machine"])),
            "config": conf["settings"],
            "config_errors": actions["config_errors"],
            "disk_actions": actions["actions"], "disk_actions_defaulted": actions["defaulted"]}
    return [Fact(None, "auditd", data)]


def _stat(host: Host) -> JSON:
    return parse_stat(host.text("log_file_modes"))


def _audit_log_path(host: Host) -> str:
    """auditd's log_file (auditd.conf, as auditd reads it), else its default."""
    conf = parse_auditd_conf(host.text("auditd_conf")) if host.installed("auditd_conf") else None
    return (conf["settings"].get("log_file") if conf else None) or AUDIT_LOG


def _audit_log(host: Host) -> list[Fact]:
    """The audit log and the copies auditd rotated (`audit.log.1`, ...): the trail is all of them."""
    stats = _stat(host)
    path = _audit_log_path(host)
    if path in stats["unreadable"]:
        raise Unavailable("log_file_modes", host.denied(stats["unreadable"][path]))
    info = stats["files"].get(path)
    if info is None and path not in stats["missing"]:
        raise Unavailable("log_file_modes", Failure(
            "NotCollected", f"auditd.conf writes the audit log to {path}, which this scan does not stat "
                            "(it reads /var/log/*/*): its mode cannot be judged"))
    rotated = re.compile(re.escape(path) + r"\.\d+")
    files = [{"path": name, **info, "within_0640": mode_within(info["mode"], 0o640)}
             for name, info in sorted(stats["files"].items()) if name == path or rotated.fullmatch(name)]
    directory = stats["files"].get(str(PurePosixPath(path).parent))
    data = {"path": path, "exists": info is not None,
            "mode": info["mode"] if info else None, "owner": info["owner"] if info else None,
            "group": info["group"] if info else None,
            "mode_within_0640": all(f["within_0640"] for f in files) if info else None,
            "files": files, "files_beyond_0640": [f["path"] for f in files if not f["within_0640"]],
            "directory_mode": directory["mode"] if directory else None}
    return [Fact(None, path, data)]


def _file_modes(host: Host) -> list[Fact]:
    return [Fact(None, "file modes", _stat(host))]


def _files(host: Host) -> list[Fact]:
    """One fact per file stat'ed, with what it is for: credentials, or a log rsyslog writes."""
    stats = _stat(host)
    written = set(parse_rsyslog(host.text("rsyslog_conf"))["files"]) if host.usable("rsyslog_conf") \
        else set()
    facts = []
    for path, info in sorted(stats["files"].items()):
        role = "credentials" if path in CREDENTIAL_FILES else ("log" if path in written else "other")
        mode = int(info["mode"], 8)
        facts.append(Fact(path, path, {"path": path, "role": role, "mode": info["mode"].zfill(4),
                                       "owner": info["owner"], "group": info["group"],
                                       "permissions": permissions(mode), "problem": None}))
    for path, line in sorted(stats["unreadable"].items()):
        if path in CREDENTIAL_FILES or path in written:
            raise Unavailable("log_file_modes", host.denied(line))
    # a file rsyslog writes deeper than the stat reaches is never silently left out
    for path in sorted(written - set(stats["files"]) - set(stats["missing"])):
        facts.append(Fact(path, path, {"path": path, "role": "log", "mode": None, "owner": None,
                                       "group": None, "permissions": None,
                                       "problem": "not stat'ed: the scan reads /var/log/* and /var/log/*/*"}))
    return facts


def _umask(host: Host) -> list[Fact]:
    """The most permissive umask a login session can get: the shell profiles it sources, and
    login.defs UMASK where pam_umask is in its session stack (policy.session)."""
    settings = parse_umask_settings(host.text("umask_settings"))
    stacks = parse_pam_stacks(host.text("pam_stacks")) if host.usable("pam_stacks") else None
    found = login_umasks(settings, stacks, session_services(stacks))
    granted = found["granted"]
    return [Fact(None, "umask", {"umask": found["umask"], "settings": settings, "evidence": found["evidence"],
                                 "new_file_permissions": None if granted is None else permissions(granted)})]


@dataclass(frozen=True)
class Store:
    """Where logs are kept locally and the shortest time a line survives there."""

    name: str
    days: int | None
    unlimited: bool
    evidence: str

    def rank(self) -> float:
        return float("inf") if self.unlimited else float(self.days or 0)


def _file_store(rsyslog_active: bool, rsyslog: JSON, logrotate: JSON) -> Store:
    if not rsyslog_active:
        return Store("files", 0, False, "rsyslog is not active, so no log files are written")
    written = [path for path in AUTH_AND_SYSTEM_LOGS if path in rsyslog["files"]]
    if not written:
        return Store("files", 0, False, "rsyslog writes none of " + ", ".join(AUTH_AND_SYSTEM_LOGS))
    per_file: list[Store] = []
    for path in written:
        stanza = stanza_for(logrotate, path)
        if stanza is None:
            per_file.append(Store("files", None, True, f"{path} is not rotated by logrotate (kept)"))
            continue
        kept = stanza_retention(stanza)
        per_file.append(Store("files", kept["days"], kept["unlimited"],
                              f"logrotate {path}: {kept['basis']} ({stanza['file']})"))
    return min(per_file, key=Store.rank)


def _journald_store(settings: Mapping[str, str], journal_dir: bool | None) -> Store:
    """journal_dir: whether /var/log/journal exists (None: unknown). With Storage=auto, the
    default, journald keeps the journal on disk only if that directory exists."""
    storage = settings.get("Storage", "auto").lower()
    if storage == "auto" and journal_dir:
        prefix = f"journald Storage=auto with {JOURNAL_DIR} present (persistent)"
    elif storage == "persistent":
        prefix = "journald Storage=persistent"
    else:
        why = "not kept on disk"
        if storage == "auto":
            why = (f"{JOURNAL_DIR} does not exist, so not kept on disk" if journal_dir is False
                   else f"persistent only if {JOURNAL_DIR} exists (unknown)")
        return Store("journald", 0, False, f"journald Storage={storage}: {why}")
    raw = settings.get("MaxRetentionSec", "")
    seconds = systemd_timespan_seconds(raw) if raw else None
    size_note = f", SystemMaxUse={settings['SystemMaxUse']} may delete sooner" \
        if settings.get("SystemMaxUse") else ""
    if not seconds:
        return Store("journald", 0, False, f"{prefix} without MaxRetentionSec: "
                                           "only size limits bound it, no time is guaranteed")
    days = seconds // 86400
    return Store("journald", days, False, f"{prefix}, MaxRetentionSec={raw} = {days} d{size_note}")


def _logging(host: Host) -> list[Fact]:
    states, state_source = _unit_states(host, "rsyslog_active", SYSLOG_DAEMONS)
    units = states or {}
    rsyslog_active = units.get("rsyslog") == "active"
    rsyslog = parse_rsyslog(host.text("rsyslog_conf"))
    journald = parse_journald_conf(host.text("journald_conf"))
    logrotate = parse_logrotate(host.text("logrotate"))
    stats = _stat(host) if host.usable("log_file_modes") else None
    journal_dir = None if stats is None else (
        True if JOURNAL_DIR in stats["files"] else (False if JOURNAL_DIR in stats["missing"] else None))
    stores = [_file_store(rsyslog_active, rsyslog, logrotate), _journald_store(journald, journal_dir)]
    best = max(stores, key=Store.rank)
    remote = rsyslog["remote"] if rsyslog_active else []
    data = {
        "rsyslog_active": rsyslog_active, "syslog_ng_active": units.get("syslog-ng") == "active",
        "daemon_state_source": state_source,
        "forwarding": bool(remote),
        "remote_targets": [{k: t[k] for k in ("target", "port", "protocol", "tls")} for t in remote],
        "forwarding_tls": bool(remote) and all(t["tls"] for t in remote),
        "retention_days": best.days, "retention_unlimited": best.unlimited,
        "retention_evidence": _retention_evidence(remote, best, stores),
        "stores": {s.name: {"days": s.days, "unlimited": s.unlimited, "evidence": s.evidence}
                   for s in stores},
        "rsyslog_files": rsyslog["files"], "journald": journald, "journal_dir_exists": journal_dir,
        "journal_disk_bytes": parse_journal_disk(host.text("journal_disk")),
        "logrotate": {"defaults": logrotate["defaults"], "dropins_read": logrotate["dropins_read"],
                      "stanza_count": len(logrotate["stanzas"]),
                      "log_stanzas": [s for s in logrotate["stanzas"]
                                      if any(stanza_covers(s, log) for log in AUTH_AND_SYSTEM_LOGS)]},
    }
    return [Fact(None, "logging", data)]


def _retention_evidence(remote: Sequence[Mapping[str, Any]], best: Store, stores: Sequence[Store]) -> str:
    """Which evidence decides retention: forwarding first, then the longest-keeping local store."""
    others = "; ".join(s.evidence for s in stores if s is not best)
    local = best.evidence + (f" (also: {others})" if others else "")
    if remote:
        targets = ", ".join(f"{t['protocol']} {t['target']}:{t['port']}" for t in remote)
        return f"forwarded by rsyslog to remote collector {targets}; locally: {local}"
    return local


# ---------------------------------------------------------------------------------------------
# Time, firewall, network, services, MAC, agents, updates
# ---------------------------------------------------------------------------------------------


def _time(host: Host) -> list[Fact]:
    values = parse_timedatectl(host.text("timedatectl"))
    daemons, state_source = _unit_states(host, "time_daemons", TIME_DAEMONS)
    active = sorted({TIME_DAEMONS[unit] for unit, state in (daemons or {}).items() if state == "active"})
    reported = values.get("NTPSynchronized")
    if reported is not None:
        synchronized: bool | None = yes(reported)
        evidence = f"timedatectl NTPSynchronized={reported}"
    elif daemons is not None:
        synchronized = bool(active)
        why = first_line(host.text("timedatectl"))[:120] or "no output"
        evidence = (f"timedatectl show unavailable ({why}); "
                    + (f"{', '.join(active)} active" if active else "no time daemon active"))
    else:
        synchronized, evidence = None, "neither timedatectl nor systemctl answered"
    data = {"synchronized": synchronized, "evidence": evidence, "active_daemons": active,
            "daemon_state_source": state_source,
            "ntp_enabled": yes(values["NTP"]) if "NTP" in values else None,
            "timezone": values.get("Timezone")}
    return [Fact(None, "time", data)]


def _firewall(host: Host) -> list[Fact]:
    nft = parse_nft(host.text("firewall_nft")) if host.installed("firewall_nft") else None
    iptables = (parse_iptables(host.text("firewall_iptables"))
                if host.installed("firewall_iptables") else None)
    tools = [name for name, parsed in (("nft", nft), ("iptables", iptables)) if parsed is not None]
    # iptables-nft shows nft rules through iptables as well: either view being active counts
    data = {"tools": tools, "nft": nft, "iptables": iptables,
            "active": any(t["active"] for t in (nft, iptables) if t),
            "rules_present": any(t["rule_count"] > 0 for t in (nft, iptables) if t),
            "filters_input": any(t["filters_input"] for t in (nft, iptables) if t)}
    return [Fact(None, "firewall", data)]


def port_exposure(host: Host, port: int, proto: str) -> tuple[str | None, str]:
    """Whether a new connection from any Internet address reaches the port through the host
    firewall: every view that could be read counts (one that drops it restricts it)."""
    views: dict[str, JSON | None] = {}
    problems = []
    for command, parse in (("firewall_nft", parse_nft_chains),
                           ("firewall_iptables", parse_iptables_chains)):
        failure = host.failure(command)
        if failure is not None:
            problems.append(f"{command}: {failure.message}")
        elif host.installed(command):
            views[command] = parse(host.text(command))
    if not views:
        if problems:
            return None, "the host firewall could not be read (" + "; ".join(problems) + ")"
        return "open", "no host firewall (neither nft nor iptables is installed)"
    return fp.exposure(views.get("firewall_nft"), views.get("firewall_iptables"), fp.Packet(proto, port))


def _listeners(host: Host) -> list[Fact]:
    facts = []
    for socket in parse_listening(host.text("listening")):
        address = f"[{socket['address']}]" if ":" in socket["address"] else socket["address"]
        endpoint = f"{address}:{socket['port']}"
        wildcard = fp.is_anywhere(socket["address"])
        exposure, evidence = (port_exposure(host, socket["port"], socket["proto"]) if not socket["loopback"]
                              else ("restricted", "bound to loopback"))
        facts.append(Fact(f"{socket['proto']}/{endpoint}", f"{socket['proto']} {endpoint}",
                          {**socket, "all_interfaces": wildcard,
                           "internet_facing": fp.internet_facing(socket["address"]),
                           "firewall_exposure": exposure,
                           "firewall_evidence": evidence}))
    return facts


def _services(host: Host) -> list[Fact]:
    """Enabled services from systemd, else from the SysV runlevel links of a host without it."""
    text = host.text("services_enabled")
    if host.usable("services_enabled") and not systemd_absent(text):
        return [Fact(s["unit"], s["unit"], {**s, "name": s["unit"].removesuffix(".service"),
                                            "enabled_by": "systemd"})
                for s in parse_enabled_services(text)]
    init = parse_init_system(host.text("init_system")) if host.usable("init_system") else None
    if init is None or not init["sysv_started"]:
        why = "" if init is None else f" (PID 1 is {init['pid1'] or 'unknown'}, no SysV start links)"
        raise Unavailable("services_enabled", Failure(
            "NoSystemd", "systemd is not present on this host and nothing else lists the services it "
                         f"starts{why}: enabled services cannot be judged"))
    return [Fact(f"{name}.service", f"{name}.service",
                 {"unit": f"{name}.service", "state": "enabled", "name": name,
                  "enabled_by": f"SysV runlevel link (PID 1 is {init['pid1']})"})
            for name in init["sysv_started"]]


def _mac(host: Host) -> list[Fact]:
    """SELinux enforcing, or AppArmor enabled with profiles loaded in enforce mode: a module
    loaded with every profile in complain mode confines nothing."""
    selinux = parse_getenforce(host.text("selinux")) if host.installed("selinux") else None
    apparmor = parse_apparmor(host.text("apparmor"))
    profiles = parse_apparmor_profiles(host.text("apparmor_profiles")) if apparmor else None
    evidence = [f"SELinux {selinux}" if selinux else "SELinux not installed"]
    enforced: bool | None = selinux == "enforcing"
    if not apparmor:
        evidence.append("AppArmor not enabled")
    elif profiles is not None:
        evidence.append(f"AppArmor enabled, {profiles['enforce']} of {profiles['total']} profiles enforced")
        enforced = enforced or profiles["enforce"] > 0
    else:
        failure = host.failure("apparmor_profiles")
        why = failure.message if failure else "no profile is loaded"
        evidence.append(f"AppArmor enabled, its profiles could not be read ({why})")
        if not enforced and failure is not None:
            enforced = None
    data = {"selinux": selinux, "apparmor_enabled": apparmor, "apparmor_profiles": profiles,
            "enforced": enforced, "evidence": "; ".join(evidence)}
    return [Fact(None, "mandatory access control", data)]


def _file_integrity(host: Host) -> JSON:
    if not host.usable("aide"):
        failure = host.failure("aide")
        return {"aide": None, "counts": False,
                "evidence": f"AIDE state unknown: {failure.message if failure else 'no answer'}"}
    aide = parse_aide(host.text("aide"))
    return {"aide": aide, **aide_monitoring(aide, session_is_root=host.session_is_root)}


def _agents(host: Host) -> list[Fact]:
    """Security agents by process name, plus AIDE, which runs from cron or a timer and counts
    for intrusion detection (file-integrity monitoring) when policy.agents.aide_monitoring says so."""
    names = parse_processes(host.text("processes"))
    agents = security_agents(names)
    malware = [a["process"] for a in agents if "anti_malware" in a["roles"]]
    intrusion = [a["process"] for a in agents if "intrusion_detection" in a["roles"]]
    integrity = _file_integrity(host)
    if integrity["counts"]:
        intrusion.append("aide")
    evidence = [f"{a['product']} ({a['process']}) running" for a in agents
                if "intrusion_detection" in a["roles"]] + [integrity["evidence"]]
    data = {"agents": agents, "anti_malware": malware, "intrusion_detection": intrusion,
            "anti_malware_running": bool(malware), "intrusion_detection_running": bool(intrusion),
            "intrusion_detection_evidence": "; ".join(evidence), "file_integrity": integrity,
            "process_names": names}
    return [Fact(None, "security agents", data)]


def _updates(host: Host) -> list[Fact]:
    parsed = parse_security_updates(host.text("security_updates"))
    release = host.os_release
    if parsed["package_manager"] == "dnf/yum" and release.get("ID") == "centos" \
            and release.get("VERSION_ID", "").startswith("7"):
        parsed = {**parsed, "pending": None,
                  "problem": "CentOS 7 repositories publish no security advisories (updateinfo) and "
                             "CentOS 7 reached end of life on 2024-06-30: the count cannot be trusted"}
    data = {"package_manager": parsed["package_manager"], "pending_security_updates": parsed["pending"],
            "packages": parsed["packages"], "advisories": parsed["advisories"],
            "problem": parsed["problem"]}
    return [Fact(None, "security updates", data)]


AREAS: tuple[Area, ...] = (
    Area("system", _system, needs=("os_release",), uses=("uname", "hostname")),
    Area("accounts", _accounts, needs=("passwd",), uses=("login_defs",)),
    Area("user", _users, needs=("passwd", "lastlog"), uses=("login_defs", "timedatectl")),
    Area("shadow", _shadow, needs=("shadow_meta",), uses=("passwd", "timedatectl")),
    Area("password_policy", _password_policy, needs=("login_defs", "pam_stacks", "pwquality"),
         uses=("pwhistory_conf", "pwhistory_module")),
    Area("pam", _pam, needs=("pam_stacks", "faillock_conf")),
    Area("sshd", _sshd, needs_any=("sshd_effective", "sshd_config", "sshd_contexts"),
         uses=("pam_stacks", "firewall_nft", "firewall_iptables")),
    Area("session", _session, needs=("shell_timeout",),
         uses=("sshd_effective", "sshd_config", "sshd_contexts")),
    Area("sudo", _sudo, needs=("sudoers",)),
    Area("audit", _audit, needs=("audit_status", "audit_rules"), needs_any=("auditd_active", "processes"),
         uses=("auditd_conf", "uname")),
    Area("audit_log", _audit_log, needs=("log_file_modes",), uses=("auditd_conf",)),
    Area("file_modes", _file_modes, needs=("log_file_modes",)),
    Area("file", _files, needs=("log_file_modes",), uses=("rsyslog_conf",)),
    Area("umask", _umask, needs=("umask_settings",), uses=("pam_stacks",)),
    Area("logging", _logging, needs=("rsyslog_conf", "journald_conf", "logrotate"),
         needs_any=("rsyslog_active", "processes"), uses=("journal_disk", "log_file_modes")),
    Area("time", _time, needs_any=("time_daemons", "processes"), uses=("timedatectl",)),
    Area("firewall", _firewall, needs_any=("firewall_nft", "firewall_iptables")),
    Area("listener", _listeners, needs=("listening",), uses=("firewall_nft", "firewall_iptables")),
    Area("service", _services, needs_any=("services_enabled", "init_system")),
    Area("mac", _mac, needs=("selinux", "apparmor"), uses=("apparmor_profiles",)),
    Area("agents", _agents, needs=("processes",), uses=("aide",)),
    Area("updates", _updates, needs=("security_updates",), uses=("os_release",)),
)
