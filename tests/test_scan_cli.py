"""`mlpscan scan` and `mlpscan collect`: targets, inputs and the local host."""

from __future__ import annotations

import json
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
