"""collect(targets) -> Snapshot: every target concurrently, each failure kept to its own target."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from mlpscan._version import __version__
from mlpscan.content import Content
from mlpscan.providers.cloud.collect import CloudOptions, collect_clouds
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.providers.host.collector import HostCollection, HostOptions, collect_host, host_failure
from mlpscan.providers.host.commands import CommandSpec
from mlpscan.providers.host.facts import AREAS
from mlpscan.providers.host.spec import HostSpec
from mlpscan.shard import Partition
from mlpscan.snapshot import CollectionError, Resource, ShardDescriptor, ShardUnit, Snapshot, Target, Tool

DEFAULT_MAX_WORKERS = 10
# Always run on a host: whether /etc/shadow was readable tells whether the session ran as root,
# which decides what a refusal by another command means.
ALWAYS_RUN = frozenset({"shadow_meta"})


def collect(
    specs: Sequence[HostSpec],
    content: Content,
    options: HostOptions,
    *,
    clouds: Sequence[CloudSource] = (),
    cloud_options: CloudOptions | None = None,
    wanted: Callable[[str], bool] = lambda _: True,
    max_workers: int = DEFAULT_MAX_WORKERS,
    on_done: Callable[[Target], None] | None = None,
    partition: Partition | None = None,
) -> Snapshot:
    """Scan hosts with a bounded pool, then cloud accounts with theirs; returns the sealed snapshot.

    ``wanted`` says which resource types the selected checks read: collect asks for no more (on
    a host, only the commands those types are built from run). With a ``partition``, only this
    shard's units are collected and the snapshot says which (its `shard` descriptor).
    """
    started = _now()
    targets: list[Target] = []
    resources: list[Resource] = []
    errors: list[CollectionError] = []
    units: list[ShardUnit] = []
    if partition is not None:
        specs = [spec for spec in specs if partition.takes_host(spec)]
        units += [ShardUnit(source=spec.id, target=spec.id) for spec in specs]
    if specs:
        commands = host_commands(content.host_commands, wanted)
        run = {c.id for c in commands}
        left_out = {area.type for area in AREAS if not wanted(area.type)}
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(specs)))) as pool:
            futures = [pool.submit(_collect_one_host, spec, commands, options) for spec in specs]
            for future in futures:
                collection: HostCollection = future.result()
                if on_done is not None:
                    on_done(collection.target)
                targets.append(collection.target)
                resources.extend(collection.resources)
                # a command left out on purpose did not fail: its absence is not an error
                errors.extend(e for e in collection.errors if e.type not in left_out or e.operation in run)
    if clouds:
        found = collect_clouds(clouds, content.root, wanted, cloud_options or CloudOptions(), on_done=on_done,
                               manifests=content.manifests,
                               shares=partition.sources if partition is not None else None)
        targets.extend(found.targets)
        resources.extend(found.resources)
        errors.extend(found.errors)
        units.extend(found.units)
    shard = None
    if partition is not None:
        plan = partition.plan_digest(t for t in content.resource_types if wanted(t))
        shard = ShardDescriptor(index=partition.shard.index, count=partition.shard.count, plan=plan,
                                units=units)
    snapshot = Snapshot(schema_="mlpscan.snapshot/1", tool=Tool(version=__version__), started_at=started,
                        finished_at=_now(), targets=targets, resources=resources, errors=errors, shard=shard)
    return snapshot.sealed()


def _collect_one_host(spec: HostSpec, commands: list[CommandSpec], options: HostOptions) -> HostCollection:
    """One host, whatever happens: an exception nobody foresaw is an error for that host alone,
    and the others and the snapshot go on."""
    try:
        return collect_host(spec, commands, options)
    except Exception as exc:
        detail = str(exc).splitlines()[0][:300] if str(exc) else "no detail"
        return host_failure(spec, "CollectorFailed", f"collecting this host failed unexpectedly "
                            f"({type(exc).__name__}: {detail}); the other targets were collected")


def host_commands(commands: Sequence[CommandSpec], wanted: Callable[[str], bool]) -> list[CommandSpec]:
    """The declared commands that the wanted host resource types are built from."""
    needed = set(ALWAYS_RUN)
    for area in AREAS:
        if wanted(area.type):
            needed.update(area.needs, area.needs_any, area.uses)
    return [c for c in commands if c.id in needed]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
