"""providers/aliyun/services.yaml: which product, version, protocol and endpoint serve each call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlpscan.loading import read_document, validate

Protocol = Literal["rpc", "roa", "oss", "sls"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ActionOverride(_Strict):
    product: str | None = None
    version: str | None = None
    endpoint: str | None = None
    method: Literal["GET", "POST"] | None = None
    path: str | None = None
    each: str | None = None


class ServiceEntry(_Strict):
    protocol: Protocol
    product: str | None = None
    version: str | None = None
    endpoint: str
    endpoints: dict[str, str] = Field(default_factory=dict)
    global_endpoint: str | None = Field(default=None, alias="global")
    home_region: str | None = None
    actions: dict[str, ActionOverride] = Field(default_factory=dict)


class ServiceFile(_Strict):
    services: dict[str, ServiceEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Route:
    """Everything needed to send one action: resolved from the service entry and its override."""

    service: str
    action: str
    region: str | None
    protocol: Protocol
    product: str | None
    version: str | None
    host: str
    method: str
    path: str | None
    each: str | None


class ServiceTable:
    def __init__(self, entries: dict[str, ServiceEntry]) -> None:
        self.entries = entries

    def route(self, service: str, action: str, region: str | None) -> Route:
        entry = self.entries.get(service)
        if entry is None:
            raise KeyError(f"service {service!r} is not in providers/aliyun/services.yaml")
        override = entry.actions.get(action, ActionOverride())
        region = region or entry.home_region
        if override.endpoint is not None:
            host = override.endpoint
        elif region is None:
            host = entry.global_endpoint or entry.endpoint
        else:
            host = entry.endpoints.get(region, entry.endpoint)
        if "{region}" in host:
            if not region:
                raise KeyError(f"{service}:{action} needs a region (endpoint {host})")
            host = host.replace("{region}", region)
        return Route(service=service, action=action, region=region, protocol=entry.protocol,
                     product=override.product or entry.product, version=override.version or entry.version,
                     host=host, method=override.method or ("GET" if entry.protocol == "roa" else "POST"),
                     path=override.path, each=override.each)


def load_services(content_root: Path) -> ServiceTable:
    document = read_document(content_root / "providers" / "aliyun" / "services.yaml")
    return ServiceTable(validate(ServiceFile, document).services)
