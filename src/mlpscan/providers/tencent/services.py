"""The table of Tencent Cloud services mlpscan calls (providers/tencent/services.yaml)."""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlpscan.content import default_content_root
from mlpscan.loading import read_document, validate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Service(_Strict):
    version: str
    region: Literal["none", "home", "call"] = Field(
        description="none: no region header; home: the home region; call: the listing region")
    string_params: dict[str, list[str]] = Field(default_factory=dict)
    skip_when_empty: dict[str, str] = Field(default_factory=dict)


class CosTable(_Strict):
    service_domain: str
    actions: dict[str, str] = Field(description="CAM action -> cos-python-sdk-v5 method")


class ServiceTable(_Strict):
    provider: Literal["tencent"]
    domain: str
    home_region: str
    not_offered: list[str] = Field(default_factory=list)
    regional_domains: list[str] = Field(default_factory=list)
    services: dict[str, Service]
    cos: CosTable

    def host(self, service: str, region: str | None) -> str:
        """The production domain: the finance zones' own, else the nearest-access one."""
        if region and any(fnmatchcase(region, pattern) for pattern in self.regional_domains):
            return f"{service}.{region}.{self.domain}"
        return f"{service}.{self.domain}"

    def region_header(self, service: Service, region: str | None) -> str:
        """What X-TC-Region carries ("" leaves the header out)."""
        if service.region == "none":
            return ""
        if service.region == "home":
            return self.home_region
        return region or self.home_region


@cache
def load_services(root: Path | None = None) -> ServiceTable:
    base = root if root is not None else default_content_root()
    return validate(ServiceTable, read_document(base / "providers" / "tencent" / "services.yaml"))
