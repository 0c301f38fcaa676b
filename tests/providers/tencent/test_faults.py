"""Faults and shapes the fake plants on purpose, through the real Tencent SDKs: each is an `error`
for what it touched (never an empty list or a pass), and verdicts read the APIs' real fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from tests.fakes.tencent_accounts import bucket, build, flags, user
from tests.fakes.tencent_fake import TencentFake
from tests.providers.tencent.conftest import SECRET_ID, SECRET_KEY, collect, env_keys, scan, source

from mlpscan.content import Content
from mlpscan.findings import Status
from mlpscan.snapshot import FAILED_CALLS_KEY, dump_snapshot

UIN = "100000000001"
TARGET = f"tencent:{UIN}"


def compliant(fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> Any:
    account = fake.add_account(build(UIN, weak=False), SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    return account


@pytest.mark.parametrize(("name", "rewrite"), [
    ("the item list is missing", lambda answer: {"oops": 1}),
    ("TotalCount as text", lambda answer: {**answer, "TotalCount": "1"}),
])
def test_a_listing_in_the_wrong_shape_is_an_error(fake: TencentFake, monkeypatch: pytest.MonkeyPatch,
                                                  content: Content, name: str, rewrite: Any) -> None:
    compliant(fake, monkeypatch)
    fake.mangle("cbs:DescribeDisks", rewrite, region="ap-shanghai")
    result = scan(content, [source(fake)])
    assert [(e.type, e.region, e.code) for e in result.collection.errors] == [
        ("tencent.cbs.disk", "ap-shanghai", "MalformedResponse")], name
    assert set(result.statuses("tencent.cbs.disk_encrypted").values()) == {"pass", "error"}


def test_a_reset_while_connecting_loses_that_account_and_the_scan_completes(
        fake: TencentFake, monkeypatch: pytest.MonkeyPatch, content: Content) -> None:
    compliant(fake, monkeypatch)
    fake.reset("sts:GetCallerIdentity")
    result = scan(content, [source(fake)])
    [target] = result.collection.targets
    assert target.id == "tencent:default"
    [error] = result.collection.errors
    assert (error.type, error.operation) == ("tencent.*", "sts:GetCallerIdentity")
    assert {f.status for f in result.report.findings} == {Status.ERROR}
    assert [f.status for f in result.findings("cloud.platform.level_at_least_system")] == [Status.ERROR]
    assert [f.status for f in result.findings("cloud.residency.mainland_region")] == [Status.ERROR]


def test_a_role_renewal_denied_mid_scan_is_an_error(fake: TencentFake, monkeypatch: pytest.MonkeyPatch,
                                                    content: Content) -> None:
    auditor = fake.add_account(build("100000000777", weak=False), SECRET_ID, SECRET_KEY)
    audited = fake.add_account(build(UIN, weak=False))
    role = "qcs::cam::uin/100000000001:roleName/mlpscan-audit"
    audited.roles[role] = auditor.uin
    env_keys(monkeypatch)
    fake.role_duration = 300          # inside the renewal margin: every call renews
    fake.fail("sts:AssumeRole", "InternalError.GetRoleError", times=None)
    # the role is assumed while connecting; every renewal after that is refused
    original = fake._fault

    def first_free(operation: str, region: str | None, kinds: tuple[str, ...] = ("error",)) -> Any:
        if operation == "sts:AssumeRole" and fake.count("cvm:DescribeRegions") == 0:
            return None     # still connecting
        return original(operation, region, kinds)

    monkeypatch.setattr(fake, "_fault", first_free)
    result = scan(content, [source(fake, role_arn=role)])
    assert [t.id for t in result.collection.targets] == [TARGET]
    errors = result.collection.errors
    assert errors
    assert {e.code for e in errors} == {"InternalError.GetRoleError"}
    assert all("renewing the temporary keys" in e.message for e in errors)
    tencent = [f for f in result.report.findings if f.check.startswith("tencent.cam.")]
    assert tencent
    assert Status.PASS not in {f.status for f in tencent}


def test_credentials_in_an_error_message_are_scrubbed(fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    auditor = fake.add_account(build("100000000777", weak=False), SECRET_ID, SECRET_KEY)
    audited = fake.add_account(build(UIN, weak=False))
    role = "qcs::cam::uin/100000000001:roleName/mlpscan-audit"
    audited.roles[role] = auditor.uin
    env_keys(monkeypatch)
    fake.fail("cvm:DescribeInstances", "AuthFailure.SignatureFailure", times=None, echo_credentials=True)
    found = collect([source(fake, role_arn=role)])
    failures = [e for e in found.errors if e.operation == "cvm:DescribeInstances"]
    assert failures
    assert all("SecretId=***" in e.message for e in failures)
    temporary = [(secret_id, key.secret_key, key.token or "") for secret_id, key in fake.keys.items() if key.token]
    text = dump_snapshot(snapshot(found)).decode()
    for values in temporary:
        for value in values:
            for form in (value, quote(value, safe=""), quote(quote(value, safe=""), safe="")):
                assert form not in text
    assert SECRET_KEY not in text


def snapshot(found: Any) -> Any:
    from tests.providers.tencent.conftest import snapshot_of  # noqa: PLC0415

    return snapshot_of(found)


def test_sub_user_secret_ids_are_masked(fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    compliant(fake, monkeypatch)
    found = collect([source(fake)])
    text = dump_snapshot(snapshot(found)).decode()
    for whole in ("AKIDopschen000000000001", "AKIDdevzhao00000000001", "AKIDcideploy0000000001"):
        assert whole not in text
    [ci] = [r for r in found.resources if r.name == "ci-deployer"]
    assert [k["AccessKeyId"] for k in ci.data["ListAccessKeys"]["AccessKeys"]] == ["AKID****0001", "AKID****0002"]
    assert {k["AccessKeyId"] for k in ci.data["access_keys"]} == {"AKID****0001", "AKID****0002"}


def test_a_passkey_is_login_protection(fake: TencentFake, monkeypatch: pytest.MonkeyPatch, content: Content) -> None:
    account = compliant(fake, monkeypatch)
    passkey = user(int(UIN) + 300, "ops-wu", mfa=False)
    passkey["_flags"] = flags(Passkey=1)
    sms = user(int(UIN) + 301, "ops-li", mfa=False)
    sms["_flags"] = flags(Phone=1)
    account.users += [passkey, sms]
    result = scan(content, [source(fake)])
    by_name = {f.resource.name: f for f in result.findings("tencent.cam.user_login_mfa")}
    assert by_name["ops-wu"].status is Status.PASS
    assert by_name["ops-li"].status is Status.FAIL
    assert "[Phone]" in by_name["ops-li"].message


def test_a_track_delivering_to_cos_names_its_bucket_with_the_appid(fake: TencentFake, monkeypatch: pytest.MonkeyPatch,
                                                                   content: Content) -> None:
    account = compliant(fake, monkeypatch)
    name = "acme-audit-logs"   # CloudAudit's StorageName: the bucket name without -<APPID>
    account.buckets.append(bucket(f"{name}-{account.appid}", "ap-shanghai", lifecycle_days=400))
    account.tracks[0]["Storage"] = {"StorageType": "cos", "StorageRegion": "ap-shanghai", "StorageName": name,
                                    "StoragePrefix": "cloudaudit"}
    result = scan(content, [source(fake)])
    [track] = [r for r in result.collection.resources if r.type == "tencent.cloudaudit.track"]
    assert track.data["Destination"]["found"] is True
    assert track.data["Destination"]["Bucket"] == f"{name}-{account.appid}"
    assert track.data["retention_days"] == 400
    assert [f.status for f in result.findings("tencent.cloudaudit.track_retention")] == [Status.PASS]
    assert [f.status for f in result.findings("tencent.cloudaudit.logs_encrypted")] == [Status.PASS]


def test_a_track_delivering_to_another_accounts_bucket_is_an_error(fake: TencentFake,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    content: Content) -> None:
    account = compliant(fake, monkeypatch)
    account.tracks[0]["Storage"] = {"StorageType": "cos", "StorageRegion": "ap-shanghai", "StorageName": "group-audit",
                                    "StoragePrefix": "cloudaudit", "StorageAccountId": "100000000999",
                                    "StorageAppId": "1250000999"}
    result = scan(content, [source(fake)])
    [track] = [r for r in result.collection.resources if r.type == "tencent.cloudaudit.track"]
    assert "group-audit-1250000999 of account 100000000999" in track.data[FAILED_CALLS_KEY]["retention_days"]
    assert [f.status for f in result.findings("tencent.cloudaudit.track_retention")] == [Status.ERROR]
    # never asked with this account's keys (its own buckets are in ap-guangzhou)
    assert not [c for c in fake.calls if c.operation.startswith("cos:GetBucket") and c.region == "ap-shanghai"]


def test_a_cls_topic_without_a_kms_key_fails_log_protection(fake: TencentFake, monkeypatch: pytest.MonkeyPatch,
                                                            content: Content) -> None:
    fake.add_account(build(UIN, weak=True), SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    result = scan(content, [source(fake)])
    [finding] = [f for f in result.findings("tencent.cloudaudit.logs_encrypted") if f.resource.name == "acme-audit"]
    assert finding.status is Status.FAIL
    assert "no KMS encryption" in finding.message
