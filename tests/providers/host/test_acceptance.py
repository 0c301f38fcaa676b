"""Issue acceptance over SSH: a host whose settings violate password aging, lockout, idle timeout,
MFA and log retention fails exactly those checks with their level-3 clauses; fixing them passes.

Each host is a real sshd whose sessions see their own /etc (a private mount namespace), so the
fixed, read-only command list reads genuinely different configuration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.providers.host.sshd_server import Sshd, SshdUnavailable, running_sshd

COMMON_AUTH_WEAK = """\
auth [success=1 default=ignore] pam_unix.so nullok
auth requisite pam_deny.so
auth required pam_permit.so
"""
COMMON_AUTH_FIXED = """\
auth required pam_faillock.so preauth silent deny=5 unlock_time=900
auth [success=1 default=ignore] pam_unix.so
auth [default=die] pam_faillock.so authfail deny=5 unlock_time=900
auth requisite pam_deny.so
auth required pam_permit.so
auth sufficient pam_faillock.so authsucc
"""
SSHD_WEAK = "PermitRootLogin no\nPasswordAuthentication yes\n"
SSHD_FIXED = ("PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication yes\n"
              "AuthenticationMethods publickey,keyboard-interactive\n"
              "ClientAliveInterval 300\nClientAliveCountMax 1\n")
RSYSLOG = "auth,authpriv.*\t/var/log/auth.log\n*.*;auth,authpriv.none\t/var/log/syslog\n"
LOGROTATE_WEAK = "/var/log/auth.log\n/var/log/syslog\n{\n\tweekly\n\trotate 4\n\tmissingok\n}\n"
JOURNALD_FIXED = "[Journal]\nStorage=persistent\nMaxRetentionSec=200day\n"

WEAK = {
    "/etc/login.defs": "PASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nENCRYPT_METHOD SHA512\n",
    "/etc/pam.d/common-auth": COMMON_AUTH_WEAK,
    "/etc/ssh/sshd_config": SSHD_WEAK,
    "/etc/profile.d/tmout.sh": "# no idle timeout here\n",
    "/etc/rsyslog.conf": RSYSLOG,
    "/etc/logrotate.d/rsyslog": LOGROTATE_WEAK,
    "/etc/systemd/journald.conf": "[Journal]\nStorage=volatile\n",
}
FIXED = {
    **WEAK,
    "/etc/login.defs": "PASS_MAX_DAYS\t90\nPASS_MIN_DAYS\t1\nENCRYPT_METHOD SHA512\n",
    "/etc/pam.d/common-auth": COMMON_AUTH_FIXED,
    "/etc/ssh/sshd_config": SSHD_FIXED,
    "/etc/profile.d/tmout.sh": "TMOUT=600\nreadonly TMOUT\nexport TMOUT\n",
    "/etc/systemd/journald.conf": JOURNALD_FIXED,
}
CHECKED = {
    "host.password.max_age": "8.1.4.1.a",
    "host.login.lockout_threshold": "8.1.4.1.b",
    "host.login.idle_timeout": "8.1.4.1.b",
    "host.login.mfa": "8.1.4.1.d",
    "host.logging.retention": "8.1.4.3.c",
}


@pytest.fixture(scope="module")
def hosts() -> Iterator[tuple[Sshd, Sshd]]:
    try:
        with running_sshd(("127.0.0.1",), etc_files=WEAK) as weak, \
                running_sshd(("127.0.0.1",), etc_files=FIXED) as fixed:
            yield weak, fixed
    except SshdUnavailable as exc:
        pytest.fail(str(exc))


def scan_level3(sshd: Sshd, tmp_path: Path) -> dict[str, Any]:
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    done = subprocess.run(
        [sys.executable, "-m", "mlpscan", "scan", sshd.target(), "--level", "3", "--format", "json",
         "--output-dir", str(tmp_path), "--ssh-config", str(ssh_config), "--known-hosts",
         str(sshd.known_hosts), "--identity", str(sshd.client_key)],
        capture_output=True, text=True, env=env, check=False, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads((tmp_path / "mlpscan-report.json").read_text(encoding="utf-8"))
    return report


def outcomes(report: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {f["check"]: (f["status"], f["clauses"]) for f in report["findings"] if f["check"] in CHECKED}


def test_violations_fail_with_their_clauses(hosts: tuple[Sshd, Sshd], tmp_path: Path) -> None:
    found = outcomes(scan_level3(hosts[0], tmp_path))
    for check, clause in CHECKED.items():
        status, clauses = found[check]
        assert status == "fail", (check, status)
        assert clause in clauses


def test_fixing_them_turns_them_to_pass(hosts: tuple[Sshd, Sshd], tmp_path: Path) -> None:
    found = outcomes(scan_level3(hosts[1], tmp_path))
    assert {check: status for check, (status, _) in found.items()} == dict.fromkeys(CHECKED, "pass")
