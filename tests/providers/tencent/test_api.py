"""The transport on its own: SDK quirks handled, errors mapped, secrets kept out of messages."""

from __future__ import annotations

import pytest
from tests.fakes.tencent_accounts import build
from tests.fakes.tencent_fake import TencentFake
from tests.providers.tencent.conftest import FAST, SECRET_ID, SECRET_KEY

from mlpscan.providers.cloud.runner import ApiError
from mlpscan.providers.cloud.spec import Call
from mlpscan.providers.tencent.api import TencentApi, TransientApiError
from mlpscan.providers.tencent.credentials import Keys, StaticKeys
from mlpscan.providers.tencent.services import load_services


@pytest.fixture
def api(fake: TencentFake) -> TencentApi:
    fake.add_account(build(weak=True), SECRET_ID, SECRET_KEY)
    return TencentApi(load_services(), StaticKeys(Keys(SECRET_ID, SECRET_KEY)), fake.endpoint, FAST)


def test_an_error_under_a_content_type_the_sdk_ignores_is_still_an_error(fake: TencentFake, api: TencentApi) -> None:
    fake.json_content_type = "application/json; charset=utf-8"   # the SDK then returns an empty answer
    fake.deny("cvm:DescribeInstances")
    with pytest.raises(ApiError) as raised:
        api.call(Call(call="cvm:DescribeInstances"), "ap-guangzhou", {"Offset": 0, "Limit": 100})
    assert raised.value.code == "AuthFailure.UnauthorizedOperation"
    assert api.call(Call(call="cam:ListUsers"), None, {})["Data"]


def test_messages_never_carry_the_secret(fake: TencentFake, api: TencentApi) -> None:
    fake.fail("cam:ListUsers", "InvalidParameter", message=f"bad signature with key {SECRET_KEY}")
    with pytest.raises(ApiError) as raised:
        api.call(Call(call="cam:ListUsers"), None, {})
    assert SECRET_KEY not in str(raised.value)
    assert "***" in raised.value.message


def test_string_typed_page_parameters_are_sent_as_strings(fake: TencentFake, api: TencentApi) -> None:
    answer = api.call(Call(call="vpc:DescribeSecurityGroups"), "ap-guangzhou", {"Offset": 0, "Limit": 100})
    assert answer["TotalCount"] == 1
    with pytest.raises(ApiError, match="must be an Integer"):   # the fake checks the other APIs' types too
        api.call(Call(call="cbs:DescribeDisks"), "ap-guangzhou", {"Offset": "0", "Limit": 100})


def test_a_product_not_offered_in_a_region_has_nothing_there(fake: TencentFake, api: TencentApi) -> None:
    fake.fail("cdb:DescribeDBInstances", "UnsupportedRegion", times=None, region="ap-shanghai")
    assert api.call(Call(call="cdb:DescribeDBInstances"), "ap-shanghai", {"Offset": 0, "Limit": 100}) == {}
    assert api.call(Call(call="cdb:DescribeDBInstances"), "ap-guangzhou", {"Offset": 0, "Limit": 100})["Items"]


def test_nothing_to_ask_about_makes_no_request(fake: TencentFake, api: TencentApi) -> None:
    assert api.call(Call(call="cam:GetSecurityLastUsed"), None, {"SecretIdList": []}) == {}
    assert api.call(Call(call="cam:GetSecurityLastUsed"), None, {"SecretIdList": None}) == {}
    assert fake.count("cam:GetSecurityLastUsed") == 0


def test_5xx_without_an_error_document_is_transient_then_reported(fake: TencentFake, api: TencentApi) -> None:
    fake.fail("cos:GetService", "Bad Gateway", status=502, times=None)
    with pytest.raises(ApiError) as raised:
        api.call(Call(call="cos:GetService"), None, {})
    assert raised.value.code == "HTTP502"
    assert "gave up after 3 attempts" in raised.value.message
    assert fake.count("cos:GetService") == 3
    fake.fail("cvm:DescribeRegions", "Service Unavailable", status=503, times=None)
    with pytest.raises(ApiError) as json_raised:
        api.call(Call(call="cvm:DescribeRegions"), None, {})
    assert json_raised.value.code == "ServerNetworkError"


def test_connection_refused_is_a_network_error_after_retries() -> None:
    closed = TencentApi(load_services(), StaticKeys(Keys(SECRET_ID, SECRET_KEY)), "http://127.0.0.1:9", FAST)
    with pytest.raises(ApiError) as raised:
        closed.call(Call(call="cam:ListUsers"), None, {})
    assert raised.value.code == "ClientNetworkError"
    assert not isinstance(raised.value, TransientApiError)


def test_cos_errors_keep_their_codes(fake: TencentFake, api: TencentApi) -> None:
    params = {"Bucket": "acme-hk-static-1250000001", "Region": "ap-hongkong"}
    with pytest.raises(ApiError) as raised:
        api.call(Call(call="cos:GetBucketEncryption"), None, dict(params))
    assert raised.value.code == "NoSuchEncryptionConfiguration"
    grants = api.call(Call(call="cos:GetBucketACL"), None, dict(params))
    assert [g["Grantee"].get("URI") for g in grants["AccessControlList"]["Grant"]][-1].endswith("/AllUsers")
    fake.deny("cos:GetBucketACL")
    with pytest.raises(ApiError) as denied:
        api.call(Call(call="cos:GetBucketACL"), None, dict(params))
    assert denied.value.code == "AccessDenied"
    assert fake.count("cos:GetBucketACL") == 2   # a denial is not retried


def test_unknown_services_and_actions_are_errors_not_crashes(api: TencentApi) -> None:
    with pytest.raises(ApiError, match=r"services\.yaml"):
        api.call(Call(call="tke:DescribeClusters"), None, {})
    with pytest.raises(ApiError, match=r"services\.yaml"):
        api.call(Call(call="cos:GetBucketWebsite"), None, {"Bucket": "b"})


@pytest.mark.parametrize(("service", "region", "host", "header"), [
    ("cvm", "ap-shanghai-fsi", "cvm.ap-shanghai-fsi.tencentcloudapi.com", "ap-shanghai-fsi"),
    ("cvm", "ap-hongkong", "cvm.tencentcloudapi.com", "ap-hongkong"),
    ("cam", "ap-guangzhou", "cam.tencentcloudapi.com", ""),
    ("cloudaudit", None, "cloudaudit.tencentcloudapi.com", "ap-guangzhou"),
])
def test_production_domains_and_region_headers(service: str, region: str | None, host: str, header: str) -> None:
    table = load_services()
    effective = table.region_header(table.services[service], region)
    assert effective == header
    assert table.host(service, effective or region) == host


def test_cos_requests_are_q_signed_and_checked(fake: TencentFake, api: TencentApi) -> None:
    assert api.call(Call(call="cos:GetService"), None, {})["Buckets"]
    wrong = TencentApi(load_services(), StaticKeys(Keys(SECRET_ID, "not-the-secret")), fake.endpoint, FAST)
    with pytest.raises(ApiError) as raised:
        wrong.call(Call(call="cos:GetService"), None, {})
    assert raised.value.code == "SignatureDoesNotMatch"
    assert fake.rejected == [f"bad COS signature for {SECRET_ID}"]
