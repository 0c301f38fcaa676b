"""Collect cloud accounts: connect each source, then run every account on one bounded pool."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Protocol

from mlpscan.errors import InputError
from mlpscan.providers.cloud.runner import AccountRun, TaskGroup, collect_accounts
from mlpscan.providers.cloud.source import CloudSource, Connected, ConnectError
from mlpscan.providers.cloud.spec import ResourceFile, ResourceSpec, load_resource_file
from mlpscan.snapshot import CollectionError, Resource, Target

log = logging.getLogger(__name__)

DEFAULT_API_WORKERS = 16
EXTRAS = {"aws": "aws", "aliyun": "aliyun", "tencent": "tencent"}


class ProviderModule(Protocol):
    """What mlpscan.providers.<name> offers: connect one source to one authenticated account."""

    def connect(self, source: CloudSource, options: CloudOptions) -> Connected: ...


@dataclass(frozen=True)
class CloudOptions:
    api_workers: int = DEFAULT_API_WORKERS
    max_attempts: int = 5            # per call, throttling and 5xx included
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    backoff_base: float = 0.5        # seconds; jittered, doubled per attempt
    backoff_cap: float = 20.0
    content_root: Path | None = None  # providers/<p>/services.yaml etc.; set by collect_clouds


@dataclass
class CloudCollection:
    targets: list[Target] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)


def provider_module(provider: str) -> ModuleType:
    """Import the provider's adapter; a missing SDK is a usage error with the install command."""
    try:
        return importlib.import_module(f"mlpscan.providers.{provider}")
    except ImportError as exc:
        raise InputError(f"the {provider} provider needs its SDK ({exc.name or exc}): "
                         f"pip install 'mlpscan[{EXTRAS[provider]}]'") from None


def collect_clouds(
    sources: Sequence[CloudSource],
    content_root: Path,
    wanted: Callable[[str], bool],
    options: CloudOptions,
    on_done: Callable[[Target], None] | None = None,
    *,
    manifests: Mapping[str, ResourceFile] | None = None,
) -> CloudCollection:
    """Every source's account, each failure kept to its own account, region or call.

    ``manifests`` are the resource manifests already loaded and validated with the content
    (`Content.manifests`); without them each provider's file is read from ``content_root``.
    """
    modules = {source.provider: provider_module(source.provider) for source in sources}
    options = replace(options, content_root=content_root)
    files = {provider: manifests[provider] if manifests is not None and provider in manifests
             else load_resource_file(content_root, provider) for provider in modules}
    specs: dict[str, list[ResourceSpec]] = {
        provider: [s for s in files[provider].resources if wanted(s.type)] for provider in modules}
    result = CloudCollection()
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(sources)))) as pool:
        outcomes = list(pool.map(lambda s: _connect(modules[s.provider], s, options), sources))
    runs: list[tuple[Connected, AccountRun]] = []
    with TaskGroup(options.api_workers) as group:
        for source, outcome in zip(sources, outcomes, strict=True):
            if isinstance(outcome, CollectionError):
                result.targets.append(_unreached_target(source, outcome))
                result.errors.append(outcome)
                if on_done is not None:
                    on_done(result.targets[-1])
                continue
            runs.append((outcome, AccountRun(outcome.account, specs[source.provider], outcome.hooks, group)))
        collect_accounts([run for _, run in runs], group)
    for connected, run in runs:
        resources, errors = run.finish()
        result.targets.append(connected.target)
        result.resources.extend(resources)
        result.errors.extend(connected.errors + errors)
        if on_done is not None:
            on_done(connected.target)
    return result


def _connect(module: ModuleType, source: CloudSource, options: CloudOptions) -> Connected | CollectionError:
    try:
        connected: Connected = module.connect(source, options)
    except ConnectError as exc:
        return CollectionError(target=_unreached_id(source), type=f"{source.provider}.*", region=None,
                               operation=exc.operation, code=exc.code, message=exc.message[:500])
    return connected


def _unreached_id(source: CloudSource) -> str:
    if source.role_arn:
        return f"{source.provider}:{source.role_arn}"
    return f"{source.provider}:{source.profile or 'default'}"


def _unreached_target(source: CloudSource, error: CollectionError) -> Target:
    return Target(id=error.target, provider=source.provider, regions=list(source.regions))
