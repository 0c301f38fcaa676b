"""The Debian 12 hosts both tools judge: this machine's /etc with each host's own files on top.

A host is data: files written over a copy of /etc (and into a private /var/log), file modes,
accounts added to or changed in passwd/shadow/group, systemd units enabled by symlink, and the
daemons it runs while it is scanned (auditd with its own auditd.conf; its rules loaded into the
kernel from /etc/audit/rules.d as augenrules would, without `-e 2`, which would lock the shared
kernel's rules until reboot). Hosts differ in exactly the controls mlpscan judges: PAM faillock,
pwquality and pwhistory, login.defs aging and UMASK, sshd (drop-ins and Match blocks),
auditd.conf actions and audit rules, log and shadow file modes, TMOUT, nullok and accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# Debian 12's stock files (as the packages install them), the base the hosts change
# ---------------------------------------------------------------------------------------------

LOGIN_DEFS_STOCK = """\
MAIL_DIR        /var/mail
FAILLOG_ENAB\t\tyes
LOG_UNKFAIL_ENAB\tno
LOG_OK_LOGINS\t\tno
SYSLOG_SU_ENAB\t\tyes
SYSLOG_SG_ENAB\t\tyes
FTMP_FILE\t/var/log/btmp
SU_NAME\t\tsu
HUSHLOGIN_FILE\t.hushlogin
ENV_SUPATH\tPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV_PATH\tPATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
TTYGROUP\ttty
TTYPERM\t\t0600
ERASECHAR\t0177
KILLCHAR\t025
UID_MIN\t\t\t 1000
UID_MAX\t\t\t60000
GID_MIN\t\t\t 1000
GID_MAX\t\t\t60000
LOGIN_RETRIES\t\t5
LOGIN_TIMEOUT\t\t60
CHFN_RESTRICT\t\trwh
DEFAULT_HOME\tyes
USERGROUPS_ENAB yes
ENCRYPT_METHOD SHA512
NONEXISTENT\t/nonexistent
PREVENT_NO_AUTH superuser
"""


def login_defs(umask: str, max_days: str, min_days: str = "0", extra: str = "") -> str:
    return (f"{LOGIN_DEFS_STOCK}UMASK\t\t{umask}\nPASS_MAX_DAYS\t{max_days}\nPASS_MIN_DAYS\t{min_days}\n"
            f"PASS_WARN_AGE\t7\n{extra}")


COMMON_AUTH_STOCK = """\
auth\t[success=1 default=ignore]\tpam_unix.so nullok
auth\trequisite\t\t\tpam_deny.so
auth\trequired\t\t\tpam_permit.so
auth\toptional\t\t\tpam_cap.so
"""

# pam_faillock(8), EXAMPLES: preauth before pam_unix, authfail after it, authsucc on success
COMMON_AUTH_FAILLOCK = """\
auth\trequired\t\t\tpam_faillock.so preauth
auth\t[success=2 default=ignore]\tpam_unix.so
auth\t[default=die]\t\t\tpam_faillock.so authfail
auth\trequisite\t\t\tpam_deny.so
auth\tsufficient\t\t\tpam_faillock.so authsucc
auth\trequired\t\t\tpam_permit.so
auth\toptional\t\t\tpam_cap.so
"""

COMMON_ACCOUNT_FAILLOCK = """\
account\trequired\t\t\tpam_faillock.so
account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so
account\trequisite\t\t\tpam_deny.so
account\trequired\t\t\tpam_permit.so
"""

COMMON_PASSWORD_STOCK = """\
password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt
password\trequisite\t\t\tpam_deny.so
password\trequired\t\t\tpam_permit.so
"""


def common_password(quality: str = "pam_pwquality.so retry=3",
                    history: str | None = "pam_pwhistory.so remember=5 use_authtok",
                    unix_args: str = "obscure use_authtok try_first_pass yescrypt") -> str:
    lines = [f"password\trequisite\t\t\t{quality}"] if quality else []
    if history:
        lines.append(f"password\trequisite\t\t\t{history}")
    lines += [f"password\t[success=1 default=ignore]\tpam_unix.so {unix_args}",
              "password\trequisite\t\t\tpam_deny.so", "password\trequired\t\t\tpam_permit.so"]
    return "\n".join(lines) + "\n"


SSHD_CONFIG_STOCK = """\
Include /etc/ssh/sshd_config.d/*.conf
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem\tsftp\t/usr/lib/openssh/sftp-server
"""


def sshd_config(settings: str, matches: str = "") -> str:
    """Debian's sshd_config with ``settings`` after its Include line and Match blocks last."""
    head, _, rest = SSHD_CONFIG_STOCK.partition("\n")
    return f"{head}\n{settings}{rest}{matches}"


AUDITD_CONF_STOCK = {
    "local_events": "yes", "write_logs": "yes", "log_file": "/var/log/audit/audit.log",
    "log_group": "adm", "log_format": "ENRICHED", "flush": "INCREMENTAL_ASYNC", "freq": "50",
    "max_log_file": "8", "num_logs": "5", "priority_boost": "4", "name_format": "NONE",
    "max_log_file_action": "ROTATE", "space_left": "75", "space_left_action": "SYSLOG",
    "verify_email": "yes", "action_mail_acct": "root", "admin_space_left": "50",
    "admin_space_left_action": "SUSPEND", "disk_full_action": "SUSPEND", "disk_error_action": "SUSPEND",
    "use_libwrap": "yes", "tcp_listen_queue": "5", "tcp_max_per_addr": "1", "tcp_client_max_idle": "0",
    "transport": "TCP", "krb5_principal": "auditd", "distribute_network": "no", "q_depth": "2000",
    "overflow_action": "SYSLOG", "max_restarts": "10", "plugin_dir": "/etc/audit/plugins.d",
    "end_of_event_timeout": "2",
}


def auditd_conf(separator: str = " = ", **changes: str) -> str:
    values = {**AUDITD_CONF_STOCK, **changes}
    return "".join(f"{key}{separator}{value}\n" for key, value in values.items())


RSYSLOG_CONF_STOCK = """\
module(load="imuxsock") # provides support for local system logging
module(load="imklog")   # provides kernel logging support
$FileOwner root
$FileGroup adm
$FileCreateMode 0640
$DirCreateMode 0755
$Umask 0022
$WorkDirectory /var/spool/rsyslog
$IncludeConfig /etc/rsyslog.d/*.conf
*.*;auth,authpriv.none\t\t-/var/log/syslog
auth,authpriv.*\t\t\t/var/log/auth.log
cron.*\t\t\t\t-/var/log/cron.log
kern.*\t\t\t\t-/var/log/kern.log
mail.*\t\t\t\t-/var/log/mail.log
user.*\t\t\t\t-/var/log/user.log
*.emerg\t\t\t\t:omusrmsg:*
"""
RSYSLOG_FILES = ("/var/log/syslog", "/var/log/auth.log", "/var/log/cron.log", "/var/log/kern.log",
                 "/var/log/mail.log", "/var/log/user.log")


def _arches(rule: str) -> str:
    return "".join(rule.format(arch=arch) + "\n" for arch in ("b64", "b32"))


# CIS Debian 12 / ComplianceAsCode audit rules: identity, logins, sessions, privilege, time,
# permissions, modules, failed access
AUDIT_IDENTITY = """\
-w /etc/passwd -p wa -k audit_rules_usergroup_modification
-w /etc/shadow -p wa -k audit_rules_usergroup_modification
-w /etc/group -p wa -k audit_rules_usergroup_modification
-w /etc/gshadow -p wa -k audit_rules_usergroup_modification
"""
AUDIT_LOGINS = """\
-w /var/log/lastlog -p wa -k logins
-w /var/run/faillock -p wa -k logins
"""
AUDIT_SESSIONS = """\
-w /var/run/utmp -p wa -k session
-w /var/log/wtmp -p wa -k session
-w /var/log/btmp -p wa -k session
"""
AUDIT_PRIVILEGE = """\
-w /etc/sudoers -p wa -k actions
-w /etc/sudoers.d/ -p wa -k actions
-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=unset -k privileged
"""
AUDIT_TIME = _arches(
    "-a always,exit -F arch={arch} -S adjtimex,settimeofday,clock_settime -k audit_time_rules") \
    + "-a always,exit -F arch=b32 -S stime -k audit_time_rules\n-w /etc/localtime -p wa -k audit_time_rules\n"
AUDIT_PERMISSIONS = _arches(
    "-a always,exit -F arch={arch} -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -k perm_mod"
) + _arches(
    "-a always,exit -F arch={arch} -S chown,fchown,fchownat,lchown -F auid>=1000 -F auid!=unset -k perm_mod"
) + _arches(
    "-a always,exit -F arch={arch} -S setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr "
    "-F auid>=1000 -F auid!=unset -k perm_mod")
AUDIT_MODULES = _arches("-a always,exit -F arch={arch} -S init_module,finit_module,delete_module "
                        "-F auid>=1000 -F auid!=unset -k modules")
AUDIT_FAILED_ACCESS = "".join(_arches(
    "-a always,exit -F arch={arch} -S creat,open,openat,open_by_handle_at,truncate,ftruncate "
    f"-F exit={code} -F auid>=1000 -F auid!=unset -k access") for code in ("-EACCES", "-EPERM"))
AUDIT_SYSCALLS = AUDIT_TIME + AUDIT_PERMISSIONS + AUDIT_MODULES + AUDIT_FAILED_ACCESS
AUDIT_ALL = AUDIT_IDENTITY + AUDIT_LOGINS + AUDIT_SESSIONS + AUDIT_PRIVILEGE + AUDIT_SYSCALLS

TMOUT_CAC = "declare -xr TMOUT=600\n"   # what ComplianceAsCode's remediation writes
UNIT_WANTS = "/etc/systemd/system/multi-user.target.wants"

# accounts (passwd line, shadow line); the hashes are placeholders, never a real password
ALICE = ("alice:x:1002:1002:Alice Admin:/home/alice:/bin/bash",
         "alice:$y$j9T$placeholder$placeholderplaceholderplaceholderpla:20400:1:90:7:30::")


@dataclass(frozen=True)
class Host:
    name: str
    description: str
    files: dict[str, str] = field(default_factory=dict)       # /etc/... or /var/log/... -> text
    modes: dict[str, str] = field(default_factory=dict)       # path -> "0640 root:adm"
    remove: tuple[str, ...] = ()                              # paths under /etc to delete
    accounts: tuple[tuple[str, str], ...] = ()                # added (passwd line, shadow line)
    groups: tuple[str, ...] = ()                              # added /etc/group lines
    shells: dict[str, str] = field(default_factory=dict)      # user -> new login shell
    enabled_units: tuple[str, ...] = ()                       # systemd units enabled (symlinks)
    daemons: tuple[str, ...] = ()                             # started while scanned: auditd
    log_files: dict[str, str] = field(default_factory=dict)   # /var/log files: path -> "mode owner:group"


def _log_modes(mode: str, *extra: str) -> dict[str, str]:
    paths = (*RSYSLOG_FILES, *extra)
    return dict.fromkeys(paths, mode)


STOCK = Host(
    name="stock",
    description="Debian 12 as installed: nothing hardened (nullok, no lockout, PASS_MAX_DAYS 99999, "
                "auditd installed with no rules, umask 022)",
    log_files={**_log_modes("0640 root:adm"), "/var/log/audit/audit.log": "0600 root:root"},
)

HARDENED = Host(
    name="hardened",
    description="the ComplianceAsCode/CIS remediations at level-3 thresholds: faillock deny=5 "
                "unlock_time=900, pwquality minlen 12 minclass 3, pwhistory 5, PASS_MAX_DAYS 90, "
                "sshd root login off with MaxAuthTries 3 and AllowGroups, TMOUT 600, umask 027, "
                "auditd running with the full rule set and halting actions, logs 0640",
    files={
        "/etc/login.defs": login_defs("027", "90", "1"),
        "/etc/pam.d/common-auth": COMMON_AUTH_FAILLOCK,
        "/etc/pam.d/common-account": COMMON_ACCOUNT_FAILLOCK,
        "/etc/pam.d/common-password": common_password(),
        "/etc/security/faillock.conf": "deny = 5\nunlock_time = 900\neven_deny_root\n",
        "/etc/security/pwquality.conf": "minlen = 12\nminclass = 3\n",
        "/etc/ssh/sshd_config": sshd_config(
            "PermitRootLogin no\nMaxAuthTries 3\nClientAliveInterval 300\nClientAliveCountMax 1\n"
            "AllowGroups sshusers\nPasswordAuthentication no\n"),
        "/etc/profile.d/tmout.sh": TMOUT_CAC,
        "/etc/profile.d/umask.sh": "umask 027\n",
        "/etc/audit/auditd.conf": auditd_conf(space_left_action="email", admin_space_left_action="single",
                                              disk_full_action="halt", disk_error_action="halt",
                                              log_group="root"),
        "/etc/audit/rules.d/50-mlps.rules": AUDIT_ALL,
        "/etc/audit/rules.d/99-finalize.rules": "-e 2\n",
    },
    accounts=(ALICE,),
    groups=("alice:x:1002:", "sshusers:x:1100:alice,mlpscan-test"),
    shells={"postgres": "/usr/sbin/nologin"},
    enabled_units=("auditd.service",),
    daemons=("auditd",),
    log_files={**_log_modes("0640 root:adm"), "/var/log/audit/audit.log": "0600 root:root"},
)

WEAK = Host(
    name="weak",
    description="everything loose: root login with MaxAuthTries 10, nullok, no lockout or quality, "
                "shadow 0644, logs 0644, an empty password, a second UID 0, NOPASSWD ALL, auditd "
                "stopped with SUSPEND/IGNORE actions",
    files={
        "/etc/login.defs": login_defs("022", "99999"),
        "/etc/ssh/sshd_config": sshd_config("PermitRootLogin yes\nMaxAuthTries 10\n"),
        "/etc/audit/auditd.conf": auditd_conf(space_left_action="ignore", disk_full_action="ignore"),
        "/etc/sudoers.d/ops": "%sudo ALL=(ALL:ALL) NOPASSWD: ALL\n",
    },
    modes={"/etc/shadow": "0644 root:shadow", "/etc/gshadow": "0644 root:shadow",
           "/etc/sudoers.d/ops": "0440 root:root"},
    accounts=(("bob:x:1003:1003::/home/bob:/bin/bash", "bob::20400:0:99999:7:::"),
              ("toor:x:0:0:second root:/root:/bin/bash", "toor:!:20400:0:99999:7:::"),
              ("svc:x:998:998:service:/var/lib/svc:/bin/bash", "svc:*:20400:0:99999:7:::")),
    groups=("bob:x:1003:", "svc:x:998:"),
    log_files={**_log_modes("0644 root:adm"), "/var/log/audit/audit.log": "0644 root:root"},
)

MIXED_PAM = Host(
    name="mixed-pam",
    description="PAM and login.defs edge cases: faillock deny set on the PAM line over faillock.conf, "
                "pwquality minlen from pwquality.conf.d, pam_pwhistory without remember= beside a "
                "pwhistory.conf, nullok on a password line only, a TMOUT file that /etc/profile never "
                "sources, PASS_MAX_DAYS set twice",
    files={
        "/etc/login.defs": login_defs("027", "60", "1", extra="PASS_MAX_DAYS\t180\n"),
        "/etc/pam.d/common-auth": COMMON_AUTH_FAILLOCK.replace("pam_faillock.so authfail",
                                                              "pam_faillock.so authfail deny=8"),
        "/etc/pam.d/common-account": COMMON_ACCOUNT_FAILLOCK,
        "/etc/pam.d/common-password": common_password(
            history="pam_pwhistory.so use_authtok",
            unix_args="nullok obscure use_authtok try_first_pass yescrypt"),
        "/etc/security/faillock.conf": "deny = 3\nunlock_time = 600\n",
        "/etc/security/pwquality.conf": "minlen = 8\nminclass = 3\n",
        "/etc/security/pwquality.conf.d/50-length.conf": "minlen = 14\n",
        "/etc/security/pwhistory.conf": "remember = 2\n",
        "/etc/ssh/sshd_config": sshd_config("PermitRootLogin no\nMaxAuthTries 4\n"),
        "/etc/profile.d/tmout.sh.disabled": TMOUT_CAC,
    },
    accounts=(ALICE, ("carol:x:1004:1004::/home/carol:/bin/bash",
                      "carol:$y$j9T$placeholder$placeholderplaceholderplaceholderpla:20400:0:99999:7:::")),
    groups=("alice:x:1002:", "carol:x:1004:"),
    log_files=_log_modes("0640 root:adm"),
)

MIXED_SSHD = Host(
    name="mixed-sshd",
    description="sshd edge cases: a drop-in that permits root login before sshd_config's `no`, a Match "
                "block raising MaxAuthTries, ClientAliveCountMax 3; logs rsyslog writes in a "
                "subdirectory left world-readable",
    files={
        "/etc/ssh/sshd_config": sshd_config(
            "PermitRootLogin no\nMaxAuthTries 3\nClientAliveInterval 300\nClientAliveCountMax 3\n",
            matches="Match User deploy\n    MaxAuthTries 8\n"),
        "/etc/ssh/sshd_config.d/10-rescue.conf": "PermitRootLogin yes\n",
        "/etc/rsyslog.d/50-app.conf": "local0.*\t/var/log/app/app.log\n",
        "/etc/profile.d/tmout.sh": "TMOUT=600\nreadonly TMOUT\nexport TMOUT\n",
    },
    log_files={**_log_modes("0640 root:adm"), "/var/log/app/app.log": "0644 root:adm"},
)

MIXED_AUDIT = Host(
    name="mixed-audit",
    description="auditd running with 64-bit-only syscall rules, gshadow not watched, key=value lines "
                "without spaces in auditd.conf, a rotated audit log left readable",
    files={
        "/etc/audit/auditd.conf": auditd_conf(separator="=", space_left_action="email",
                                              admin_space_left_action="halt", disk_full_action="halt",
                                              disk_error_action="halt", log_group="root"),
        "/etc/audit/rules.d/50-mlps.rules": (
            AUDIT_IDENTITY.replace("-w /etc/gshadow -p wa -k audit_rules_usergroup_modification\n", "")
            + AUDIT_LOGINS + AUDIT_SESSIONS + AUDIT_PRIVILEGE
            + "".join(line + "\n" for line in AUDIT_SYSCALLS.splitlines() if "arch=b32" not in line)),
    },
    enabled_units=("auditd.service",),
    daemons=("auditd",),
    log_files={**_log_modes("0640 root:adm"), "/var/log/audit/audit.log": "0600 root:root",
               "/var/log/audit/audit.log.1": "0644 root:root"},
)

MIXED_MODES = Host(
    name="mixed-modes",
    description="file modes and umask: gshadow- readable by all, shadow 0600, syslog 0604, umask 027 "
                "in login.defs but 022 in /etc/profile, TMOUT 900, an account whose password "
                "never expires",
    files={
        "/etc/login.defs": login_defs("027", "90", "1"),
        "/etc/profile.d/umask.sh": "umask 022\n",
        "/etc/profile.d/tmout.sh": "declare -xr TMOUT=900\n",
    },
    modes={"/etc/shadow": "0600 root:root", "/etc/gshadow-": "0644 root:shadow"},
    accounts=(("dave:x:1005:1005::/home/dave:/bin/bash",
               "dave:$y$j9T$placeholder$placeholderplaceholderplaceholderpla:20400:0::7:::"),),
    groups=("dave:x:1005:",),
    log_files={**_log_modes("0640 root:adm"), "/var/log/syslog": "0604 root:adm"},
)

SSHD_DROPINS = Host(
    name="sshd-dropins",
    description="sshd hardened the Debian 12 way, in sshd_config.d (root login off, MaxAuthTries 3, "
                "idle limit, AllowGroups), with a Match Address block in sshd_config that lets root in "
                "with a key; `PermitRootLogin No` capitalised in the drop-in",
    files={
        "/etc/ssh/sshd_config": sshd_config("", matches="Match Address 10.0.0.0/8\n"
                                                        "    PermitRootLogin prohibit-password\n"),
        "/etc/ssh/sshd_config.d/50-hardening.conf": (
            "PermitRootLogin No\nMaxAuthTries 3\nClientAliveInterval 300\nClientAliveCountMax 1\n"
            "AllowGroups sshusers\n"),
    },
    groups=("sshusers:x:1100:mlpscan-test",),
    log_files=_log_modes("0640 root:adm"),
)

AUDIT_64BIT = Host(
    name="audit-64bit",
    description="auditd running with valid halting actions and every rule class, but syscall rules "
                "for arch=b64 only (32-bit programs unrecorded); a session watch without a key; "
                "audit logs 0600 with their rotations",
    files={
        "/etc/audit/auditd.conf": auditd_conf(space_left_action="email", admin_space_left_action="single",
                                              disk_full_action="single", disk_error_action="syslog",
                                              log_group="root"),
        "/etc/audit/rules.d/50-mlps.rules": (
            AUDIT_IDENTITY + AUDIT_LOGINS + AUDIT_PRIVILEGE
            + AUDIT_SESSIONS.replace("-w /var/log/wtmp -p wa -k session", "-w /var/log/wtmp -p wa")
            + "".join(line + "\n" for line in AUDIT_SYSCALLS.splitlines() if "arch=b32" not in line)),
    },
    enabled_units=("auditd.service",),
    daemons=("auditd",),
    log_files={**_log_modes("0640 root:adm"), "/var/log/audit/audit.log": "0600 root:root",
               "/var/log/audit/audit.log.1": "0600 root:root"},
)

PAM_EDGE = Host(
    name="pam-edge",
    description="pwquality.conf's minlen 6 overriding minlen 14 of its .d file, pam_pwhistory as "
                "`optional`, faillock deny=3 on the preauth line over faillock.conf's 10, nullok in "
                "/etc/pam.d/sshd itself, pam_umask with login.defs UMASK 027 and no profile umask",
    files={
        "/etc/login.defs": login_defs("027", "60", "1"),
        "/etc/pam.d/common-auth": COMMON_AUTH_FAILLOCK.replace("pam_faillock.so preauth",
                                                              "pam_faillock.so preauth deny=3"),
        "/etc/pam.d/common-account": COMMON_ACCOUNT_FAILLOCK,
        "/etc/pam.d/common-password": common_password(history=None).replace(
            "pam_pwquality.so retry=3", "pam_pwquality.so retry=3\npassword\toptional\t\t\t"
                                        "pam_pwhistory.so remember=5 use_authtok"),
        "/etc/pam.d/common-session": (
            "session\t[default=1]\t\t\tpam_permit.so\nsession\trequisite\t\t\tpam_deny.so\n"
            "session\trequired\t\t\tpam_permit.so\nsession\toptional\t\t\tpam_umask.so\n"
            "session\trequired\tpam_unix.so\n"),
        "/etc/pam.d/sshd": "auth\tsufficient\tpam_unix.so nullok\n@include common-auth\n"
                           "account    required     pam_nologin.so\n@include common-account\n"
                           "@include common-session\n@include common-password\n",
        "/etc/security/faillock.conf": "deny = 10\nunlock_time = 900\n",
        "/etc/security/pwquality.conf": "minlen = 6\nminclass = 3\n",
        "/etc/security/pwquality.conf.d/50-length.conf": "minlen = 14\n",
        "/etc/ssh/sshd_config": sshd_config("PermitRootLogin no\nMaxAuthTries 4\n"),
    },
    log_files=_log_modes("0640 root:adm"),
)

TMOUT_EDGE = Host(
    name="tmout-edge",
    description="TMOUT 600 exported from /etc/profile, overridden by TMOUT=3600 in a later "
                "profile.d file; umask written `umask 22`; an unlocked second UID 0; sshd "
                "ClientAliveInterval 900",
    files={
        "/etc/profile.d/a-tmout.sh": "TMOUT=600\nexport TMOUT\n",
        "/etc/profile.d/z-dev.sh": "TMOUT=3600\n",
        "/etc/profile.d/umask.sh": "umask 22\n",
        "/etc/login.defs": login_defs("027", "90", "1"),
        "/etc/ssh/sshd_config": sshd_config("PermitRootLogin no\nMaxAuthTries 4\nClientAliveInterval 900\n"
                                            "ClientAliveCountMax 1\n"),
    },
    accounts=(("admin2:x:0:0:shared root:/root:/bin/bash",
               "admin2:$y$j9T$placeholder$placeholderplaceholderplaceholderpla:20400:1:90:7:::"),),
    log_files=_log_modes("0640 root:adm"),
)

HOSTS: tuple[Host, ...] = (STOCK, HARDENED, WEAK, MIXED_PAM, MIXED_SSHD, MIXED_AUDIT, MIXED_MODES,
                           SSHD_DROPINS, AUDIT_64BIT, PAM_EDGE, TMOUT_EDGE)
