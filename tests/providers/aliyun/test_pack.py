"""Coverage of Alibaba Cloud Config's MLPS level-3 pre-check pack, counted from the checks' references."""

from __future__ import annotations

import json
import re

import pytest

from mlpscan.content import Content
from mlpscan.errors import InputError
from mlpscan.packs import coverage, load_pack, referenced_rules
from tests.conftest import REPO
from tests.test_cli import run

PACK = "aliyun-mlps-l3"
TARGET = 70          # issue 16: at least 70 of the pack's 86 rules
# Config managed rules some checks cite that belong to other packs than the level-3 one
OTHER_PACKS = {"oss-bucket-public-write-prohibited", "ram-password-policy-check"}


def test_at_least_70_of_the_86_rules_are_covered_and_the_rest_say_why(content: Content) -> None:
    report = coverage(load_pack(REPO, PACK), content.checks)
    print(f"\n{PACK}: {report.covered}/{report.total} rules covered by mlpscan checks")
    assert report.total == 86
    assert report.covered >= TARGET
    assert report.inconsistencies() == []
    uncovered = [r.rule.id for r in report.rules if not r.covered]
    assert len(uncovered) == report.total - report.covered
    # rules referenced that the pack does not list: real Config rules of other packs only, so a typo
    # in a reference (which would silently not count) shows here
    assert set(report.unknown) == OTHER_PACKS


def test_the_provider_docs_list_every_rule_left_out_with_its_reason(content: Content) -> None:
    report = coverage(load_pack(REPO, PACK), content.checks)
    docs = (REPO / "docs" / "providers" / "aliyun.md").read_text(encoding="utf-8")
    for rule in report.rules:
        if not rule.covered:
            assert re.search(rf"`{re.escape(rule.rule.id)}`[^\n]*\|", docs), f"{rule.rule.id} is not in the docs' table"


def test_references_name_rules_after_the_prefix_only(content: Content) -> None:
    check = content.checks["aliyun.ecs.security_group_admin_ports"].model_copy(update={"references": [
        "Alibaba Cloud Config managed rule: ecs-security-group-risky-ports-check-with-protocol (default 22, 3389)",
        "Alibaba Cloud Config managed rules: sg-public-access-check, slb-no-public-ip",
        "Alibaba Cloud Config: no managed rule for system policies (ram-policy-in-use-check covers custom ones)",
        "GB/T 22239-2019 8.1.4.4 c)"]})
    assert referenced_rules(check, "Alibaba Cloud Config managed rule") == {
        "ecs-security-group-risky-ports-check-with-protocol", "sg-public-access-check", "slb-no-public-ip"}


def test_a_rule_marked_not_covered_that_a_check_covers_is_reported(content: Content) -> None:
    pack = load_pack(REPO, PACK)
    rules = [r.model_copy(update={"not_covered": "stale"}) if r.id == "slb-no-public-ip" else r for r in pack.rules]
    report = coverage(pack.model_copy(update={"rules": rules}), content.checks)
    assert report.inconsistencies() == ["slb-no-public-ip is marked not_covered but aliyun.slb.no_public_address "
                                        "cover(s) it"]


def test_an_unknown_pack_is_bad_input() -> None:
    with pytest.raises(InputError, match="unknown compliance pack 'aliyun-mlps-l9' \\(known: aliyun-mlps-l3\\)"):
        load_pack(REPO, "aliyun-mlps-l9")


def test_the_coverage_command_prints_the_count() -> None:
    table = run("coverage", "--pack", PACK)
    assert table.returncode == 0, table.stderr
    assert re.search(r"aliyun-mlps-l3: (\d+) of 86 rules covered by mlpscan checks", table.stdout)
    assert "slb-loadbalancer-bandwidth-limit" in table.stdout
    document = json.loads(run("coverage", "--pack", PACK, "--json").stdout)
    assert document["total"] == 86
    assert document["covered"] >= TARGET
    assert {r["rule"] for r in document["rules"] if not r["covered"]} == {
        r["rule"] for r in document["rules"] if r["not_covered"]}
    unknown = run("coverage", "--pack", "nope")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr.strip() == "mlpscan: error: unknown compliance pack 'nope' (known: aliyun-mlps-l3)"
