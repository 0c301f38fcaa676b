"""Where credentials come from (environment, CLI profiles, credentials file, instance role), role
assumption, and refreshing temporary credentials during a long scan."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mlpscan.providers.aliyun import connect
from mlpscan.providers.aliyun.api import Transport, assume_role_with
from mlpscan.providers.aliyun.credentials import (
    Credentials,
    CredentialsError,
    StaticSource,
    assumed_role,
    base_credentials,
)
from mlpscan.providers.aliyun.services import load_services
from mlpscan.providers.cloud.source import CloudSource, ConnectError
from tests.conftest import REPO
from tests.fakes.aliyun_fake import ROOT_KEY_ID, ROOT_SECRET, AliyunFake
from tests.fakes.aliyun_world import compliant_world
from tests.providers.aliyun.conftest import FAST


def cli_config(home: Path, current: str, *profiles: dict[str, str]) -> None:
    (home / ".aliyun").mkdir(exist_ok=True)
    (home / ".aliyun" / "config.json").write_text(json.dumps({"current": current, "profiles": list(profiles)}),
                                                  encoding="utf-8")


def key_of(choice_source: object) -> str:
    assert isinstance(choice_source, StaticSource)
    return choice_source.credentials.access_key_id


def test_environment_comes_first(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli_config(home, "default", {"name": "default", "mode": "AK", "access_key_id": "cli", "access_key_secret": "s"})
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")
    assert key_of(base_credentials(None, False).source) == "env"
    assert key_of(base_credentials("default", False).source) == "cli"    # a named profile wins


def test_the_core_sdk_variable_names_work_too(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIYUN_ACCESS_KEY_ID", "legacy")
    monkeypatch.setenv("ALIYUN_ACCESS_KEY_SECRET", "s")
    assert key_of(base_credentials(None, False).source) == "legacy"


def test_cli_current_profile_then_credentials_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli_config(home, "ops", {"name": "ops", "mode": "StsToken", "access_key_id": "STS.ops", "access_key_secret": "s",
                             "sts_token": "tok"})
    source = base_credentials(None, False).source
    assert isinstance(source, StaticSource)
    assert source.credentials.security_token == "tok"
    (home / ".aliyun" / "config.json").unlink()
    ini = home / "creds.ini"
    ini.write_text("[default]\ntype = access_key\naccess_key_id = ini-key\naccess_key_secret = s\n"
                   "[audit]\ntype = ram_role_arn\naccess_key_id = base\naccess_key_secret = s\n"
                   "role_arn = acs:ram::5555666677778888:role/audit\n", encoding="utf-8")
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(ini))
    assert key_of(base_credentials(None, False).source) == "ini-key"
    audit = base_credentials("audit", False)
    assert key_of(audit.source) == "base"
    assert audit.role_arn == "acs:ram::5555666677778888:role/audit"


def test_profile_modes_and_mistakes(home: Path) -> None:
    cli_config(home, "a",
               {"name": "a", "mode": "AK", "access_key_id": "k", "access_key_secret": "s"},
               {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "a",
                "ram_role_arn": "acs:ram::1:role/x", "ram_session_name": "scan"},
               {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "audit"},
               {"name": "sso", "mode": "CloudSSO"},
               {"name": "half", "mode": "AK", "access_key_id": "k"})
    chain = base_credentials("chain", False)
    assert key_of(chain.source) == "k"
    assert (chain.role_arn, chain.session_name) == ("acs:ram::1:role/x", "scan")
    ecs = base_credentials("ecs", False)
    assert ecs.source is None
    assert ecs.instance_role == "audit"
    with pytest.raises(CredentialsError, match="mode CloudSSO is not supported"):
        base_credentials("sso", False)
    with pytest.raises(CredentialsError, match="needs access_key_id and access_key_secret"):
        base_credentials("half", False)
    with pytest.raises(CredentialsError, match="profile 'nope' is neither in"):
        base_credentials("nope", False)


def test_no_credentials_is_a_connect_error_and_nothing_is_probed(fake: AliyunFake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    fake.instance_role = "audit"            # a metadata service is there, but nobody asked for it
    with pytest.raises(ConnectError) as raised:
        connect(CloudSource(provider="aliyun", endpoint=fake.url), FAST, metadata_url=fake.url)
    assert (raised.value.operation, raised.value.code) == ("credentials", "NoCredentials")
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in raised.value.message
    assert fake.calls() == []


def test_instance_role_only_when_asked(fake: AliyunFake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    monkeypatch.delenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
    fake.instance_role = "audit"
    connected = connect(CloudSource(provider="aliyun", endpoint=fake.url, use_instance_role=True), FAST,
                        metadata_url=fake.url)
    assert connected.target.id == "aliyun:1234567890123456"
    assert all(c.key_id and c.key_id.startswith("STS.") for c in fake.calls())   # signed with the role's token
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    with pytest.raises(ConnectError, match="ECS_METADATA_DISABLED"):
        connect(CloudSource(provider="aliyun", endpoint=fake.url, use_instance_role=True), FAST,
                metadata_url=fake.url)


def test_assumed_role_is_assumed_again_before_it_expires(fake: AliyunFake) -> None:
    """A scan longer than the role session keeps working: credentials are renewed ahead of expiry."""
    role = fake.add_role(compliant_world("5555666677778888"))
    transport = Transport(FAST, fake.url)
    assume = assume_role_with(load_services(REPO), transport, FAST)
    now = [datetime.now(timezone.utc)]
    source = assumed_role(StaticSource(Credentials(ROOT_KEY_ID, ROOT_SECRET), "root"), role, "mlpscan", None,
                          assume=assume, clock=lambda: now[0])
    first = source.current()
    assert source.current() is first
    assert len(fake.calls("AssumeRole")) == 1
    now[0] += timedelta(minutes=56)          # within five minutes of the hour's expiry
    second = source.current()
    assert second.access_key_id != first.access_key_id
    assert len(fake.calls("AssumeRole")) == 2
    assert first.expiration is not None
    assert second.expiration is not None
    assert second.expiration >= first.expiration


def test_an_expired_token_is_refused_by_the_fake(fake: AliyunFake) -> None:
    fake.session_seconds = 0                 # the fake issues tokens that are already expired
    role = fake.add_role(compliant_world("5555666677778888"))
    with pytest.raises(ConnectError) as raised:
        connect(CloudSource(provider="aliyun", endpoint=fake.url, role_arn=role), FAST)
    assert raised.value.code == "InvalidSecurityToken.Expired"
