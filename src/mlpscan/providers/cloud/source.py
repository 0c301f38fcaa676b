"""What a cloud target names (credentials, accounts, regions, endpoint) and what connecting gives."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from mlpscan.errors import InputError
from mlpscan.providers.cloud.ratelimit import Limit
from mlpscan.providers.cloud.runner import Account, Hook
from mlpscan.snapshot import CollectionError, Platform, Target

CloudProvider = Literal["aws", "aliyun", "tencent"]
ENDPOINT_VARIABLES = {"aws": "AWS_ENDPOINT_URL", "aliyun": "MLPSCAN_ALIYUN_ENDPOINT",
                      "tencent": "MLPSCAN_TENCENT_ENDPOINT"}


@dataclass(frozen=True)
class CloudSource:
    """One cloud entry: `aws[:PROFILE]` on the command line or an item of `clouds:` in mlpscan.yaml."""

    provider: CloudProvider
    profile: str | None = None              # credential profile of the provider's CLI/SDK files
    regions: tuple[str, ...] = ()           # empty: every enabled region the account lists
    endpoint: str | None = None             # test or private-cloud endpoint (https, or http on loopback)
    role_arn: str | None = None             # role to assume with the base credentials
    external_id: str | None = None
    session_name: str = "mlpscan"
    use_instance_role: bool = False         # ECS RAM role / CVM role: only when asked
    name: str | None = None                 # a label, e.g. the business system
    read_timeout: float | None = None       # seconds per read for this source (default: CloudOptions')
    declared_in: str | None = None          # mlpscan.yaml path, for SARIF locations
    rate_limits: tuple[tuple[str, Limit], ...] = ()   # this entry's own request budgets, per service

    @property
    def label(self) -> str:
        """How the source is named before its account id is known."""
        base = f"{self.provider}:{self.profile}" if self.profile else self.provider
        return f"{base} ({self.role_arn})" if self.role_arn else base


@dataclass
class Connected:
    """An authenticated account, ready to be collected."""

    target: Target
    account: Account
    hooks: Mapping[str, Hook] = field(default_factory=dict)
    errors: list[CollectionError] = field(default_factory=list)   # setup problems that did not stop it
    platform: Platform | None = None


class ConnectError(Exception):
    """The account could not be reached or authenticated at all."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message


def parse_cloud_target(text: str, declared_in: str | None = None) -> CloudSource | None:
    """`aws`, `aws:PROFILE`, `aliyun[:PROFILE]`, `tencent[:PROFILE]`; None if not a cloud target."""
    provider, _, profile = text.partition(":")
    if provider not in ENDPOINT_VARIABLES:
        return None
    if _ and not profile:
        raise InputError(f"target {text!r}: a profile name must follow '{provider}:'")
    return CloudSource(provider=provider, profile=profile or None, declared_in=declared_in)  # type: ignore[arg-type]


def check_endpoint(endpoint: str, origin: str) -> str:
    """https anywhere; plain http only to a loopback address (tests, local emulators)."""
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{origin}: endpoint {endpoint!r} must be an http(s) URL or host[:port]")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InputError(f"{origin}: endpoint {endpoint!r} uses plain http; only loopback addresses may "
                         "(use https)")
    return f"{parts.scheme}://{parts.netloc}"


def resolve_endpoint(source: CloudSource) -> str | None:
    """The source's endpoint, else the provider's environment variable; https unless loopback."""
    if source.endpoint:
        return check_endpoint(source.endpoint, source.declared_in or "endpoint")
    variable = ENDPOINT_VARIABLES[source.provider]
    value = os.environ.get(variable)
    return check_endpoint(value, variable) if value else None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
