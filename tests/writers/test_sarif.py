from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mlpscan.baseline import compare
from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.findings import Report, Status
from mlpscan.waivers import Waiver
from mlpscan.writers import render_sarif
from tests.conftest import REPO, make_snapshot, resource, target

Validator = Callable[[bytes | str | dict[str, Any]], list[str]]


@pytest.fixture
def report(content: Content) -> Report:
    snapshot = make_snapshot(
        [target("aliyun:1", regions=["cn-hangzhou", "cn-hongkong"]), target("tencent:2", regions=["ap-guangzhou"])],
        [resource("aliyun:1", "aliyun.account", "acs:ram::1:root"),
         resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hongkong:1:hk-a", "cn-hongkong", name="hk-a"),
         resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hongkong:1:hk-b", "cn-hongkong", name="hk-b"),
         resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hangzhou:1:hz", "cn-hangzhou", name="hz"),
         resource("tencent:2", "tencent.cos.bucket", "qcs::cos:ap-hongkong:uid/2:b-1250000000", "ap-hongkong"),
         resource("tencent:2", "tencent.cos.bucket", "qcs::cos:ap-hongkong:uid/2:w-1250000000", "ap-hongkong")],
        [{"target": "tencent:2", "type": "tencent.cbs.disk", "region": "ap-hongkong",
          "operation": "cbs:DescribeDisks", "code": "AuthFailure.UnauthorizedOperation"},
         {"target": "tencent:2", "type": "tencent.cbs.snapshot", "region": "ap-hongkong",
          "operation": "cbs:DescribeSnapshots", "code": "AuthFailure.UnauthorizedOperation"}])
    waiver = Waiver(check="cloud.residency.*", resource="*w-1250000000", justification="Public website assets",
                    approver="security@example.cn", expires=date(2027, 6, 30))
    return evaluate(snapshot, content, content.level_profile(3), waivers=[(waiver, "mlpscan.yaml")],
                    today=date(2026, 11, 21))


def sarif_of(report: Report, content: Content, **kwargs: Any) -> dict[str, Any]:
    checks = {c.id: c for c in content.checks_for(content.level_profile(report.profile.level))}
    document: dict[str, Any] = json.loads(render_sarif(report, checks, content.catalog, **kwargs))
    return document


def test_valid_against_the_official_schema(report: Report, content: Content, sarif_validator: Validator) -> None:
    assert sarif_validator(sarif_of(report, content)) == []


def test_the_schema_validator_does_catch_mistakes(report: Report, content: Content,
                                                  sarif_validator: Validator) -> None:
    broken = sarif_of(report, content)
    broken["runs"][0]["results"][0]["level"] = "critical"
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(sarif_validator(broken)) == 2


def test_rules_once_each_with_help_tags_and_severity(report: Report, content: Content) -> None:
    run = sarif_of(report, content)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(set(ids))
    assert set(ids) == {c.id for c in content.checks_for(content.level_profile(3))}
    residency = next(rule for rule in rules if rule["id"] == "cloud.residency.mainland_region")
    assert residency["properties"]["security-severity"] == "8.0"
    tags = residency["properties"]["tags"]
    assert len(tags) <= 20
    assert {"mlps", "mlps/L3", "8.2.4.5.a", "8.2.1.1", "L3-CES2-10", "aliyun"} <= set(tags)
    assert "8.2.4.5 a)" in residency["help"]["markdown"]
    assert "checks/cloud/residency/mainland_region.yaml" in residency["help"]["markdown"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_are_fails_and_errors_with_relative_uris(report: Report, content: Content) -> None:
    run = sarif_of(report, content)["runs"][0]
    results = run["results"]
    statuses = sorted(r["properties"]["status"] for r in results)
    assert statuses == ["error", "error", "fail", "fail", "fail", "fail"]
    for result in results:
        [location] = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "arn:", "acs:", "qcs:"))
        assert "://" not in uri
        assert location["logicalLocations"][0]["fullyQualifiedName"] == result["properties"]["resource"]
    errors = [r for r in results if r["properties"]["status"] == "error"]
    assert {r["level"] for r in errors} == {"note"}
    assert all(r["message"]["text"].startswith("collection error: ") for r in errors)
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(hashes) == len(set(hashes))
    assert not any(r["properties"]["status"] == "pass" for r in results)


def test_waived_results_carry_a_suppression(report: Report, content: Content) -> None:
    results = sarif_of(report, content)["runs"][0]["results"]
    [waived] = [r for r in results if "suppressions" in r]
    assert waived["properties"]["resource"].endswith("w-1250000000")
    assert waived["suppressions"][0]["status"] == "accepted"
    assert "security@example.cn" in waived["suppressions"][0]["justification"]


def test_anchors_and_automation_category(report: Report, content: Content) -> None:
    run = sarif_of(report, content, anchors={"aliyun:1": "deploy/mlpscan.yaml"})["runs"][0]
    uris = {r["properties"]["target"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    assert uris["aliyun:1"] == "deploy/mlpscan.yaml"
    assert uris["tencent:2"].startswith("checks/cloud/")
    assert run["automationDetails"]["id"].startswith("mlpscan/level3/fleet-")
    assert run["automationDetails"]["id"].endswith("/")
    named = sarif_of(report, content, category="prod-accounts")["runs"][0]
    assert named["automationDetails"]["id"] == "mlpscan/level3/prod-accounts/"


def test_single_target_category_is_the_target(content: Content) -> None:
    snapshot = make_snapshot([target("aws:111122223333", regions=["cn-north-1"])])
    run = sarif_of(evaluate(snapshot, content, content.level_profile(3)), content)["runs"][0]
    assert run["automationDetails"]["id"] == "mlpscan/level3/aws:111122223333/"


def test_fingerprints_are_stable_across_runs(report: Report, content: Content) -> None:
    first = sarif_of(report, content)["runs"][0]["results"]
    second = sarif_of(report, content)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]


def test_rules_are_only_those_of_checks_that_ran(sarif_validator: Validator) -> None:
    shipped = load_content(REPO)
    profile = shipped.level_profile(3)
    snapshot = make_snapshot([target("aliyun:1", regions=["cn-hongkong"])],
                             [resource("aliyun:1", "aliyun.account", "acs:ram::1:root"),
                              resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hongkong:1:hk", "cn-hongkong")])
    report = evaluate(snapshot, shipped, profile)
    selected = {c.id: c for c in shipped.checks_for(profile)}
    document = json.loads(render_sarif(report, selected, shipped.catalog))
    rules = [r["id"] for r in document["runs"][0]["tool"]["driver"]["rules"]]
    assert set(rules) == {f.check for f in report.findings}
    assert len(rules) < len(selected)
    assert not any(rule.startswith(("host.", "aws.", "tencent.")) for rule in rules)
    assert sarif_validator(document) == []


def test_a_fallback_anchor_for_targets_no_file_declared(report: Report, content: Content) -> None:
    run = sarif_of(report, content, anchors={"aliyun:1": "deploy/mlpscan.yaml"},
                   fallback_anchor=".github/workflows/mlpscan.yml")["runs"][0]
    uris = {r["properties"]["target"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    assert uris == {"aliyun:1": "deploy/mlpscan.yaml", "tencent:2": ".github/workflows/mlpscan.yml"}


def test_baseline_state_of_each_result(report: Report, content: Content, sarif_validator: Validator) -> None:
    hk_a = next(f for f in report.findings if f.resource.name == "hk-a" and f.status is Status.FAIL)
    old = report.model_copy(update={"findings": [f for f in report.findings if f is not hk_a]})
    comparison = compare(report, old, Path("old.json"))
    document = sarif_of(report, content, comparison=comparison)
    assert sarif_validator(document) == []
    states = [(r["ruleId"], r["properties"]["resource"], r["baselineState"]) for r in document["runs"][0]["results"]]
    assert [s for s in states if s[2] == "new"] == [(hk_a.check, hk_a.resource.uid, "new")]
    assert len(states) > 1


def test_rule_help_carries_the_law_and_the_unit_marks(report: Report, content: Content) -> None:
    rules = {r["id"]: r for r in sarif_of(report, content)["runs"][0]["tool"]["driver"]["rules"]}
    residency = rules["cloud.residency.mainland_region"]["help"]
    for text in (residency["text"], residency["markdown"]):
        assert "Legal basis" in text
        assert "Cybersecurity Law of the People's Republic of China (中华人民共和国网络安全法), 2016 art. 37; " \
               "2025 amendment art. 39 (in force 2026-01-01)" in text
        assert "Measures for the Security Assessment of Outbound Data Transfers (CAC Order No. 11)" in text
        assert "Provisions on Promoting and Regulating Cross-Border Data Flows (CAC Order No. 16)" in text
        assert "L3-CES2-10]" in text  # level-3 units are verified: no mark
        assert "(unverified)" not in text
    platform = rules["cloud.platform.level_at_least_system"]["help"]["text"]
    assert "Legal basis" not in platform  # the standard itself sets this one


def test_rule_help_marks_unverified_units(content: Content) -> None:
    snapshot = make_snapshot([target("aliyun:1", regions=["cn-hangzhou"])],
                             [resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hangzhou:1:hz", "cn-hangzhou")])
    rules = sarif_of(evaluate(snapshot, content, content.level_profile(2)), content)["runs"][0]["tool"]["driver"]
    residency = next(r for r in rules["rules"] if r["id"] == "cloud.residency.mainland_region")["help"]
    assert "L2-CES2-05 (unverified)" in residency["text"]
    assert "have not been checked against the text of GB/T 28448-2019" in residency["markdown"]
