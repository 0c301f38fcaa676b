"""The data each host resource type carries: one typed model per `host.<kind>`.

These models are the documented field list (docs/providers/host.md is generated from them, and a
test keeps the two equal) and the contract check writers read against: a test builds every
fixture host and validates each resource's data here, so a field added, renamed or retyped in
facts.py without its model fails the suite. `source` (the commands a resource was built from)
is on every type.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Json = dict[str, Any]


class HostData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: list[str] = Field(
        description="The commands (providers/host/commands.yaml) this resource was built from")


class System(HostData):
    """The host itself (uid = the target id)."""

    hostname: str | None = Field(description="`hostname`")
    family: str = Field(description="debian | rhel | suse | other, from os-release ID_LIKE, then ID")
    os: Json = Field(description="id, version_id, name from /etc/os-release")
    kernel: Json = Field(description="kernel_name, kernel_release, machine from `uname -srm`")
    os_release: dict[str, str] = Field(description="every KEY=value of /etc/os-release")


class Accounts(HostData):
    """/etc/passwd as a whole."""

    users: list[Json] = Field(
        description="name, uid, gid, home, shell, login_shell, passwd_field, system_account")
    user_count: int = Field(description="number of accounts")
    login_accounts: list[str] = Field(description="accounts with a login shell")
    duplicate_uids: list[Json] = Field(
        description="{uid, names} for every UID shared by two or more accounts")
    duplicate_names: list[str] = Field(description="user names that appear more than once")
    uid0_accounts: list[str] = Field(description="accounts with UID 0")
    system_accounts_with_login_shell: list[str] = Field(
        description="accounts outside UID_MIN..UID_MAX (root excepted) that have a login shell")
    uid_min: int = Field(description="UID_MIN of /etc/login.defs (default 1000)")
    uid_max: int = Field(description="UID_MAX of /etc/login.defs (default 60000)")


class User(HostData):
    """One account with a login shell (uid `<target>#user/<name>`): its last login."""

    name: str = Field(description="user name")
    uid: int = Field(description="UID")
    shell: str = Field(description="login shell")
    system_account: bool = Field(description="outside UID_MIN..UID_MAX and not root")
    lastlog_available: bool = Field(description="lastlog or lastlog2 answered")
    lastlog_tool: str | None = Field(description="lastlog | lastlog2")
    never_logged_in: bool | None = Field(description="lastlog says **Never logged in**")
    last_login: str | None = Field(description="date of the last login (ISO)")
    days_since_login: int | None = Field(description="days from the last login to as_of")
    as_of: str = Field(description="the date ages are counted from")
    as_of_source: str = Field(description="host clock (timedatectl) or collector clock")


class Shadow(HostData):
    """/etc/shadow metadata (the awk digest: password hashes never leave the host)."""

    accounts: list[Json] = Field(
        description="name, state (EMPTY | LOCKED | SET), last_changed, password_age_days, "
                                             "min_days, max_days, warn_days, inactive_days, expires, "
                                             "expired, ...")
    empty_password_accounts: list[str] = Field(description="accounts with an empty password field")
    password_accounts: list[str] = Field(description="accounts with a usable password")
    longest_password_max_days: int | None = Field(description="largest maximum age among them (99999: never)")
    accounts_without_password_expiry: list[str] = Field(description="accounts whose password never expires")
    rejected_lines: int = Field(description="lines not in the digest form (never stored)")
    as_of: str = Field(description="the date ages are counted from")
    as_of_source: str = Field(description="host clock (timedatectl) or collector clock")


class PasswordPolicy(HostData):
    """Rules for new passwords: login.defs, pwquality/cracklib, pwhistory."""

    pass_max_days: int = Field(description="PASS_MAX_DAYS (99999 when unset or negative)")
    pass_min_days: int = Field(description="PASS_MIN_DAYS")
    pass_warn_age: int | None = Field(description="PASS_WARN_AGE")
    pass_min_len: int | None = Field(description="PASS_MIN_LEN (ignored by PAM-based systems)")
    encrypt_method: str | None = Field(description="ENCRYPT_METHOD")
    umask: str | None = Field(description="UMASK of login.defs")
    min_length: int = Field(description="effective minimum length (minlen minus positive credits)")
    min_char_classes: int = Field(description="character classes required")
    complexity: Json = Field(
        description="module, stack, settings and rule that decided complexity; not_enforced names a checker "
                    "that only warns (optional, sufficient, enforcing=0)")
    history: int | None = Field(
        description="previous passwords remembered (None: set by a pam_pwhistory conf= file not read)")
    history_evidence: Json = Field(description="remember, stack and the rules that set it")
    login_defs: Json = Field(description="every setting of /etc/login.defs")


class Pam(HostData):
    """The PAM stacks that decide logins, password changes and sessions."""

    files: list[str] = Field(description="stacks printed (system-auth, common-auth, sshd, login, ...)")
    lockout: Json = Field(
        description="module, enabled, deny, unlock_time_seconds, permanent, services (each with the "
                    "problem that keeps it from locking, if any), weakest_service; pam_faillock locks at the "
                    "deny of a preauth/authsucc line whose failure ends the login, once authfail records "
                    "that many")
    faillock_conf: Json = Field(description="/etc/security/faillock.conf")
    faillock_conf_present: bool = Field(description="faillock.conf exists")
    second_factor_modules: list[Json] = Field(description="OTP / smart-card modules in the sshd auth stack")
    nullok_rules: list[Json] = Field(description="{stack, rule} for auth rules with nullok")
    unresolved_includes: list[str] = Field(description="included stacks that were not printed")
    stacks: dict[str, list[str]] = Field(
        description="every rule of every stack (secret arguments masked ***)")


class Sshd(HostData):
    """sshd: the global settings, every Match context, and what the weakest context allows."""

    installed: bool = Field(description="sshd is installed")
    settings_source: str | None = Field(description="sshd -T, or sshd_config when sshd -T could not run")
    effective_error: str | None = Field(description="why sshd -T gave no settings")
    approximate: bool | None = Field(default=None, description="sshd_config read without its Include order")
    defaulted: list[str] | None = Field(default=None, description="settings filled with OpenSSH defaults")
    match_blocks: list[str] | None = Field(default=None, description="Match conditions of sshd_config")
    permit_root_login: str | None = Field(
        default=None, description="weakest PermitRootLogin of any context root may fall in")
    permit_root_login_context: str | None = Field(default=None, description="the context that sets it")
    password_authentication: bool | None = Field(
        default=None, description="password logins allowed in any context")
    password_authentication_contexts: list[str] | None = Field(
        default=None, description="contexts allowing them")
    pubkey_authentication: bool | None = Field(default=None, description="global PubkeyAuthentication")
    kbd_interactive_authentication: bool | None = Field(
        default=None, description="global KbdInteractiveAuthentication")
    use_pam: bool | None = Field(default=None, description="UsePAM")
    permit_empty_passwords: bool | None = Field(
        default=None, description="PermitEmptyPasswords in any context")
    permit_empty_passwords_contexts: list[str] | None = Field(
        default=None, description="contexts permitting them")
    authentication_methods: list[list[str]] | None = Field(
        default=None, description="global AuthenticationMethods")
    client_alive_interval: int | None = Field(default=None, description="global ClientAliveInterval (s)")
    client_alive_count_max: int | None = Field(default=None, description="global ClientAliveCountMax")
    channel_timeout_session: int | None = Field(
        default=None, description="global ChannelTimeout session= (s)")
    max_auth_tries: int | None = Field(default=None, description="largest MaxAuthTries of any context")
    max_auth_tries_context: str | None = Field(default=None, description="the context that sets it")
    allow_users: list[str] | None = Field(default=None, description="global AllowUsers")
    allow_groups: list[str] | None = Field(default=None, description="global AllowGroups")
    listen_addresses: list[str] | None = Field(default=None, description="ListenAddress values")
    global_: Json | None = Field(default=None, alias="global", description="the global settings' view")
    mfa: Json | None = Field(
        default=None, description="multi_factor (all contexts), evidence, context (the weakest)")
    login_restricted_to_named_users: bool | None = Field(
        default=None, description="AllowUsers or AllowGroups in every context")
    unrestricted_contexts: list[str] | None = Field(default=None, description="contexts without them")
    contexts: list[Json] | None = Field(
        default=None, description="per context: condition, source, permit_root_login, "
                                                                  "authentication_methods, max_auth_tries, "
                                                                  "multi_factor, ...")
    contexts_source: str | None = Field(
        default=None, description="sshd -T -C, or Match blocks read from sshd_config")
    unevaluated_conditions: list[str] | None = Field(
        default=None, description="Match conditions no source evaluated")
    contexts_complete: bool | None = Field(default=None, description="every Match condition was evaluated")
    listen_addresses_specific: bool | None = Field(
        default=None, description="sshd listens only on named private (not global) addresses")
    ssh_ports_firewall_restricted: bool | None = Field(
        default=None, description="the host firewall drops new connections to sshd's ports from anywhere")
    ssh_firewall_evidence: str | None = Field(default=None, description="how the firewall was judged")
    second_factor_modules: list[Json] | None = Field(default=None, description="PAM second factors for sshd")
    settings: Json | None = Field(default=None, description="every global setting as read")


class Session(HostData):
    """Idle logout: shell TMOUT and sshd's idle limits."""

    tmout_seconds: int = Field(
        description="the TMOUT a login shell can end up with whatever order its files are read in: "
                    "the longest readonly assignment, else the longest of all (0: none, or one sets 0)")
    tmout_file: str | None = Field(description="file that sets it")
    tmout_readonly: bool = Field(description="that assignment is readonly")
    tmout_exported: bool = Field(description="TMOUT is exported")
    tmout_entries: list[Json] = Field(
        description="every TMOUT assignment found: {file, value, readonly, exported, sourced (a login "
                    "shell reads the file)}")
    ssh_idle_timeout_seconds: int | None = Field(
        description="longest sshd idle limit of any context (0: none)")
    ssh_idle_basis: str = Field(description="the settings that give it")


class Sudo(HostData):
    """sudoers and sudoers.d."""

    sudoers_present: bool = Field(description="any sudoers content was read")
    nopasswd_all: list[Json] = Field(description="{principals, rule} granting ALL without a password")
    authentication_disabled: list[str] = Field(description="scopes of `Defaults !authenticate`")
    rule_count: int = Field(description="user specifications read")


class Audit(HostData):
    """auditd: state, kernel status, loaded rules, configuration."""

    active: bool = Field(description="auditd runs")
    state: str = Field(description="unit state")
    state_source: str = Field(description="systemctl is-active, or the process list")
    auditctl_installed: bool = Field(description="auditctl answered")
    enabled_flag: int | None = Field(description="`auditctl -s` enabled (0, 1, 2)")
    kernel_auditing: bool | None = Field(description="enabled is 1 or 2")
    immutable: bool | None = Field(description="enabled is 2 (rules locked until reboot)")
    status: Json = Field(description="every `auditctl -s` value")
    rule_count: int = Field(description="rules loaded")
    rules: list[str] = Field(description="`auditctl -l`")
    coverage: Json = Field(
        description="identity, logins, privilege, time_change, permission_change, kernel_modules, "
                    "failed_access, sessions (bool each), events_missing, evidence; tables_required (the "
                    "arch= tables a syscall rule must cover on this machine) and tables_missing per class")
    config: dict[str, str] = Field(
        description="/etc/audit/auditd.conf as auditd reads it (`keyword = value`, keywords lower case)")
    config_errors: list[str] = Field(
        description="lines and values that make auditd refuse auditd.conf (no action then takes effect)")
    disk_actions: dict[str, str] = Field(
        description="space_left_action, admin_space_left_action, disk_full_action, "
                                                     "disk_error_action (lower case, auditd defaults when "
                                                     "unset)")
    disk_actions_defaulted: list[str] = Field(description="those not set in auditd.conf")


class AuditLog(HostData):
    """The audit log auditd.conf names (log_file, default /var/log/audit/audit.log) and its rotations."""

    path: str = Field(description="the audit log")
    exists: bool = Field(description="it exists")
    mode: str | None = Field(description="octal mode")
    owner: str | None = Field(description="owner")
    group: str | None = Field(description="group")
    mode_within_0640: bool | None = Field(
        description="no permission beyond 0640 on the log and on every rotated copy (log_file.N)")
    files: list[Json] = Field(
        description="{path, mode, owner, group, within_0640} of the log and its rotations")
    files_beyond_0640: list[str] = Field(description="those with a permission beyond 0640")
    directory_mode: str | None = Field(description="mode of the log's directory")


class FileModes(HostData):
    """Every path stat'ed, as one mapping."""

    files: dict[str, Json] = Field(description="path -> {mode, owner, group}")
    missing: list[str] = Field(description="paths that do not exist")
    unreadable: dict[str, str] = Field(description="path -> the refusal")


class File(HostData):
    """One stat'ed file (uid `<target>#file/<path>`), or a log rsyslog writes that the stat did not reach."""

    path: str = Field(description="the file")
    role: str = Field(
        description="credentials (shadow, gshadow and backups) | log (rsyslog writes it) | other")
    mode: str | None = Field(description="octal mode, 4 digits (null: not stat'ed)")
    owner: str | None = Field(description="owner")
    group: str | None = Field(description="group")
    permissions: list[str] | None = Field(
        description="owner_read ... other_execute granted by the mode (null: not stat'ed)")
    problem: str | None = Field(description="why the mode is unknown")


class Umask(HostData):
    """The loosest umask a login session can get."""

    umask: str | None = Field(
        description="octal umask: the loosest of the sourced shell profiles and of pam_umask (login.defs "
                    "UMASK or its umask= argument) where a session stack has it; 022 for a session nothing "
                    "sets (None: a relative symbolic umask)")
    settings: list[Json] = Field(description="{file, umask, text} for each setting found")
    evidence: str = Field(description="which settings apply, which do not, and why")
    new_file_permissions: list[str] | None = Field(
        description="permissions new files and directories may get in some session")


class Logging(HostData):
    """rsyslog, journald and logrotate: forwarding and local retention."""

    rsyslog_active: bool = Field(description="rsyslog runs")
    syslog_ng_active: bool = Field(description="syslog-ng runs")
    daemon_state_source: str = Field(description="systemctl is-active, or the process list")
    forwarding: bool = Field(description="rsyslog forwards to a remote collector")
    remote_targets: list[Json] = Field(description="{target, port, protocol, tls}")
    forwarding_tls: bool = Field(description="every remote target is reached over TLS")
    retention_days: int | None = Field(description="days the longest-keeping local store keeps logs")
    retention_unlimited: bool = Field(description="kept indefinitely")
    retention_evidence: str = Field(description="which evidence decided")
    stores: Json = Field(description="files and journald, each {days, unlimited, evidence}")
    rsyslog_files: list[str] = Field(description="files rsyslog writes")
    journald: Json = Field(description="[Journal] settings")
    journal_dir_exists: bool | None = Field(description="/var/log/journal exists")
    journal_disk_bytes: int | None = Field(description="journalctl --disk-usage")
    logrotate: Json = Field(description="defaults, dropins_read, stanza_count, log_stanzas")


class Time(HostData):
    """Clock synchronisation."""

    synchronized: bool | None = Field(description="timedatectl NTPSynchronized, else a time daemon runs")
    evidence: str = Field(description="what decided")
    active_daemons: list[str] = Field(description="chronyd, ntpd, systemd-timesyncd running")
    daemon_state_source: str = Field(description="systemctl is-active, or the process list")
    ntp_enabled: bool | None = Field(description="timedatectl NTP")
    timezone: str | None = Field(description="timedatectl Timezone")


class Firewall(HostData):
    """nftables and iptables, summarised (the per-port judgement is on host.listener)."""

    tools: list[str] = Field(description="nft, iptables: those installed and answering")
    nft: Json | None = Field(
        description="tables, base_chains, chain_count, rule_count, active, filters_input")
    iptables: Json | None = Field(description="policies, rule_count, active, filters_input")
    active: bool = Field(description="either view has rules or a non-accept policy")
    rules_present: bool = Field(description="either view has rules")
    filters_input: bool = Field(description="inbound traffic is filtered")


class Listener(HostData):
    """One listening socket (uid `<target>#listener/<proto>/<address>:<port>`)."""

    proto: str = Field(description="tcp | udp")
    address: str = Field(description="bound address (* for any)")
    port: int = Field(description="port")
    interface: str | None = Field(description="%interface suffix")
    loopback: bool = Field(description="bound to loopback")
    all_interfaces: bool = Field(description="bound to 0.0.0.0, :: or *")
    internet_facing: bool = Field(description="bound to every interface or to a public (global) address")
    firewall_exposure: str | None = Field(
        description="open | restricted (a new connection from anywhere is dropped on every path) | "
                    "None: unknown")
    firewall_evidence: str = Field(description="the chain that decided, or why it could not be told")


class Service(HostData):
    """One enabled service (uid `<target>#service/<unit>`)."""

    unit: str = Field(description="unit name (SysV: <script>.service)")
    state: str = Field(description="enabled, static, ...")
    name: str = Field(description="unit without .service")
    enabled_by: str = Field(description="systemd, or the SysV runlevel links of a host without systemd")


class Mac(HostData):
    """Mandatory access control."""

    selinux: str | None = Field(description="enforcing | permissive | disabled | None (not installed)")
    apparmor_enabled: bool = Field(description="the AppArmor module is enabled")
    apparmor_profiles: Json | None = Field(description="enforce, complain, unconfined, total profile counts")
    enforced: bool | None = Field(description="SELinux enforcing, or AppArmor with profiles in enforce mode")
    evidence: str = Field(description="what decided")


class Agents(HostData):
    """Security agents running, and AIDE."""

    agents: list[Json] = Field(description="{process, product, roles}")
    anti_malware: list[str] = Field(description="anti-malware processes")
    intrusion_detection: list[str] = Field(
        description="intrusion-detection processes (and aide when it counts)")
    anti_malware_running: bool = Field(description="one runs")
    intrusion_detection_running: bool = Field(description="one runs, or AIDE counts")
    intrusion_detection_evidence: str = Field(description="what decided")
    file_integrity: Json = Field(description="AIDE: installed, database, schedule, counts, evidence")
    process_names: list[str] = Field(description="distinct process names")


class Updates(HostData):
    """Pending security updates from the package manager's cache."""

    package_manager: str = Field(description="apt | dnf/yum | none")
    pending_security_updates: int | None = Field(
        description="packages with a security update (None: unknown)")
    packages: list[str] = Field(description="those packages")
    advisories: list[str] = Field(description="dnf/yum advisories")
    problem: str | None = Field(description="why the count is unknown")


MODELS: dict[str, type[HostData]] = {
    "host.system": System, "host.accounts": Accounts, "host.user": User, "host.shadow": Shadow,
    "host.password_policy": PasswordPolicy, "host.pam": Pam, "host.sshd": Sshd, "host.session": Session,
    "host.sudo": Sudo, "host.audit": Audit, "host.audit_log": AuditLog, "host.file_modes": FileModes,
    "host.file": File, "host.umask": Umask, "host.logging": Logging, "host.time": Time,
    "host.firewall": Firewall, "host.listener": Listener, "host.service": Service, "host.mac": Mac,
    "host.agents": Agents, "host.updates": Updates,
}


def field_reference() -> str:
    """The Markdown field list of every host resource type (docs/providers/host.md's body)."""
    parts = []
    for resource_type, model in MODELS.items():
        summary = (model.__doc__ or "").strip()
        parts.append(f"### `{resource_type}`\n\n{summary}\n\n| field | type | meaning |\n|---|---|---|")
        for name, info in model.model_fields.items():
            shown = info.alias or name
            annotation = info.annotation
            kind = annotation.__name__ if isinstance(annotation, type) else str(annotation)
            kind = kind.replace("typing.", "").replace("dict[str, Any]", "object").replace("NoneType", "null")
            cells = [f"`{shown}`", kind, info.description or ""]
            parts.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        parts.append("")
    return "\n".join(parts)
