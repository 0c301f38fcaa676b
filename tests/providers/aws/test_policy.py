"""providers/aws/iam-policy.json grants exactly what the provider calls, and all of it only reads."""

from __future__ import annotations

import json
import re

from mlpscan.providers.aws.account import CONNECT_CALLS
from mlpscan.providers.aws.hooks import EXTRA_CALLS
from mlpscan.providers.cloud.spec import load_resource_file
from tests.conftest import REPO

# BatchGet reads several at once (inspector2:BatchGetAccountStatus: the caller's scanning status).
READ = re.compile(r"^[a-z0-9-]+:(Describe|List|Get|BatchGet)[A-Za-z0-9]*$")
# The one call that is not Describe/List/Get: it has IAM rebuild the credential report (no setting
# changes; AWS's own IAMReadOnlyAccess grants it). The policy grants it in a statement of its own,
# so it can be left out: mlpscan then reads the report IAM already holds.
OPTIONAL = {"iam:GenerateCredentialReport"}


def called() -> set[str]:
    specs = load_resource_file(REPO, "aws").resources
    return {c.needs for s in specs for c in s.calls} | {c.needs for c in (*EXTRA_CALLS, *CONNECT_CALLS)}


def test_the_policy_names_every_call_and_nothing_else() -> None:
    policy = json.loads((REPO / "providers" / "aws" / "iam-policy.json").read_text(encoding="utf-8"))
    reads, optional = policy["Statement"]
    assert reads["Effect"] == optional["Effect"] == "Allow"
    assert set(reads["Action"]) == called() - OPTIONAL
    assert len(reads["Action"]) == len(set(reads["Action"]))
    assert set(optional["Action"]) == OPTIONAL
    assert "CredentialReport" in optional["Sid"]


def test_every_call_only_reads_but_the_optional_refresh() -> None:
    specs = load_resource_file(REPO, "aws").resources
    operations = {c.call for s in specs for c in s.calls} | {c.call for c in (*EXTRA_CALLS, *CONNECT_CALLS)}
    writes = sorted(op for op in operations | called() if not READ.match(op))
    assert writes == sorted(OPTIONAL)
