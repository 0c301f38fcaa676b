"""JUnit XML: valid against the Jenkins JUnit schema, one test case per check and target."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Report
from mlpscan.writers import render_junit
from tests.conftest import make_snapshot, resource, target

SCHEMA = Path(__file__).parent / "schemas" / "junit-10.xsd"


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA)


@pytest.fixture
def report(content: Content) -> Report:
    snapshot = make_snapshot(
        [target("aliyun:1", regions=["cn-hangzhou", "cn-hongkong"]), target("tencent:2", regions=["ap-guangzhou"]),
         target("aws:3", regions=["cn-north-1"])],
        [resource("aliyun:1", "aliyun.account", "acs:ram::1:root"),
         resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hongkong:1:hk", "cn-hongkong", name="hk\x07<&>\ud800"),
         resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-hangzhou:1:hz", "cn-hangzhou", name="hz"),
         resource("tencent:2", "tencent.cos.bucket", "qcs::cos:ap-guangzhou:uid/2:gz", "ap-guangzhou"),
         resource("aws:3", "aws.s3.bucket", "arn:aws-cn:s3:::b", "cn-north-1")],
        [{"target": "tencent:2", "type": "tencent.cos.bucket", "region": "ap-shanghai",
          "operation": "cos:GetService", "code": "AccessDenied"}])
    return evaluate(snapshot, content, content.level_profile(3))


def test_valid_against_the_junit_schema(report: Report, junit_schema: xmlschema.XMLSchema) -> None:
    document = render_junit(report)
    junit_schema.validate(document.decode("utf-8"))


def test_the_schema_does_catch_mistakes(junit_schema: xmlschema.XMLSchema) -> None:
    assert not junit_schema.is_valid("<testsuites><testsuite name='x'><testcase/></testsuite></testsuites>")
    assert not junit_schema.is_valid("<testsuites><testsuite name='x' tests='1' failures='0' errors='0'>"
                                     "<testcase name='c'><oops/></testcase></testsuite></testsuites>")


def test_one_case_per_check_and_target_with_its_outcome(report: Report) -> None:
    root = ET.fromstring(render_junit(report))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["aliyun:1", "aws:3", "tencent:2"]
    cases = {(s.get("name"), c.get("name")): c for s in suites.values() for c in s.findall("testcase")}
    checks = {f.check for f in report.findings}
    assert set(cases) == {(f.resource.target, f.check) for f in report.findings}
    assert {name for _, name in cases} == checks
    hk = cases[("aliyun:1", "cloud.residency.mainland_region")]
    [failure] = hk.findall("failure")
    assert failure.get("type") == "high"
    assert failure.get("message", "").startswith("1 fail: ")
    assert "hk?<&>?" in (failure.text or "")            # escaped, control and surrogate replaced
    assert "hz" not in (failure.text or "")             # passes are not listed
    [denied] = [c.find("error") for (t, _), c in cases.items() if t == "tencent:2" and c.find("error") is not None]
    assert denied is not None
    assert "cos:GetService" in (denied.text or "")        # the failed call is not hidden
    platform = cases[("aliyun:1", "cloud.platform.level_at_least_system")]
    assert platform.find("skipped") is not None
    assert platform.find("skipped").get("type") == "manual"
    passing = cases[("aws:3", "cloud.residency.mainland_region")]
    assert list(passing) == []


def test_counts_add_up(report: Report) -> None:
    root = ET.fromstring(render_junit(report))
    suites = root.findall("testsuite")
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("errors", "-1")) == sum(1 for c in cases if c.find("error") is not None)
        assert int(suite.get("skipped", "-1")) == sum(1 for c in cases if c.find("skipped") is not None)
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "0")) for s in suites)
    assert int(root.get("failures", "0")) >= 1
    assert int(root.get("errors", "0")) >= 1
