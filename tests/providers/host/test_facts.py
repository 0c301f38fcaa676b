"""build_resources on each distribution family's fixture outputs: facts, errors, no secrets."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.providers.host.commands import CommandResult, load_commands
from mlpscan.providers.host.facts import AREAS, ROOT_COMMANDS, build_resources
from mlpscan.snapshot import CollectionError, Resource
from tests.conftest import REPO, make_snapshot

FIXTURES = Path(__file__).parent / "fixtures"
FAMILIES = sorted(d.name for d in FIXTURES.iterdir() if d.is_dir())
SPECS = {spec.id: spec for spec in load_commands(REPO)}
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
HASH_PREFIXES = ("$1$", "$5$", "$6$", "$y$", "$2b$", "$gy$")


def result(command: str, output: str, exit_code: int = 0) -> CommandResult:
    return CommandResult(command, exit_code, output, exit_code in SPECS[command].ok_codes)


def load_family(family: str) -> tuple[dict[str, CommandResult], bool]:
    directory = FIXTURES / family
    session = yaml.safe_load((directory / "_session.yaml").read_text(encoding="utf-8"))
    results = {}
    for command in SPECS:
        path = directory / f"{command}.txt"
        if path.is_file():
            results[command] = result(command, path.read_text(encoding="utf-8"),
                                      session["exit_codes"].get(command, 0))
    return results, bool(session["sudo"])


def build(family: str, **changes: CommandResult | None) -> tuple[dict[str, Resource], list[CollectionError]]:
    results, sudo = load_family(family)
    for command, changed in changes.items():
        if changed is None:
            results.pop(command, None)
        else:
            results[command] = changed
    resources, errors = build_resources(f"host:{family}", results, sudo=sudo, now=NOW)
    return {r.uid.split("#", 1)[1] if "#" in r.uid else "system": r for r in resources}, errors


def data(family: str, kind: str) -> dict[str, Any]:
    resources, _ = build(family)
    return resources[kind].data


def errors_by_operation(errors: list[CollectionError]) -> dict[str, CollectionError]:
    return {e.operation: e for e in errors}


def test_every_family_has_every_command() -> None:
    for family in FAMILIES:
        results, _ = load_family(family)
        assert set(results) == set(SPECS), family


def test_root_commands_match_the_command_list() -> None:
    assert {spec.id for spec in SPECS.values() if spec.root} == ROOT_COMMANDS


def test_every_command_belongs_to_an_area() -> None:
    """A failed command always becomes an error somewhere: it is never silent."""
    read = {c for area in AREAS for c in (*area.needs, *area.needs_any, *area.uses)}
    assert set(SPECS) <= read


@pytest.mark.parametrize("family", FAMILIES)
def test_resource_shape(family: str) -> None:
    resources, _ = build(family)
    system = resources.pop("system")
    assert system.uid == f"host:{family}"
    assert system.type == "host.system"
    for key, resource in resources.items():
        assert re.fullmatch(r"host\.[a-z0-9_]+", resource.type)
        assert resource.uid == f"host:{family}#{key}"
        assert resource.region is None
        assert set(resource.data["source"]) <= set(SPECS), resource.uid
    json.dumps([r.model_dump() for r in resources.values()])  # plain JSON data


@pytest.mark.parametrize("family", FAMILIES)
def test_building_is_deterministic(family: str) -> None:
    first, _ = build(family)
    second, _ = build(family)
    assert [r.model_dump() for r in first.values()] == [r.model_dump() for r in second.values()]


# -- per-family facts --------------------------------------------------------------------------

def test_debian12() -> None:
    resources, errors = build("debian12")
    assert errors == []
    assert resources["system"].data["family"] == "debian"
    assert resources["system"].name == "deb12-app"
    policy = resources["password_policy"].data
    assert (policy["pass_max_days"], policy["min_length"], policy["min_char_classes"], policy["history"]) == \
        (99999, 6, 0, 0)
    assert resources["pam"].data["lockout"]["enabled"] is False
    sshd = resources["sshd"].data
    assert (sshd["settings_source"], sshd["permit_root_login"]) == ("sshd -T", "without-password")
    assert resources["sudo"].data["nopasswd_all"][0]["principals"] == ["deploy"]
    audit = resources["audit"].data
    assert (audit["active"], audit["auditctl_installed"], audit["immutable"]) == (False, False, False)
    assert resources["audit_log"].data["exists"] is False
    logging = resources["logging"].data
    assert (logging["retention_days"], logging["forwarding"]) == (28, False)
    assert "rotate 4 × weekly" in logging["retention_evidence"]
    assert resources["mac"].data["apparmor_enabled"] is True
    assert resources["updates"].data["pending_security_updates"] == 2
    risky = {(r.data["proto"], r.data["port"]) for k, r in resources.items()
             if k.startswith("listener/") and not r.data["loopback"]}
    assert ("tcp", 111) in risky
    assert ("udp", 111) in risky
    assert "service/rpcbind.service" in resources


def test_ubuntu2204_without_sudo() -> None:
    resources, errors = build("ubuntu2204")
    failed = errors_by_operation(errors)
    assert set(failed) == {"shadow_meta", "sudoers", "firewall_nft", "firewall_iptables", "apparmor_profiles"}
    assert failed["apparmor_profiles"].type == "host.mac"
    assert resources["mac"].data["enforced"] is None  # AppArmor is on, whether it confines is unknown
    for error in failed.values():
        assert error.code == "PermissionDenied", error
        assert error.message.endswith("(needs --sudo)"), error
    assert failed["shadow_meta"].type == "host.shadow"
    assert failed["sudoers"].type == "host.sudo"
    assert {"shadow", "sudo", "firewall"}.isdisjoint(resources)
    sshd = resources["sshd"].data  # sshd -T needs root: the configuration files decide
    assert sshd["settings_source"] == "sshd_config"
    assert sshd["approximate"] is False  # each file headed: the cloud-init drop-in is read at the Include
    assert "needs --sudo" in sshd["effective_error"]
    assert (sshd["permit_root_login"], sshd["password_authentication"]) == ("no", False)
    session = resources["session"].data
    assert (session["tmout_seconds"], session["tmout_readonly"], session["ssh_idle_timeout_seconds"]) == \
        (600, True, 600)
    policy = resources["password_policy"].data
    assert (policy["min_length"], policy["min_char_classes"], policy["history"]) == (12, 4, 5)
    lockout = resources["pam"].data["lockout"]
    assert (lockout["deny"], lockout["unlock_time_seconds"]) == (5, 900)
    logging = resources["logging"].data
    assert logging["forwarding"] is True
    assert logging["retention_evidence"].startswith("forwarded by rsyslog")
    assert resources["user/tester"].data["never_logged_in"] is True
    assert resources["agents"].data["anti_malware_running"] is True


def test_rocky9() -> None:
    resources, errors = build("rocky9")
    assert errors == []
    sshd = resources["sshd"].data
    # globally publickey,keyboard-interactive, but the sftp group logs in with a key alone
    assert sshd["global"]["authentication_methods"] == [["publickey", "keyboard-interactive"]]
    assert sshd["mfa"]["multi_factor"] is False
    assert sshd["mfa"]["context"] == "Match Group sftpusers"
    assert "Match Group sftpusers" in sshd["mfa"]["evidence"]
    assert sshd["contexts_source"] == "sshd -T -C for each Match condition"
    assert [c["condition"] for c in sshd["contexts"]] == [
        "global settings", "Match (no condition named: Match all and negated patterns)", "Match Group sftpusers"]
    assert sshd["match_blocks"] == ["Group sftpusers"]
    assert resources["audit"].data["immutable"] is True
    assert resources["audit"].data["coverage"]["privilege"] is True
    assert resources["audit_log"].data["mode_within_0640"] is True
    assert resources["logging"].data["retention_days"] == 182
    assert resources["accounts"].data["system_accounts_with_login_shell"] == ["postgres"]
    assert resources["user/olduser"].data["days_since_login"] == 354
    assert resources["shadow"].data["accounts_without_password_expiry"] == ["root", "olduser"]
    assert resources["mac"].data["selinux"] == "enforcing"
    assert resources["firewall"].data["filters_input"] is True
    assert resources["updates"].data["advisories"] == ["RLSA-2024:1530", "RLSA-2024:1601"]
    assert resources["sudo"].data["nopasswd_all"] == []
    policy = resources["password_policy"].data  # pam_pwhistory without remember=: pwhistory.conf decides
    assert (policy["history"], policy["history_evidence"]["rules"][0]) == \
        (5, "remember = 5 (/etc/security/pwhistory.conf)")
    agents = resources["agents"].data
    assert agents["intrusion_detection"] == ["falcon-sensor", "aide"]
    assert agents["file_integrity"]["evidence"].startswith("AIDE scheduled (/etc/cron.d/aide), database present")
    assert resources["logging"].data["journal_dir_exists"] is False


def test_journald_auto_is_persistent_when_the_directory_exists() -> None:
    logging = data("debian12", "logging")
    assert logging["journal_dir_exists"] is True
    assert logging["stores"]["journald"]["evidence"].startswith(
        "journald Storage=auto with /var/log/journal present (persistent) without MaxRetentionSec")
    results, sudo = load_family("debian12")
    results["journald_conf"] = result("journald_conf", "[Journal]\nMaxRetentionSec=1y\n")
    resources, _ = build_resources("host:x", results, sudo=sudo, now=NOW)
    logging = next(r for r in resources if r.type == "host.logging").data
    assert (logging["retention_days"], logging["stores"]["journald"]["days"]) == (365, 365)
    assert data("rocky9", "logging")["stores"]["journald"]["evidence"] == \
        "journald Storage=auto: /var/log/journal does not exist, so not kept on disk"


def test_lastlog2_fallback_lists_only_users_who_logged_in() -> None:
    output = ("==> lastlog2 <==\nUsername         Port     From                                       Latest\n"
              "dba              pts/1    10.0.0.8                                   Fri Oct  2 10:00:00 +0800 2026\n")
    resources, errors = build("rocky9", lastlog=result("lastlog", output))
    assert errors == []
    assert resources["user/dba"].data["days_since_login"] == 49
    olduser = resources["user/olduser"].data
    assert (olduser["lastlog_tool"], olduser["never_logged_in"]) == ("lastlog2", True)
    missing, _ = build("rocky9", lastlog=result("lastlog", "sh: 1: lastlog: not found\n", 127))
    assert missing["user/dba"].data["lastlog_available"] is False


def test_aide_installed_but_not_scheduled_does_not_count() -> None:
    agents = data("openeuler22", "agents")
    assert agents["intrusion_detection"] == ["wazuh-agentd", "wazuh-syscheckd"]
    assert agents["file_integrity"]["counts"] is False
    assert "no cron job or active systemd timer" in agents["file_integrity"]["evidence"]


def test_centos7_pam_tally2() -> None:
    resources, errors = build("centos7")
    assert errors == []
    lockout = resources["pam"].data["lockout"]
    assert (lockout["module"], lockout["deny"], lockout["unlock_time_seconds"]) == ("pam_tally2", 5, 300)
    assert resources["pam"].data["faillock_conf_present"] is False
    accounts = resources["accounts"].data
    assert accounts["uid0_accounts"] == ["root", "toor"]
    assert resources["shadow"].data["empty_password_accounts"] == ["test"]
    assert resources["password_policy"].data["min_length"] == 7
    assert resources["sshd"].data["kbd_interactive_authentication"] is False  # challengeresponse no
    time = resources["time"].data  # systemd 219 has no `timedatectl show`
    assert time["synchronized"] is True
    assert "chronyd active" in time["evidence"]
    assert resources["user/ops"].data["as_of_source"] == "collector clock"
    assert resources["updates"].data["pending_security_updates"] is None
    firewall = resources["firewall"].data
    assert (firewall["tools"], firewall["active"], firewall["filters_input"]) == (["iptables"], True, True)
    assert data("debian12", "firewall")["active"] is False  # nftables installed, empty ruleset
    assert resources["listener/tcp/[::]:21"].data["loopback"] is False
    assert resources["agents"].data["anti_malware"] == ["AliYunDun", "AliYunDunMonitor", "AliYunDunUpdate"]


def test_openeuler22_is_el_like() -> None:
    resources, errors = build("openeuler22")
    assert errors == []
    assert resources["system"].data["family"] == "rhel"
    lockout = resources["pam"].data["lockout"]  # faillock configured on the PAM lines
    assert (lockout["deny"], lockout["unlock_time_seconds"]) == (3, 300)
    assert resources["shadow"].data["longest_password_max_days"] == 90
    assert resources["session"].data["ssh_idle_timeout_seconds"] == 0  # ClientAliveCountMax 0
    assert "size-triggered" in resources["logging"].data["retention_evidence"]
    assert resources["logging"].data["retention_days"] == 30
    agents = resources["agents"].data
    assert (agents["anti_malware_running"], agents["intrusion_detection_running"]) == (False, True)


def test_journald_only() -> None:
    logging = data("journald_only", "logging")
    assert logging["rsyslog_active"] is False
    assert logging["retention_days"] == 182
    assert logging["retention_evidence"].startswith("journald Storage=persistent, MaxRetentionSec=6month")


# -- failures ----------------------------------------------------------------------------------

def test_root_only_command_denied_without_sudo() -> None:
    results, _ = load_family("rocky9")
    results["audit_rules"] = result("audit_rules", "You must be root to run this program.\n", 4)
    as_root = dict(results)
    results["shadow_meta"] = result("shadow_meta", "awk: cannot open /etc/shadow (Permission denied)\n", 2)
    resources, errors = build_resources("host:x", results, sudo=False, now=NOW)
    error = errors_by_operation(errors)["audit_rules"]
    assert (error.type, error.code) == ("host.audit", "PermissionDenied")
    assert error.message == "You must be root to run this program. (needs --sudo)"
    assert errors_by_operation(errors)["shadow_meta"].message.endswith("(needs --sudo)")
    assert "host.audit" not in {r.type for r in resources}
    _, with_sudo = build_resources("host:x", results, sudo=True, now=NOW)
    assert "needs --sudo" not in errors_by_operation(with_sudo)["audit_rules"].message
    # already root without --sudo (shadow was readable): sudo would not help, so it is not suggested
    _, root_errors = build_resources("host:x", as_root, sudo=False, now=NOW)
    assert errors_by_operation(root_errors)["audit_rules"].message == "You must be root to run this program."


def test_apt_warnings_are_not_refusals() -> None:
    output = load_family("debian12")[0]["security_updates"].output + \
        "W: Problem unlinking the file /var/cache/apt/pkgcache.bin - RemoveCaches (13: Permission denied)\n"
    resources, errors = build("debian12", security_updates=result("security_updates", output))
    assert errors == []
    assert resources["updates"].data["pending_security_updates"] == 2


def test_refusal_hidden_in_an_accepted_exit_code() -> None:
    """nft exits 1 (an ok code) when refused: the text still makes it a PermissionDenied."""
    results, _ = load_family("rocky9")
    results["firewall_nft"] = result("firewall_nft", "Error: Could not process rule: Operation not permitted\n", 1)
    results["firewall_iptables"] = result(
        "firewall_iptables", "iptables v1.8.8 (nf_tables): Could not fetch rule set generation id: Permission "
                             "denied (you must be root)\n", 4)
    resources, errors = build_resources("host:x", results, sudo=False, now=NOW)
    assert {e.operation for e in errors if e.code == "PermissionDenied"} == {"firewall_nft", "firewall_iptables"}
    assert "host.firewall" not in {r.type for r in resources}


def test_sudoers_silence_is_not_an_empty_sudoers() -> None:
    results, _ = load_family("ubuntu2204")
    results["shadow_meta"] = result("shadow_meta", "root:LOCKED:19000:0:99999:7::\n")  # read as root after all
    resources, errors = build_resources("host:x", results, sudo=False, now=NOW)
    assert "sudoers" not in errors_by_operation(errors)
    assert next(r for r in resources if r.type == "host.sudo").data["sudoers_present"] is False


def test_not_found_and_session_cut() -> None:
    results, sudo = load_family("debian12")
    results["listening"] = result("listening", "sh: 1: ss: not found\n", 127)
    for command in list(SPECS)[list(SPECS).index("selinux"):]:
        results.pop(command)  # the session ended after services_enabled
    resources, errors = build_resources("host:x", results, sudo=sudo, now=NOW)
    failed = errors_by_operation(errors)
    assert (failed["listening"].code, failed["listening"].type) == ("NotFound", "host.listener")
    assert failed["processes"].code == "CommandFailed"
    assert failed["processes"].message == "no result: the session ended before this command finished"
    assert {"host.mac", "host.agents", "host.updates", "host.listener"}.isdisjoint({r.type for r in resources})
    assert "host.accounts" in {r.type for r in resources}


def test_containers_without_systemd_fall_back_to_the_process_list() -> None:
    booted = "System has not been booted with systemd as init system (PID 1). Can't operate.\n" \
             "Failed to connect to bus: Host is down\n"
    resources, errors = build("rocky9", rsyslog_active=result("rsyslog_active", booted, 1),
                              auditd_active=result("auditd_active", booted, 1),
                              time_daemons=result("time_daemons", booted, 1))
    assert errors == []
    assert resources["logging"].data["rsyslog_active"] is True
    assert resources["logging"].data["daemon_state_source"].startswith("process list")
    assert resources["audit"].data["active"] is True
    assert resources["time"].data["active_daemons"] == ["chronyd"]


def test_sshd_not_installed() -> None:
    # sshd_config is read with 2>/dev/null: a missing file leaves no output, only exit code 1
    resources, errors = build("debian12", sshd_effective=result("sshd_effective", "sh: 1: /usr/sbin/sshd: not found\n", 127),
                              sshd_config=result("sshd_config", "", 1))
    assert errors == []
    assert resources["sshd"].data["installed"] is False
    assert resources["session"].data["ssh_idle_timeout_seconds"] == 0


def test_sshd_unreadable_everywhere() -> None:
    """RHEL keeps sshd_config at mode 0600: without root, `sshd -T` is refused. With no output at all
    the refusal is still an error; with cat's own message, both commands say PermissionDenied."""
    no_keys = "sshd: no hostkeys available -- exiting.\n"
    resources, errors = build("rocky9", sshd_effective=result("sshd_effective", no_keys, 1),
                              sshd_config=result("sshd_config", "", 1),
                              sshd_contexts=result("sshd_contexts", "==> (any connection) <==\nspec user=x\n" + no_keys,
                                                   255))
    assert "sshd" not in resources
    assert [(e.operation, e.type, e.code) for e in errors] == [("sshd_effective", "host.sshd", "PermissionDenied")]
    assert resources["session"].data["ssh_idle_timeout_seconds"] is None
    denied = "==> /etc/ssh/sshd_config <==\ncat: /etc/ssh/sshd_config: Permission denied\n"
    _, visible = build("rocky9", sshd_effective=result("sshd_effective", no_keys, 1),
                       sshd_config=result("sshd_config", denied, 1),
                       sshd_contexts=result("sshd_contexts", no_keys, 255))
    assert {(e.operation, e.code) for e in visible} == {("sshd_effective", "PermissionDenied"),
                                                        ("sshd_config", "PermissionDenied"),
                                                        ("sshd_contexts", "PermissionDenied")}


def test_audit_log_not_searchable() -> None:
    modes = "/var/log/audit 700 root root\nstat: cannot statx '/var/log/audit/audit.log': Permission denied\n"
    resources, errors = build("rocky9", log_file_modes=result("log_file_modes", modes, 1))
    assert "audit_log" not in resources
    assert "file_modes" in resources
    assert [(e.type, e.code) for e in errors] == [("host.audit_log", "PermissionDenied")]


def test_rotated_audit_logs_are_part_of_the_trail() -> None:
    modes = ("/var/log/audit 750 root adm\n/var/log/audit/audit.log 600 root root\n"
             "/var/log/audit/audit.log.1 644 root root\n/var/log/audit/audit.log.2 400 root root\n"
             "/var/log/audit/other.txt 666 root root\n")
    resources, _ = build("rocky9", log_file_modes=result("log_file_modes", modes, 1))
    log = resources["audit_log"].data
    assert (log["exists"], log["mode"], log["mode_within_0640"]) == (True, "600", False)
    assert [f["path"] for f in log["files"]] == ["/var/log/audit/audit.log", "/var/log/audit/audit.log.1",
                                                  "/var/log/audit/audit.log.2"]
    assert log["files_beyond_0640"] == ["/var/log/audit/audit.log.1"]


def test_audit_log_where_auditd_conf_puts_it() -> None:
    conf = load_family("rocky9")[0]["auditd_conf"].output.replace(
        "log_file = /var/log/audit/audit.log", "log_file = /srv/audit/audit.log")
    resources, errors = build("rocky9", auditd_conf=result("auditd_conf", conf))
    assert "audit_log" not in resources
    [error] = [e for e in errors if e.type == "host.audit_log"]
    assert error.code == "NotCollected"
    assert "/srv/audit/audit.log" in error.message
    local = conf.replace("/srv/audit/audit.log", "/var/log/audit/local.log")
    modes = "/var/log/audit 700 root root\n/var/log/audit/local.log 640 root adm\n"
    resources, _ = build("rocky9", auditd_conf=result("auditd_conf", local),
                         log_file_modes=result("log_file_modes", modes, 1))
    assert resources["audit_log"].data["path"] == "/var/log/audit/local.log"
    assert resources["audit_log"].data["mode_within_0640"] is True


def test_auditd_conf_auditd_refuses_is_an_error_in_the_data() -> None:
    conf = "space_left_action=email\nadmin_space_left_action = single\ndisk_full_action = halt\n" \
           "disk_error_action = halt\n"
    resources, _ = build("rocky9", auditd_conf=result("auditd_conf", conf))
    audit = resources["audit"].data
    assert audit["config_errors"] == ["line 1: not `keyword = value` with spaces around `=`: auditd refuses "
                                      "the file"]
    assert audit["disk_actions"]["space_left_action"] == "ignore"   # the line is not read
    assert audit["disk_actions_defaulted"] == ["space_left_action"]


def test_logs_rsyslog_writes_below_the_stat_are_never_skipped() -> None:
    conf = load_family("debian12")[0]["rsyslog_conf"].output + \
        "local0.*\t/var/log/app/app.log\nlocal1.*\t/var/log/remote/web/web.log\n"
    modes = load_family("debian12")[0]["log_file_modes"].output + "/var/log/app/app.log 644 root adm\n"
    resources, _ = build("debian12", rsyslog_conf=result("rsyslog_conf", conf),
                         log_file_modes=result("log_file_modes", modes, 1))
    assert resources["file//var/log/app/app.log"].data["role"] == "log"
    assert "other_read" in resources["file//var/log/app/app.log"].data["permissions"]
    deep = resources["file//var/log/remote/web/web.log"].data
    assert (deep["role"], deep["permissions"]) == ("log", None)
    assert deep["problem"].startswith("not stat'ed")


# -- secrets -----------------------------------------------------------------------------------

RAW_SHADOW = ("root:$6$rounds=656000$Vd8Gq2d3$S9x0Qp1n1zF0yY0sQ7r2mI3uQn6bWfX9hQ0C5z7R1wA/:20000:0:99999:7:::\n"
              "ops:$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7:20000:0:90:7:::\n"
              "legacy:$1$Zp1ONFzA$TJgz1rFh6fYt0dXnqOqkb/:20000:0:99999:7:::\n"
              "svc:$5$rounds=5000$salt$ZzSK0YHhxq4f5xHLqH3qUB5kT0I4Ox6mAYqHPqH2yB9:20000:0:99999:7:::\n")


@pytest.mark.parametrize("family", FAMILIES)
def test_no_password_hash_reaches_the_resources(family: str) -> None:
    """Even raw /etc/shadow passed by mistake is rejected, never stored."""
    raw_passwd = result("passwd", load_family(family)[0]["passwd"].output
                        + "inline:$6$abc$inlinehashvalue:1005:1005::/home/inline:/bin/bash\n")
    resources, errors = build(family, shadow_meta=result("shadow_meta", RAW_SHADOW), passwd=raw_passwd)
    dumped = json.dumps([r.model_dump() for r in resources.values()])
    dumped += json.dumps([e.model_dump() for e in errors])
    for prefix in HASH_PREFIXES:
        assert prefix not in dumped, prefix
    assert "inlinehashvalue" not in dumped
    assert "shadow" not in resources
    assert errors_by_operation(errors)["shadow_meta"].code == "CommandFailed"


# -- end to end: the snapshot evaluates --------------------------------------------------------

def statuses(content: Content, family: str, level: int) -> dict[str, str]:
    resources, errors = build(family)
    snapshot = make_snapshot([{"id": f"host:{family}", "provider": "host"}],
                             [r.model_dump() for r in resources.values()], [e.model_dump() for e in errors])
    report = evaluate(snapshot, content, content.level_profile(level))
    found: dict[str, set[str]] = {}
    for finding in report.findings:
        found.setdefault(finding.check, set()).add(finding.status.value)
    return {check: "+".join(sorted(s)) for check, s in found.items()}


def test_debian12_at_level3(content: Content) -> None:
    outcome = statuses(content, "debian12", 3)
    for check in ("host.password.max_age", "host.password.complexity", "host.login.lockout_threshold",
                  "host.login.idle_timeout", "host.login.mfa", "host.logging.retention", "host.audit.enabled",
                  "host.ssh.root_login_disabled", "host.sudo.no_nopasswd_all", "host.network.risky_ports"):
        assert outcome[check] == "fail", check
    for check in ("host.accounts.unique_ids", "host.mac.enforced", "host.time.synchronized",
                  "host.password.no_empty_passwords", "host.network.encrypted_remote_admin"):
        assert outcome[check] == "pass", check


def test_rocky9_at_level3(content: Content) -> None:
    outcome = statuses(content, "rocky9", 3)
    # the sftp group's Match block asks for a public key alone
    assert outcome["host.login.mfa"] == "fail"
    for check in ("host.logging.retention", "host.audit.enabled", "host.audit.immutable_rules",
                  "host.login.lockout_threshold", "host.login.lockout_duration", "host.login.idle_timeout",
                  "host.password.complexity", "host.password.history", "host.ssh.root_login_disabled"):
        assert outcome[check] == "pass", check
    for check in ("host.accounts.no_stale_accounts", "host.accounts.default_accounts_no_login",
                  "host.updates.security_patches", "host.password.accounts_max_age"):
        assert outcome[check] == "fail", check


def test_ubuntu2204_without_sudo_gives_errors_not_passes(content: Content) -> None:
    outcome = statuses(content, "ubuntu2204", 3)
    assert outcome["host.password.no_empty_passwords"] == "error"
    assert outcome["host.sudo.no_nopasswd_all"] == "error"
    assert outcome["host.logging.retention"] == "pass"  # forwarded to the collector
    assert outcome["mlpscan.collection_incomplete"] == "error"  # the firewall: no check reads it yet


def test_level_thresholds_change_the_outcome(content: Content) -> None:
    assert statuses(content, "centos7", 2)["host.login.lockout_duration"] == "pass"  # tally2 300 s
    assert statuses(content, "centos7", 3)["host.login.lockout_duration"] == "fail"
    assert statuses(content, "journald_only", 3)["host.logging.retention"] == "pass"


def test_level3_controls_from_the_fixture_hosts() -> None:
    rocky, _ = build("rocky9")
    # firewalld's public zone admits ssh from anywhere; postgres only from 10.8.0.0/24
    assert rocky["listener/tcp/0.0.0.0:22"].data["firewall_exposure"] == "open"
    assert rocky["listener/tcp/0.0.0.0:5432"].data["firewall_exposure"] == "restricted"
    assert rocky["listener/tcp/0.0.0.0:22"].data["all_interfaces"] is True
    sshd = rocky["sshd"].data
    assert (sshd["login_restricted_to_named_users"], sshd["ssh_ports_firewall_restricted"]) == (False, False)
    audit = rocky["audit"].data
    assert audit["coverage"]["events_missing"] == ["time_change", "permission_change", "kernel_modules",
                                                   "failed_access", "sessions"]
    assert audit["disk_actions"]["disk_full_action"] == "suspend"
    assert rocky["umask"].data["umask"] == "002"   # /etc/profile's user-private-group branch
    assert rocky["file//etc/gshadow"].data["role"] == "credentials"
    assert rocky["file//var/log/secure"].data["permissions"] == ["owner_read", "owner_write"]
    assert "pam_unix.so nullok" in rocky["pam"].data["nullok_rules"][0]["rule"].replace("pam_unix ", "pam_unix.so ")
    debian, _ = build("debian12")
    assert debian["mac"].data["apparmor_profiles"]["enforce"] == 7
    assert debian["mac"].data["enforced"] is True
    complain_only, _ = build("journald_only")
    assert complain_only["mac"].data["enforced"] is False
    euler, _ = build("openeuler22")
    assert euler["umask"].data["umask"] == "077"
    assert euler["listener/tcp/0.0.0.0:6379"].data["firewall_exposure"] == "open"
    assert euler["pam"].data["nullok_rules"] == []


def test_a_host_without_systemd_is_judged_from_its_runlevel_links() -> None:
    """A SysV or container host: systemctl is missing, no raw shell output reaches a message."""
    missing = result("services_enabled", "sh: 123: systemctl: not found\n", 127)
    init = result("init_system", "==> pid1 <==\ninit\n==> rc <==\n/etc/rc2.d:\nS01rpcbind\nS02ssh\nK01nfs\n", 0)
    resources, errors = build("debian12", services_enabled=missing, init_system=init,
                              auditd_active=result("auditd_active", "sh: 1: systemctl: not found\n", 127))
    assert sorted(k for k in resources if k.startswith("service/")) == ["service/rpcbind.service",
                                                                         "service/ssh.service"]
    assert resources["service/ssh.service"].data["enabled_by"] == "SysV runlevel link (PID 1 is init)"
    assert "systemctl" not in " ".join(e.message for e in errors)
    assert resources["audit"].data["state_source"] == "process list (systemctl is not installed on this host)"
    bare = result("init_system", "==> pid1 <==\nsh\n==> rc <==\n", 2)
    container = result("services_enabled", "System has not been booted with systemd as init system (PID 1). "
                                           "Can't operate.\nFailed to connect to bus: Host is down\n", 1)
    resources, errors = build("debian12", services_enabled=container, init_system=bare)
    assert not [k for k in resources if k.startswith("service/")]
    [error] = [e for e in errors if e.type == "host.service"]
    assert error.code == "NoSystemd"
    assert error.message.startswith("systemd is not present on this host")
    assert "Failed to connect" not in error.message
