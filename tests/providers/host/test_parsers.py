"""The host parsers, on small inline outputs and on the per-distribution fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpscan.providers.host.parse.accounts import (
    epoch_day,
    lastlog_tool,
    parse_lastlog,
    parse_passwd,
    parse_shadow_meta,
)
from mlpscan.providers.host.parse.audit import parse_audit_rules, parse_audit_status, parse_auditd_conf
from mlpscan.providers.host.parse.files import mode_within, parse_stat
from mlpscan.providers.host.parse.firewall import parse_iptables, parse_nft
from mlpscan.providers.host.parse.login_defs import parse_login_defs
from mlpscan.providers.host.parse.logrotate import parse_logrotate, stanza_for
from mlpscan.providers.host.parse.mac import parse_apparmor, parse_getenforce
from mlpscan.providers.host.parse.network import parse_listening
from mlpscan.providers.host.parse.packages import parse_security_updates
from mlpscan.providers.host.parse.pam import (
    expand_stack,
    parse_pam_line,
    parse_pam_stacks,
    parse_pwhistory_module,
    pwquality_documented_defaults,
    unresolved_includes,
)
from mlpscan.providers.host.parse.processes import parse_aide, parse_processes, security_agents
from mlpscan.providers.host.parse.rsyslog import parse_rsyslog
from mlpscan.providers.host.parse.shell import parse_shell_timeout, parse_umask_settings, umask_value
from mlpscan.providers.host.parse.sshd import (
    parse_sshd_config,
    parse_sshd_effective,
    sshd_time_seconds,
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
    parse_is_active,
    parse_journal_disk,
    parse_journald_conf,
    systemd_timespan_seconds,
)
from mlpscan.providers.host.parse.text import parse_key_equals_value
from mlpscan.providers.host.policy.agents import aide_monitoring
from mlpscan.providers.host.policy.audit import audit_coverage, disk_actions
from mlpscan.providers.host.policy.pam import (
    lockout_policy,
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
from mlpscan.providers.host.policy.sshd import ssh_multi_factor

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(family: str, command: str) -> str:
    return (FIXTURES / family / f"{command}.txt").read_text(encoding="utf-8")


# -- identity ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("release", "family"), [
    ({"ID": "debian"}, "debian"),
    ({"ID": "ubuntu", "ID_LIKE": "debian"}, "debian"),
    ({"ID": "rocky", "ID_LIKE": "rhel centos fedora"}, "rhel"),
    ({"ID": "centos", "ID_LIKE": "rhel fedora"}, "rhel"),
    ({"ID": "openEuler"}, "rhel"),
    ({"ID": "kylin"}, "rhel"),
    ({"ID": "anolis", "ID_LIKE": "rhel fedora centos"}, "rhel"),
    ({"ID": "alinux", "ID_LIKE": "rhel fedora centos anolis"}, "rhel"),
    ({"ID": "tencentos", "ID_LIKE": "rhel fedora centos"}, "rhel"),
    ({"ID": "opensuse-leap", "ID_LIKE": "suse opensuse"}, "suse"),
    ({"ID": "alpine"}, "other"),
])
def test_os_family(release: dict[str, str], family: str) -> None:
    assert os_family(release) == family


def test_os_release_unquotes_values() -> None:
    release = parse_os_release(fixture("centos7", "os_release"))
    assert release["PRETTY_NAME"] == "CentOS Linux 7 (Core)"
    assert release["ID_LIKE"] == "rhel fedora"


def test_uname_and_hostname() -> None:
    assert parse_uname("Linux 5.14.0-362.el9.x86_64 x86_64\n") == {
        "kernel_name": "Linux", "kernel_release": "5.14.0-362.el9.x86_64", "machine": "x86_64"}
    assert parse_hostname("web-01\n") == "web-01"


# -- login.defs, pwquality, PAM ----------------------------------------------------------------

def test_login_defs_types_numbers_and_keeps_octal_strings() -> None:
    defs = parse_login_defs(fixture("debian12", "login_defs"))
    assert defs["PASS_MAX_DAYS"] == 99999
    assert defs["UMASK"] == "022"
    assert defs["ENCRYPT_METHOD"] == "SHA512"
    assert "MAIL_FILE" not in defs  # commented out
    assert parse_login_defs("PASS_MAX_DAYS\t90\nPASS_MAX_DAYS 60\n")["PASS_MAX_DAYS"] == 60


def test_pwquality_documented_defaults_follow_the_installed_version() -> None:
    assert pwquality_documented_defaults(fixture("centos7", "pwquality"))["minlen"] == 9
    assert pwquality_documented_defaults(fixture("ubuntu2204", "pwquality"))["dcredit"] == 0


def test_pam_line_with_bracketed_control_and_optional_type() -> None:
    rule = parse_pam_line("-auth [success=1 default=ignore] /lib/security/pam_unix.so nullok # note")
    assert rule == {"type": "auth", "control": "[success=1 default=ignore]", "module": "pam_unix",
                    "args": ["nullok"], "optional": True}
    assert parse_pam_line("@include common-auth")["module"] == "common-auth"  # type: ignore[index]
    assert parse_pam_line("auth substack password-auth")["control"] == "substack"  # type: ignore[index]
    assert parse_pam_line("# auth required pam_deny.so") is None


def test_pam_continuation_lines_are_joined() -> None:
    stacks = parse_pam_stacks(fixture("ubuntu2204", "pam_stacks"))
    quality = next(r for r in stacks["common-password"] if r["module"] == "pam_pwquality")
    assert "ocredit=-1" in quality["args"]


def test_expand_stack_follows_includes_of_the_same_type() -> None:
    stacks = parse_pam_stacks(fixture("rocky9", "pam_stacks"))
    auth = [r["module"] for r in expand_stack(stacks, "sshd", "auth")]
    assert auth[0] == "pam_google_authenticator"
    assert "pam_faillock" in auth
    assert "pam_sepermit" not in auth  # an account rule
    assert unresolved_includes(stacks) == ["postlogin"]


def test_complexity_pam_arguments_override_pwquality_conf() -> None:
    stacks = parse_pam_stacks(fixture("ubuntu2204", "pam_stacks"))
    quality = password_quality(stacks, fixture("ubuntu2204", "pwquality"))  # conf says minlen = 10
    assert quality["module"] == "pam_pwquality"
    assert quality["settings"]["minlen"] == 12
    assert (quality["min_length"], quality["min_char_classes"]) == (12, 4)


def test_complexity_pwquality_conf_overrides_its_drop_ins() -> None:
    """pwquality.conf(5): the .conf.d files are read first, then pwquality.conf (the command prints
    them in that order)."""
    stacks = parse_pam_stacks(fixture("rocky9", "pam_stacks"))
    quality = password_quality(stacks, "minlen = 14\nminlen = 6\n")   # 50-length.conf, then the main file
    assert quality["min_length"] == 6


@pytest.mark.parametrize(("line", "conf"), [("password optional pam_pwquality.so minlen=14 minclass=4", ""),
                                            ("password requisite pam_pwquality.so minlen=14 minclass=4 enforcing=0", ""),
                                            ("password requisite pam_pwquality.so", "minlen = 14\nenforcing = 0\n")])
def test_complexity_a_checker_that_only_warns_enforces_nothing(line: str, conf: str) -> None:
    stacks = parse_pam_stacks(f"==> /etc/pam.d/common-password <==\n{line}\n"
                              "password [success=1 default=ignore] pam_unix.so obscure use_authtok yescrypt\n"
                              "password requisite pam_deny.so\n")
    quality = password_quality(stacks, conf)
    assert (quality["min_length"], quality["min_char_classes"]) == (6, 0)
    assert "pam_pwquality" in quality["not_enforced"]


def test_history_of_an_optional_pwhistory_does_not_count() -> None:
    stacks = parse_pam_stacks("==> /etc/pam.d/common-password <==\n"
                              "password optional pam_pwhistory.so remember=24\n"
                              "password [success=1 default=ignore] pam_unix.so use_authtok\n")
    history = password_history(stacks, {}, conf_read=False)
    assert history["remember"] == 0
    assert "optional, so a reused password is not refused" in history["rules"][0]


def test_complexity_positive_credit_shortens_the_minimum() -> None:
    stacks = parse_pam_stacks(fixture("centos7", "pam_stacks"))
    quality = password_quality(stacks, fixture("centos7", "pwquality"))
    # minlen 8, ocredit defaults to +1 on libpwquality 1.2: a 7-character password with a symbol passes
    assert quality["settings"]["ocredit"] == 1
    assert (quality["min_length"], quality["min_char_classes"]) == (7, 3)
    assert quality["required_classes"] == ["dcredit", "lcredit", "ucredit"]


def test_complexity_minclass_and_cracklib_defaults() -> None:
    rocky = password_quality(parse_pam_stacks(fixture("rocky9", "pam_stacks")), fixture("rocky9", "pwquality"))
    assert (rocky["min_length"], rocky["min_char_classes"]) == (10, 3)
    cracklib = parse_pam_stacks("==> /etc/pam.d/system-auth <==\npassword requisite pam_cracklib.so retry=3\n")
    assert password_quality(cracklib, "")["min_length"] == 5  # minlen 9 minus four credits of 1


def test_complexity_without_a_quality_module() -> None:
    debian = password_quality(parse_pam_stacks(fixture("debian12", "pam_stacks")), "")
    assert debian["module"] is None
    assert (debian["min_length"], debian["min_char_classes"]) == (6, 0)


def test_password_history() -> None:
    assert password_history(parse_pam_stacks(fixture("centos7", "pam_stacks")))["remember"] == 5
    assert password_history(parse_pam_stacks(fixture("ubuntu2204", "pam_stacks")))["remember"] == 5
    # pam_pwhistory without remember= uses its default of 10
    assert password_history(parse_pam_stacks(fixture("rocky9", "pam_stacks")))["remember"] == 10
    assert password_history(parse_pam_stacks(fixture("debian12", "pam_stacks")))["remember"] == 0


def test_password_history_from_pwhistory_conf() -> None:
    stacks = parse_pam_stacks(fixture("rocky9", "pam_stacks"))
    conf_read = parse_pwhistory_module(fixture("rocky9", "pwhistory_module"))
    assert conf_read is True
    history = password_history(stacks, parse_key_equals_value(fixture("rocky9", "pwhistory_conf")), conf_read)
    assert history["remember"] == 5
    assert history["rules"][0] == "remember = 5 (/etc/security/pwhistory.conf)"
    # an argument on the PAM line wins over the file; a missing file changes nothing
    ubuntu = parse_pam_stacks(fixture("ubuntu2204", "pam_stacks"))
    assert password_history(ubuntu, {"remember": 20})["remember"] == 5
    assert parse_key_equals_value(fixture("ubuntu2204", "pwhistory_conf")) == {}


def test_pwhistory_conf_is_ignored_by_modules_that_do_not_read_it() -> None:
    """Debian 12's Linux-PAM 1.5.2 pam_pwhistory has no pwhistory.conf: its default 10 applies."""
    stacks = parse_pam_stacks(fixture("rocky9", "pam_stacks"))   # pam_pwhistory without remember=
    assert parse_pwhistory_module(fixture("debian12", "pwhistory_module")) is False
    ignored = password_history(stacks, {"remember": 2}, conf_read=False)
    assert ignored["remember"] == 10
    assert "is not read by this pam_pwhistory" in ignored["rules"][0]
    assert password_history(stacks, {"remember": 24}, conf_read=None)["remember"] == 10   # not known: the smaller
    assert password_history(stacks, {"remember": 2}, conf_read=None)["remember"] == 2
    assert parse_pwhistory_module("") is None


def test_pwhistory_conf_argument_names_a_file_not_read() -> None:
    stacks = parse_pam_stacks("==> /etc/pam.d/common-password <==\n"
                              "password requisite pam_pwhistory.so conf=/etc/security/pwh.conf use_authtok\n"
                              "password [success=1 default=ignore] pam_unix.so use_authtok\n")
    assert password_history(stacks, {"remember": 5}, conf_read=True)["remember"] is None
    with_unix = parse_pam_stacks("==> /etc/pam.d/common-password <==\n"
                                 "password requisite pam_pwhistory.so conf=/etc/security/pwh.conf\n"
                                 "password [success=1 default=ignore] pam_unix.so remember=4\n")
    assert password_history(with_unix, {}, conf_read=True)["remember"] == 4


def test_lockout_from_faillock_conf() -> None:
    lockout = lockout_policy(parse_pam_stacks(fixture("rocky9", "pam_stacks")),
                               parse_key_equals_value(fixture("rocky9", "faillock_conf")))
    assert lockout["module"] == "pam_faillock"
    assert (lockout["enabled"], lockout["deny"], lockout["unlock_time_seconds"]) == (True, 5, 900)
    assert set(lockout["services"]) == {"sshd", "login"}


def test_lockout_pam_arguments_override_faillock_conf() -> None:
    stacks = parse_pam_stacks(fixture("openeuler22", "pam_stacks"))
    lockout = lockout_policy(stacks, {"deny": 10, "unlock_time": 1800})
    assert (lockout["deny"], lockout["unlock_time_seconds"]) == (3, 300)


def test_lockout_centos7_pam_tally2() -> None:
    lockout = lockout_policy(parse_pam_stacks(fixture("centos7", "pam_stacks")), {})
    assert lockout["module"] == "pam_tally2"
    assert (lockout["deny"], lockout["unlock_time_seconds"], lockout["permanent"]) == (5, 300, False)


def test_lockout_defaults_never_and_weakest_service() -> None:
    never = "==> /etc/pam.d/common-auth <==\nauth required pam_faillock.so preauth unlock_time=never\n" \
            "auth [default=die] pam_faillock.so authfail unlock_time=never\n"
    policy = lockout_policy(parse_pam_stacks(never), {})
    assert (policy["deny"], policy["permanent"], policy["unlock_time_seconds"]) == (3, True, None)
    # the line that refuses the locked account decides how long it stays locked
    authfail_only_never = never.replace("preauth unlock_time=never", "preauth")
    assert lockout_policy(parse_pam_stacks(authfail_only_never), {})["unlock_time_seconds"] == 600
    preauth_only = "==> /etc/pam.d/common-auth <==\nauth required pam_faillock.so preauth deny=3\n"
    assert not lockout_policy(parse_pam_stacks(preauth_only), {})["enabled"]
    only_console = ("==> /etc/pam.d/sshd <==\nauth include common-auth\n"
                    "==> /etc/pam.d/login <==\nauth required pam_tally2.so deny=3\nauth include common-auth\n"
                    "==> /etc/pam.d/common-auth <==\nauth required pam_unix.so\n")
    policy = lockout_policy(parse_pam_stacks(only_console), {})
    assert (policy["enabled"], policy["weakest_service"]) == (False, "sshd")


@pytest.mark.parametrize(("stack", "problem"), [
    # authfail records failures, but nothing refuses a locked account: a correct password always works
    ("auth [success=1 default=ignore] pam_unix.so\nauth [default=die] pam_faillock.so authfail deny=3\n"
     "auth sufficient pam_faillock.so authsucc\nauth required pam_permit.so\n", "no pam_faillock preauth"),
    # a bare line is a preauth (pam_faillock.c): it counts nothing
    ("auth required pam_faillock.so deny=3\nauth sufficient pam_unix.so\nauth required pam_deny.so\n",
     "no pam_faillock authfail"),
    # an optional preauth does not end the login
    ("auth optional pam_faillock.so preauth\nauth sufficient pam_unix.so\n"
     "auth [default=die] pam_faillock.so authfail\n", "no pam_faillock preauth"),
    # authfail believes the user locked at 3 and stops counting; preauth waits for 5
    ("auth required pam_faillock.so preauth deny=5\nauth sufficient pam_unix.so\n"
     "auth [default=die] pam_faillock.so authfail deny=3\n", "stops counting"),
])
def test_faillock_lines_that_lock_nobody(stack: str, problem: str) -> None:
    policy = lockout_policy(parse_pam_stacks("==> /etc/pam.d/common-auth <==\n" + stack), {})
    assert policy["enabled"] is False
    assert problem in policy["services"]["common-auth"]["problem"]


def test_faillock_enforced_by_authsucc_before_pam_deny_and_by_the_lowest_reachable_deny() -> None:
    man_example = ("auth [success=1 default=bad] pam_unix.so\nauth [default=die] pam_faillock.so authfail\n"
                   "auth sufficient pam_faillock.so authsucc\nauth required pam_deny.so\n")
    policy = lockout_policy(parse_pam_stacks("==> /etc/pam.d/common-auth <==\n" + man_example),
                            {"deny": 4, "unlock_time": 1200})
    assert (policy["enabled"], policy["deny"], policy["unlock_time_seconds"]) == (True, 4, 1200)
    stricter_preauth = ("auth requisite pam_faillock.so preauth deny=3\nauth sufficient pam_unix.so\n"
                        "auth [default=die] pam_faillock.so authfail\n")
    policy = lockout_policy(parse_pam_stacks("==> /etc/pam.d/common-auth <==\n" + stricter_preauth),
                            {"deny": 10})
    assert policy["deny"] == 3   # preauth refuses at 3; authfail (10) keeps counting past it


def test_second_factor_modules_and_nullok() -> None:
    assert [m["module"] for m in second_factor_modules(parse_pam_stacks(fixture("rocky9", "pam_stacks")))] \
        == ["pam_google_authenticator"]
    weak = "==> /etc/pam.d/sshd <==\nauth required pam_google_authenticator.so nullok\n"
    assert second_factor_modules(parse_pam_stacks(weak))[0]["nullok"] is True


# -- sshd --------------------------------------------------------------------------------------

def test_sshd_effective_lists_and_numbers() -> None:
    settings = parse_sshd_effective(fixture("rocky9", "sshd_effective"))
    assert settings is not None
    assert settings["port"] == [22]
    assert settings["hostkey"][0] == "/etc/ssh/ssh_host_rsa_key"
    assert settings["acceptenv"] == ["LANG", "LC_*"]
    assert settings["clientaliveinterval"] == 300
    assert settings["authenticationmethods"] == "publickey,keyboard-interactive"


def test_sshd_effective_refusal_is_not_settings() -> None:
    assert parse_sshd_effective("sshd: no hostkeys available -- exiting.\n") is None
    assert parse_sshd_effective("/etc/ssh/sshd_config line 3: Bad configuration option: Foo\n") is None


def test_sshd_config_first_value_wins_and_defaults_fill_gaps() -> None:
    parsed = parse_sshd_config(fixture("centos7", "sshd_config"))
    settings = parsed["settings"]
    assert settings["permitrootlogin"] == "yes"
    assert settings["kbdinteractiveauthentication"] == "no"  # from ChallengeResponseAuthentication
    assert settings["clientaliveinterval"] == 0
    assert "clientaliveinterval" in parsed["defaulted"]
    assert not parsed["approximate"]


def test_sshd_config_match_blocks_are_skipped_and_listed() -> None:
    text = "PermitRootLogin no\nMatch Address 10.0.0.0/8\n  PermitRootLogin yes\nMatch all\nMaxAuthTries 3\n"
    parsed = parse_sshd_config(text)
    assert parsed["settings"]["permitrootlogin"] == "no"
    assert parsed["settings"]["maxauthtries"] == 3
    assert parsed["match_blocks"] == ["Address 10.0.0.0/8"]


def test_sshd_config_drop_ins_are_read_where_the_include_stands() -> None:
    parsed = parse_sshd_config(fixture("ubuntu2204", "sshd_config"))
    assert parsed["approximate"] is False
    assert parsed["files_read"] == ["/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/50-cloud-init.conf"]
    assert parsed["settings"]["passwordauthentication"] == "no"  # from the cloud-init drop-in
    assert parsed["settings"]["clientaliveinterval"] == 300
    # RHEL 9: 40-mfa.conf is read before 50-redhat.conf, whose ChallengeResponseAuthentication
    # (the old name of KbdInteractiveAuthentication) comes second and loses
    rocky = parse_sshd_config(fixture("rocky9", "sshd_config"))
    assert rocky["settings"]["kbdinteractiveauthentication"] == "yes"
    assert rocky["settings"]["authenticationmethods"] == "publickey,keyboard-interactive"
    assert rocky["settings"]["usepam"] == "yes"  # 50-redhat.conf
    assert rocky["match_blocks"] == ["Group sftpusers"]
    headed = ("==> /etc/ssh/sshd_config <==\nInclude /etc/ssh/sshd_config.d/*.conf\nX11Forwarding yes\n"
              "Match User x\nInclude sshd_config.d/b.conf\n"
              "==> /etc/ssh/sshd_config.d/a.conf <==\nMatch User y\nPermitRootLogin yes\n"
              "==> /etc/ssh/sshd_config.d/b.conf <==\nX11Forwarding no\n")
    result = parse_sshd_config(headed)
    assert result["settings"]["x11forwarding"] == "no"  # the drop-ins come first, and win
    assert result["settings"]["permitrootlogin"] == "prohibit-password"  # a Match block ends with its file
    # an Include inside a Match block is read into that block, as sshd does
    assert result["files_read"] == ["/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/a.conf",
                                    "/etc/ssh/sshd_config.d/b.conf", "/etc/ssh/sshd_config.d/b.conf"]
    assert result["match_settings"] == [{"condition": "User y", "settings": {"permitrootlogin": "yes"}},
                                        {"condition": "User x", "settings": {"x11forwarding": "no"}}]
    assert not result["approximate"]


def test_sshd_config_without_include_reads_no_drop_in() -> None:
    headed = "==> /etc/ssh/sshd_config <==\nPermitRootLogin no\n==> /etc/ssh/sshd_config.d/a.conf <==\nPermitRootLogin yes\n"
    parsed = parse_sshd_config(headed)
    assert parsed["settings"]["permitrootlogin"] == "no"
    assert parsed["not_included"] == ["/etc/ssh/sshd_config.d/a.conf"]


def test_sshd_config_without_headers_and_include_is_approximate() -> None:
    parsed = parse_sshd_config("Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n")
    assert parsed["approximate"] is True


def test_sshd_config_missing_file() -> None:
    parsed = parse_sshd_config("cat: /etc/ssh/sshd_config: No such file or directory\n")
    assert parsed["found"] is False


def test_sshd_time_values() -> None:
    assert sshd_time_seconds("5m") == 300
    assert sshd_time_seconds("1h30m") == 5400
    assert sshd_time_seconds("soon") is None


def _view(**overrides: object) -> dict[str, object]:
    view = sshd_view({"usepam": "yes", "kbdinteractiveauthentication": "yes", "pubkeyauthentication": "yes",
                        "authenticationmethods": "any"})
    view.update(overrides)
    return view


OTP = [{"module": "pam_google_authenticator", "nullok": False}]


@pytest.mark.parametrize(("view", "modules", "expected"), [
    (_view(authentication_methods=[["publickey", "keyboard-interactive"]]), [], True),
    (_view(authentication_methods=[["publickey", "password"], ["publickey", "keyboard-interactive:pam"]]), [], True),
    (_view(authentication_methods=[["publickey"], ["publickey", "password"]]), [], False),
    (_view(authentication_methods=[["publickey", "publickey"]]), [], False),
    (_view(), OTP, False),  # public keys bypass the PAM stack
    (_view(pubkey_authentication=False), OTP, True),
    (_view(authentication_methods=[["keyboard-interactive"]]), OTP, True),
    (_view(pubkey_authentication=False, use_pam=False), OTP, False),
    (_view(pubkey_authentication=False), [{"module": "pam_google_authenticator", "nullok": True}], False),
])
def test_ssh_multi_factor(view: dict[str, object], modules: list[dict[str, object]], expected: bool) -> None:
    assert ssh_multi_factor(view, modules)["multi_factor"] is expected


# -- session, accounts, sudo -------------------------------------------------------------------

def tmout(text: str) -> dict[str, object]:
    entries = [{**e, "sourced": sourced_by_login_shell(str(e["file"]))} for e in parse_shell_timeout(text)]
    return effective_tmout(entries)


def test_shell_timeout_a_readonly_assignment_decides() -> None:
    summary = tmout("/etc/profile:export TMOUT=900\n/etc/profile.d/t.sh:readonly TMOUT=300\n"
                    "/etc/profile.d/x.sh:# TMOUT=60\n")
    assert summary == {"tmout_seconds": 300, "tmout_file": "/etc/profile.d/t.sh", "tmout_readonly": True,
                       "tmout_exported": True}
    assert effective_tmout([])["tmout_seconds"] == 0


def test_shell_timeout_without_readonly_the_longest_may_come_last() -> None:
    assert tmout("/etc/profile.d/a.sh:TMOUT=600\n/etc/profile.d/z.sh:TMOUT=3600\n")["tmout_seconds"] == 3600
    assert tmout("/etc/profile:TMOUT=600\n/etc/bash.bashrc:TMOUT=0\n")["tmout_seconds"] == 0


def test_shell_timeout_unset_or_not_a_number_is_no_timeout() -> None:
    assert tmout("/etc/profile:TMOUT=600\n/etc/profile.d/dev.sh:unset TMOUT\n")["tmout_seconds"] == 0
    assert tmout("/etc/profile:TMOUT=600\n/etc/profile.d/dev.sh:export TMOUT=$DEV_TMOUT\n")["tmout_seconds"] == 0
    assert tmout("/etc/profile:readonly TMOUT=600\n/etc/profile.d/dev.sh:unset TMOUT\n")["tmout_seconds"] == 600
    assert tmout("/etc/profile:TMOUT=600\n/etc/profile.d/x.sh:echo \"TMOUT=$TMOUT\" ${TMOUT=1}\n")[
        "tmout_seconds"] == 600


@pytest.mark.parametrize("path", ["/etc/profile.d/tmout.sh.disabled", "/etc/profile.d/old/tmout.sh",
                                  "/etc/profile.d/tmout.csh", "/etc/profile.bak"])
def test_shell_timeout_in_a_file_no_login_shell_sources_does_not_count(path: str) -> None:
    assert tmout(f"{path}:declare -xr TMOUT=600\n")["tmout_seconds"] == 0
    assert tmout(f"{path}:TMOUT=600\n/etc/profile.d/tmout.sh:TMOUT=600\n")["tmout_seconds"] == 600


def test_shell_timeout_readonly_and_export_on_their_own_lines() -> None:
    entries = parse_shell_timeout(fixture("rocky9", "shell_timeout"))
    assert entries == [{"file": "/etc/profile.d/tmout.sh", "value": 600, "readonly": True, "exported": True}]
    assert sourced_by_login_shell("/etc/profile.d/sh.local")
    assert sourced_by_login_shell("/etc/bashrc")
    other_file = parse_shell_timeout("/etc/profile:TMOUT=900\n/etc/profile.d/x.sh:readonly TMOUT\n"
                                       "/etc/bashrc:if [ -z \"$TMOUT\" ]; then :; fi\n")
    assert other_file == [{"file": "/etc/profile", "value": 900, "readonly": False, "exported": False}]
    assert parse_shell_timeout("/etc/profile:declare -rx TMOUT=300\n")[0]["readonly"] is True


@pytest.mark.parametrize(("written", "value"), [("027", "027"), ("0027", "027"), ("27", "027"), ("7", "007"),
                                               ("u=rwx,g=rx,o=", "027"), ("a=rx,u+w", None), ("u=rwx", None),
                                               ("g-w", None)])
def test_umask_values(written: str, value: str | None) -> None:
    assert umask_value(written) == value


def test_umask_settings_keep_what_was_written() -> None:
    assert parse_umask_settings("/etc/profile:umask 22 # loose\n/etc/profile.d/u.sh:umask u=rwx,g=rx,o=\n"
                                "/etc/bash.bashrc:umask -S\n") == [
        {"file": "/etc/profile", "umask": "022", "text": "22"},
        {"file": "/etc/profile.d/u.sh", "umask": "027", "text": "u=rwx,g=rx,o="}]


COMMON_SESSION = "==> /etc/pam.d/common-session <==\nsession required pam_unix.so\n"
WITH_PAM_UMASK = COMMON_SESSION + "session optional pam_umask.so\n"
SSHD_SESSION = "==> /etc/pam.d/sshd <==\n@include common-session\n"


def umasks(settings: str, pam: str | None) -> dict[str, object]:
    stacks = parse_pam_stacks(pam) if pam is not None else None
    return login_umasks(parse_umask_settings(settings), stacks, session_services(stacks))


def test_login_defs_umask_needs_pam_umask_in_the_session_stack() -> None:
    defs = "/etc/login.defs:UMASK\t\t027\n"
    without = umasks(defs, COMMON_SESSION + SSHD_SESSION)
    assert without["umask"] == "022"
    assert "not applied: no pam_umask" in str(without["evidence"])
    assert umasks(defs, WITH_PAM_UMASK + SSHD_SESSION)["umask"] == "027"
    argument = WITH_PAM_UMASK.replace("pam_umask.so", "pam_umask.so umask=0022")
    assert umasks(defs, argument + SSHD_SESSION)["umask"] == "022"
    assert umasks(defs, None)["umask"] == "022"   # PAM unreadable: pam_umask is not assumed


def test_login_umask_profiles_apply_to_every_session_the_loosest_decides() -> None:
    found = umasks("/etc/login.defs:UMASK 077\n/etc/profile.d/umask.sh:umask 027\n"
                   "/etc/profile.d/old.sh.rpmsave:umask 000\n", WITH_PAM_UMASK + SSHD_SESSION)
    assert found["umask"] == "027"
    assert found["granted"] == 0o750
    assert "/etc/profile.d/old.sh.rpmsave not applied" in str(found["evidence"])
    unknown = umasks("/etc/profile:umask g-w\n", COMMON_SESSION)
    assert (unknown["umask"], unknown["granted"]) == (None, None)


def test_passwd_keeps_no_gecos_and_classifies_shells() -> None:
    users = {u["name"]: u for u in parse_passwd(fixture("rocky9", "passwd"))}
    assert "gecos" not in users["dba"]
    assert "Database Administrator" not in str(users["dba"])
    assert not users["sync"]["login_shell"]
    assert not users["halt"]["login_shell"]
    assert users["postgres"]["login_shell"]
    odd = parse_passwd("+::::::\nold:abcDEFhash:1001:1001::/home/old:\nnopw::1002:1002::/x:/bin/sh\n")
    assert [(u["name"], u["passwd_field"], u["login_shell"]) for u in odd] == [
        ("old", "inline", True), ("nopw", "empty", True)]
    assert "abcDEFhash" not in str(odd)


def test_shadow_digest_is_accepted_and_raw_shadow_rejected() -> None:
    entries, rejected = parse_shadow_meta("ops:SET:20710:2:90:7::\ntest:EMPTY:20773:0:99999:7::\n")
    assert rejected == 0
    assert entries[0] == {"name": "ops", "state": "SET", "last_change_day": 20710, "min_days": 2, "max_days": 90,
                          "warn_days": 7, "inactive_days": None, "expire_day": None}
    raw = ("root:$6$rounds=5000$saltsalt$0123456789abcdefABCDEF:19000:0:99999:7:::\n"
           "ops:$y$j9T$abc$def:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n")
    entries, rejected = parse_shadow_meta(raw)
    assert (entries, rejected) == ([], 3)


def test_epoch_day() -> None:
    assert epoch_day(20777) == "2026-11-20"
    assert epoch_day(0) is None
    assert epoch_day(None) is None


def test_lastlog() -> None:
    logins = parse_lastlog(fixture("rocky9", "lastlog"))
    assert logins["root"] == {"never": True, "date": None}
    assert logins["dba"] == {"never": False, "date": "2026-10-02"}
    assert lastlog_tool(fixture("rocky9", "lastlog")) == "lastlog"


LASTLOG2 = ("==> lastlog2 <==\n"
            "Username         Port     From                                       Latest\n"
            "ops              pts/0    10.0.0.9                                   Thu Nov  5 09:12:44 +0100 2026\n")


def test_lastlog2() -> None:
    assert lastlog_tool(LASTLOG2) == "lastlog2"
    assert parse_lastlog(LASTLOG2) == {"ops": {"never": False, "date": "2026-11-05"}}


def test_sudoers_debian_rule_and_comments() -> None:
    sudo = parse_sudoers(fixture("debian12", "sudoers"))
    assert sudo["nopasswd_all"] == [{"principals": ["deploy"], "rule": "deploy ALL=(ALL) NOPASSWD: ALL"}]


def test_sudoers_user_alias_across_a_continuation() -> None:
    sudo = parse_sudoers(fixture("centos7", "sudoers"))
    assert sudo["nopasswd_all"][0]["principals"] == ["ops", "toor"]


def test_sudoers_limited_rules_do_not_count() -> None:
    assert parse_sudoers(fixture("rocky9", "sudoers"))["nopasswd_all"] == []


@pytest.mark.parametrize(("text", "granted"), [
    ("%wheel ALL=(ALL) NOPASSWD: ALL\n", True),
    ("%wheel ALL=(ALL:ALL) NOPASSWD:ALL\n", True),
    ("# %wheel ALL=(ALL) NOPASSWD: ALL\n", False),
    ("root ALL=(ALL) NOPASSWD: ALL\n", False),
    ("app ALL=(ALL) NOPASSWD: /usr/bin/systemctl restart app, PASSWD: ALL\n", False),
    ("app ALL=(ALL) NOPASSWD: /usr/bin/id, ALL\n", True),
    ("Cmnd_Alias EVERYTHING = ALL\napp ALL=(root) NOPASSWD: EVERYTHING\n", True),
    ("app ALL=(ALL) NOEXEC: NOPASSWD: ALL\n", True),
])
def test_sudoers_nopasswd_all(text: str, granted: bool) -> None:
    assert bool(parse_sudoers(text)["nopasswd_all"]) is granted


def test_sudoers_defaults_not_authenticate() -> None:
    assert parse_sudoers("Defaults:ops !authenticate\n")["authentication_disabled"] == ["ops"]


# -- systemd, audit, file modes ----------------------------------------------------------------

def test_is_active_needs_one_state_per_unit() -> None:
    assert parse_is_active("active\ninactive\n", ["rsyslog", "syslog-ng"]) == {
        "rsyslog": "active", "syslog-ng": "inactive"}
    booted = "System has not been booted with systemd as init system (PID 1). Can't operate.\n"
    assert parse_is_active(booted, ["rsyslog", "syslog-ng"]) is None


def test_enabled_services_with_and_without_preset_column() -> None:
    assert parse_enabled_services("sshd.service   enabled enabled\n")[0] == {"unit": "sshd.service",
                                                                              "state": "enabled"}
    assert [s["unit"] for s in parse_enabled_services(fixture("centos7", "services_enabled"))][-1] == \
        "vsftpd.service"


def test_audit_status_both_formats() -> None:
    assert parse_audit_status(fixture("rocky9", "audit_status"))["enabled"] == 2
    assert parse_audit_status("AUDIT_STATUS: enabled=1 flag=1 pid=700 rate_limit=0\n")["enabled"] == 1


def test_audit_rules_and_coverage() -> None:
    rules = parse_audit_rules(fixture("rocky9", "audit_rules"))
    coverage = audit_coverage(rules)
    assert coverage["identity"]
    assert coverage["logins"]
    assert coverage["privilege"]
    assert "execve by euid 0 recorded" in coverage["privilege_evidence"]
    assert parse_audit_rules("No rules\n") == []
    partial = audit_coverage(parse_audit_rules(fixture("openeuler22", "audit_rules")))
    assert (partial["identity"], partial["logins"], partial["privilege"]) == (True, True, False)


def test_audit_coverage_syscall_watch_form_and_read_only_watches() -> None:
    text = ("-a always,exit -F arch=b64 -S openat -F path=/etc/passwd -F perm=wa -F key=identity\n"
            "-w /etc/shadow -p r -k reads\n-w /etc/ -p wa -k etc\n")
    coverage = audit_coverage(parse_audit_rules(text))
    assert coverage["identity"] is True  # /etc/ covers shadow, group and gshadow for writes
    only_reads = audit_coverage(parse_audit_rules("-w /etc/shadow -p r -k reads\n"))
    assert "/etc/shadow" in only_reads["identity_missing"]


def test_auditd_conf_is_read_as_auditd_splits_it() -> None:
    """auditd-config.c: `keyword = value [option]`, tokens split on spaces only."""
    conf = parse_auditd_conf(fixture("rocky9", "auditd_conf"))
    assert conf["problems"] == []
    assert conf["settings"]["disk_full_action"] == "SUSPEND"
    text = ("# comment\nSpace_Left_Action = EMAIL\nadmin_space_left_action = exec /usr/local/sbin/alert\n"
            "disk_full_action = halt\ndisk_full_action = single\n")
    conf = parse_auditd_conf(text)
    assert conf["settings"] == {"space_left_action": "EMAIL", "admin_space_left_action": "exec",
                                "disk_full_action": "single"}   # the last occurrence wins
    assert conf["options"] == {"admin_space_left_action": "/usr/local/sbin/alert"}


@pytest.mark.parametrize("line", ["disk_full_action=halt", "disk_full_action =halt", "disk_full_action\t=\thalt",
                                  "disk_full_action", "\t", "log_file = /var/log/audit/audit.log # main log"])
def test_auditd_conf_lines_auditd_refuses(line: str) -> None:
    conf = parse_auditd_conf(f"log_group = root\n{line}\n")
    assert [p["line"] for p in conf["problems"]] == [2]
    assert "disk_full_action" not in conf["settings"]
    assert disk_actions(conf)["config_errors"][0].startswith("line 2: ")


def test_auditd_conf_overlong_line_is_skipped_not_fatal() -> None:
    conf = parse_auditd_conf("name = " + "x" * 160 + "\ndisk_full_action = halt\n")
    assert conf["settings"] == {"disk_full_action": "halt"}
    assert disk_actions(conf)["config_errors"] == []


def test_disk_actions_defaults_and_values_auditd_rejects() -> None:
    unset = disk_actions(parse_auditd_conf(""))
    assert unset["actions"] == {"space_left_action": "ignore", "admin_space_left_action": "ignore",
                                "disk_full_action": "ignore", "disk_error_action": "syslog"}
    assert unset["defaulted"] == sorted(unset["actions"])
    good = disk_actions(parse_auditd_conf("space_left_action = email\nadmin_space_left_action = SINGLE\n"
                                          "disk_full_action = exec /sbin/stop-services\n"
                                          "disk_error_action = halt\n"))
    assert good["config_errors"] == []
    assert good["actions"]["admin_space_left_action"] == "single"
    for line in ("disk_full_action = email", "disk_error_action = rotate", "disk_error_action = exec",
                 "space_left_action = mail"):
        assert len(disk_actions(parse_auditd_conf(line + "\n"))["config_errors"]) == 1, line


def test_stat_lines() -> None:
    stats = parse_stat(fixture("debian12", "log_file_modes"))
    assert stats["files"]["/var/log/auth.log"] == {"mode": "640", "owner": "root", "group": "adm"}
    assert "/var/log/audit/audit.log" in stats["missing"]
    denied = parse_stat("stat: cannot statx '/var/log/audit/audit.log': Permission denied\n")
    assert list(denied["unreadable"]) == ["/var/log/audit/audit.log"]
    assert mode_within("600", 0o640)
    assert mode_within("640", 0o640)
    assert not mode_within("644", 0o640)
    assert not mode_within("660", 0o640)


# -- logging -----------------------------------------------------------------------------------

def test_rsyslog_files_and_no_forwarding_in_stock_configs() -> None:
    for family in ("rocky9", "centos7"):
        parsed = parse_rsyslog(fixture(family, "rsyslog_conf"))
        assert {"/var/log/secure", "/var/log/messages"} <= set(parsed["files"])
        assert parsed["remote"] == []  # the sample forwarding rules are commented out


def test_rsyslog_multiline_omfwd_action() -> None:
    remote = parse_rsyslog(fixture("ubuntu2204", "rsyslog_conf"))["remote"]
    assert [(r["target"], r["port"], r["protocol"]) for r in remote] == [("10.20.0.15", 6514, "tcp")]


@pytest.mark.parametrize(("line", "target"), [
    ("*.* @@logs.example.internal:10514", ("logs.example.internal", 10514, "tcp")),
    ("authpriv.* @10.0.0.9", ("10.0.0.9", 514, "udp")),
    ("*.* @@(o)[2001:db8::5]:514;RSYSLOG_ForwardFormat", ("2001:db8::5", 514, "tcp")),
    ('if $programname == "sshd" then @@siem:6514', ("siem", 6514, "tcp")),
])
def test_rsyslog_legacy_forwarding(line: str, target: tuple[str, int, str]) -> None:
    remote = parse_rsyslog(line + "\n")["remote"]
    assert [(r["target"], r["port"], r["protocol"]) for r in remote] == [target]


def test_journald_dropin_overrides_and_timespans() -> None:
    settings = parse_journald_conf(fixture("journald_only", "journald_conf"))
    assert settings == {"Storage": "persistent", "MaxRetentionSec": "6month", "SystemMaxUse": "8G"}
    assert systemd_timespan_seconds("6month") == 6 * 2629800
    assert systemd_timespan_seconds("180d") == 180 * 86400
    assert systemd_timespan_seconds("1y 2w") == 31557600 + 2 * 604800
    assert systemd_timespan_seconds("3600") == 3600
    assert systemd_timespan_seconds("forever") is None
    assert parse_journal_disk(fixture("centos7", "journal_disk")) == 8 * 1024**2


def test_logrotate_dropin_inherits_defaults_set_before_the_include() -> None:
    text = ("==> /etc/logrotate.conf <==\nweekly\nrotate 4\ninclude /etc/logrotate.d\nrotate 99\n"
            "/var/log/wtmp {\n monthly\n}\n==> /etc/logrotate.d/syslog <==\n/var/log/secure\n/var/log/messages\n"
            "{\n    missingok\n    postrotate\n        rotate 1\n    endscript\n}\n")
    parsed = parse_logrotate(text)
    secure = stanza_for(parsed, "/var/log/secure")
    assert secure is not None
    assert (secure["rotate"], secure["criterion"]) == (4, "weekly")
    wtmp = stanza_for(parsed, "/var/log/wtmp")
    assert wtmp is not None
    assert (wtmp["rotate"], wtmp["criterion"]) == (99, "monthly")


def test_logrotate_without_include_ignores_dropins() -> None:
    parsed = parse_logrotate("==> /etc/logrotate.conf <==\nweekly\n==> /etc/logrotate.d/x <==\n/var/log/x {\n}\n")
    assert parsed["dropins_read"] is False
    assert parsed["stanzas"] == []


@pytest.mark.parametrize(("directives", "days", "unlimited"), [
    ({"rotate": 4, "criterion": "weekly", "period_days": 7.0}, 28, False),
    ({"rotate": 26, "criterion": "weekly", "period_days": 7.0}, 182, False),
    ({"rotate": 6, "criterion": "monthly", "period_days": 30.0}, 180, False),
    ({"rotate": 365, "criterion": "daily", "period_days": 1.0, "maxage": 180}, 180, False),
    ({"rotate": 30, "criterion": "size", "period_days": None, "maxage": 365}, 30, False),
    ({"rotate": 12, "criterion": "monthly", "period_days": 30.0, "maxsize": True}, 12, False),
    ({"rotate": -1, "criterion": "weekly", "period_days": 7.0}, None, True),
    ({"rotate": -1, "criterion": "weekly", "period_days": 7.0, "maxage": 200}, 200, False),
    ({"rotate": 0, "criterion": "weekly", "period_days": 7.0}, 0, False),
])
def test_stanza_retention(directives: dict[str, object], days: int | None, unlimited: bool) -> None:
    kept = stanza_retention(directives)
    assert (kept["days"], kept["unlimited"]) == (days, unlimited)


def test_logrotate_fixture_retention() -> None:
    for family, path, days in (("debian12", "/var/log/auth.log", 28), ("rocky9", "/var/log/secure", 182),
                               ("openeuler22", "/var/log/secure", 30), ("centos7", "/var/log/messages", 28)):
        stanza = stanza_for(parse_logrotate(fixture(family, "logrotate")), path)
        assert stanza is not None, family
        assert stanza_retention(stanza)["days"] == days, family


# -- time, firewall, network, MAC, processes, updates ------------------------------------------

def test_timedatectl() -> None:
    values = parse_timedatectl(fixture("rocky9", "timedatectl"))
    assert values["NTPSynchronized"] == "yes"
    assert str(timedatectl_date(values)) == "2026-11-20"
    assert parse_timedatectl("Unknown operation show\n") == {}


def test_nft_and_iptables() -> None:
    nft = parse_nft(fixture("rocky9", "firewall_nft"))
    assert nft["tables"] == ["inet firewalld"]
    assert nft["filters_input"] is True
    assert parse_nft("")["filters_input"] is False
    drop = parse_nft("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; "
                       "policy drop;\n\t}\n}\n")
    assert drop["filters_input"] is True
    assert drop["rule_count"] == 0
    assert parse_iptables(fixture("centos7", "firewall_iptables"))["filters_input"] is True
    assert parse_iptables("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n")["filters_input"] is False


def test_listening_sockets() -> None:
    sockets = parse_listening(
        "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
        "udp UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:*\n"
        "tcp LISTEN 0 128 [::ffff:127.0.0.1]:8080 [::]:*\n"
        "tcp LISTEN 0 128 [fe80::1%eth0]:123 [::]:*\n"
        "tcp LISTEN 0 32 :::21 :::*\n"
        "tcp LISTEN 0 128 *:22 *:*\n")
    assert [(s["address"], s["port"], s["loopback"]) for s in sockets] == [
        ("127.0.0.53", 53, True), ("::ffff:127.0.0.1", 8080, True), ("fe80::1", 123, False),
        ("::", 21, False), ("*", 22, False)]


def test_mac_state() -> None:
    assert parse_getenforce("Enforcing\n") == "enforcing"
    assert parse_getenforce("sh: 1: getenforce: not found\n") is None
    assert parse_apparmor("Y\n") is True
    assert parse_apparmor("cat: /sys/module/apparmor/parameters/enabled: No such file or directory\n") is False


def test_security_agents_from_truncated_process_names() -> None:
    names = parse_processes(fixture("centos7", "processes"))
    assert "kworker/0:0H" not in names
    agents = {a["process"]: a for a in security_agents(names)}
    assert "AliYunDunMonitor" in agents  # `ps -o comm=` shows it as AliYunDunMonito
    assert "aliyun-service" not in agents  # Cloud Assistant, not a security agent
    assert security_agents(["sophos_threat_d"])[0]["product"] == "Sophos Protection for Linux"


def test_security_updates_apt() -> None:
    debian = parse_security_updates(fixture("debian12", "security_updates"))
    assert (debian["package_manager"], debian["pending"], debian["packages"]) == ("apt", 2, ["libssl3", "openssl"])
    ubuntu = "Listing...\nlibc6/jammy-updates,jammy-security 2.35-0ubuntu3.7 amd64 [upgradable from: 2.35-0ubuntu3.6]\n"
    assert parse_security_updates(ubuntu)["pending"] == 1
    bookworm = "libc6/bookworm-security 2.36-9+deb12u9 amd64 [upgradable from: 2.36-9+deb12u7]\n"
    assert parse_security_updates(bookworm)["packages"] == ["libc6"]
    assert parse_security_updates("\nWARNING: apt does not have a stable CLI interface. Use with caution in "
                                    "scripts.\n\nListing...\n") == {
        "package_manager": "apt", "pending": 0, "packages": [], "advisories": [], "problem": None}
    assert parse_security_updates(fixture("ubuntu2204", "security_updates"))["pending"] == 0


def test_security_updates_dnf_and_problems() -> None:
    rocky = parse_security_updates(fixture("rocky9", "security_updates"))
    assert (rocky["pending"], rocky["advisories"]) == (3, ["RLSA-2024:1530", "RLSA-2024:1601"])
    no_cache = parse_security_updates("Error: Cache-only enabled but no cache for 'baseos'\n")
    assert no_cache["pending"] is None
    assert no_cache["problem"].startswith("Error:")
    assert parse_security_updates("no supported package manager\n")["package_manager"] == "none"
    assert parse_security_updates("E: Could not get lock /var/lib/dpkg/lock\n")["pending"] is None


def test_aide_installed_and_scheduled() -> None:
    aide = parse_aide(fixture("rocky9", "aide"))
    assert aide == {"installed": True, "binary": "/usr/sbin/aide", "database": "present",
                    "cron": ["/etc/cron.d/aide"], "timers": [], "scheduled": True}
    assert aide_monitoring(aide, session_is_root=True)["counts"] is True


def test_aide_without_schedule_or_database_does_not_count() -> None:
    aide = parse_aide(fixture("openeuler22", "aide"))
    assert (aide["installed"], aide["database"], aide["scheduled"]) == (True, "missing", False)
    assert aide_monitoring(aide, session_is_root=True)["counts"] is False
    assert "--sudo" in aide_monitoring(aide, session_is_root=False)["evidence"]
    timer = ("==> binary <==\n/usr/bin/aide\n==> database <==\n"
             "ls: cannot access '/var/lib/aide/aide.db*': Permission denied\n==> cron <==\n==> timers <==\n"
             "Sat 2026-11-21 06:25:12 CET 16h left Fri 2026-11-20 06:25:03 CET 7h ago dailyaidecheck.timer "
             "dailyaidecheck.service\n")
    scheduled = parse_aide(timer)
    assert (scheduled["database"], scheduled["timers"]) == ("unreadable", [{"unit": "dailyaidecheck.timer",
                                                                            "active": True}])
    assert aide_monitoring(scheduled, session_is_root=False)["counts"] is True  # database unknown, not missing
    no_db = timer.replace("Permission denied", "No such file or directory")
    assert aide_monitoring(parse_aide(no_db), session_is_root=True)["counts"] is False
    inactive = timer.replace("Sat 2026-11-21 06:25:12 CET 16h left", "n/a n/a")
    assert parse_aide(inactive)["scheduled"] is False
    assert parse_aide(fixture("debian12", "aide"))["installed"] is False
