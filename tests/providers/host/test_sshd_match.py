"""sshd Match contexts: a setting weakened in any context fails, naming the Match condition.

Parsing and the weakest-context judgement on real sshd_config syntax (OpenSSH 9.x, man
sshd_config), then a real host over SSH whose /etc/ssh/sshd_config carries the Match blocks of
issue 11, read with `sshd -T -C` (with --sudo) and from the Match blocks (without).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlpscan.providers.host.parse.sshd import parse_sshd_config, parse_sshd_contexts
from mlpscan.providers.host.policy import sshd as sp
from tests.providers.host.sshd_server import SshdUnavailable, running_sshd

ISSUE_CONFIG = """\
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication yes
AuthenticationMethods publickey,keyboard-interactive
MaxAuthTries 3
Match User root Address 127.0.0.1
    PermitRootLogin prohibit-password
    AuthenticationMethods publickey
"""


def contexts_of(config_text: str) -> tuple[list[sp.Context], dict[str, Any]]:
    config = parse_sshd_config(config_text)
    return sp.contexts_from(config["settings"], "sshd_config", None, config)[0], config


def test_the_issue_host_fails_root_login_and_mfa_naming_the_match() -> None:
    contexts, _ = contexts_of(ISSUE_CONFIG)
    result = sp.weakest(contexts, [], pam_readable=True)
    assert result["permit_root_login"] == "prohibit-password"
    assert result["permit_root_login_context"] == "Match User root Address 127.0.0.1"
    assert result["mfa"]["multi_factor"] is False
    assert result["mfa"]["context"] == "Match User root Address 127.0.0.1"


def test_a_match_for_another_user_does_not_decide_root_login() -> None:
    contexts, _ = contexts_of("PermitRootLogin no\nMatch User deploy,!root\n  PermitRootLogin yes\n")
    assert sp.weakest(contexts, [], pam_readable=True)["permit_root_login"] == "no"
    grouped, _ = contexts_of("PermitRootLogin no\nMatch Group wheel\n  PermitRootLogin yes\n")
    # a group may hold root: that context counts
    assert sp.weakest(grouped, [], pam_readable=True)["permit_root_login"] == "yes"


def test_address_group_and_nested_include_blocks() -> None:
    text = ("==> /etc/ssh/sshd_config <==\nInclude /etc/ssh/sshd_config.d/*.conf\nMaxAuthTries 3\n"
            "AllowGroups admins\n"
            "Match Address 10.0.0.0/8,!10.9.0.0/16\n  Include /etc/ssh/match.d/wide.conf\n"
            "==> /etc/ssh/sshd_config.d/10-base.conf <==\nPasswordAuthentication no\n"
            "Match Group sftpusers\n  PasswordAuthentication yes\n"
            "==> /etc/ssh/match.d/wide.conf <==\nMaxAuthTries 10\nAllowGroups *\n")
    contexts, config = contexts_of(text)
    assert [b["condition"] for b in config["match_settings"]] == ["Group sftpusers", "Address 10.0.0.0/8,!10.9.0.0/16"]
    result = sp.weakest(contexts, [], pam_readable=True)
    assert (result["max_auth_tries"], result["max_auth_tries_context"]) == (10, "Match Address 10.0.0.0/8,!10.9.0.0/16")
    assert result["password_authentication_contexts"] == ["Match Group sftpusers"]
    assert result["login_restricted_to_named_users"] is True


def test_contexts_from_sshd_T_C_and_an_unrealised_group() -> None:
    dump = "port 22\n" + "".join(f"k{i} v\n" for i in range(12))
    text = (f"==> (any connection) <==\nspec user=mlpscan-nomatch,host=h\n{dump}permitrootlogin no\n"
            f"==> Match Group empty <==\nspec user=mlpscan-nomatch,host=h\n{dump}permitrootlogin no\n"
            f"==> Match User root <==\nspec user=root,host=h\n{dump}permitrootlogin yes\n")
    tested = parse_sshd_contexts(text)
    assert [t["condition"] for t in tested] == [None, "Group empty", "User root"]
    config = parse_sshd_config("PermitRootLogin no\nMatch Group empty\n  PermitRootLogin forced-commands-only\n")
    contexts, unevaluated = sp.contexts_from({"permitrootlogin": "no"}, "sshd -T", tested, config)
    sources = {c.condition: c.source for c in contexts}
    assert sources["User root"] == "sshd -T -C"
    assert sources["Group empty"].startswith("sshd_config Match block")  # no member to test it with
    assert unevaluated == []


def scan(server: Any, tmp_path: Path, *extra: str) -> dict[str, Any]:
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "mlpscan", "scan", server.target(), "--level", "3", "--format", "json",
         "--output-dir", str(out), "--ssh-config", str(ssh_config), "--known-hosts", str(server.known_hosts),
         "--identity", str(server.client_key), *extra],
        capture_output=True, text=True, env=env, check=False, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return {"report": json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8")),
            "snapshot": json.loads((out / "snapshot.json").read_text(encoding="utf-8"))}


@pytest.mark.parametrize("sudo", [True, False], ids=["sshd -T -C", "Match blocks"])
def test_a_real_host_with_a_weaker_match_block(tmp_path: Path, sudo: bool) -> None:
    try:
        with running_sshd(etc_files={"/etc/ssh/sshd_config": ISSUE_CONFIG}) as server:
            found = scan(server, tmp_path, *(["--sudo"] if sudo else []))
    except SshdUnavailable as exc:
        pytest.fail(str(exc))
    [sshd] = [r["data"] for r in found["snapshot"]["resources"] if r["type"] == "host.sshd"]
    assert sshd["global"]["permit_root_login"] == "no"
    expected = "sshd -T -C for each Match condition" if sudo else "Match blocks read from sshd_config"
    assert sshd["contexts_source"].startswith(expected)
    findings = {f["check"]: f for f in found["report"]["findings"]}
    for check in ("host.ssh.root_login_disabled", "host.login.mfa"):
        assert findings[check]["status"] == "fail", (check, findings[check]["message"])
        assert "Match User root Address 127.0.0.1" in findings[check]["message"]
