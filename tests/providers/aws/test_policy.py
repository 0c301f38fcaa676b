"""providers/aws/iam-policy.json grants exactly what the provider calls, and all of it only reads."""

from __future__ import annotations

import json
import re

from mlpscan.providers.aws.account import CONNECT_CALLS
from mlpscan.providers.aws.hooks import EXTRA_CALLS
from mlpscan.providers.cloud.spec import load_resource_file
from tests.conftest import REPO

READ = re.compile(r"^[a-z0-9-]+:(Describe|List|Get|Generate)[A-Za-z0-9]*$")  # Generate: the credential report


def called() -> set[str]:
    specs = load_resource_file(REPO, "aws").resources
    return {c.needs for s in specs for c in s.calls} | {c.needs for c in (*EXTRA_CALLS, *CONNECT_CALLS)}


def test_the_policy_names_every_call_and_nothing_else() -> None:
    policy = json.loads((REPO / "providers" / "aws" / "iam-policy.json").read_text(encoding="utf-8"))
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert set(statement["Action"]) == called()
    assert len(statement["Action"]) == len(set(statement["Action"]))


def test_every_call_only_reads() -> None:
    specs = load_resource_file(REPO, "aws").resources
    operations = {c.call for s in specs for c in s.calls} | {c.call for c in (*EXTRA_CALLS, *CONNECT_CALLS)}
    writes = sorted(op for op in operations | called() if not READ.match(op))
    assert writes == []
