"""Tencent Cloud: connect one credential source to one account, ready for the shared runner.

`connect` finds the keys (credentials.py), assumes the source's role if it names one, asks STS
who the keys belong to (the target is `tencent:<root UIN>`) and which regions the account has,
and hands the runner a TencentApi. What to collect is data: providers/tencent/resources.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.runner import Account, ApiError
from mlpscan.providers.cloud.secrets import Secrets
from mlpscan.providers.cloud.source import (
    CloudSource,
    Connected,
    ConnectError,
    resolve_endpoint,
)
from mlpscan.providers.cloud.spec import Call
from mlpscan.providers.tencent.api import TencentApi
from mlpscan.providers.tencent.credentials import Keys, KeySource, RenewingKeys, base_keys
from mlpscan.providers.tencent.hooks import HOOKS
from mlpscan.providers.tencent.services import load_services
from mlpscan.snapshot import CollectionError, Target

ASSUME_ROLE = Call(call="sts:AssumeRole")
GET_CALLER_IDENTITY = Call(call="sts:GetCallerIdentity")
GET_USER_APP_ID = Call(call="cam:GetUserAppId")
DESCRIBE_REGIONS = Call(call="cvm:DescribeRegions")
# Calls connect makes in the scanned account (the CAM policy must grant them). AssumeRole is
# made by the base identity in its own account and is granted there.
CONNECT_CALLS = (GET_CALLER_IDENTITY.call, GET_USER_APP_ID.call, DESCRIBE_REGIONS.call)
ROLE_DURATION_SECONDS = 3600


@dataclass(frozen=True)
class _Identity:
    account: str
    appid: str


def connect(source: CloudSource, options: CloudOptions, secrets: Secrets | None = None) -> Connected:
    secrets = secrets if secrets is not None else Secrets()
    table = load_services(options.content_root)
    endpoint = resolve_endpoint(source)
    keys: KeySource = base_keys(source)
    if source.role_arn:
        base = TencentApi(table, keys, endpoint, options, secrets)
        keys = RenewingKeys(lambda: _assume_role(base, source))
        try:
            keys.keys()
        except ApiError as exc:
            raise ConnectError(ASSUME_ROLE.call, exc.code, exc.message) from None
    api = TencentApi(table, keys, endpoint, options, secrets)
    errors: list[CollectionError] = []
    identity = _identify(api, errors)
    target_id = f"tencent:{identity.account}"
    regions = _regions(api, source, target_id, errors)
    account = Account(target_id=target_id, api=api, regions=regions,
                      context={"account": identity.account, "appid": identity.appid}, secrets=secrets)
    target = Target(id=target_id, provider="tencent", account=identity.account, regions=list(regions))
    return Connected(target=target, account=account, hooks=HOOKS, errors=errors)


def _assume_role(api: TencentApi, source: CloudSource) -> Keys:
    params: dict[str, object] = {"RoleArn": source.role_arn, "RoleSessionName": source.session_name,
                                 "DurationSeconds": ROLE_DURATION_SECONDS}
    if source.external_id:
        params["ExternalId"] = source.external_id
    answer = api.call(ASSUME_ROLE, None, params)
    credentials = answer.get("Credentials") or {}
    if not credentials.get("TmpSecretId") or not credentials.get("TmpSecretKey"):
        raise ApiError("InvalidResponse", "AssumeRole answered without temporary keys")
    return Keys(credentials["TmpSecretId"], credentials["TmpSecretKey"], credentials.get("Token"),
                float(answer["ExpiredTime"]) if isinstance(answer.get("ExpiredTime"), int) else None)


def _identify(api: TencentApi, errors: list[CollectionError]) -> _Identity:
    try:
        caller = api.call(GET_CALLER_IDENTITY, None, {})
    except ApiError as exc:
        raise ConnectError(GET_CALLER_IDENTITY.call, exc.code, exc.message) from None
    account = str(caller.get("AccountId") or "")
    if not account:
        raise ConnectError(GET_CALLER_IDENTITY.call, "InvalidResponse", "no AccountId in the answer")
    try:
        appid = str(api.call(GET_USER_APP_ID, None, {}).get("AppId") or "")
    except ApiError as exc:
        # Only bucket uids use the APPID; the account resource records the same failure.
        errors.append(CollectionError(target=f"tencent:{account}", type="tencent.cos.bucket", region=None,
                                      operation=GET_USER_APP_ID.call, code=exc.code, message=exc.message))
        appid = "unknown"
    return _Identity(account, appid)


def _regions(api: TencentApi, source: CloudSource, target_id: str,
             errors: list[CollectionError]) -> list[str]:
    """The account's available regions (mainland, finance, Hong Kong, overseas), or the requested ones."""
    try:
        answer = api.call(DESCRIBE_REGIONS, None, {})
    except ApiError as exc:
        # Without the list nothing regional can be scanned unless regions were named: say so.
        errors.append(CollectionError(target=target_id, type="tencent.*", region=None,
                                      operation=DESCRIBE_REGIONS.call, code=exc.code, message=exc.message))
        return list(source.regions)
    available = [r["Region"] for r in answer.get("RegionSet") or []
                 if isinstance(r, dict) and r.get("Region") and r.get("RegionState") in (None, "AVAILABLE")]
    if not source.regions:
        return available
    for region in source.regions:
        if region not in available:
            errors.append(CollectionError(
                target=target_id, type="tencent.*", region=region, operation=DESCRIBE_REGIONS.call,
                code="RegionNotAvailable", message=f"{region} is not among the account's regions "
                                                   f"({', '.join(available)}); it was not scanned"))
    return [region for region in source.regions if region in available]
