"""Where keys come from: environment, profiles, the CVM role (only when asked), assumed roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.fakes.tencent_accounts import build
from tests.fakes.tencent_fake import Key, TencentFake
from tests.providers.tencent.conftest import FAST, SECRET_ID, SECRET_KEY, collect, env_keys, source

from mlpscan.providers.cloud.source import CloudSource, ConnectError
from mlpscan.providers.cloud.spec import Call
from mlpscan.providers.tencent.api import TencentApi
from mlpscan.providers.tencent.credentials import Keys, RenewingKeys, base_keys
from mlpscan.providers.tencent.services import load_services

AUDITOR = "200000000002"
AUDITED = "300000000003"
ROLE = f"qcs::cam::uin/{AUDITED}:roleName/mlpscan-audit"


def write_profiles(home: Path, text: str) -> None:
    (home / ".tencentcloud").mkdir(parents=True)
    (home / ".tencentcloud" / "credentials").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("profile", [None, "audit"])
def test_profiles_from_the_credentials_file(fake: TencentFake, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                            profile: str | None) -> None:
    write_profiles(tmp_path, f"[default]\nsecret_id = {SECRET_ID}\nsecret_key = {SECRET_KEY}\n\n"
                             "[audit]\nsecret_id = AKIDaudit\nsecret_key = audit-secret\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    fake.add_account(build(weak=False), SECRET_ID, SECRET_KEY)
    fake.add_account(build(AUDITED, weak=False), "AKIDaudit", "audit-secret")
    found = collect([source(fake, profile=profile)])
    assert [t.id for t in found.targets] == [f"tencent:{AUDITED if profile else '100000000001'}"]
    assert found.errors == []


def test_missing_keys_stop_only_that_source_and_never_probe_the_metadata_service(
        fake: TencentFake, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    fake.instance_role = ("mlpscan-reader", "100000000001")
    found = collect([source(fake), source(fake, profile="nope")])
    assert [(e.operation, e.code) for e in found.errors] == [("credentials", "NoCredentials")] * 2
    assert "TENCENTCLOUD_SECRET_ID" in found.errors[0].message
    assert "nope" in found.errors[1].message
    assert fake.metadata_hits == 0
    assert fake.count() == 0


def test_session_token_from_the_environment_is_sent(fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.add_account(build(weak=False))
    fake.keys["AKIDsession"] = Key("session-secret", "100000000001", "100000000001", token="tok3n")
    env_keys(monkeypatch, "AKIDsession", "session-secret")
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", "tok3n")
    assert collect([source(fake)]).errors == []
    monkeypatch.setenv("TENCENTCLOUD_SESSION_TOKEN", "wrong")
    [error] = collect([source(fake)]).errors
    assert (error.operation, error.code) == ("sts:GetCallerIdentity", "AuthFailure.TokenFailure")


def test_cvm_role_keys_come_from_the_instance_metadata(fake: TencentFake) -> None:
    fake.add_account(build(weak=False))
    fake.instance_role = ("mlpscan-reader", "100000000001")
    keys = base_keys(CloudSource(provider="tencent", use_instance_role=True),
                     metadata_url=f"{fake.endpoint}/latest/meta-data/")
    current = keys.keys()
    assert current.token
    assert current.expires_at
    api = TencentApi(load_services(), keys, fake.endpoint, FAST)
    assert api.call(Call(call="sts:GetCallerIdentity"), None, {})["AccountId"] == "100000000001"
    assert fake.metadata_hits == 2   # role name, then its keys; reused until they near expiry
    assert current.secret_key not in repr(current)
    assert str(current.token) not in repr(current)


def test_cvm_role_without_metadata_is_a_connect_error(fake: TencentFake) -> None:
    keys = base_keys(CloudSource(provider="tencent", use_instance_role=True),
                     metadata_url=f"{fake.endpoint}/latest/meta-data/")
    with pytest.raises(ConnectError) as raised:
        keys.keys()
    assert raised.value.code == "MetadataUnavailable"


def role_setup(fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.add_account(build(AUDITOR, weak=False), SECRET_ID, SECRET_KEY)
    audited = build(AUDITED, weak=True)
    audited.roles[ROLE] = AUDITOR
    fake.add_account(audited)
    env_keys(monkeypatch)


def test_assumed_role_scans_the_other_account(fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    role_setup(fake, monkeypatch)
    found = collect([source(fake, role_arn=ROLE, external_id="ext-1")])
    assert found.errors == []
    assert [t.id for t in found.targets] == [f"tencent:{AUDITED}"]
    assert {r.target for r in found.resources} == {f"tencent:{AUDITED}"}
    signers = {c.secret_id for c in fake.calls if c.operation != "sts:AssumeRole"}
    assert signers
    assert all(s.startswith("AKIDtmp") for s in signers)
    assert {c.secret_id for c in fake.calls if c.operation == "sts:AssumeRole"} == {SECRET_ID}


def test_a_role_that_cannot_be_assumed_is_an_unreached_account(fake: TencentFake,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    role_setup(fake, monkeypatch)
    other = "qcs::cam::uin/300000000003:roleName/not-trusted"
    [error] = collect([source(fake, role_arn=other)]).errors
    assert (error.target, error.operation) == (f"tencent:{other}", "sts:AssumeRole")
    assert error.code == "InternalError.GetRoleError"


def test_assumed_role_keys_are_renewed_during_a_long_scan(fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    role_setup(fake, monkeypatch)
    # keys that live 300 s are always inside the 600 s renewal margin: as if every call of the scan
    # came late in a long one, each needs fresh keys, and each set is accepted
    fake.role_duration = 300
    found = collect([source(fake, role_arn=ROLE)])
    assert found.errors == []
    assert fake.count("sts:AssumeRole") > 10
    assert len({c.secret_id for c in fake.calls if c.operation != "sts:AssumeRole"}) > 10


def test_renewing_keys_fetch_again_only_near_expiry() -> None:
    now = [1000.0]
    fetched: list[Keys] = []

    def fetch() -> Keys:
        fetched.append(Keys(f"id{len(fetched)}", "k", "t", now[0] + 3600))
        return fetched[-1]

    keys = RenewingKeys(fetch, margin=600, clock=lambda: now[0])
    assert keys.keys().secret_id == "id0"
    now[0] += 2999   # 601 s left
    assert keys.keys().secret_id == "id0"
    now[0] += 2      # 599 s left
    assert keys.keys().secret_id == "id1"
    assert len(fetched) == 2
