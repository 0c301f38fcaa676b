"""Connect one `aliyun[:PROFILE]` source: credentials, the account id, the regions to scan."""

from __future__ import annotations

from pathlib import Path

from mlpscan.content import default_content_root
from mlpscan.providers.aliyun.api import AliyunApi, Transport, assume_role_with
from mlpscan.providers.aliyun.credentials import (
    METADATA_URL,
    AssumeRole,
    CredentialsError,
    CredentialSource,
    assumed_role,
    base_credentials,
    instance_role,
)
from mlpscan.providers.aliyun.hooks import HOOK_CALLS, HOOKS
from mlpscan.providers.aliyun.services import ServiceTable, load_services
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
from mlpscan.snapshot import CollectionError, Target

GET_CALLER_IDENTITY = Call(call="sts:GetCallerIdentity")
ASSUME_ROLE = Call(call="sts:AssumeRole")
DESCRIBE_REGIONS = Call(call="ecs:DescribeRegions")
# Every call the Python makes besides resources.yaml; ram-policy.json must grant them.
# sts:AssumeRole is the exception: the identity that assumes the audit role needs it, not the role.
PYTHON_CALLS = (GET_CALLER_IDENTITY, DESCRIBE_REGIONS, *HOOK_CALLS)
CALLER_CALLS = (ASSUME_ROLE,)


def connect(source: CloudSource, options: CloudOptions, secrets: Secrets | None = None, *,
            content_root: Path | None = None, metadata_url: str = METADATA_URL) -> Connected:
    """An authenticated account ready to collect; ConnectError when it cannot be reached at all."""
    endpoint = resolve_endpoint(source)
    services = load_services(content_root or options.content_root or default_content_root())
    transport = Transport(options, endpoint)
    try:
        return _connect(source, options, services, transport, metadata_url=metadata_url,
                        secrets=secrets if secrets is not None else Secrets())
    except BaseException:
        transport.close()
        raise


def _connect(source: CloudSource, options: CloudOptions, services: ServiceTable, transport: Transport, *,
             metadata_url: str, secrets: Secrets) -> Connected:
    credentials = _credentials(source, assume_role_with(services, transport, options, secrets),
                               metadata_url, options.connect_timeout)
    api = AliyunApi(services, transport, credentials, options, secrets)
    try:
        credentials.current()      # assumes the role(s) or reads the instance role now, not mid-scan
    except ApiError as exc:        # only role assumption calls an API here
        raise ConnectError(ASSUME_ROLE.call, exc.code, exc.message) from None
    except CredentialsError as exc:
        raise ConnectError("credentials", "NoCredentials", str(exc)) from None
    try:
        identity = api.call(GET_CALLER_IDENTITY, None, {})
    except ApiError as exc:
        raise ConnectError(GET_CALLER_IDENTITY.call, exc.code, exc.message) from None
    account_id = str(identity.get("AccountId") or "")
    if not account_id:
        raise ConnectError(GET_CALLER_IDENTITY.call, "NoAccountId", "the answer names no AccountId")
    target_id = f"aliyun:{account_id}"
    regions, errors = _regions(api, source, target_id)
    target = Target(id=target_id, provider="aliyun", account=account_id, regions=regions)
    account = Account(target_id, api, regions, {"account": account_id}, secrets=secrets)
    return Connected(target=target, account=account, hooks=HOOKS, errors=errors)


def _credentials(source: CloudSource, assume: AssumeRole, metadata_url: str,
                 timeout: float) -> CredentialSource:
    try:
        choice = base_credentials(source.profile, source.use_instance_role)
        base = choice.source or instance_role(choice.instance_role, metadata_url, timeout=timeout)
    except CredentialsError as exc:
        raise ConnectError("credentials", "NoCredentials", str(exc)) from None
    if choice.role_arn:   # a profile of mode RamRoleArn: its role first
        base = assumed_role(base, choice.role_arn, choice.session_name or source.session_name,
                            choice.external_id, assume=assume)
    if source.role_arn:
        base = assumed_role(base, source.role_arn, source.session_name, source.external_id, assume=assume)
    return base


def _regions(api: AliyunApi, source: CloudSource, target_id: str) -> tuple[list[str], list[CollectionError]]:
    """Every region ECS offers the account (mainland, finance, gov, Hong Kong, overseas), or the
    ones the source names; a named region the account is not offered is an error, not skipped."""
    try:
        answer = api.call(DESCRIBE_REGIONS, None, {})
    except ApiError as exc:
        error = CollectionError(target=target_id, type="aliyun.*", region=None,
                                operation=DESCRIBE_REGIONS.call, code=exc.code, message=exc.message[:500])
        return list(source.regions), [error]
    listed = (answer.get("Regions") or {}).get("Region") or []
    offered = [str(r["RegionId"]) for r in listed if r.get("RegionId")]
    if not source.regions:
        return offered, []
    unknown = [r for r in source.regions if r not in offered]
    errors = [CollectionError(target=target_id, type="aliyun.*", region=region,
                              operation=DESCRIBE_REGIONS.call, code="UnknownRegion",
                              message=f"region {region} is not offered to this account")
              for region in unknown]
    return [r for r in source.regions if r in offered], errors
