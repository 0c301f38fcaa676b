"""`uses`: a type's hooks read the finished resources of other types, collected whenever it is."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mlpscan.providers.cloud.runner import ApiError, Hook, HookContext
from mlpscan.providers.cloud.spec import ResourceFile, including_used
from mlpscan.snapshot import Resource
from tests.providers.cloud.test_runner import ScriptedApi, run, spec

GROUPS = {"type": "aws.ec2.security_group", "scope": "regional",
          "list": {"call": "ec2:DescribeSecurityGroups", "items": "SecurityGroups"},
          "uid": "sg/{GroupId}", "hooks": ["count_lists"], "uses": ["aws.ec2.managed_prefix_list"]}
LISTS = {"type": "aws.ec2.managed_prefix_list", "scope": "regional",
         "list": {"call": "ec2:DescribeManagedPrefixLists", "items": "PrefixLists"},
         "uid": "pl/{PrefixListId}", "hooks": ["mark"]}


def answers(action: str, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
    if action == "DescribeSecurityGroups":
        return {"SecurityGroups": [{"GroupId": "sg-1"}]}
    if region == "r2":
        raise ApiError("UnauthorizedOperation", "denied")
    return {"PrefixLists": [{"PrefixListId": "pl-1"}, {"PrefixListId": "pl-2"}]}


def mark(context: HookContext) -> list[Resource]:
    return [r.model_copy(update={"data": {**r.data, "marked": True}}) for r in context.resources]


def count_lists(context: HookContext) -> list[Resource]:
    """What the group's hook saw: the lists (already through their own hook) and the listing errors."""
    lists = context.related.get("aws.ec2.managed_prefix_list")
    seen = None if lists is None else sorted((r.region, r.uid, r.data.get("marked")) for r in lists)
    failed = sorted((e.type, e.region) for e in context.errors)
    return [r.model_copy(update={"data": {**r.data, "seen": seen, "failed": failed}}) for r in context.resources]


HOOKS = {"mark": Hook(mark, derives=("marked",)), "count_lists": Hook(count_lists, derives=("seen", "failed"))}


def test_used_types_are_finished_first_and_handed_to_the_hook() -> None:
    # declared after the type that uses them: finished first all the same
    resources, errors = run(ScriptedApi(answers), [spec(GROUPS), spec(LISTS)], regions=("r1", "r2"), hooks=HOOKS)
    assert [(e.type, e.region, e.code) for e in errors] == [("aws.ec2.managed_prefix_list", "r2",
                                                             "UnauthorizedOperation")]
    groups = [r for r in resources if r.type == "aws.ec2.security_group"]
    assert [r.region for r in groups] == ["r1", "r2"]
    for group in groups:   # every region's lists: the hook matches them by region
        assert group.data["seen"] == [("r1", "pl/pl-1", True), ("r1", "pl/pl-2", True)]
        assert group.data["failed"] == [("aws.ec2.managed_prefix_list", "r2")]
    assert [r.type for r in resources] == ["aws.ec2.security_group"] * 2 + ["aws.ec2.managed_prefix_list"] * 2


def test_a_used_type_not_collected_is_absent_not_empty() -> None:
    resources, _ = run(ScriptedApi(answers), [spec(GROUPS)], hooks=HOOKS)
    assert [r.data["seen"] for r in resources] == [None]


def test_wanting_a_type_wants_what_it_uses() -> None:
    file = ResourceFile.model_validate({"provider": "aws", "resources": [GROUPS, LISTS]})
    wanted = including_used(lambda name: name == "aws.ec2.security_group", [file])
    assert wanted("aws.ec2.managed_prefix_list")
    assert not including_used(lambda name: name == "aws.ec2.managed_prefix_list", [file])("aws.ec2.security_group")
    assert including_used(lambda name: name == "host.sshd", [file])("host.sshd")   # other providers' types kept


@pytest.mark.parametrize(("uses", "problem"), [
    (["aws.ec2.nothing"], "uses undeclared types aws.ec2.nothing"),
    (["aws.ec2.security_group"], "uses itself"),
])
def test_uses_must_name_declared_types_without_a_cycle(uses: list[str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        ResourceFile.model_validate({"provider": "aws", "resources": [GROUPS, {**LISTS, "uses": uses}]})
