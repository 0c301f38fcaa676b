"""End to end: the example snapshots through the real command line, every format."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.test_cli import run

Validator = Callable[[bytes | str | dict[str, Any]], list[str]]
EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.json"))
RESIDENCY = "cloud.residency.mainland_region"
PLATFORM = "cloud.platform.level_at_least_system"


def evaluate_example(name: str, out: Path, level: int = 3) -> dict[str, Any]:
    done = run("evaluate", str(EXAMPLES / name), "--level", str(level), "--format", "table,json,sarif",
               "--output-dir", str(out))
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    report["_exit"] = done.returncode
    report["_stdout"] = done.stdout
    return report


def test_all_examples_are_present() -> None:
    assert EXAMPLE_FILES == ["aliyun.json", "aws-china.json", "host.json", "mixed-level4.json", "tencent.json"]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_is_sealed(name: str) -> None:
    done = run("verify", str(EXAMPLES / name))
    assert done.returncode == 0, done.stdout
    assert "OK sha256:" in done.stdout


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_end_to_end(name: str, tmp_path: Path, sarif_validator: Validator) -> None:
    first = evaluate_example(name, tmp_path / "a")
    second = evaluate_example(name, tmp_path / "b")
    for report in (first, second):
        del report["generated_at"], report["_stdout"]
    assert first == second
    sarif = json.loads((tmp_path / "a" / "mlpscan.sarif").read_bytes())
    assert sarif_validator(sarif) == []
    results = sarif["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(hashes) == len(set(hashes))
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "arn:", "acs:", "qcs:"))
        assert ":" not in uri
    failing = [f for f in first["findings"] if f["status"] in ("fail", "error")]
    assert first["_exit"] == (1 if failing else 0)
    assert len(results) == len(failing)


def residency_by_region(names: list[str], tmp_path: Path) -> dict[str, set[str]]:
    outcome: dict[str, set[str]] = {}
    for name in names:
        report = evaluate_example(name, tmp_path / name)
        for finding in report["findings"]:
            if finding["check"] == RESIDENCY and finding["status"] in ("pass", "fail"):
                outcome.setdefault(finding["resource"]["region"], set()).add(finding["status"])
    return outcome


def test_residency_acceptance(tmp_path: Path) -> None:
    outcome = residency_by_region(["aliyun.json", "tencent.json", "aws-china.json"], tmp_path)
    for region in ("cn-hongkong", "ap-hongkong", "us-east-1", "ap-east-1"):
        assert outcome[region] == {"fail"}, region
    for region in ("cn-hangzhou", "cn-shanghai", "ap-guangzhou", "cn-north-1", "cn-northwest-1",
                   "cn-shanghai-finance-1"):
        assert outcome[region] == {"pass"}, region


@pytest.mark.parametrize(("name", "operation"), [("tencent.json", "cbs:DescribeDisks"),
                                                 ("aws-china.json", "guardduty:ListDetectors")])
def test_recorded_collection_errors_are_never_silent(name: str, operation: str, tmp_path: Path) -> None:
    # the checks reading these types report the failure; none may pass for that region
    report = evaluate_example(name, tmp_path)
    errors = [f for f in report["findings"] if f["status"] == "error" and operation in f["message"]]
    assert errors
    assert all(f["observed"]["operation"] == operation for f in errors)
    assert report["_exit"] == 1
    sarif = json.loads((tmp_path / "mlpscan.sarif").read_bytes())
    noted = [r for r in sarif["runs"][0]["results"] if r["level"] == "note" and operation in r["message"]["text"]]
    assert len(noted) == len(errors)


def test_host_reads_that_needed_root_are_errors_saying_so(tmp_path: Path) -> None:
    report = evaluate_example("host.json", tmp_path)
    db = [f for f in report["findings"] if f["resource"]["target"] == "host:db-01"]
    denied = [f for f in db if f["status"] == "error" and "--sudo" in f["message"]]
    assert denied, "db-01 was collected without --sudo: its shadow-based checks must be errors"
    assert any(f["check"] == "host.password.no_empty_passwords" for f in denied)
    assert any(f["status"] == "fail" for f in db)
    assert report["_exit"] == 1


# The `error` findings each example is made to give, as (check, the operation that failed): a
# denial planted on purpose. Any other error means the example no longer matches the collector
# (a renamed field, a changed hook) and must be regenerated with its make_example script.
PLANTED_ERRORS = {
    "aws-china.json": {("aws.guardduty.enabled", "guardduty:ListDetectors")},
    "aliyun.json": set(),
    "tencent.json": {("tencent.cbs.disk_encrypted", "cbs:DescribeDisks"),
                     ("tencent.cbs.disk_auto_snapshot", "cbs:DescribeDisks")},
    "mixed-level4.json": set(),
}


@pytest.mark.parametrize("level", [3, 4])
@pytest.mark.parametrize("name", sorted(PLANTED_ERRORS))
def test_an_example_gives_no_error_that_was_not_planted(name: str, level: int, tmp_path: Path) -> None:
    report = evaluate_example(name, tmp_path, level)
    errors = {(f["check"], (f["observed"] or {}).get("operation")) for f in report["findings"]
              if f["status"] == "error"}
    assert errors == PLANTED_ERRORS[name], [f["message"] for f in report["findings"] if f["status"] == "error"]


def test_every_cloud_example_is_planted_or_clean() -> None:
    assert set(PLANTED_ERRORS) == {name for name in EXAMPLE_FILES if name != "host.json"}


# Published platform claims older than platform_claim_max_age_days (365) at collection are not
# current evidence: Alibaba's public-cloud claim dates from 2017. A declared platform is used as is.
@pytest.mark.parametrize(("level", "expected"), [(3, {"aliyun:2222333344445555": "manual",
                                                      "tencent:200000000002": "pass"}),
                                                 (4, {"aliyun:2222333344445555": "fail",
                                                      "tencent:200000000002": "pass"})])
def test_platform_level_acceptance(level: int, expected: dict[str, str], tmp_path: Path) -> None:
    report = evaluate_example("mixed-level4.json", tmp_path, level)
    platform = {f["resource"]["target"]: f["status"] for f in report["findings"] if f["check"] == PLATFORM}
    assert platform == expected
