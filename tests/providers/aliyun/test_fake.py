"""The fake really authenticates: a wrong secret or a stale token is refused on every protocol, and
its Log Service check agrees with the official SLS SDK's own signer."""

from __future__ import annotations

import pytest
import requests
from aliyun.log.auth import AuthV1
from aliyun.log.credentials import StaticCredentialsProvider

from mlpscan.providers.aliyun.api import AliyunError, Transport
from mlpscan.providers.aliyun.credentials import Credentials
from mlpscan.providers.aliyun.services import load_services
from tests.conftest import REPO
from tests.fakes.aliyun_fake import ROOT_KEY_ID, ROOT_SECRET, AliyunFake
from tests.providers.aliyun.conftest import FAST

CALLS = [  # (service, action, region, params): one per protocol (ROA twice: with a path parameter)
    ("ram", "ListUsers", None, {"MaxItems": 10}),                                     # RPC
    ("cs", "DescribeClustersV1", "cn-hangzhou", {"region_id": "cn-hangzhou"}),        # ROA
    ("cs", "DescribeClusterNodePools", "cn-hangzhou", {"ClusterId": "c1a2b3"}),       # ROA, id in the path
    ("oss", "GetBucketInfo", "cn-hangzhou", {"bucket": "acme-trail-logs"}),           # OSS V4
    ("log", "GetLogStore", "cn-hangzhou", {"project": "actiontrail-acme", "logstore": "actiontrail_acme-audit"}),
]


def send(fake: AliyunFake, credentials: Credentials, service: str, action: str, region: str | None,
         params: dict[str, object]) -> dict[str, object]:
    route = load_services(REPO).route(service, action, region)
    return Transport(FAST, fake.url).send(route, params, credentials)


@pytest.mark.parametrize(("service", "action", "region", "params"), CALLS, ids=[c[1] for c in CALLS])
def test_each_protocol_accepts_the_right_signature_and_refuses_a_wrong_one(
        fake: AliyunFake, service: str, action: str, region: str | None, params: dict[str, object]) -> None:
    assert send(fake, Credentials(ROOT_KEY_ID, ROOT_SECRET), service, action, region, params)
    with pytest.raises(AliyunError) as refused:
        send(fake, Credentials(ROOT_KEY_ID, "not-the-secret"), service, action, region, params)
    assert refused.value.code in ("SignatureDoesNotMatch", "SignatureNotMatch")
    assert not refused.value.transient
    assert "not-the-secret" not in str(refused.value)


def test_a_token_that_does_not_belong_to_the_key_is_refused(fake: AliyunFake) -> None:
    with pytest.raises(AliyunError) as refused:
        send(fake, Credentials(ROOT_KEY_ID, ROOT_SECRET, "forged-token"), "ram", "ListUsers", None, {})
    assert refused.value.code == "InvalidSecurityToken.MismatchWithAccessKey"


def test_a_bucket_answers_only_in_its_own_region(fake: AliyunFake) -> None:
    with pytest.raises(AliyunError) as refused:
        send(fake, Credentials(ROOT_KEY_ID, ROOT_SECRET), "oss", "GetBucketInfo", "cn-beijing",
             {"bucket": "acme-trail-logs"})
    assert (refused.value.code, "oss-cn-hangzhou" in refused.value.message) == ("AccessDenied", True)


def test_the_sls_check_matches_the_official_sdk_signer(fake: AliyunFake) -> None:
    headers = {"x-log-apiversion": "0.6.0", "x-log-bodyrawsize": "0"}
    AuthV1(StaticCredentialsProvider(ROOT_KEY_ID, ROOT_SECRET)).sign_request(
        "GET", "/logstores/actiontrail_acme-audit", {}, headers, None)
    headers["Host"] = f"actiontrail-acme.127.0.0.1:{fake.port}"
    with requests.Session() as session:
        answer = session.get(f"{fake.url}/logstores/actiontrail_acme-audit", headers=headers, timeout=5)
    assert answer.status_code == 200
    assert answer.json()["ttl"] == 365


def test_a_reused_nonce_is_refused(fake: AliyunFake) -> None:
    params = {"Action": "ListUsers", "Version": "2015-05-01", "AccessKeyId": ROOT_KEY_ID, "Format": "JSON",
              "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": "n-1",
              "Timestamp": "2026-11-21T00:00:00Z"}
    fake.nonces.add("n-1")
    with requests.Session() as session:
        answer = session.post(fake.url, params={**params, "Signature": "x"}, timeout=5)
    assert answer.status_code == 400    # refused before any answer (stale timestamp or bad signature or replay)
