"""A host to scan, as a target or an inventory declares it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
