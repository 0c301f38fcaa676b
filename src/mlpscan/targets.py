"""Target specifications as users write them: `local`, `ssh://[user@]host[:port]`, `aws[:PROFILE]`..."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from mlpscan.errors import InputError
from mlpscan.providers.cloud.source import CloudSource, parse_cloud_target


@dataclass(frozen=True)
class HostSpec:
    """One host to scan, and where it was declared (for SARIF locations)."""

    transport: Literal["local", "ssh"]
    host: str | None = None
    port: int | None = None
    user: str | None = None
    declared_in: str | None = None   # relative path of mlpscan.yaml or the inventory, if any
    name: str | None = None          # inventory name, when it differs from the address

    @property
    def id(self) -> str:
        if self.transport == "local":
            return "host:local"
        label = self.name or self.host
        return f"host:{label}" + (f":{self.port}" if self.port and self.port != 22 and not self.name else "")

    def __str__(self) -> str:
        if self.transport == "local":
            return "local"
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"ssh://{user}{self.host}{port}"


def parse_target(text: str, declared_in: str | None = None) -> HostSpec | CloudSource:
    """Parse one command-line target; raises InputError for anything else."""
    cloud = parse_cloud_target(text, declared_in)
    if cloud is not None:
        return cloud
    if text == "local":
        return HostSpec(transport="local", declared_in=declared_in)
    if text.startswith("ssh://"):
        parts = urlsplit(text)
        try:
            port = parts.port
        except ValueError:
            raise InputError(f"target {text!r}: the port is not a number") from None
        if not parts.hostname or parts.path not in ("", "/") or parts.password is not None:
            raise InputError(f"target {text!r}: expected ssh://[user@]host[:port] "
                             "(passwords go in MLPSCAN_SSH_PASSWORD or --ask-password, never in a target)")
        return HostSpec(transport="ssh", host=parts.hostname, port=port, user=parts.username,
                        declared_in=declared_in)
    raise InputError(f"unknown target {text!r}: use local, ssh://[user@]host[:port], aws[:PROFILE], "
                     "aliyun[:PROFILE] or tencent[:PROFILE]")
