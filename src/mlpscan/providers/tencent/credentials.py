"""Where the keys come from: environment, credential file profiles, the CVM role, an assumed role.

Never the SDK's default chain: it probes the CVM metadata host whenever the environment and
the files are empty. The CVM role is used only when the source asks for it, and assumed-role
keys are refreshed before they expire, so a long scan keeps signing with valid keys.
"""

from __future__ import annotations

import configparser
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests

from mlpscan.providers.cloud.source import CloudSource, ConnectError

ENV_ID = "TENCENTCLOUD_SECRET_ID"
ENV_KEY = "TENCENTCLOUD_SECRET_KEY"
ENV_TOKEN = "TENCENTCLOUD_SESSION_TOKEN"
CREDENTIALS_FILE = Path("~/.tencentcloud/credentials")
METADATA_URL = "http://metadata.tencentyun.com/latest/meta-data/"
REFRESH_MARGIN = 600.0  # seconds before expiry at which temporary keys are renewed


@dataclass(frozen=True)
class Keys:
    secret_id: str
    secret_key: str
    token: str | None = None
    expires_at: float | None = None   # unix time; None for long-term keys

    def __repr__(self) -> str:  # never print the secret or the token
        return f"Keys(secret_id={self.secret_id!r}, temporary={self.token is not None})"


class KeySource(Protocol):
    """Current keys; temporary ones are renewed before they expire."""

    def keys(self) -> Keys: ...


class StaticKeys:
    def __init__(self, keys: Keys) -> None:
        self._keys = keys

    def keys(self) -> Keys:
        return self._keys


class RenewingKeys:
    """Temporary keys from ``fetch``, fetched again within ``margin`` seconds of their expiry."""

    def __init__(self, fetch: Callable[[], Keys], margin: float = REFRESH_MARGIN,
                 clock: Callable[[], float] = time.time) -> None:
        self._fetch = fetch
        self._margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._current: Keys | None = None

    def keys(self) -> Keys:
        with self._lock:
            current = self._current
            if current is None or (current.expires_at is not None
                                   and current.expires_at - self._clock() <= self._margin):
                current = self._current = self._fetch()
            return current


class SdkCredential:
    """The object the Tencent SDK signs with: it asks for the current keys on every request."""

    def __init__(self, source: KeySource) -> None:
        self._source = source

    def get_credential_info(self) -> tuple[str, str, str | None]:
        keys = self._source.keys()
        return keys.secret_id, keys.secret_key, keys.token


def base_keys(source: CloudSource, metadata_url: str = METADATA_URL, timeout: float = 5.0) -> KeySource:
    """The keys the source names: its profile, else the environment, else the default profile."""
    env = os.environ
    if source.use_instance_role:
        return RenewingKeys(lambda: instance_role_keys(metadata_url, timeout))
    if source.profile is not None:
        return StaticKeys(profile_keys(source.profile))
    if env.get(ENV_ID) and env.get(ENV_KEY):
        return StaticKeys(Keys(env[ENV_ID], env[ENV_KEY], env.get(ENV_TOKEN) or None))
    try:
        return StaticKeys(profile_keys("default"))
    except ConnectError as exc:
        if exc.code != "NoCredentials":  # a file that exists but cannot be read says so itself
            raise
        raise ConnectError("credentials", "NoCredentials",
                           f"no Tencent Cloud keys: set {ENV_ID} and {ENV_KEY}, add a [default] profile to "
                           f"{CREDENTIALS_FILE}, name a profile (tencent:PROFILE), or ask for the CVM role "
                           "(instance_role: true)") from None


def profile_keys(profile: str) -> Keys:
    """A section of ~/.tencentcloud/credentials (ini: secret_id, secret_key, optional token)."""
    path = CREDENTIALS_FILE.expanduser()
    parser = configparser.ConfigParser(interpolation=None)
    try:
        found = parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise ConnectError("credentials", "InvalidCredentialsFile",
                           f"{path}: {exc.message.splitlines()[0]}") from None
    if not found:
        raise ConnectError("credentials", "NoCredentials", f"profile {profile!r}: {path} does not exist")
    if not parser.has_section(profile):
        known = ", ".join(parser.sections()) or "none"
        raise ConnectError("credentials", "NoCredentials",
                           f"profile {profile!r} is not in {path} (profiles: {known})")
    section = parser[profile]
    secret_id, secret_key = section.get("secret_id", "").strip(), section.get("secret_key", "").strip()
    if not secret_id or not secret_key:
        raise ConnectError("credentials", "NoCredentials",
                           f"profile {profile!r} in {path} needs secret_id and secret_key")
    return Keys(secret_id, secret_key, section.get("token", "").strip() or None)


def instance_role_keys(metadata_url: str, timeout: float) -> Keys:
    """Temporary keys of the CVM's role from the instance metadata service (plain http, link-local)."""
    base = metadata_url.rstrip("/") + "/cam/security-credentials/"
    try:
        role = requests.get(base, timeout=timeout)
        role.raise_for_status()
        name = role.text.strip().splitlines()[0] if role.text.strip() else ""
        if not name:
            raise ConnectError("credentials", "NoInstanceRole", "the CVM has no CAM role bound")
        answer = requests.get(base + name, timeout=timeout)
        answer.raise_for_status()
        data = answer.json()
    except requests.RequestException as exc:
        raise ConnectError("credentials", "MetadataUnavailable",
                           f"CVM role requested but the instance metadata service did not answer: "
                           f"{type(exc).__name__}") from None
    except ValueError:
        raise ConnectError("credentials", "MetadataUnavailable",
                           "the instance metadata service answered with something other than JSON") from None
    if data.get("Code") != "Success" or not data.get("TmpSecretId"):
        raise ConnectError("credentials", "NoInstanceRole",
                           f"the instance metadata service refused the role keys (Code {data.get('Code')!r})")
    return Keys(data["TmpSecretId"], data["TmpSecretKey"], data.get("Token"), float(data["ExpiredTime"]))
