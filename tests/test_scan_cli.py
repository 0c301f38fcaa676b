"""`mlpscan scan` and `mlpscan collect`: targets, inputs and the local host."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import jsonschema
import pytest

from mlpscan.findings import Report
from tests.test_cli import one_line_error, run


@pytest.mark.parametrize(("args", "message"), [
    (["aws:"], "a profile name must follow 'aws:'"),
    (["local", "--region", "cn-north-1"], "--region and --role-arn apply to cloud targets"),
    (["aws", "--api-workers", "0"], "--api-workers must be at least 1"),
    (["ssh://ops@web-01:ssh"], "the port is not a number"),
    (["ssh://ops:secret@web-01"], "passwords go in MLPSCAN_SSH_PASSWORD"),
    (["ftp://web-01"], "unknown target 'ftp://web-01'"),
    (["local", "local"], "target local is given twice"),
    (["--limit", "web"], "--limit needs an inventory"),
    (["--max-workers", "0"], "--max-workers must be at least 1"),
])
def test_bad_targets_are_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    line = one_line_error(run("scan", *args, "--output-dir", str(tmp_path / "out")))
    assert message in line
    assert not (tmp_path / "out").exists()


def test_bad_inventory_names_file_and_line(tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[web]\nweb-01 port\n", encoding="utf-8")
    line = one_line_error(run("collect", "--inventory", str(inventory), "-o", str(tmp_path / "s.json")))
    assert f"{inventory}:2: expected key=value" in line


@pytest.mark.parametrize(("text", "limit", "where"), [
    ("# the fleet moved to hosts.yml\n", [], "no host: nothing to scan"),
    ("[web]\n[db]\ndb-01 ansible_host=127.0.0.1\n", ["--limit", "web"], "no host in group 'web'"),
])
def test_an_inventory_without_hosts_never_scans_this_machine_instead(tmp_path: Path, text: str, limit: list[str],
                                                                     where: str) -> None:
    """Found by bench/campaign.py: an empty inventory (or --limit to an empty group) scanned the machine
    running mlpscan, as if no target had been given, and passed on it."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(text, encoding="utf-8")
    line = one_line_error(run("collect", "--inventory", str(inventory), *limit, "-o", str(tmp_path / "s.json")))
    assert f"{inventory}: the inventory names no host" in line
    assert where in line
    assert not (tmp_path / "s.json").exists()
    config = tmp_path / "mlpscan.yaml"
    config.write_text("inventory: hosts.ini\n", encoding="utf-8")
    line = one_line_error(run("scan", "--config", str(config), *limit, "--output-dir", str(tmp_path / "out")))
    assert "hosts.ini: the inventory names no host" in line
    assert not (tmp_path / "out").exists()


def test_config_targets_are_checked(tmp_path: Path) -> None:
    config = tmp_path / "mlpscan.yaml"
    config.write_text("targets: [local, 'gcp:prod']\n", encoding="utf-8")
    line = one_line_error(run("scan", "--config", str(config)))
    assert f"{config}: unknown target 'gcp:prod'" in line


@pytest.mark.parametrize(("variable", "target"), [
    ("AWS_ENDPOINT_URL", "aws"), ("MLPSCAN_ALIYUN_ENDPOINT", "aliyun"), ("MLPSCAN_TENCENT_ENDPOINT", "tencent:prod"),
])
def test_plain_http_endpoints_only_on_loopback(variable: str, target: str, tmp_path: Path) -> None:
    line = one_line_error(run("scan", target, "--output-dir", str(tmp_path / "out"),
                              env={variable: "http://api.example.com:8080"}))
    assert f"{variable}: endpoint 'http://api.example.com:8080' uses plain http" in line
    assert not (tmp_path / "out").exists()


def test_config_endpoint_is_checked(tmp_path: Path) -> None:
    config = tmp_path / "mlpscan.yaml"
    config.write_text("clouds:\n  - {provider: aliyun, endpoint: 'http://10.0.0.8'}\n", encoding="utf-8")
    line = one_line_error(run("scan", "--config", str(config), "--output-dir", str(tmp_path / "out")))
    assert f"{config}: endpoint 'http://10.0.0.8' uses plain http" in line


def test_collect_then_evaluate_the_local_host(tmp_path: Path) -> None:
    snapshot = tmp_path / "evidence" / "snapshot.json"
    done = run("collect", "-o", str(snapshot))
    assert done.returncode == 0, done.stderr
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    assert [t["id"] for t in data["targets"]] == ["host:local"]
    assert data["targets"][0]["connection"]["transport"] == "local"
    assert any(r["type"] == "host.system" for r in data["resources"])
    assert run("verify", str(snapshot)).returncode == 0
    evaluated = run("evaluate", str(snapshot), "--format", "json", "--output-dir", str(tmp_path / "out"))
    assert evaluated.returncode in (0, 1), evaluated.stderr
    report = json.loads((tmp_path / "out" / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert any(f["check"].startswith("host.") for f in report["findings"])


def test_scan_defaults_to_the_local_host_at_level_3(tmp_path: Path, sarif_validator: object) -> None:
    done = run("scan", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    out = tmp_path / "mlpscan-out"
    assert sorted(p.name for p in out.iterdir()) == ["mlpscan-report.json", "mlpscan.sarif", "snapshot.json"]
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, Report.model_json_schema(by_alias=True))
    assert report["profile"]["level"] == 3
    assert "host." in done.stdout
    assert sarif_validator((out / "mlpscan.sarif").read_bytes()) == []  # type: ignore[operator]


def test_an_unreachable_inventory_host_is_one_line_at_80_columns(tmp_path: Path) -> None:
    with socket.socket() as probe:            # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(f"[web]\nweb-local ansible_connection=local\n"
                         f"web-down ansible_host=127.0.0.1 ansible_port={closed}\n", encoding="utf-8")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("", encoding="utf-8")
    done = run("scan", "--inventory", str(inventory), "--known-hosts", str(known_hosts), "--format", "table,json",
               "--output-dir", str(tmp_path / "out"), "--connect-timeout", "5", env={"COLUMNS": "80"})
    assert done.returncode == 1, done.stderr
    report = json.loads((tmp_path / "out" / "mlpscan-report.json").read_text(encoding="utf-8"))
    down = [f for f in report["findings"] if f["resource"]["target"] == "host:web-down"]
    assert len(down) > 10
    assert {f["status"] for f in down} == {"error"}          # every check says why, in the files
    lines = [line for line in done.stdout.splitlines() if "web-down" in line]
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith("✗ host:web-down  not collected")
    assert "● host:local" in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())


def test_scan_collects_only_what_the_selected_checks_read(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("scan", "--checks", "host.login.*", "--format", "json", "--output-dir", str(out))
    assert done.returncode in (0, 1), done.stderr
    snapshot = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))
    types = {r["type"] for r in snapshot["resources"]}
    assert {"host.system", "host.pam", "host.sshd", "host.session"} <= types
    assert not types & {"host.updates", "host.agents", "host.listener", "host.service", "host.audit"}
    commands = {c for r in snapshot["resources"] for c in r["data"].get("source", [])}
    assert "security_updates" not in commands
    assert not any(e["operation"] in ("security_updates", "listening", "aide") for e in snapshot["errors"])
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert {f["check"] for f in report["findings"]} <= {
        "host.login.idle_timeout", "host.login.lockout_duration", "host.login.lockout_threshold", "host.login.mfa",
        "host.login.no_nullok", "mlpscan.collection_incomplete"}


def test_provider_selection_and_targets(tmp_path: Path) -> None:
    assert "target local is not of --provider aws" in one_line_error(
        run("scan", "local", "--provider", "aws", "--output-dir", str(tmp_path / "out")))
    config = tmp_path / "mlpscan.yaml"
    config.write_text("targets: [local]\n", encoding="utf-8")
    assert "no target of --provider aliyun" in one_line_error(
        run("scan", "--config", str(config), "--provider", "aliyun", "--output-dir", str(tmp_path / "out")))
    assert not (tmp_path / "out").exists()


def test_a_broken_ssh_client_configuration_is_bad_input(tmp_path: Path) -> None:
    config = tmp_path / "ssh_config"
    config.write_text("Host web-*\n  HostName\nsystem: {level: 4}\n", encoding="utf-8")
    line = one_line_error(run("scan", "ssh://ops@web-01", "--ssh-config", str(config),
                              "--output-dir", str(tmp_path / "out")))
    assert f"{config}: invalid SSH client configuration" in line
    assert "not a readable file" in one_line_error(run("scan", "ssh://ops@web-01", "--ssh-config", str(tmp_path),
                                                       "--output-dir", str(tmp_path / "out")))
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("127.0.0.1 ssh-ed25519 not-base64!\n", encoding="utf-8")
    assert f"{known_hosts}: invalid known_hosts file" in one_line_error(
        run("scan", "ssh://ops@web-01", "--known-hosts", str(known_hosts), "--output-dir", str(tmp_path / "out")))
    assert "--identity: not a readable file" in one_line_error(
        run("scan", "ssh://ops@web-01", "--identity", str(tmp_path / "missing"), "--output-dir", str(tmp_path / "out")))
    assert not (tmp_path / "out").exists()
