"""providers/aliyun/ram-policy.json grants exactly the reads the provider makes, and only reads."""

from __future__ import annotations

import json
import re

from mlpscan.providers.aliyun import CALLER_CALLS, PYTHON_CALLS
from mlpscan.providers.aliyun.services import load_services
from mlpscan.providers.cloud.spec import Call, load_resource_file
from tests.conftest import REPO

READ = re.compile(r"^[a-z-]+:(Describe|List|Get|Query)[A-Za-z0-9]*$")


def provider_calls() -> list[Call]:
    specs = load_resource_file(REPO, "aliyun").resources
    return [call for spec in specs for call in spec.calls] + list(PYTHON_CALLS)


def needed() -> set[str]:
    """The RAM actions the calls need (an API's action name and its permission may differ)."""
    return {call.needs for call in provider_calls()}


def granted() -> list[str]:
    policy = json.loads((REPO / "providers" / "aliyun" / "ram-policy.json").read_text(encoding="utf-8"))
    assert policy["Version"] == "1"
    actions: list[str] = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == "*"
        actions += statement["Action"]
    return actions


def test_the_policy_names_every_call_and_nothing_else() -> None:
    actions = granted()
    assert len(actions) == len(set(actions))
    assert set(actions) == needed()


def test_every_granted_action_only_reads() -> None:
    assert [a for a in granted() if not READ.match(a)] == []


def test_role_assumption_belongs_to_the_caller_not_the_audit_role() -> None:
    assert {c.call for c in CALLER_CALLS} == {"sts:AssumeRole"}
    assert "sts:AssumeRole" not in granted()


def test_every_call_has_a_route() -> None:
    services = load_services(REPO)
    for call in provider_calls():
        service, action = call.call.split(":")
        route = services.route(service, action, "cn-hangzhou")
        assert route.host.endswith(".aliyuncs.com"), call
        assert route.protocol in ("oss", "sls") or (route.product and route.version), call
