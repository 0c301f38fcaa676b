"""collect(targets) -> Snapshot: every target concurrently, each failure kept to its own target."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from mlpscan._version import __version__
from mlpscan.content import Content
from mlpscan.providers.host.collector import HostCollection, HostOptions, collect_host
from mlpscan.providers.host.commands import load_commands
from mlpscan.snapshot import Snapshot, Tool
from mlpscan.targets import HostSpec

DEFAULT_MAX_WORKERS = 10


def collect(
    specs: Sequence[HostSpec],
    content: Content,
    options: HostOptions,
    *,
    max_workers: int = DEFAULT_MAX_WORKERS,
    on_done: Callable[[HostCollection], None] | None = None,
) -> Snapshot:
    """Scan ``specs`` with a bounded pool; returns the sealed snapshot, in the order given."""
    commands = load_commands(content.root)
    started = _now()
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(specs)))) as pool:
        futures = [pool.submit(collect_host, spec, commands, options) for spec in specs]
        collections = []
        for future in futures:
            collection = future.result()
            if on_done is not None:
                on_done(collection)
            collections.append(collection)
    snapshot = Snapshot(
        schema_="mlpscan.snapshot/1", tool=Tool(version=__version__), started_at=started,
        finished_at=_now(), targets=[c.target for c in collections],
        resources=[r for c in collections for r in c.resources],
        errors=[e for c in collections for e in c.errors])
    return snapshot.sealed()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
