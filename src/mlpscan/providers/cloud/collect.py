"""Collect cloud accounts: connect each source, then run every account on one bounded pool."""

from __future__ import annotations

import importlib
import logging
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Protocol

from mlpscan.errors import InputError
from mlpscan.providers.cloud.ratelimit import Budget, Limit, PacedApi, Scope, limits_for
from mlpscan.providers.cloud.runner import MAX_MESSAGE, AccountRun, TaskGroup, collect_accounts
from mlpscan.providers.cloud.secrets import Secrets
from mlpscan.providers.cloud.source import CloudSource, Connected, ConnectError
from mlpscan.providers.cloud.spec import ResourceFile, ResourceSpec, load_resource_file
from mlpscan.providers.cloud.tags import TagValues
from mlpscan.shard import WHOLE, CallScope, SourceShare, source_key
from mlpscan.snapshot import CollectionError, Resource, ShardUnit, Target

log = logging.getLogger(__name__)

DEFAULT_API_WORKERS = 16
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_CALL_DEADLINE = 180.0
# Threads per API call in flight: calls waiting for a request budget's token wait beside the
# --api-workers calls in flight (ratelimit.PacedApi), not in their place.
WAITING_THREADS = 8
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
    # mlpscan.yaml's rate_limits: per provider, per service ('*': the others); over the defaults
    rate_limits: Mapping[str, Mapping[str, Limit]] = field(default_factory=dict)

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
    units: list[ShardUnit] = field(default_factory=list)    # what was collected, unit by unit


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
    shares: Sequence[SourceShare] | None = None,
) -> CloudCollection:
    """Every source's account, each failure kept to its own account, region or call.

    ``manifests`` are the resource manifests already loaded and validated with the content
    (`Content.manifests`); without them each provider's file is read from ``content_root``.
    ``shares`` (one per source) say which of each source's units this shard collects (sharding:
    the account-wide resources and connection problems only where the account unit is dealt,
    regional resources only in the regions dealt here); without them, everything.
    """
    if shares is None:
        shares = [SourceShare(key=source_key(s), position=0, shard=WHOLE, declared=()) for s in sources]
    picked = [(source, share) for source, share in zip(sources, shares, strict=True) if share.may_hold()]
    modules = {source.provider: provider_module(source.provider) for source, _ in picked}
    options = replace(options, content_root=content_root)
    files = {provider: manifests[provider] if manifests is not None and provider in manifests
             else load_resource_file(content_root, provider) for provider in modules}
    specs: dict[str, list[ResourceSpec]] = {
        provider: [s for s in files[provider].resources if wanted(s.type)] for provider in modules}
    result = CloudCollection()
    secrets = [Secrets() for _ in picked]
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(picked)))) as pool:
        outcomes = list(pool.map(lambda pair: _connect(modules[pair[0][0].provider], pair[0][0],
                                                       _options_for(options, pair[0][1]), pair[1]),
                                 zip(picked, secrets, strict=True)))
    runs: list[tuple[Connected, AccountRun, SourceShare]] = []
    budgets: list[Budget] = []
    in_flight = threading.Semaphore(options.api_workers)
    with TaskGroup(options.api_workers * WAITING_THREADS) as group:
        for (source, share), outcome in zip(picked, outcomes, strict=True):
            if isinstance(outcome, CollectionError):
                _record_unreached(result, source, share, outcome)
                if on_done is not None:
                    on_done(result.targets[-1])
                continue
            regions = share.regions_taken(outcome.account.regions)
            if not share.owns_account and not regions:
                continue   # the account's regions were all dealt to other shards
            budget = _budget(options, source, share, outcome.account.regions, specs[source.provider])
            outcome.account.api = PacedApi(outcome.account.api, budget, in_flight)
            budgets.append(budget)
            run = AccountRun(outcome.account, specs[source.provider], outcome.hooks, group,
                             tag_values=options.tag_values, account_wide=share.owns_account, regions=regions)
            runs.append((outcome, run, share))
        collect_accounts([run for _, run, _ in runs], group)
    for connected, run, share in runs:
        resources, errors = run.finish()
        scrub = connected.account.secrets.scrub
        target = connected.target
        result.targets.append(target)
        result.resources.extend(resources)
        found = (*connected.errors, *errors) if share.owns_account else errors
        result.errors.extend(e.model_copy(update={"message": scrub(e.message)[:MAX_MESSAGE]}) for e in found)
        if share.owns_account:
            result.units.append(ShardUnit(source=share.key, target=target.id))
        result.units.extend(ShardUnit(source=share.key, region=r, target=target.id) for r in run.regions)
        if on_done is not None:
            on_done(target)
    waited = sum(b.waited for b in budgets)
    if waited:   # --debug says how much the request budgets slowed the collection
        log.debug("calls waited %.1f s in all for the accounts' request budgets (rate_limits)", waited)
    return result


def _options_for(options: CloudOptions, share: SourceShare) -> CloudOptions:
    """AWS's credential report is asked for only by the shard that reads IAM."""
    if share.owns_account:
        return options
    return replace(options, generate_credential_report=False)


def _budget(options: CloudOptions, source: CloudSource, share: SourceShare, regions: Sequence[str],
            specs: Sequence[ResourceSpec]) -> Budget:
    limits = limits_for(source.provider, options.rate_limits.get(source.provider, {}),
                        dict(source.rate_limits))
    callers = _callers(specs)

    def sharers(scope: Scope, region: str | None, service: str, action: str) -> int:
        made_by = callers.get(f"{service}:{action}" if action else service, set())
        return share.sharers(scope, region, regions, made_by)
    return Budget(limits, sharers)


def _callers(specs: Sequence[ResourceSpec]) -> dict[str, set[CallScope]]:
    """Each call (and service) the specs make -> whether account-wide or regional types make it.
    A hook's own calls are not declared here: they count as made by both."""
    found: dict[str, set[CallScope]] = {}
    for spec in specs:
        scope: CallScope = "global" if spec.scope == "global" else "regional"
        for call in (spec.listing, *spec.details):
            found.setdefault(call.call, set()).add(scope)
            found.setdefault(call.service, set()).add(scope)
    return found


def _record_unreached(result: CloudCollection, source: CloudSource, share: SourceShare,
                      error: CollectionError) -> None:
    """An account that could not be reached: the shard holding its account-wide unit says so once;
    a shard holding only some of its regions says so for each of them (or, when it could not learn
    which, for all it would have held: region '*'), so that no unit is ever silently missing."""
    target = _unreached_target(source, error)
    result.targets.append(target)
    if share.owns_account:
        result.errors.append(error)
        result.units.append(ShardUnit(source=share.key, target=target.id))
    if share.declared:
        held = [r for r, holder in share.dealt(share.declared).items() if holder == share.shard.index]
        result.errors.extend(error.model_copy(update={"region": r}) for r in held)
        result.units.extend(ShardUnit(source=share.key, region=r, target=target.id) for r in held)
    elif share.shard.count > 1:
        if not share.owns_account:
            result.errors.append(error)
        result.units.append(ShardUnit(source=share.key, region="*", target=target.id))


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
