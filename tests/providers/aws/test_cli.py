"""`mlpscan scan aws` end to end: the real command line, moto behind AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fakes.aws_throttle import throttling_proxy
from tests.providers.aws.conftest import Seeder
from tests.providers.aws.test_acceptance import FAILS, seed_china_account
from tests.test_cli import run

Validator = Callable[[bytes | str | dict[str, Any]], list[str]]


def aws_env(moto: str) -> dict[str, str]:
    names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
             "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED")
    return {**{n: os.environ[n] for n in names}, "AWS_ENDPOINT_URL": moto}


def test_scan_aws_in_china_at_level_3(moto: str, tmp_path: Path, sarif_validator: Validator) -> None:
    seed_china_account(Seeder(moto, "cn-north-1"), compliant=False)
    out = tmp_path / "out"
    done = run("scan", "aws", "--region", "cn-north-1,cn-northwest-1", "--level", "3", "--format",
               "table,json,sarif", "--output-dir", str(out), env=aws_env(moto))
    assert done.returncode == 1, done.stderr
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    failing = {(f["check"], c) for f in report["findings"] if f["status"] == "fail" for c in f["clauses"]}
    assert set(FAILS.items()) <= failing
    snapshot = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))
    assert [(t["id"], t["partition"], t["regions"]) for t in snapshot["targets"]] == [
        ("aws:123456789012", "aws-cn", ["cn-north-1", "cn-northwest-1"])]
    assert "mlpscan-test-secret" not in (out / "snapshot.json").read_text(encoding="utf-8")
    sarif = json.loads((out / "mlpscan.sarif").read_bytes())
    assert sarif_validator(sarif) == []
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert set(FAILS) <= rules
    assert "aws.iam.console_user_mfa" in done.stdout


def test_accounts_by_role_from_mlpscan_yaml(moto: str, tmp_path: Path) -> None:
    config = tmp_path / "mlpscan.yaml"
    config.write_text(
        "system: {name: orders, level: 3}\n"
        "clouds:\n"
        "  - provider: aws\n"
        "    regions: [cn-north-1]\n"
        "    accounts:\n"
        "      - {role_arn: 'arn:aws-cn:iam::111111111111:role/mlpscan-audit', name: prod}\n"
        "      - {role_arn: 'arn:aws-cn:iam::222222222222:role/mlpscan-audit', name: test}\n",
        encoding="utf-8")
    out = tmp_path / "out"
    done = run("scan", "--config", str(config), "--format", "json,sarif", "--output-dir", str(out),
               env=aws_env(moto))
    assert done.returncode in (0, 1), done.stderr
    snapshot = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in snapshot["targets"]] == ["aws:111111111111", "aws:222222222222"]
    sarif = json.loads((out / "mlpscan.sarif").read_bytes())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"mlpscan.yaml"}   # relative: the file lies outside the working directory


def test_no_account_reachable_exits_3(tmp_path: Path) -> None:
    env = {"AWS_ACCESS_KEY_ID": "AKIAMLPSCANTEST00001", "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    done = run("scan", "aws", "--region", "cn-north-1", "--format", "json", "--output-dir", str(tmp_path / "o"),
               env=env)
    assert done.returncode == 3, (done.returncode, done.stderr)
    report = json.loads((tmp_path / "o" / "mlpscan-report.json").read_text(encoding="utf-8"))
    errors = [f for f in report["findings"] if f["status"] == "error"]
    assert errors
    assert all("sts:GetCallerIdentity" in f["message"] for f in errors)


def test_the_read_timeout_bounds_a_silent_endpoint(moto: str, tmp_path: Path) -> None:
    Seeder(moto, "cn-north-1").log_group("/app/orders", 30)
    out = tmp_path / "out"
    with throttling_proxy(moto) as proxy:
        proxy.stall("DescribeVpcs", 5.0)
        done = run("collect", "aws", "--region", "cn-north-1", "--read-timeout", "0.5", "-o", str(out / "s.json"),
                   env={**aws_env(moto), "AWS_ENDPOINT_URL": proxy.endpoint})
    assert done.returncode == 0, done.stderr
    snapshot = json.loads((out / "s.json").read_text(encoding="utf-8"))
    [error] = [e for e in snapshot["errors"] if e["operation"] == "ec2:DescribeVpcs"]
    assert error["code"] == "ReadTimeoutError"
    assert any(r["type"] == "aws.logs.log_group" for r in snapshot["resources"])


def test_a_read_timeout_per_account_from_mlpscan_yaml(moto: str, tmp_path: Path) -> None:
    config = tmp_path / "mlpscan.yaml"
    config.write_text("clouds:\n  - {provider: aws, regions: [cn-north-1], read_timeout: 0.5}\n", encoding="utf-8")
    with throttling_proxy(moto) as proxy:
        proxy.stall("DescribeVolumes", 5.0)
        done = run("collect", "--config", str(config), "-o", str(tmp_path / "s.json"),
                   env={**aws_env(moto), "AWS_ENDPOINT_URL": proxy.endpoint})
    assert done.returncode == 0, done.stderr
    snapshot = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert [e["code"] for e in snapshot["errors"] if e["operation"] == "ec2:DescribeVolumes"] == ["ReadTimeoutError"]


def test_a_read_timeout_that_is_not_a_positive_number_is_refused(moto: str, tmp_path: Path) -> None:
    done = run("collect", "aws", "--region", "cn-north-1", "--read-timeout", "-1", "-o", str(tmp_path / "s.json"),
               env=aws_env(moto))
    assert done.returncode == 2
    assert "--read-timeout: expected a positive number of seconds" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "s.json").exists()


def test_tag_values_can_be_dropped(moto: str, tmp_path: Path) -> None:
    ec2 = Seeder(moto, "cn-north-1").client("ec2")
    ec2.create_volume(AvailabilityZone="cn-north-1a", Size=8, TagSpecifications=[{
        "ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "orders-data"},
                                           {"Key": "admin_password", "Value": "hunter2"}]}])
    for policy, expected in (("mask-secrets", {"Name": "orders-data", "admin_password": "***"}),
                             ("drop", {"Name": "***", "admin_password": "***"})):
        done = run("collect", "aws", "--region", "cn-north-1", "--tag-values", policy, "-o",
                   str(tmp_path / f"{policy}.json"), env=aws_env(moto))
        assert done.returncode == 0, done.stderr
        snapshot = json.loads((tmp_path / f"{policy}.json").read_text(encoding="utf-8"))
        [volume] = [r for r in snapshot["resources"] if r["type"] == "aws.ec2.volume"]
        assert {t["Key"]: t["Value"] for t in volume["data"]["Tags"]} == expected
        assert "hunter2" not in (tmp_path / f"{policy}.json").read_text(encoding="utf-8")
