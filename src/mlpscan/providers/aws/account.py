"""Connect one AWS account: credentials (chain or assumed role), home region, partition, regions."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from mlpscan.providers.aws.api import AwsApi, client_config
from mlpscan.providers.aws.hooks import GENERATE_REPORT, GENERATE_SETTING, HOOKS
from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.runner import Account, ApiError, describe_answer
from mlpscan.providers.cloud.secrets import Secrets
from mlpscan.providers.cloud.source import CloudSource, Connected, ConnectError
from mlpscan.providers.cloud.spec import Call
from mlpscan.snapshot import CollectionError, Target

GET_CALLER_IDENTITY = Call(call="sts:GetCallerIdentity")
DESCRIBE_REGIONS = Call(call="ec2:DescribeRegions")
ASSUME_ROLE = "sts:AssumeRole"   # needed by the base credentials only, not in the audit policy
ROLE_SESSION_SECONDS = 3600
CONNECT_CALLS = (GET_CALLER_IDENTITY, DESCRIBE_REGIONS)


def connect(source: CloudSource, options: CloudOptions, secrets: Secrets | None = None) -> Connected:
    secrets = secrets if secrets is not None else Secrets()
    try:
        base = boto3.Session(profile_name=source.profile)
    except BotoCoreError as exc:   # e.g. ProfileNotFound
        raise ConnectError(GET_CALLER_IDENTITY.call, type(exc).__name__, str(exc)) from None
    # botocore reads AWS_DEFAULT_REGION and profiles; the AWS CLI v2 and SDKs also honour AWS_REGION
    home = source.regions[0] if source.regions else base.region_name or os.environ.get("AWS_REGION")
    if not home:
        raise ConnectError(GET_CALLER_IDENTITY.call, "NoRegion",
                           "no region: set AWS_DEFAULT_REGION, the profile's region or --region "
                           "(cn-north-1 or cn-northwest-1 for an account in China)")
    _register(base, secrets)
    partition = base.get_partition_for_region(home)
    config = client_config(options)
    session = _assumed(base, source, home, config, secrets) if source.role_arn else base
    api = AwsApi(session, home, config, options, source.endpoint)
    try:
        identity = api.call(GET_CALLER_IDENTITY, None, {})
    except ApiError as exc:
        raise ConnectError(GET_CALLER_IDENTITY.call, exc.code, exc.message) from None
    account_id = str(identity.get("Account") or "")
    if not account_id.isdigit():
        raise ConnectError(GET_CALLER_IDENTITY.call, "MalformedResponse",
                           f"the answer names no account: {describe_answer(identity)}")
    target_id = f"aws:{account_id}"
    errors: list[CollectionError] = []
    if source.regions:
        regions = list(source.regions)
    else:
        regions = _enabled_regions(api, session, partition, target_id, errors) or [home]
    target = Target(id=target_id, provider="aws", account=account_id, partition=partition, regions=regions)
    account = Account(target_id=target_id, api=api, regions=regions,
                      context={"account": account_id, "partition": partition, "home_region": home},
                      shared={GENERATE_SETTING: options.generate_credential_report}, secrets=secrets)
    if options.generate_credential_report:
        _start_credential_report(api)
    return Connected(target=target, account=account, hooks=HOOKS, errors=errors)


def _register(session: boto3.Session, secrets: Secrets) -> None:
    """The chain's credentials, as they will be signed with, are secrets of this scan."""
    credentials = session.get_credentials()
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        secrets.add(frozen.access_key, frozen.secret_key, frozen.token)


def _start_credential_report(api: AwsApi) -> None:
    """IAM builds the report asynchronously: ask now, so it is ready when the users are listed."""
    with contextlib.suppress(ApiError):   # the hooks ask again and record a failure where it matters
        api.call(GENERATE_REPORT, None, {})


def _enabled_regions(api: AwsApi, session: boto3.Session, partition: str, target_id: str,
                     errors: list[CollectionError]) -> list[str]:
    """The regions this account has enabled, within its partition (opt-in regions not opted into
    are not listed by DescribeRegions, so they are never called)."""
    try:
        answer = api.call(DESCRIBE_REGIONS, None, {"AllRegions": False})
    except ApiError as exc:
        errors.append(CollectionError(target=target_id, type="aws.*", region=None,
                                      operation=DESCRIBE_REGIONS.call, code=exc.code,
                                      message=f"{exc.message}; only the home region was scanned"[:500]))
        return []
    # Real AWS lists only the partition's regions; emulators may list every region they know.
    known = set(session.get_available_regions("ec2", partition_name=partition))
    listed = [r["RegionName"] for r in answer.get("Regions", [])
              if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in"]
    return sorted(r for r in listed if r in known)


def _assumed(base: boto3.Session, source: CloudSource, home: str, config: Any,
             secrets: Secrets) -> boto3.Session:
    """A session whose credentials come from AssumeRole and are renewed before they expire."""
    sts = base.client("sts", region_name=home, endpoint_url=source.endpoint, config=config)
    request: dict[str, Any] = {"RoleArn": source.role_arn, "RoleSessionName": source.session_name,
                               "DurationSeconds": ROLE_SESSION_SECONDS}
    if source.external_id:
        request["ExternalId"] = source.external_id

    def refresh() -> dict[str, str]:
        try:
            granted = sts.assume_role(**request)["Credentials"]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise ConnectError(ASSUME_ROLE, str(error.get("Code", "ClientError")),
                               f"{source.role_arn}: {error.get('Message', exc)}") from None
        except BotoCoreError as exc:
            raise ConnectError(ASSUME_ROLE, type(exc).__name__, f"{source.role_arn}: {exc}") from None
        secrets.add(granted["AccessKeyId"], granted["SecretAccessKey"], granted["SessionToken"])
        return {"access_key": granted["AccessKeyId"], "secret_key": granted["SecretAccessKey"],
                "token": granted["SessionToken"], "expiry_time": granted["Expiration"].isoformat()}

    refresh()  # fail now, as a connection error, rather than on the first collection call
    credentials = DeferredRefreshableCredentials(refresh_using=refresh, method="assume-role")
    assumed = botocore.session.Session()
    assumed.get_component("credential_provider").insert_before("env", _Fixed(credentials))
    return boto3.Session(botocore_session=assumed, region_name=home)


class _Fixed(CredentialProvider):  # type: ignore[misc]
    """Hands botocore the refreshable assumed-role credentials before anything in its chain."""

    METHOD = "assume-role"
    CANONICAL_NAME = "mlpscan-assume-role"

    def __init__(self, credentials: DeferredRefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> DeferredRefreshableCredentials:
        return self._credentials
