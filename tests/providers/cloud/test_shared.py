"""The pieces every cloud shares: secrets in any encoding, tag values by policy, which account-wide
types have a location, first-match exposure."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from mlpscan.content import Content
from mlpscan.providers.cloud.exposure import FirstMatch, merged
from mlpscan.providers.cloud.secrets import Secrets
from mlpscan.providers.cloud.spec import load_resource_file
from mlpscan.providers.cloud.tags import apply_tag_policy
from tests.conftest import REPO

TOKEN = "CAIS+eyJhbGciOi/J9x=="


@pytest.mark.parametrize("form", [TOKEN, quote(TOKEN, safe=""), quote(TOKEN, safe="-_.~"),
                                  quote(quote(TOKEN, safe=""), safe=""), quote(quote(TOKEN, safe="-_.~"), safe="-_.~")])
def test_every_encoding_of_a_credential_is_scrubbed(form: str) -> None:
    secrets = Secrets()
    secrets.add("LTAI5tScanKey0001", TOKEN)
    assert secrets.scrub(f"denied for {form} (LTAI5tScanKey0001)") == "denied for *** (***)"


def test_signed_request_fields_and_strings_to_sign_are_withheld_whatever_the_value() -> None:
    scrubbed = Secrets().scrub("GET /?AccessKeyId=AKIDother&Signature=abc%2B: refused. string to sign is: GET&x")
    assert "AKIDother" not in scrubbed
    assert "abc" not in scrubbed
    assert "GET&x" not in scrubbed
    assert "withheld" in scrubbed


def test_short_values_are_not_registered() -> None:
    secrets = Secrets()
    secrets.add("ab", None, "")
    assert secrets.scrub("a table") == "a table"


TAGS = {"Tags": [{"Key": "Name", "Value": "web-01"}, {"Key": "DB_PASSWORD", "Value": "hunter2"},
                 {"Key": "api-token", "Value": "t0k"}],
        "TagSet": [{"Key": "cost", "Value": "42"}],
        "Labels": {"Name": "not a tag field"}}


def test_tag_values_by_policy() -> None:
    masked = apply_tag_policy(TAGS, "mask-secrets")
    assert [t["Value"] for t in masked["Tags"]] == ["web-01", "***", "***"]
    assert masked["TagSet"] == [{"Key": "cost", "Value": "42"}]
    dropped = apply_tag_policy(TAGS, "drop")
    assert [t["Value"] for t in dropped["Tags"]] == ["***", "***", "***"]
    assert [t["Key"] for t in dropped["Tags"]] == ["Name", "DB_PASSWORD", "api-token"]   # keys are kept
    assert dropped["TagSet"] == [{"Key": "cost", "Value": "***"}]
    assert dropped["Labels"] == {"Name": "not a tag field"}
    assert apply_tag_policy(TAGS, "keep") == TAGS


def test_alibaba_tags_are_recognised() -> None:
    instance = {"Tags": {"Tag": [{"TagKey": "secret_key", "TagValue": "x"}, {"TagKey": "env", "TagValue": "prod"}]}}
    assert apply_tag_policy(instance, "mask-secrets") == {
        "Tags": {"Tag": [{"TagKey": "secret_key", "TagValue": "***"}, {"TagKey": "env", "TagValue": "prod"}]}}


@pytest.mark.parametrize("provider", ["aws", "aliyun", "tencent"])
def test_unlocated_types_are_exactly_the_account_wide_types_without_a_region(content: Content,
                                                                               provider: str) -> None:
    specs = load_resource_file(REPO, provider).resources
    without_region = {s.type for s in specs if s.scope == "global" and s.region is None}
    assert set(content.regions[provider].unlocated_types) == without_region


def test_first_match_decides_each_port_once() -> None:
    decisions = FirstMatch()
    assert decisions.claim("ipv4", "tcp", 20, 25) == [(20, 25)]
    assert decisions.claim("ipv4", "tcp", 22, 30) == [(26, 30)]
    assert decisions.claim("ipv6", "tcp", 22, 22) == [(22, 22)]     # the other family is undecided
    assert merged([("tcp", 20, 25), ("tcp", 26, 30), ("udp", 53, 53), ("tcp", 80, 80)]) == [
        {"Protocol": "tcp", "FromPort": 20, "ToPort": 30}, {"Protocol": "tcp", "FromPort": 80, "ToPort": 80},
        {"Protocol": "udp", "FromPort": 53, "ToPort": 53}]
