"""Endpoints and API versions come from providers/aliyun/services.yaml; production is https only."""

from __future__ import annotations

import pytest

from mlpscan.errors import InputError
from mlpscan.providers.aliyun import connect
from mlpscan.providers.aliyun.api import AliyunError, Transport, is_transient, scrub
from mlpscan.providers.aliyun.credentials import Credentials
from mlpscan.providers.aliyun.services import load_services
from mlpscan.providers.cloud.source import CloudSource, ConnectError
from tests.conftest import REPO
from tests.providers.aliyun.conftest import FAST


@pytest.mark.parametrize(("service", "action", "region", "host", "product", "version"), [
    ("ecs", "DescribeInstances", "cn-shanghai-finance-1", "ecs.cn-shanghai-finance-1.aliyuncs.com", "Ecs", "2014-05-26"),
    ("ecs", "DescribeRegions", None, "ecs.aliyuncs.com", "Ecs", "2014-05-26"),
    ("rds", "DescribeDBInstances", "cn-hangzhou", "rds.aliyuncs.com", "Rds", "2014-08-15"),
    ("rds", "DescribeDBInstances", "cn-zhangjiakou", "rds.cn-zhangjiakou.aliyuncs.com", "Rds", "2014-08-15"),
    ("ram", "ListUsers", None, "ram.aliyuncs.com", "Ram", "2015-05-01"),
    ("ram", "GetSecurityPreference", None, "ims.aliyuncs.com", "Ims", "2019-08-15"),
    ("oss", "ListBuckets", None, "oss-cn-hangzhou.aliyuncs.com", None, None),
    ("log", "GetLogStore", "cn-hongkong", "cn-hongkong.log.aliyuncs.com", None, None),
    ("yundun-sas", "DescribeVersionConfig", None, "tds.aliyuncs.com", "Sas", "2018-12-03"),
])
def test_routes(service: str, action: str, region: str | None, host: str, product: str | None,
                version: str | None) -> None:
    route = load_services(REPO).route(service, action, region)
    assert (route.host, route.product, route.version) == (host, product, version)


def test_production_requests_use_https() -> None:
    transport = Transport(FAST, None)
    assert transport._url("ram.aliyuncs.com") == "https://ram.aliyuncs.com"
    transport.close()


@pytest.mark.parametrize("endpoint", ["http://10.0.0.8:8080", "http://api.example.com"])
def test_plain_http_is_refused_off_loopback(endpoint: str, home: object) -> None:
    with pytest.raises(InputError, match="uses plain http"):
        connect(CloudSource(provider="aliyun", endpoint=endpoint), FAST)


def test_the_endpoint_variable_is_checked_too(home: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLPSCAN_ALIYUN_ENDPOINT", "http://192.0.2.10")
    with pytest.raises(InputError, match="MLPSCAN_ALIYUN_ENDPOINT"):
        connect(CloudSource(provider="aliyun"), FAST)


def test_a_lost_connection_is_retried_and_its_message_carries_no_secret(
        home: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tKeyKeyKey")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "very-secret-value")
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "session-token-value")
    with pytest.raises(ConnectError) as failed:        # nothing listens on port 9 of loopback
        connect(CloudSource(provider="aliyun", endpoint="http://127.0.0.1:9"), FAST)
    error = failed.value
    assert (error.operation, error.code) == ("sts:GetCallerIdentity", "SDK.HttpError")
    assert "gave up after 3 attempts" in error.message
    for secret in ("very-secret-value", "session-token-value"):
        assert secret not in error.message


def test_scrub_removes_signed_url_fields_and_known_secrets() -> None:
    text = ("HTTPConnectionPool(host='127.0.0.1', port=9): url: /?AccessKeyId=LTAI5tKey&SecurityToken=abc%2Bdef"
            "&Signature=Zm9v%3D&Action=ListUsers x-acs-security-token: tok-1 and secret s3cr3t")
    cleaned = scrub(text, Credentials("LTAI5tKey", "s3cr3t", "tok-1"))
    for leaked in ("abc%2Bdef", "Zm9v", "tok-1", "s3cr3t", "LTAI5tKey"):
        assert leaked not in cleaned
    assert "Action=ListUsers" in cleaned


@pytest.mark.parametrize(("code", "status", "message", "transient"), [
    ("Throttling.User", 400, "", True), ("Throttling", 400, "", True), ("ServiceUnavailable", 503, "", True),
    ("InternalError", 500, "", True), ("Anything", 502, "", True), ("ReadQuotaExceed", 403, "", True),
    ("Forbidden.RAM", 403, "", False), ("NoPermission", 403, "", False), ("AccessDenied", 403, "", False),
    ("SignatureDoesNotMatch", 400, "", False), ("SDK.HttpError", None, "connection refused", True),
    ("SDK.HttpError", None, "NameResolutionError: Failed to resolve 'cs.cn-x.aliyuncs.com'", False),
])
def test_what_is_retried(code: str, status: int | None, message: str, transient: bool) -> None:
    assert is_transient(code, status, message) is transient
    assert isinstance(AliyunError(code, message, transient), Exception)
