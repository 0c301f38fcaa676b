"""Partition, China endpoints, regions and accounts: what peers got wrong for years."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from mlpscan.content import Content
from mlpscan.providers.aws.account import connect
from mlpscan.providers.aws.api import AwsApi, client_config
from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.source import CloudSource, ConnectError
from tests.providers.aws.conftest import CHINA, FAST, scan


@pytest.mark.parametrize(("region", "sts", "iam"), [
    ("cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn", "https://iam.cn-north-1.amazonaws.com.cn"),
    ("cn-northwest-1", "https://sts.cn-northwest-1.amazonaws.com.cn", "https://iam.cn-north-1.amazonaws.com.cn"),
    ("us-east-1", "https://sts.us-east-1.amazonaws.com", "https://iam.amazonaws.com"),
])
def test_china_regions_use_china_endpoints_over_https(region: str, sts: str, iam: str) -> None:
    session = boto3.Session(aws_access_key_id="AKIAMLPSCANTEST00001", aws_secret_access_key="x", region_name=region)
    api = AwsApi(session, region, client_config(CloudOptions()), CloudOptions())
    assert api.client("sts", None).meta.endpoint_url == sts
    assert api.client("iam", None).meta.endpoint_url == iam
    assert session.get_partition_for_region(region) == ("aws" if region == "us-east-1" else "aws-cn")


def test_no_region_is_a_clear_connection_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(ConnectError, match="cn-north-1 or cn-northwest-1"):
        connect(CloudSource(provider="aws"), FAST)


def test_an_unknown_profile_is_a_connection_error(moto: str) -> None:
    with pytest.raises(ConnectError) as raised:
        connect(CloudSource(provider="aws", profile="nowhere", endpoint=moto), FAST)
    assert raised.value.code == "ProfileNotFound"


def test_profiles_from_the_shared_files(moto: str, content: Content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text("[profile audit-cn]\nregion = cn-northwest-1\n", encoding="utf-8")
    (tmp_path / "credentials").write_text(
        "[audit-cn]\naws_access_key_id = AKIAMLPSCANPROFILE01\naws_secret_access_key = s\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    connected = connect(CloudSource(provider="aws", profile="audit-cn", endpoint=moto, regions=("cn-northwest-1",)),
                        FAST)
    assert connected.target.partition == "aws-cn"
    assert connected.target.regions == ["cn-northwest-1"]


def test_many_accounts_by_assumed_role(moto: str, content: Content) -> None:
    roles = [f"arn:aws-cn:iam::{n}:role/mlpscan-audit" for n in ("111111111111", "222222222222")]
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA, role_arn=r, external_id="mlps")
                  for r in roles], content)
    assert [t.id for t in found.targets] == ["aws:111111111111", "aws:222222222222"]
    accounts = {r.target: r.uid for r in found.resources if r.type == "aws.account"}
    assert accounts == {"aws:111111111111": "arn:aws-cn:iam::111111111111:root",
                        "aws:222222222222": "arn:aws-cn:iam::222222222222:root"}
    assumed = next(r for r in found.resources if r.type == "aws.account" and r.target == "aws:111111111111")
    assert assumed.data["Arn"] == "arn:aws-cn:sts::111111111111:assumed-role/mlpscan-audit/mlpscan"
    assert set(assumed.data) >= {"Account", "Arn", "GetAccountSummary"}
    assert "UserId" not in assumed.data    # identifiers of credentials stay out of the evidence


def test_assumed_role_credentials_are_renewed_before_they_expire(moto: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # With the shortest session AWS allows (15 min), botocore is already inside its 15-minute
    # advisory window, so every use renews: the credentials are the refreshing kind.
    monkeypatch.setattr("mlpscan.providers.aws.account.ROLE_SESSION_SECONDS", 900)
    connected = connect(CloudSource(provider="aws", endpoint=moto, regions=CHINA,
                                    role_arn="arn:aws-cn:iam::111111111111:role/mlpscan-audit"), FAST)
    api = connected.account.api
    assert isinstance(api, AwsApi)
    credentials = api.session.get_credentials()
    assert credentials.method == "assume-role"
    first = credentials.get_frozen_credentials().access_key
    second = credentials.get_frozen_credentials().access_key
    assert first != second
    assert connected.target.id == "aws:111111111111"
