"""Where the Alibaba Cloud credentials come from, and keeping temporary ones fresh.

Order for `aliyun` (no profile): the environment (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET/SECURITY_TOKEN,
or the core SDK's older ALIYUN_ACCESS_KEY_ID/SECRET), then the aliyun CLI's current profile
(~/.aliyun/config.json, or ALIBABA_CLOUD_PROFILE), then the [default] section of the credentials
file (~/.alibabacloud/credentials.ini or ALIBABA_CLOUD_CREDENTIALS_FILE). `aliyun:NAME` reads that
profile from the CLI config, else that section of the credentials file. The ECS instance's RAM role
is used only when asked (CloudSource.use_instance_role, or a profile of that mode): nothing probes
the metadata service otherwise. Temporary credentials (assumed roles, the instance role) are
fetched again before they expire, so a long scan keeps working.

The ambient SDK chain (alibabacloud_credentials) is not used on purpose: it falls through to the
ECS metadata service, and its role assumption cannot be refreshed or pointed at a test endpoint.
"""

from __future__ import annotations

import configparser
import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

import requests

METADATA_URL = "http://100.100.100.200"   # the ECS metadata service (link-local, plain http by design)
METADATA_DISABLED = "ALIBABA_CLOUD_ECS_METADATA_DISABLED"
REFRESH_BEFORE = timedelta(minutes=5)     # fetch new temporary credentials this long before expiry
ROLE_SESSION_SECONDS = 3600

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class CredentialsError(Exception):
    """No usable credentials: the message says where mlpscan looked or what was wrong."""


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    expiration: datetime | None = None      # None: long-term keys

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a message, a log or a snapshot."""
        return tuple(s for s in (self.access_key_secret, self.security_token) if s)


class CredentialSource(Protocol):
    description: str

    def current(self) -> Credentials: ...


@dataclass
class StaticSource:
    credentials: Credentials
    description: str

    def current(self) -> Credentials:
        return self.credentials


class RefreshingSource:
    """Temporary credentials from `fetch`, fetched again REFRESH_BEFORE their expiry (thread-safe)."""

    def __init__(self, fetch: Callable[[], Credentials], description: str, clock: Clock = utc_now,
                 refresh_before: timedelta = REFRESH_BEFORE) -> None:
        self._fetch = fetch
        self.description = description
        self._clock = clock
        self._refresh_before = refresh_before
        self._credentials: Credentials | None = None
        self._lock = threading.Lock()

    def current(self) -> Credentials:
        with self._lock:
            held = self._credentials
            if held is None or (held.expiration is not None
                                and held.expiration - self._clock() <= self._refresh_before):
                held = self._credentials = self._fetch()
            return held


# An STS AssumeRole call made with the given credentials (the transport supplies it).
AssumeRole = Callable[[Credentials, Mapping[str, str]], Mapping[str, Any]]


def assumed_role(base: CredentialSource, role_arn: str, session_name: str, external_id: str | None, *,
                 assume: AssumeRole, clock: Clock = utc_now) -> RefreshingSource:
    """The role's temporary credentials, assumed with `base` and assumed again before they expire."""
    params = {"RoleArn": role_arn, "RoleSessionName": session_name,
              "DurationSeconds": str(ROLE_SESSION_SECONDS)}
    if external_id:
        params["ExternalId"] = external_id

    def fetch() -> Credentials:
        answer = assume(base.current(), params)
        issued = answer.get("Credentials") or {}
        return Credentials(access_key_id=str(issued["AccessKeyId"]),
                           access_key_secret=str(issued["AccessKeySecret"]),
                           security_token=str(issued["SecurityToken"]),
                           expiration=parse_time(str(issued["Expiration"])))

    return RefreshingSource(fetch, f"role {role_arn} assumed with {base.description}", clock)


def instance_role(role_name: str | None, metadata_url: str = METADATA_URL,
                  clock: Clock = utc_now, timeout: float = 5.0) -> RefreshingSource:
    """The ECS instance's RAM role from the metadata service (IMDSv2 token when offered)."""
    if os.environ.get(METADATA_DISABLED, "").lower() == "true":
        raise CredentialsError(f"the ECS instance role was asked for, but {METADATA_DISABLED}=true")
    base = metadata_url.rstrip("/")

    def fetch() -> Credentials:
        with requests.Session() as session:
            return _instance_credentials(session, base, role_name, timeout)

    return RefreshingSource(fetch, f"ECS instance RAM role {role_name or '(attached)'}", clock)


def _instance_credentials(session: requests.Session, base: str, role_name: str | None,
                          timeout: float) -> Credentials:
    headers: dict[str, str] = {}
    try:
        token = session.put(f"{base}/latest/api/token", timeout=timeout,
                            headers={"X-aliyun-ecs-metadata-token-ttl-seconds": "21600"})
        if token.status_code == 200:
            headers["X-aliyun-ecs-metadata-token"] = token.text
        name = role_name
        if not name:
            listed = session.get(f"{base}/latest/meta-data/ram/security-credentials/", headers=headers,
                                 timeout=timeout)
            listed.raise_for_status()
            name = listed.text.strip().splitlines()[0] if listed.text.strip() else None
        if not name:
            raise CredentialsError("this ECS instance has no RAM role attached")
        answer = session.get(f"{base}/latest/meta-data/ram/security-credentials/{name}",
                             headers=headers, timeout=timeout)
        answer.raise_for_status()
        issued = answer.json()
    except requests.RequestException as exc:
        raise CredentialsError(f"the ECS metadata service did not give the instance role: "
                               f"{type(exc).__name__}") from None
    if issued.get("Code") != "Success":
        raise CredentialsError(f"the ECS metadata service answered {issued.get('Code')!r} "
                               f"for role {name}")
    return Credentials(access_key_id=str(issued["AccessKeyId"]),
                       access_key_secret=str(issued["AccessKeySecret"]),
                       security_token=str(issued["SecurityToken"]),
                       expiration=parse_time(str(issued["Expiration"])))


def parse_time(text: str) -> datetime:
    """Alibaba timestamps: 2026-11-21T12:00:00Z (sometimes with fractions)."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# -- base credentials -------------------------------------------------------------------------

@dataclass(frozen=True)
class BaseChoice:
    """Base credentials plus a role a profile asks to assume with them (RamRoleArn modes)."""

    source: CredentialSource | None          # None: the instance role (resolved by the caller)
    role_arn: str | None = None
    session_name: str | None = None
    external_id: str | None = None
    instance_role: str | None = None


def base_credentials(profile: str | None, use_instance_role: bool) -> BaseChoice:
    env, home = os.environ, Path.home()
    if use_instance_role and profile is None:
        return BaseChoice(source=None)
    cli_path = home / ".aliyun" / "config.json"
    ini_path = Path(env.get("ALIBABA_CLOUD_CREDENTIALS_FILE") or home / ".alibabacloud" / "credentials.ini")
    if profile is not None:
        cli = _cli_profiles(cli_path)
        if profile in cli:
            return _from_cli(cli, profile, f"aliyun CLI profile '{profile}' ({cli_path})")
        sections = _ini_sections(ini_path)
        if profile in sections:
            return _from_ini(sections[profile], f"credentials file section [{profile}] ({ini_path})")
        raise CredentialsError(f"profile '{profile}' is neither in {cli_path} nor in {ini_path}")
    from_env = _from_environment(env)
    if from_env is not None:
        return BaseChoice(from_env)
    cli = _cli_profiles(cli_path)
    current = env.get("ALIBABA_CLOUD_PROFILE") or _cli_current(cli_path)
    if current and current in cli:
        return _from_cli(cli, current, f"aliyun CLI profile '{current}' ({cli_path})")
    sections = _ini_sections(ini_path)
    if "default" in sections:
        return _from_ini(sections["default"], f"credentials file section [default] ({ini_path})")
    raise CredentialsError(
        "no Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, "
        f"configure the aliyun CLI ({cli_path}) or {ini_path}, or scan aliyun:PROFILE")


def _from_environment(env: Mapping[str, str]) -> StaticSource | None:
    for prefix in ("ALIBABA_CLOUD_", "ALIYUN_"):
        key_id, secret = env.get(f"{prefix}ACCESS_KEY_ID"), env.get(f"{prefix}ACCESS_KEY_SECRET")
        if key_id and secret:
            token = env.get(f"{prefix}SECURITY_TOKEN") or None
            return StaticSource(Credentials(key_id, secret, token),
                                f"environment variables {prefix}ACCESS_KEY_*")
    return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CredentialsError(f"{path}: cannot be read as JSON ({exc})") from None


def _cli_profiles(path: Path) -> dict[str, dict[str, Any]]:
    document = _read_json(path)
    profiles = document.get("profiles", []) if isinstance(document, dict) else []
    return {str(p.get("name")): p for p in profiles if isinstance(p, dict) and p.get("name")}


def _cli_current(path: Path) -> str | None:
    document = _read_json(path)
    current = document.get("current") if isinstance(document, dict) else None
    return str(current) if current else None


def _from_cli(profiles: dict[str, dict[str, Any]], name: str, where: str, depth: int = 0) -> BaseChoice:
    profile = profiles[name]
    mode = str(profile.get("mode") or "AK")
    if mode == "EcsRamRole":
        return BaseChoice(source=None, instance_role=str(profile.get("ram_role_name") or "") or None)
    if mode == "ChainableRamRoleArn":
        parent = str(profile.get("source_profile") or "")
        if parent not in profiles or depth > 5:
            raise CredentialsError(f"{where}: source_profile '{parent}' not found")
        chained = _from_cli(profiles, parent, where, depth + 1)
        if chained.role_arn:
            raise CredentialsError(f"{where}: chains through another role; assume one role per profile")
        return BaseChoice(chained.source, str(profile.get("ram_role_arn") or ""),
                          str(profile.get("ram_session_name") or "") or None,
                          str(profile.get("external_id") or "") or None, chained.instance_role)
    if mode not in ("AK", "StsToken", "RamRoleArn"):
        raise CredentialsError(f"{where}: credential mode {mode} is not supported (use AK, StsToken, "
                               "RamRoleArn, ChainableRamRoleArn or EcsRamRole)")
    key_id, secret = profile.get("access_key_id"), profile.get("access_key_secret")
    if not key_id or not secret:
        raise CredentialsError(f"{where}: mode {mode} needs access_key_id and access_key_secret")
    token = str(profile.get("sts_token") or "") or None if mode == "StsToken" else None
    source = StaticSource(Credentials(str(key_id), str(secret), token), where)
    if mode in ("AK", "StsToken"):
        return BaseChoice(source)
    return BaseChoice(source, str(profile.get("ram_role_arn") or ""),   # RamRoleArn
                      str(profile.get("ram_session_name") or "") or None,
                      str(profile.get("external_id") or "") or None)


def _ini_sections(path: Path) -> dict[str, Mapping[str, str]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        found = parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise CredentialsError(f"{path}: cannot be parsed ({exc})") from None
    if not found:
        return {}
    return {name: parser[name] for name in parser.sections()}


def _from_ini(section: Mapping[str, str], where: str) -> BaseChoice:
    kind = (section.get("type") or "access_key").strip()
    if kind == "ecs_ram_role":
        return BaseChoice(source=None, instance_role=(section.get("role_name") or "").strip() or None)
    if kind not in ("access_key", "sts", "ram_role_arn"):
        raise CredentialsError(f"{where}: credential type {kind} is not supported (use access_key, sts, "
                               "ram_role_arn or ecs_ram_role)")
    key_id, secret = section.get("access_key_id"), section.get("access_key_secret")
    if not key_id or not secret:
        raise CredentialsError(f"{where}: type {kind} needs access_key_id and access_key_secret")
    token = (section.get("security_token") or "").strip() or None if kind == "sts" else None
    source = StaticSource(Credentials(key_id.strip(), secret.strip(), token), where)
    if kind in ("access_key", "sts"):
        return BaseChoice(source)
    return BaseChoice(source, (section.get("role_arn") or "").strip(),      # ram_role_arn
                      (section.get("role_session_name") or "").strip() or None)
