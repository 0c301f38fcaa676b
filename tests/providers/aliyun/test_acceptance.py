"""Issue acceptance: a level-3 scan of a weak account fails each listed problem with its clause, a
compliant account passes them, and a denied call shows as an error; once through the library API,
once through `mlpscan scan aliyun` with JSON and SARIF."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Finding, Status
from mlpscan.providers.cloud.source import CloudSource
from tests.fakes.aliyun_fake import AliyunFake
from tests.fakes.aliyun_world import compliant_world, weak_world
from tests.providers.aliyun.conftest import Scan
from tests.test_cli import run

WEAK, GOOD = "aliyun:2222333344445555", "aliyun:1234567890123456"
# problem in the weak account -> (check, level-3 clause it fails)
EXPECTED = {
    "RAM user without MFA": ("aliyun.ram.user_console_mfa", "8.1.4.1.d"),
    "console MFA not enforced": ("aliyun.ram.console_mfa_enforced", "8.1.4.1.d"),
    "weak password policy": ("aliyun.ram.password_complexity", "8.1.4.1.a"),
    "trail delivering to a 30-day log store": ("aliyun.actiontrail.log_retention", "8.1.4.3.c"),
    "unencrypted disk": ("aliyun.ecs.disk_encrypted", "8.1.4.8.b"),
    "bucket in cn-hongkong": ("cloud.residency.mainland_region", "8.2.4.5.a"),
    "bucket replicated to Singapore": ("aliyun.oss.replication_in_mainland", "8.2.4.5.a"),
    "CDN domain accelerated worldwide": ("aliyun.cdn.acceleration_in_mainland", "8.2.4.5.a"),
    "CEN joining Singapore": ("aliyun.cen.no_cross_border_link", "8.2.4.5.a"),
    "HTTPS listener accepting TLS 1.0": ("aliyun.slb.tls_policy", "8.1.2.2.b"),
    "password-free Redis": ("aliyun.redis.auth_mode", "8.1.4.1.a"),
    "PolarDB open to the Internet": ("aliyun.polardb.no_public_any_ip", "8.1.3.1.a"),
    "no WAF": ("aliyun.waf.in_use", "8.1.3.2.e"),
    "log store unencrypted": ("aliyun.log.logstores_encrypted", "8.1.4.8.b"),
}
Validator = Callable[[bytes | str | dict[str, Any]], list[str]]


def write_cli_profiles(home: Path) -> None:
    """Both accounts as aliyun CLI profiles (one key each, as the fake issued them)."""
    (home / ".aliyun").mkdir()
    (home / ".aliyun" / "config.json").write_text(json.dumps({"current": "weak", "profiles": [
        {"name": "weak", "mode": "AK", "access_key_id": "LTAI5tWeakKey000002", "access_key_secret": "weak-secret"},
        {"name": "good", "mode": "AK", "access_key_id": "LTAI5tGoodKey000001", "access_key_secret": "good-secret"},
    ]}), encoding="utf-8")


@pytest.fixture
def accounts(home: Path) -> Any:
    fake = AliyunFake()
    fake.add_account(weak_world(), "LTAI5tWeakKey000002", "weak-secret")
    fake.add_account(compliant_world(), "LTAI5tGoodKey000001", "good-secret")
    write_cli_profiles(home)
    with fake.running():
        yield fake


def outcome(findings: list[Finding], target: str, check: str) -> list[Finding]:
    return [f for f in findings if f.resource.target == target and f.check == check]


def test_level3_scan_fails_each_problem_with_its_clause(accounts: AliyunFake, scan: Scan, content: Content) -> None:
    accounts.fail("GetAccountMFAInfo", "Forbidden.RAM", 403, account="2222333344445555",
                  message="User not authorized to operate on the specified resource.")
    snapshot = scan(accounts, CloudSource(provider="aliyun", profile="weak"),
                    CloudSource(provider="aliyun", profile="good"))
    assert sorted(t.id for t in snapshot.targets) == [GOOD, WEAK]
    report = evaluate(snapshot, content, content.level_profile(3))
    for problem, (check, clause) in EXPECTED.items():
        weak = outcome(report.findings, WEAK, check)
        failing = [f for f in weak if f.status is Status.FAIL]
        assert failing, f"{problem}: {check} did not fail ({[f.status.value for f in weak]})"
        assert all(clause in f.clauses for f in failing), f"{problem}: {failing[0].clauses}"
        good = {f.status for f in outcome(report.findings, GOOD, check)}
        assert Status.PASS in good, f"{problem}: compliant account {good}"
        assert good <= {Status.PASS, Status.NOT_APPLICABLE}, f"{problem}: compliant account {good}"
    hk = [f.resource.name for f in outcome(report.findings, WEAK, "cloud.residency.mainland_region")
          if f.status is Status.FAIL]
    assert "acme-hk-static" in hk
    [denied] = outcome(report.findings, WEAK, "aliyun.ram.root_mfa")
    assert denied.status is Status.ERROR
    assert "ram:GetAccountMFAInfo Forbidden.RAM" in denied.message
    assert outcome(report.findings, GOOD, "aliyun.ram.root_mfa")[0].status is Status.PASS


def test_cli_scan_reports_the_failures_in_json_and_valid_sarif(accounts: AliyunFake, home: Path, tmp_path: Path,
                                                              sarif_validator: Validator) -> None:
    out = tmp_path / "out"
    done = run("scan", "aliyun", "--level", "3", "--format", "json,sarif", "--output-dir", str(out),
               env={"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tWeakKey000002",
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "weak-secret", "MLPSCAN_ALIYUN_ENDPOINT": accounts.url,
                    "HOME": str(home)})
    assert done.returncode == 1, done.stderr
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    failing = {(f["check"], clause) for f in report["findings"] if f["status"] == "fail" for clause in f["clauses"]}
    for problem, expected in EXPECTED.items():
        assert expected in failing, problem
    assert {f["resource"]["target"] for f in report["findings"] if f["check"].startswith("aliyun.")} == {WEAK}
    snapshot = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))
    assert "weak-secret" not in json.dumps(snapshot)
    sarif = json.loads((out / "mlpscan.sarif").read_bytes())
    assert sarif_validator(sarif) == []
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {check for check, _ in EXPECTED.values()} <= rules
