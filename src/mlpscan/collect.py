"""collect(targets) -> Snapshot: every target concurrently, each failure kept to its own target."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from mlpscan._version import __version__
from mlpscan.content import Content
from mlpscan.providers.cloud.collect import CloudOptions, collect_clouds
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.providers.host.collector import HostCollection, HostOptions, collect_host
from mlpscan.snapshot import CollectionError, Resource, Snapshot, Target, Tool
from mlpscan.targets import HostSpec

DEFAULT_MAX_WORKERS = 10


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
) -> Snapshot:
    """Scan hosts with a bounded pool, then cloud accounts with theirs; returns the sealed snapshot.

    ``wanted`` says which cloud resource types the selected checks read (collect asks for no more).
    """
    started = _now()
    targets: list[Target] = []
    resources: list[Resource] = []
    errors: list[CollectionError] = []
    if specs:
        commands = content.host_commands
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(specs)))) as pool:
            futures = [pool.submit(collect_host, spec, commands, options) for spec in specs]
            for future in futures:
                collection: HostCollection = future.result()
                if on_done is not None:
                    on_done(collection.target)
                targets.append(collection.target)
                resources.extend(collection.resources)
                errors.extend(collection.errors)
    if clouds:
        found = collect_clouds(clouds, content.root, wanted, cloud_options or CloudOptions(), on_done=on_done,
                               manifests=content.manifests)
        targets.extend(found.targets)
        resources.extend(found.resources)
        errors.extend(found.errors)
    snapshot = Snapshot(schema_="mlpscan.snapshot/1", tool=Tool(version=__version__), started_at=started,
                        finished_at=_now(), targets=targets, resources=resources, errors=errors)
    return snapshot.sealed()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
