"""providers/tencent/cam-policy.json grants exactly what the provider calls, and only reads."""

from __future__ import annotations

import json
import re

import pytest
from tests.conftest import REPO
from tests.fakes.tencent_accounts import build
from tests.fakes.tencent_fake import TencentFake
from tests.providers.tencent.conftest import SECRET_ID, SECRET_KEY, collect, env_keys, source

from mlpscan.providers.cloud.spec import load_resource_file
from mlpscan.providers.tencent import CONNECT_CALLS
from mlpscan.providers.tencent.hooks import HOOK_CALLS
from mlpscan.providers.tencent.services import load_services

READ = re.compile(r"^[a-z]+:(Describe|List|Get|Query)[A-Za-z0-9]*$")


def granted() -> list[str]:
    policy = json.loads((REPO / "providers" / "tencent" / "cam-policy.json").read_text(encoding="utf-8"))
    assert policy["version"] == "2.0"
    [statement] = policy["statement"]
    assert statement["effect"] == "allow"
    assert statement["resource"] == ["*"]
    actions: list[str] = statement["action"]
    return actions


def declared() -> set[str]:
    specs = load_resource_file(REPO, "tencent").resources
    return {call.call for spec in specs for call in spec.calls} | set(HOOK_CALLS) | set(CONNECT_CALLS)


def test_policy_names_every_call_and_nothing_else() -> None:
    actions = granted()
    assert len(actions) == len(set(actions))
    assert set(actions) == declared()


def test_every_granted_action_only_reads() -> None:
    assert [a for a in granted() if not READ.match(a)] == []


def test_every_service_called_is_in_the_service_table() -> None:
    table = load_services()
    for call in declared():
        service, action = call.split(":")
        assert service in table.services or (service == "cos" and action in table.cos.actions), call


def test_a_full_scan_calls_nothing_the_policy_does_not_grant(fake: TencentFake,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    fake.add_account(build(weak=True), SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    assert collect([source(fake)]).errors == []
    assert set(fake.operations()) == set(granted())
