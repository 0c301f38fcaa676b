"""The benchmark's content directory: the shipped content plus synthetic declarative checks.

    python bench/synthetic_checks.py --out /tmp/bench-content --checks 30

The shipped checks/, profiles/ and providers/ are copied (never duplicated in git) and N
declarative checks are written under checks/bench/<provider>/<service>/, over the resource
types bench/generate.py produces. Together they exercise the whole condition language (every
operator, all/any/not, `param:` references, `where`, `match: each|any|all`, plain dotted paths
and full jmespath expressions), so the benchmark measures the load that content will grow to
rather than the two Python-evaluator checks shipped today. Ids start with `bench.` so they can
never collide with real checks. Beyond the templates, further checks are variants (`_v2`, ...)
of them: more checks over the same resource types.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from mlpscan.content import load_content

REPO = Path(__file__).resolve().parents[1]
CONTENT_DIRS = ("checks", "profiles", "providers")
NOLOGIN = ["/sbin/nologin", "/usr/sbin/nologin", "/bin/false"]
WORLD_ONLY = "0\\.0\\.0\\.0/0"
ALIYUN_WORLD_ACCEPTED = "Permissions.Permission[?SourceCidrIp=='0.0.0.0/0' && Policy=='Accept'].PortRange"
TENCENT_WORLD_ACCEPTED = "SecurityGroupPolicySet.Ingress[?CidrBlock=='0.0.0.0/0' && Action=='ACCEPT'].Port"


def _c(l2: list[str] | None, l3: list[str], l4: list[str] | None) -> dict[int, list[str]]:
    clauses = {3: l3}
    if l2:
        clauses[2] = l2
    if l4:
        clauses[4] = l4
    return dict(sorted(clauses.items()))


# Each template: path (under checks/bench/), and the check body without `id` (id = path).
# The first 30 between them use every operator and construct; the order matters for --checks N < 30.
TEMPLATES: list[tuple[str, dict[str, Any]]] = [
    ("aws/s3/bucket_encryption", {
        "title": "S3 buckets encrypt objects at rest", "severity": "high", "provider": "aws",
        "resource": "aws.s3.bucket", "clauses": _c(None, ["8.1.4.8.b"], ["9.1.4.8.b"]),
        "assert": {"path": "Encryption.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm", "op": "in",
                   "value": ["aws:kms", "AES256", "aws:kms:dsse"]},
        "message": "bucket {name} has no default encryption",
        "remediation": "Enable default encryption (SSE-KMS) on the bucket."}),
    ("host/net/risky_port_listening", {
        "title": "No high-risk port listens on a non-loopback address", "severity": "high",
        "provider": "host",
        "resource": "host.listener", "clauses": _c(["7.1.4.4.b"], ["8.1.4.4.b"], ["9.1.4.4.b"]),
        "where": {"path": "address", "op": "not_in", "value": ["127.0.0.1", "::1"]},
        "assert": {"path": "port", "op": "not_in", "param": "risky_ports"},
        "message": "{name} on {target} is a high-risk port open beyond loopback",
        "remediation": "Stop the service or bind it to loopback; close the port in the host firewall."}),
    ("aws/logs/retention", {
        "title": "CloudWatch log groups keep logs at least the legal minimum", "severity": "medium",
        "provider": "aws", "resource": "aws.logs.log_group",
        "clauses": _c(["7.1.4.3.c"], ["8.1.4.3.c", "8.1.5.4.d"], ["9.1.4.3.c", "9.1.5.4.d"]),
        "assert": {"any": [{"path": "retentionInDays", "op": "absent"},
                           {"path": "retentionInDays", "op": "gte", "param": "log_retention_days"}]},
        "remediation": "Set the retention to at least 180 days (or never expire)."}),
    ("aws/ec2/security_group_risky_ports", {
        "title": "Security groups open no high-risk port to the Internet", "severity": "critical",
        "provider": "aws", "resource": "aws.ec2.security_group",
        "clauses": _c(["7.1.3.2.c", "7.1.4.4.b"], ["8.1.3.2.c", "8.1.4.4.b"], ["9.1.3.2.c", "9.1.4.4.b"]),
        "assert": {"any": [
            {"path": "IpPermissions[?IpRanges[?CidrIp=='0.0.0.0/0']] | [0].FromPort", "op": "absent"},
            {"not": {"path": "IpPermissions[?IpRanges[?CidrIp=='0.0.0.0/0']] | [0].FromPort", "op": "in",
                     "param": "risky_ports"}}]},
        "message": "security group {name} opens a high-risk port to 0.0.0.0/0",
        "remediation": "Restrict the rule's source to known address ranges."}),
    ("aws/iam/console_user_mfa", {
        "title": "IAM users with console access have MFA", "severity": "high", "provider": "aws",
        "resource": "aws.iam.user", "clauses": _c(None, ["8.1.4.1.d"], ["9.1.4.1.d"]),
        "where": {"path": "LoginProfile", "op": "exists"},
        "assert": {"path": "length(MFADevices)", "op": "gte", "value": 1},
        "remediation": "Assign a virtual or hardware MFA device to the user."}),
    ("host/pkg/insecure_package", {
        "title": "No plaintext or legacy network service package is installed", "severity": "medium",
        "provider": "host", "resource": "host.service",
        "clauses": _c(["7.1.4.4.a"], ["8.1.4.4.a"], ["9.1.4.4.a"]),
        "assert": {"path": "name", "op": "not_in",
                   "value": ["telnet-server", "rsh-server", "vsftpd", "tftp-server", "xinetd", "ypserv"]},
        "message": "{name} is installed on {target}", "remediation": "Remove the package."}),
    ("aliyun/ecs/security_group_world_all_ports", {
        "title": "Security groups accept no all-ports or RDP rule from the Internet", "severity": "critical",
        "provider": "aliyun", "resource": "aliyun.ecs.security_group",
        "clauses": _c(["7.1.3.2.c", "7.2.3.1.a"], ["8.1.3.2.c", "8.2.3.1.a"], ["9.1.3.2.c", "9.2.3.1.a"]),
        "assert": {"all": [
            {"not": {"path": ALIYUN_WORLD_ACCEPTED,
                     "op": "contains", "value": "-1/-1"}},
            {"not": {"path": ALIYUN_WORLD_ACCEPTED,
                     "op": "contains", "value": "3389/3389"}}]},
        "remediation": "Replace 0.0.0.0/0 with the management network's address range."}),
    ("aws/cloudtrail/multi_region_logging", {
        "title": "At least one multi-region trail is logging with file validation", "severity": "high",
        "provider": "aws", "resource": "aws.cloudtrail.trail", "match": "any",
        "clauses": _c(["7.1.4.3.a", "7.2.3.3.b"], ["8.1.4.3.a", "8.2.3.3.b"], ["9.1.4.3.a", "9.2.3.3.b"]),
        "assert": {"all": [{"path": "IsMultiRegionTrail", "op": "eq", "value": True},
                           {"path": "Status.IsLogging", "op": "eq", "value": True},
                           {"path": "LogFileValidationEnabled", "op": "eq", "value": True}]},
        "remediation": "Create a multi-region trail with log file validation and keep it logging."}),
    ("host/sshd/strong_ciphers", {
        "title": "sshd offers no CBC, RC4 or 3DES cipher", "severity": "medium", "provider": "host",
        "resource": "host.sshd", "clauses": _c(["7.1.4.1.c"], ["8.1.4.1.c", "8.1.2.2.b"],
                                                      ["9.1.4.1.c", "9.1.2.2.b"]),
        "assert": {"not": {"path": "join(',', Ciphers)", "op": "matches",
                           "value": "(3des|arcfour|blowfish|-cbc)"}},
        "remediation": "Set Ciphers to AEAD and CTR ciphers only."}),
    ("aws/kms/customer_key_rotation", {
        "title": "Every enabled customer-managed KMS key rotates", "severity": "medium", "provider": "aws",
        "resource": "aws.kms.key", "match": "all", "clauses": _c(None, ["8.2.4.5.d"], ["9.2.4.5.d"]),
        "where": {"all": [{"path": "KeyManager", "op": "eq", "value": "CUSTOMER"},
                          {"path": "KeyState", "op": "eq", "value": "Enabled"}]},
        "assert": {"path": "KeyRotationEnabled", "op": "eq", "value": True},
        "remediation": "Enable automatic key rotation."}),
    ("host/user/stale_account", {
        "title": "Interactive accounts unused for long are removed or locked", "severity": "medium",
        "provider": "host", "resource": "host.user",
        "clauses": _c(["7.1.4.2.c"], ["8.1.4.2.c"], ["9.1.4.2.c"]),
        "where": {"all": [{"path": "shell", "op": "not_in", "value": NOLOGIN},
                          {"path": "locked", "op": "eq", "value": False}]},
        "assert": {"path": "days_since_login", "op": "lte", "param": "stale_account_days"},
        "message": "account {name} on {target} has not logged in for longer than the stale limit",
        "remediation": "Lock or delete the account."}),
    ("aliyun/ram/password_policy", {
        "title": "The RAM password policy meets the level's complexity, age, history and lockout",
        "severity": "high", "provider": "aliyun", "resource": "aliyun.ram.password_policy",
        "clauses": _c(["7.1.4.1.a", "7.1.4.1.b"], ["8.1.4.1.a", "8.1.4.1.b"], ["9.1.4.1.a", "9.1.4.1.b"]),
        "assert": {"all": [
            {"path": "MinimumPasswordLength", "op": "gte", "param": "password_min_length"},
            {"path": "MaxPasswordAge", "op": "gt", "value": 0},
            {"path": "MaxPasswordAge", "op": "lte", "param": "password_max_age_days"},
            {"path": "PasswordReusePrevention", "op": "gte", "param": "password_history"},
            {"path": "MaxLoginAttemps", "op": "gt", "value": 0},
            {"path": "MaxLoginAttemps", "op": "lte", "param": "lockout_threshold"},
            {"path": "RequireSymbols", "op": "eq", "value": True}]},
        "remediation": "Tighten the RAM password policy."}),
    ("aliyun/rds/whitelist_not_open", {
        "title": "RDS IP whitelists do not admit the whole Internet", "severity": "critical",
        "provider": "aliyun", "resource": "aliyun.rds.instance",
        "clauses": _c(["7.1.3.2.c"], ["8.1.3.2.c"], ["9.1.3.2.c"]),
        "assert": {"not": {"path": "SecurityIPList", "op": "matches", "value": f"(^|,){WORLD_ONLY}(,|$)"}},
        "remediation": "Remove 0.0.0.0/0 from the whitelist."}),
    ("tencent/cls/topic_retention", {
        "title": "CLS log topics keep logs at least the legal minimum", "severity": "medium",
        "provider": "tencent", "resource": "tencent.cls.topic",
        "clauses": _c(["7.1.4.3.c"], ["8.1.4.3.c", "8.1.5.4.d"], ["9.1.4.3.c", "9.1.5.4.d"]),
        "assert": {"path": "Period", "op": "gte", "param": "log_retention_days"},
        "remediation": "Set the topic's retention period to at least 180 days."}),
    ("tencent/vpc/security_group_world_all_ports", {
        "title": "Security groups accept no all-ports rule from the Internet", "severity": "critical",
        "provider": "tencent", "resource": "tencent.vpc.security_group",
        "clauses": _c(["7.1.3.2.c", "7.2.3.1.a"], ["8.1.3.2.c", "8.2.3.1.a"], ["9.1.3.2.c", "9.2.3.1.a"]),
        "assert": {"not": {"path": TENCENT_WORLD_ACCEPTED,
                           "op": "contains", "value": "ALL"}},
        "remediation": "Restrict the rule's source and ports."}),
    ("aliyun/actiontrail/trail_enabled", {
        "title": "At least one ActionTrail trail records all events in all regions", "severity": "high",
        "provider": "aliyun", "resource": "aliyun.actiontrail.trail", "match": "any",
        "clauses": _c(["7.1.4.3.a", "7.2.3.3.b"], ["8.1.4.3.a", "8.2.3.3.b"], ["9.1.4.3.a", "9.2.3.3.b"]),
        "assert": {"all": [{"path": "Status", "op": "eq", "value": "Enable"},
                           {"path": "EventRW", "op": "eq", "value": "All"},
                           {"path": "TrailRegion", "op": "eq", "value": "All"}]},
        "remediation": "Create a trail for all regions and read/write events and start logging."}),
    ("host/system/mandatory_access_control", {
        "title": "SELinux enforces or AppArmor is enabled", "severity": "medium", "provider": "host",
        "resource": "host.system", "clauses": _c(None, ["8.1.4.2.g"], ["9.1.4.2.g"]),
        "assert": {"any": [{"path": "selinux.mode", "op": "eq", "value": "enforcing"},
                           {"path": "apparmor.enabled", "op": "eq", "value": True}]},
        "remediation": "Set SELINUX=enforcing (or enable AppArmor) and label important objects."}),
    ("aws/rds/backup_retention", {
        "title": "RDS instances keep automated backups long enough", "severity": "medium", "provider": "aws",
        "resource": "aws.rds.db_instance", "clauses": _c(["7.1.4.8.a"], ["8.1.4.9.a"], ["9.1.4.9.a"]),
        "assert": {"path": "BackupRetentionPeriod", "op": "gte", "param": "backup_retention_days"},
        "remediation": "Raise the backup retention period."}),
    ("host/sshd/idle_timeout", {
        "title": "sshd ends idle sessions within the level's timeout", "severity": "medium",
        "provider": "host",
        "resource": "host.sshd", "clauses": _c(["7.1.4.1.b"], ["8.1.4.1.b"], ["9.1.4.1.b"]),
        "assert": {"all": [{"path": "ClientAliveInterval", "op": "gt", "value": 0},
                           {"path": "ClientAliveInterval", "op": "lte", "param": "idle_timeout_seconds"},
                           {"path": "ClientAliveCountMax", "op": "lte", "value": 3}]},
        "remediation": "Set ClientAliveInterval (and ClientAliveCountMax) in sshd_config."}),
    ("aliyun/oss/bucket_private", {
        "title": "OSS buckets are private", "severity": "high", "provider": "aliyun",
        "resource": "aliyun.oss.bucket", "clauses": _c(["7.1.4.2.a"], ["8.1.4.2.e"], ["9.1.4.2.e"]),
        "assert": {"path": "AccessControlList.Grant", "op": "eq", "value": "private"},
        "message": "bucket {name} in {region} is readable by anyone",
        "remediation": "Set the bucket ACL to private and turn on Block Public Access."}),
    ("tencent/cbs/data_disk_encrypted", {
        "title": "CBS data disks are encrypted", "severity": "medium", "provider": "tencent",
        "resource": "tencent.cbs.disk", "clauses": _c(None, ["8.1.4.8.b"], ["9.1.4.8.b"]),
        "where": {"path": "DiskUsage", "op": "eq", "value": "DATA_DISK"},
        "assert": {"path": "Encrypt", "op": "eq", "value": True},
        "remediation": "Create encrypted disks and migrate the data."}),
    ("aws/iam/no_admin_policy_on_users", {
        "title": "No IAM user holds AdministratorAccess directly", "severity": "high", "provider": "aws",
        "resource": "aws.iam.user", "clauses": _c(["7.1.4.2.d"], ["8.1.4.2.d"], ["9.1.4.2.d"]),
        "assert": {"not": {"path": "AttachedManagedPolicies[].PolicyName", "op": "contains",
                           "value": "AdministratorAccess"}},
        "remediation": "Grant administration through roles with least privilege."}),
    ("host/user/no_empty_password", {
        "title": "Interactive accounts have a password or are locked", "severity": "critical",
        "provider": "host", "resource": "host.user",
        "clauses": _c(["7.1.4.1.a"], ["8.1.4.1.a"], ["9.1.4.1.a"]),
        "where": {"path": "shell", "op": "not_in", "value": NOLOGIN},
        "assert": {"path": "password_status", "op": "ne", "value": "NP"},
        "remediation": "Set a password or lock the account."}),
    ("tencent/cloudaudit/audit_enabled", {
        "title": "At least one CloudAudit tracking set records read and write events", "severity": "high",
        "provider": "tencent", "resource": "tencent.cloudaudit.audit", "match": "any",
        "clauses": _c(["7.1.4.3.a"], ["8.1.4.3.a"], ["9.1.4.3.a"]),
        "assert": {"all": [{"path": "AuditStatus", "op": "eq", "value": 1},
                           {"path": "ReadWriteAttribute", "op": "eq", "value": 3}]},
        "remediation": "Enable a tracking set for all read and write events."}),
    ("aliyun/ram/console_user_mfa", {
        "title": "RAM users with console access use MFA", "severity": "high", "provider": "aliyun",
        "resource": "aliyun.ram.user", "clauses": _c(None, ["8.1.4.1.d"], ["9.1.4.1.d"]),
        "where": {"path": "LoginProfile", "op": "exists"},
        "assert": {"any": [{"path": "MFADevice.SerialNumber", "op": "exists"},
                           {"path": "LoginProfile.MFABindRequired", "op": "eq", "param": "mfa_required"}]},
        "remediation": "Bind an MFA device, or require binding at next login."}),
    ("aws/ec2/volume_encrypted", {
        "title": "EBS volumes are encrypted", "severity": "medium", "provider": "aws",
        "resource": "aws.ec2.volume", "clauses": _c(None, ["8.1.4.8.b"], ["9.1.4.8.b"]),
        "where": {"path": "State", "op": "in", "value": ["in-use", "available"]},
        "assert": {"path": "Encrypted", "op": "eq", "value": True},
        "remediation": "Enable EBS encryption by default and re-create the volume encrypted."}),
    ("host/system/pam_faillock", {
        "title": "PAM locks accounts after failed logins for long enough", "severity": "high",
        "provider": "host", "resource": "host.system",
        "clauses": _c(["7.1.4.1.b"], ["8.1.4.1.b"], ["9.1.4.1.b"]),
        "assert": {"all": [{"path": "pam.faillock.deny", "op": "lte", "param": "lockout_threshold"},
                           {"path": "pam.faillock.unlock_time", "op": "gte",
                            "param": "lockout_duration_seconds"}]},
        "remediation": "Configure pam_faillock deny= and unlock_time=."}),
    ("aliyun/ecs/disk_encrypted", {
        "title": "ECS data disks are encrypted", "severity": "medium", "provider": "aliyun",
        "resource": "aliyun.ecs.disk", "clauses": _c(None, ["8.1.4.8.b"], ["9.1.4.8.b"]),
        "where": {"path": "Type", "op": "eq", "value": "data"},
        "assert": {"path": "Encrypted", "op": "eq", "value": True},
        "remediation": "Create encrypted disks (KMS) and migrate the data."}),
    ("tencent/cos/bucket_encryption", {
        "title": "COS buckets encrypt objects at rest", "severity": "high", "provider": "tencent",
        "resource": "tencent.cos.bucket", "clauses": _c(None, ["8.1.4.8.b"], ["9.1.4.8.b"]),
        "assert": {"path": "Encryption.Rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm", "op": "in",
                   "value": ["AES256", "cos/kms", "SM4"]},
        "remediation": "Enable bucket default encryption."}),
    ("aws/ec2/imdsv2_required", {
        "title": "Running EC2 instances require IMDSv2 session tokens", "severity": "medium",
        "provider": "aws",
        "resource": "aws.ec2.instance", "clauses": _c(["7.1.4.1.c"], ["8.1.4.1.c"], ["9.1.4.1.c"]),
        "where": {"path": "State.Name", "op": "eq", "value": "running"},
        "assert": {"path": "MetadataOptions.HttpTokens", "op": "eq", "value": "required"},
        "remediation": "Set HttpTokens=required in the instance metadata options."}),
    # --- beyond the default 30
    ("aws/s3/public_access_blocked", {
        "title": "S3 buckets block public access", "severity": "high", "provider": "aws",
        "resource": "aws.s3.bucket", "clauses": _c(["7.1.4.2.a"], ["8.1.4.2.e"], ["9.1.4.2.e"]),
        "assert": {"all": [{"path": "PublicAccessBlock.BlockPublicAcls", "op": "eq", "value": True},
                           {"path": "PublicAccessBlock.IgnorePublicAcls", "op": "eq", "value": True},
                           {"path": "PublicAccessBlock.BlockPublicPolicy", "op": "eq", "value": True},
                           {"path": "PublicAccessBlock.RestrictPublicBuckets", "op": "eq", "value": True}]},
        "remediation": "Turn on all four Block Public Access settings."}),
    ("aliyun/rds/sql_audit", {
        "title": "RDS SQL audit is enabled", "severity": "medium", "provider": "aliyun",
        "resource": "aliyun.rds.instance", "clauses": _c(["7.1.4.3.a"], ["8.1.4.3.a"], ["9.1.4.3.a"]),
        "assert": {"path": "SQLCollectorStatus", "op": "eq", "value": "Enable"},
        "remediation": "Enable SQL Explorer / SQL audit."}),
    ("aliyun/sls/logstore_retention", {
        "title": "SLS logstores keep logs at least the legal minimum", "severity": "medium",
        "provider": "aliyun", "resource": "aliyun.sls.logstore",
        "clauses": _c(["7.1.4.3.c"], ["8.1.4.3.c", "8.1.5.4.d"], ["9.1.4.3.c", "9.1.5.4.d"]),
        "assert": {"path": "ttl", "op": "gte", "param": "log_retention_days"},
        "remediation": "Set the logstore TTL to at least 180 days."}),
    ("tencent/cdb/no_public_access", {
        "title": "TencentDB for MySQL has no public endpoint", "severity": "high", "provider": "tencent",
        "resource": "tencent.cdb.instance", "clauses": _c(["7.1.3.1"], ["8.1.3.1.a"], ["9.1.3.1.a"]),
        "assert": {"path": "WanStatus", "op": "eq", "value": 0},
        "remediation": "Close the public network address."}),
    ("aws/rds/storage_encrypted", {
        "title": "RDS storage is encrypted", "severity": "high", "provider": "aws",
        "resource": "aws.rds.db_instance", "clauses": _c(None, ["8.1.4.8.b"], ["9.1.4.8.b"]),
        "assert": {"path": "StorageEncrypted", "op": "eq", "value": True},
        "remediation": "Restore from an encrypted snapshot copy."}),
    ("host/sshd/root_login", {
        "title": "sshd refuses password logins as root", "severity": "high", "provider": "host",
        "resource": "host.sshd", "clauses": _c(["7.1.4.2.b"], ["8.1.4.2.b"], ["9.1.4.2.b"]),
        "assert": {"path": "PermitRootLogin", "op": "in",
                   "value": ["no", "prohibit-password", "without-password"]},
        "remediation": "Set PermitRootLogin no."}),
    ("tencent/cam/console_user_mfa", {
        "title": "CAM users with console access use MFA at login", "severity": "high", "provider": "tencent",
        "resource": "tencent.cam.user", "clauses": _c(None, ["8.1.4.1.d"], ["9.1.4.1.d"]),
        "where": {"path": "ConsoleLogin", "op": "eq", "value": 1},
        "assert": {"any": [{"path": "LoginFlag.Token", "op": "eq", "value": 1},
                           {"path": "LoginFlag.Stoken", "op": "eq", "value": 1}]},
        "remediation": "Enable MFA login protection for the user."}),
    ("host/system/auditd", {
        "title": "auditd runs with a rule set", "severity": "high", "provider": "host",
        "resource": "host.system",
        "clauses": _c(["7.1.4.3.a"], ["8.1.4.3.a", "8.1.4.3.d"], ["9.1.4.3.a", "9.1.4.3.d"]),
        "assert": {"all": [{"path": "auditd.active", "op": "eq", "value": True},
                           {"path": "auditd.rules_count", "op": "gte", "value": 10}]},
        "remediation": "Enable auditd and load the audit rules."}),
]


def templates(n: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """The first n checks: the templates in order, then numbered variants of them."""
    for k in range(n):
        path, body = TEMPLATES[k % len(TEMPLATES)]
        round_ = k // len(TEMPLATES)
        yield (path if round_ == 0 else f"{path}_v{round_ + 1}"), body


def features(n: int) -> dict[str, int]:
    """How often each operator and construct appears among the first n checks."""
    seen: Counter[str] = Counter()

    def walk(node: Any) -> None:
        for key in ("all", "any", "not"):
            if key in node:
                seen[key] += 1
                for child in node[key] if key != "not" else [node[key]]:
                    walk(child)
                return
        seen[f"op:{node['op']}"] += 1
        if "param" in node:
            seen[f"param:{node['param']}"] += 1
        if any(ch in node["path"] for ch in "[(|"):
            seen["jmespath-expression"] += 1

    for _, body in templates(n):
        seen[f"match:{body.get('match', 'each')}"] += 1
        if "where" in body:
            seen["where"] += 1
            walk(body["where"])
        walk(body["assert"])
    return dict(sorted(seen.items()))


# Types bench/generate.py makes that no provider collects: declared in the bench content's
# manifests only, so that their synthetic checks load (validate refuses a check over a type that
# nothing collects).
SYNTHETIC_TYPES = {"aliyun": ["aliyun.ram.password_policy", "aliyun.sls.logstore"],
                   "tencent": ["tencent.cloudaudit.audit"]}
DIVERGENCE = "synthetic benchmark check: its clauses are chosen to exercise the engine, not to map a control"


def _declare_synthetic_types(dest: Path) -> None:
    for provider, types in SYNTHETIC_TYPES.items():
        manifest = dest / "providers" / provider / "resources.yaml"
        document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        for kind in types:
            document["resources"].append({
                "type": kind, "description": "bench only", "scope": "regional", "uid": "{Id}",
                "list": {"call": f"{kind.split('.')[1]}:BenchList", "items": "Items"}})
        manifest.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")


def _with_family(body: dict[str, Any], families: dict[str, Any]) -> dict[str, Any]:
    """Name the family whose clauses the synthetic check cites, else the closest with a divergence."""
    cited = {level: set(ids) for level, ids in body["clauses"].items()}

    def overlap(name: str) -> int:
        declared = families[name]["clauses"].items()
        return sum(len(cited.get(level, set()) & set(ids)) for level, ids in declared)

    best = max(families, key=overlap)
    family = {"family": best}
    if {level: set(ids) for level, ids in families[best]["clauses"].items()} != cited:
        family["family_divergence"] = DIVERGENCE
    fields = list(body.items())
    at = next(i for i, (key, _) in enumerate(fields) if key == "clauses")
    return dict(fields[:at] + list(family.items()) + fields[at:])


def build_content(dest: Path, checks: int = 30, source: Path = REPO) -> Path:
    """Copy the shipped content into ``dest`` and add ``checks`` synthetic checks; returns ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in CONTENT_DIRS:
        target = dest / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source / name, target)
    _declare_synthetic_types(dest)
    families = yaml.safe_load((dest / "profiles" / "families.yaml").read_text(encoding="utf-8"))["families"]
    for path, body in templates(checks):
        file = dest / "checks" / "bench" / f"{path}.yaml"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(yaml.safe_dump(_with_family(body, families), sort_keys=False, allow_unicode=True,
                                       width=110), "utf-8")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="content directory to (re)create")
    parser.add_argument("--checks", type=int, default=30, help="synthetic checks to add (default 30)")
    parser.add_argument("--source", type=Path, default=REPO,
                        help="shipped content to copy (default: the repo)")
    args = parser.parse_args(argv)
    build_content(args.out, args.checks, args.source)
    content = load_content(args.out)  # validates every check against the catalogue and the parameters
    print(f"{args.out}: {len(content.checks)} checks ({args.checks} synthetic)")
    for name, count in features(args.checks).items():
        print(f"  {name:28} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
