"""The host provider against a real sshd on 127.0.0.1, through the real command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlpscan.content import load_content
from mlpscan.providers.host.commands import build_script, load_commands, new_marker
from mlpscan.providers.host.stream import split_output
from tests.conftest import REPO
from tests.providers.host.sshd_server import Sshd, running_sshd


def mlpscan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "MLPSCAN_SSH_PASSWORD")}
    env["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "mlpscan", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False, timeout=300)


def scan(sshd: Sshd, tmp_path: Path, *targets: str, known_hosts: Path | None = None,
         key: Path | None = None, extra: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess[str],
                                                                      dict[str, Any], dict[str, Any]]:
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    done = mlpscan("scan", *(targets or (sshd.target(),)), "--level", "3", "--format", "table,json,sarif",
                   "--output-dir", str(out), "--ssh-config", str(ssh_config),
                   "--known-hosts", str(known_hosts or sshd.known_hosts),
                   "--identity", str(key or sshd.client_key), "--connect-timeout", "5", *extra,
                   cwd=tmp_path)
    snapshot = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    return done, snapshot, report


def host_errors(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in snapshot["errors"] if e["type"] == "host.*"]


def test_full_scan_over_ssh(sshd: Sshd, tmp_path: Path, sarif_validator: Any) -> None:
    done, snapshot, report = scan(sshd, tmp_path)
    assert done.returncode in (0, 1), done.stderr
    [target] = snapshot["targets"]
    assert target["id"] == f"host:127.0.0.1:{sshd.port}"
    connection = target["connection"]
    assert connection["transport"] == "ssh"
    assert connection["host_key"].startswith("ssh-ed25519 SHA256:")
    assert connection["host_key_accepted_new"] is False
    assert host_errors(snapshot) == []
    types = {r["type"] for r in snapshot["resources"]}
    assert "host.system" in types
    assert len(types) > 5
    assert any(f["check"].startswith("host.") for f in report["findings"])
    assert sarif_validator((tmp_path / "out" / "mlpscan.sarif").read_bytes()) == []
    text = (tmp_path / "out" / "snapshot.json").read_text(encoding="utf-8")
    for secret_marker in ("$6$", "$y$", "$5$", "$1$", "PRIVATE KEY"):
        assert secret_marker not in text


def test_unknown_host_key_is_refused(sshd: Sshd, tmp_path: Path) -> None:
    done, snapshot, report = scan(sshd, tmp_path, known_hosts=sshd.empty_known_hosts)
    assert done.returncode == 3, done.stderr
    [error] = host_errors(snapshot)
    assert error["code"] == "HostKeyUnknown"
    assert "--accept-new-host-keys" in error["message"]
    assert snapshot["resources"] == []
    assert any(f["status"] == "error" for f in report["findings"])


def test_changed_host_key_is_refused(sshd: Sshd, tmp_path: Path) -> None:
    done, snapshot, _ = scan(sshd, tmp_path, known_hosts=sshd.wrong_known_hosts)
    assert done.returncode == 3
    [error] = host_errors(snapshot)
    assert error["code"] == "HostKeyChanged"


def test_accepting_a_new_key_is_explicit_and_recorded(sshd: Sshd, tmp_path: Path) -> None:
    done, snapshot, _ = scan(sshd, tmp_path, known_hosts=sshd.empty_known_hosts,
                             extra=("--accept-new-host-keys",))
    assert done.returncode in (0, 1), done.stderr
    assert snapshot["targets"][0]["connection"]["host_key_accepted_new"] is True
    assert host_errors(snapshot) == []


def test_wrong_client_key_is_an_authentication_error(sshd: Sshd, tmp_path: Path) -> None:
    done, snapshot, _ = scan(sshd, tmp_path, key=sshd.other_key)
    assert done.returncode == 3
    [error] = host_errors(snapshot)
    assert error["code"] == "AuthenticationFailed"


def test_one_unreachable_host_does_not_stop_the_others(sshd: Sshd, tmp_path: Path) -> None:
    closed = sshd.target(port=1)
    done, snapshot, report = scan(sshd, tmp_path, closed, sshd.target())
    assert done.returncode == 1, done.stderr
    assert [t["id"] for t in snapshot["targets"]] == ["host:127.0.0.1:1", f"host:127.0.0.1:{sshd.port}"]
    [error] = host_errors(snapshot)
    assert error["target"] == "host:127.0.0.1:1"
    assert error["code"] == "ConnectionRefused"
    healthy = [r for r in snapshot["resources"] if r["target"] == f"host:127.0.0.1:{sshd.port}"]
    assert healthy
    unreachable = [f for f in report["findings"] if f["resource"]["target"] == "host:127.0.0.1:1"]
    assert unreachable
    assert {f["status"] for f in unreachable} == {"error"}


def test_sudo_runs_the_same_commands_as_root(sshd: Sshd, tmp_path: Path) -> None:
    done, snapshot, _ = scan(sshd, tmp_path, extra=("--sudo",))
    assert done.returncode in (0, 1), done.stderr
    assert snapshot["targets"][0]["connection"]["sudo"] is True
    assert not [e for e in snapshot["errors"] if e["code"] in ("PermissionDenied", "SudoFailed")]
    accounts = [r for r in snapshot["resources"] if r["type"] == "host.accounts"]
    assert accounts  # /etc/shadow metadata needs root


def test_without_sudo_root_only_reads_are_errors_that_say_so(sshd: Sshd, tmp_path: Path) -> None:
    _, snapshot, _ = scan(sshd, tmp_path)
    denied = [e for e in snapshot["errors"] if e["code"] == "PermissionDenied"]
    assert any(e["operation"] == "shadow_meta" for e in denied)
    assert all("--sudo" in e["message"] for e in denied)


def test_the_session_runs_exactly_the_declared_commands() -> None:
    commands = load_commands(REPO)
    marker = new_marker()
    script = build_script(commands, marker)
    blocks = re.findall(r"^\{ (.*?)\n\} </dev/null 2>&1$", script, re.MULTILINE | re.DOTALL)
    assert [block.strip() for block in blocks] == [c.run.strip() for c in commands]
    ran = subprocess.run(["sh", "-s"], input=script, capture_output=True, text=True, check=False)
    assert set(split_output(ran.stdout, marker, commands)) == {c.id for c in commands}
    assert load_content(REPO).root == REPO


@pytest.mark.parametrize("spoof", ["end os_release 0", "begin uname"])
def test_markers_cannot_be_forged_by_command_output(spoof: str) -> None:
    commands = load_commands(REPO)[:2]
    marker = new_marker()
    forged = f"\n@@MLPSCAN-0000000000000000@@ {spoof}\n"
    output = (f"\n{marker} begin os_release\nNAME=x{forged}\n{marker} end os_release 0\n"
              f"\n{marker} begin uname\nLinux\n{marker} end uname 0\n")
    results = split_output(output, marker, commands)
    assert forged.strip() in results["os_release"].output
    assert results["uname"].output == "Linux"


def test_ssh_config_alias_and_proxyjump(sshd: Sshd, tmp_path: Path) -> None:
    # paramiko does not follow ProxyJump: mlpscan opens the hop and a direct-tcpip channel itself
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(f"""\
Host bastion
  HostName 127.0.0.1
  Port {sshd.port}
  User {sshd.user}
  IdentityFile {sshd.client_key}

Host app-01
  HostName 127.0.0.1
  Port {sshd.port}
  User {sshd.user}
  IdentityFile {sshd.client_key}
  ProxyJump bastion
""", encoding="utf-8")
    out = tmp_path / "snapshot.json"
    done = mlpscan("collect", "ssh://app-01", "-o", str(out), "--ssh-config", str(ssh_config),
                   "--known-hosts", str(sshd.known_hosts), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    snapshot = json.loads(out.read_text(encoding="utf-8"))
    [target] = snapshot["targets"]
    assert target["id"] == "host:app-01"
    assert target["connection"]["via"] == "bastion"
    assert target["connection"]["address"] == f"127.0.0.1:{sshd.port}"
    assert host_errors(snapshot) == []
    assert any(r["type"] == "host.system" for r in snapshot["resources"])


def test_keys_from_the_ssh_agent(sshd: Sshd, tmp_path: Path) -> None:
    agent = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True).stdout
    variables = dict(part.split("=", 1) for part in agent.replace(";", "\n").split() if "=" in part)
    env = {**os.environ, **variables, "COLUMNS": "200"}
    try:
        subprocess.run(["ssh-add", "-q", str(sshd.client_key)], env=env, check=True, capture_output=True)
        ssh_config = tmp_path / "ssh_config"
        ssh_config.write_text("", encoding="utf-8")
        out = tmp_path / "snapshot.json"
        done = subprocess.run([sys.executable, "-m", "mlpscan", "collect", sshd.target(), "-o", str(out),
                               "--ssh-config", str(ssh_config), "--known-hosts", str(sshd.known_hosts)],
                              capture_output=True, text=True, env=env, check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        assert host_errors(json.loads(out.read_text(encoding="utf-8"))) == []
    finally:
        subprocess.run(["ssh-agent", "-k"], env=env, capture_output=True, check=False)


def test_password_only_from_the_environment(tmp_path: Path) -> None:
    secret = "Tr0ub4dor&3-mlpscan"
    with running_sshd(password=secret) as server:
        ssh_config = tmp_path / "ssh_config"
        ssh_config.write_text("", encoding="utf-8")
        out = tmp_path / "snapshot.json"
        base = [sys.executable, "-m", "mlpscan", "collect", server.target(), "-o", str(out), "--ssh-config",
                str(ssh_config), "--known-hosts", str(server.known_hosts)]
        clean = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "MLPSCAN_SSH_PASSWORD")}
        without = subprocess.run(base, capture_output=True, text=True, env=clean, check=False, timeout=300)
        assert without.returncode == 3
        assert host_errors(json.loads(out.read_text(encoding="utf-8")))[0]["code"] == "AuthenticationFailed"
        with_env = subprocess.run(base, capture_output=True, text=True, check=False, timeout=300,
                                  env={**clean, "MLPSCAN_SSH_PASSWORD": secret})
        assert with_env.returncode == 0, with_env.stderr
        text = out.read_text(encoding="utf-8")
        assert host_errors(json.loads(text)) == []
        assert secret not in text + with_env.stdout + with_env.stderr


# a command word, not part of a path such as /etc/passwd
WRITES = re.compile(r"(?<![\w./-])(rm|mv|cp|tee|dd|chmod|chown|chattr|kill|pkill|reboot|shutdown|useradd|"
                    r"usermod|passwd|truncate|install|mkdir|touch|ln)(?![\w./-])|sed\s+-i|>>|"
                    r"systemctl\s+(start|stop|restart|"
                    r"reload|enable|disable|mask)|apt(-get)?\s+(install|remove|purge|update)|"
                    r"(dnf|yum)\s+(install|remove|erase|update|makecache)")


def test_every_declared_command_only_reads() -> None:
    for writer in ("rm -f /tmp/x", "sed -i s/a/b/ /etc/x", "systemctl restart sshd", "echo x >> /etc/x",
                   "apt-get install -y x", "cat /etc/passwd | tee /tmp/p"):
        assert WRITES.search(writer), writer  # the guard itself recognises writes
    for command in load_commands(REPO):
        # discarding output is fine, and so are the "==> file <==" headers printed between files
        text = re.sub(r'[12]?>\s*/dev/null|2>&1|"==> [^"]* <=="', "", command.run)
        assert ">" not in text, f"{command.id} redirects output into a file"
        assert not WRITES.search(text), f"{command.id} may change the host: {command.run}"


def test_the_apt_query_leaves_apt_caches_untouched(tmp_path: Path) -> None:
    """Run as root, a plain `apt list` rewrites /var/cache/apt/*.bin when they are stale: the
    declared command must not (this suite runs on Debian, so apt is there)."""
    [command] = [c for c in load_commands(REPO) if c.id == "security_updates"]
    assert "-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=" in command.run
    assert "--setopt=logfilelevel=0" in command.run
    assert " -C " in command.run
    caches = Path("/var/cache/apt")
    before = {p.name: p.stat().st_mtime_ns for p in caches.glob("*.bin")}
    ran = subprocess.run(["sh", "-c", command.run], capture_output=True, text=True, check=False, timeout=120)
    assert ran.returncode in command.ok_codes, ran.stdout
    assert "Listing..." in ran.stdout
    assert {p.name: p.stat().st_mtime_ns for p in caches.glob("*.bin")} == before


def test_proxyjump_walks_every_hop_in_order(sshd: Sshd, tmp_path: Path) -> None:
    """`ProxyJump hop1,hop2`: hop1 is reached directly, hop2 through hop1, the target through hop2.
    Each hop's host key is verified, so leaving hop1's key out proves it is walked; `ProxyJump
    none` in the first matching block turns an inherited jump off."""
    with running_sshd() as second:
        both_keys = tmp_path / "known_hosts"
        both_keys.write_text(sshd.known_hosts.read_text(encoding="utf-8")
                             + second.known_hosts.read_text(encoding="utf-8"), encoding="utf-8")
        ssh_config = tmp_path / "ssh_config"
        ssh_config.write_text(f"""\
Host hop1
  HostName 127.0.0.1
  Port {second.port}
  User {second.user}
  IdentityFile {second.client_key}

Host hop2
  HostName 127.0.0.1
  Port {sshd.port}
  User {sshd.user}
  IdentityFile {sshd.client_key}

Host direct-app
  ProxyJump none

Host *-app
  HostName 127.0.0.1
  Port {sshd.port}
  User {sshd.user}
  IdentityFile {sshd.client_key}
  ProxyJump hop1,hop2
""", encoding="utf-8")

        def collect(target: str, known: Path) -> tuple[int, dict[str, Any]]:
            out = tmp_path / "snapshot.json"
            done = mlpscan("collect", target, "-o", str(out), "--ssh-config", str(ssh_config),
                           "--known-hosts", str(known), cwd=tmp_path)
            return done.returncode, json.loads(out.read_text(encoding="utf-8"))

        code, snapshot = collect("ssh://web-app", both_keys)
        assert code == 0, snapshot["errors"]
        assert snapshot["targets"][0]["connection"]["via"] == "hop1,hop2"
        assert host_errors(snapshot) == []
        only_second_hop = tmp_path / "known_hosts_without_hop1"
        only_second_hop.write_text(sshd.known_hosts.read_text(encoding="utf-8"), encoding="utf-8")
        code, snapshot = collect("ssh://web-app", only_second_hop)
        assert code == 3
        [error] = host_errors(snapshot)
        assert error["code"] == "HostKeyUnknown"
        assert error["message"].startswith("hop1 ")
        code, snapshot = collect("ssh://direct-app", only_second_hop)
        assert code == 0, snapshot["errors"]
        assert snapshot["targets"][0]["connection"]["via"] is None
