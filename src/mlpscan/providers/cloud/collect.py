"""Collect cloud accounts: connect each source, then run every account on one bounded pool."""

from __future__ import annotations

import importlib
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Protocol

from mlpscan.errors import InputError
from mlpscan.providers.cloud.runner import MAX_MESSAGE, AccountRun, TaskGroup, collect_accounts
from mlpscan.providers.cloud.secrets import Secrets
from mlpscan.providers.cloud.source import CloudSource, Connected, ConnectError
from mlpscan.providers.cloud.spec import ResourceFile, ResourceSpec, load_resource_file
from mlpscan.providers.cloud.tags import TagValues
from mlpscan.snapshot import CollectionError, Resource, Target

log = logging.getLogger(__name__)

DEFAULT_API_WORKERS = 16
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_CALL_DEADLINE = 180.0
EXTRAS = {"aws": "aws", "aliyun": "aliyun", "tencent": "tencent"}


class ProviderModule(Protocol):
    """What mlpscan.providers.<name> offers: connect one source to one authenticated account,
    registering every credential it signs with in `secrets`."""

    def connect(self, source: CloudSource, options: CloudOptions, secrets: Secrets | None = None
                ) -> Connected: ...


@dataclass(frozen=True)
class CloudOptions:
    api_workers: int = DEFAULT_API_WORKERS
    max_attempts: int = 5            # per call, throttling and 5xx included
    connect_timeout: float = 10.0
    read_timeout: float = DEFAULT_READ_TIMEOUT   # per read; a source may set its own
    call_deadline: float = DEFAULT_CALL_DEADLINE  # per call, over all its attempts
    backoff_base: float = 0.5        # seconds; jittered, doubled per attempt
    backoff_cap: float = 20.0
    tag_values: TagValues = "mask-secrets"       # what the snapshot keeps of tag values (tags.py)
    generate_credential_report: bool = True     # AWS: ask IAM to refresh the credential report
    content_root: Path | None = None  # providers/<p>/services.yaml etc.; set by collect_clouds

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "call_deadline"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise InputError(f"the cloud {name.replace('_', ' ')} must be a positive number of seconds, "
                                 f"not {value}")

    def for_source(self, source: CloudSource) -> CloudOptions:
        """These options with the source's own read timeout, when it names one."""
        return self if source.read_timeout is None else replace(self, read_timeout=source.read_timeout)


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
    secrets = [Secrets() for _ in sources]
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(sources)))) as pool:
        outcomes = list(pool.map(lambda pair: _connect(modules[pair[0].provider], pair[0], options, pair[1]),
                                 zip(sources, secrets, strict=True)))
    runs: list[tuple[Connected, AccountRun]] = []
    with TaskGroup(options.api_workers) as group:
        for source, outcome in zip(sources, outcomes, strict=True):
            if isinstance(outcome, CollectionError):
                result.targets.append(_unreached_target(source, outcome))
                result.errors.append(outcome)
                if on_done is not None:
                    on_done(result.targets[-1])
                continue
            run = AccountRun(outcome.account, specs[source.provider], outcome.hooks, group,
                             tag_values=options.tag_values)
            runs.append((outcome, run))
        collect_accounts([run for _, run in runs], group)
    for connected, run in runs:
        resources, errors = run.finish()
        scrub = connected.account.secrets.scrub
        result.targets.append(connected.target)
        result.resources.extend(resources)
        result.errors.extend(e.model_copy(update={"message": scrub(e.message)[:MAX_MESSAGE]})
                             for e in (*connected.errors, *errors))
        if on_done is not None:
            on_done(connected.target)
    return result


def _connect(module: ModuleType, source: CloudSource, options: CloudOptions,
             secrets: Secrets) -> Connected | CollectionError:
    """The connected account, or one CollectionError saying why not, whatever went wrong."""
    try:
        connected: Connected = module.connect(source, options.for_source(source), secrets)
    except ConnectError as exc:
        return _unreached(source, exc.operation, exc.code, exc.message, secrets)
    except InputError:
        raise   # a bad endpoint or profile name: the command line or config is wrong, not the account
    except Exception as exc:  # a reset or a body that is not JSON while connecting, an SDK surprise
        log.debug("connecting %s failed", source.label, exc_info=True)
        return _unreached(source, "connect", type(exc).__name__, str(exc), secrets)
    connected.account.secrets = secrets
    return connected


def _unreached(source: CloudSource, operation: str, code: str, message: str,
               secrets: Secrets) -> CollectionError:
    return CollectionError(target=_unreached_id(source), type=f"{source.provider}.*", region=None,
                           operation=operation, code=code, message=secrets.scrub(message)[:MAX_MESSAGE])


def _unreached_id(source: CloudSource) -> str:
    if source.role_arn:
        return f"{source.provider}:{source.role_arn}"
    return f"{source.provider}:{source.profile or 'default'}"


def _unreached_target(source: CloudSource, error: CollectionError) -> Target:
    return Target(id=error.target, provider=source.provider, regions=list(source.regions))
