"""Merge sealed snapshots into one (`mlpscan merge`): the shards of a plan, or separate scans.

The merged snapshot lists every part's digest (`parts`), so an auditor holding the parts can check
the chain (`mlpscan verify MERGED PART...` merges them again and compares). A part is refused, with
one line naming its file, when its digest does not match its content, when it was collected by
another mlpscan version or for another plan, when a shard is missing or given twice, when two
parts hold the same unit, target or resource, or when an account's region is in no part.

Shards of one plan hold disjoint units of the same accounts: an account's target is in every
shard that collected some of it and must be the same in all of them. A shard that could not reach
an account records the failure under the source's name; when another shard did reach it, the
failure is moved onto the account, so that what that shard held is an `error` of the account.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from mlpscan._gc import gc_paused
from mlpscan.errors import InputError
from mlpscan.snapshot import CollectionError, PartRef, Snapshot, Target, canonical, read_snapshot

ANY_REGION = "*"


@dataclass(frozen=True)
class Part:
    path: Path
    snapshot: Snapshot

    @property
    def name(self) -> str:
        return str(self.path)

    @cached_property
    def resource_lines(self) -> list[bytes]:
        """Its resources' digest lines, computed once for its own digest and the merged one."""
        return [canonical(r) for r in self.snapshot.resources]


@gc_paused()
def read_parts(paths: Iterable[Path]) -> list[Part]:
    """Every part, read with the cyclic collector paused throughout (not only within each read): it
    would otherwise re-scan the parts already read at every allocation burst of the next."""
    return [Part(path, read_snapshot(path)) for path in paths]


@gc_paused()
def merge_snapshots(parts: Sequence[Part]) -> Snapshot:
    """One sealed snapshot of every part, checked as the module says; InputError otherwise."""
    if not parts:
        raise InputError("merge: give the snapshots to merge")
    for part in parts:
        _check_sealed(part)
    _check_versions(parts)
    sharded = [p for p in parts if p.snapshot.shard is not None]
    if sharded and len(sharded) != len(parts):
        whole = next(p for p in parts if p.snapshot.shard is None)
        raise InputError(f"{whole.name} is not a shard (collected without --shard) and {sharded[0].name} is: "
                         "merge the shards of one plan, or whole snapshots, not both")
    if sharded:
        parts = _check_shards(parts)
    remap = _unreached_sources(parts)
    targets = _merged_targets(parts, remap)
    _check_resources(parts)
    errors = [_moved(e, remap) for p in parts for e in p.snapshot.errors]
    resources = [r for p in parts for r in p.snapshot.resources]
    _check_references(parts, targets)
    first = parts[0].snapshot
    merged = Snapshot.model_construct(
        schema_="mlpscan.snapshot/1", tool=first.tool, digest=None,
        started_at=min(p.snapshot.started_at for p in parts),
        finished_at=max(p.snapshot.finished_at for p in parts),
        targets=targets, resources=resources, errors=errors,
        shard=None, parts=[_reference(p.snapshot) for p in parts])
    return merged.sealed([line for p in parts for line in p.resource_lines])


def _check_sealed(part: Part) -> None:
    snapshot = part.snapshot
    if snapshot.digest is None:
        raise InputError("the snapshot records no digest: only sealed snapshots (as collect writes them) can "
                         "be merged", path=part.path)
    computed = snapshot.compute_digest(part.resource_lines)
    if computed != snapshot.digest:
        raise InputError(f"the content does not match the recorded digest {snapshot.digest} (it was changed "
                         "after collection): refused", path=part.path)


def _check_versions(parts: Sequence[Part]) -> None:
    first = parts[0]
    for part in parts[1:]:
        if part.snapshot.tool.version != first.snapshot.tool.version:
            raise InputError(f"collected by mlpscan {part.snapshot.tool.version}, {first.name} by "
                             f"{first.snapshot.tool.version}: parts of one merge come from one version",
                             path=part.path)


def _check_shards(parts: Sequence[Part]) -> list[Part]:
    """Every shard of one plan, each once; returned in shard order."""
    first = parts[0]
    assert first.snapshot.shard is not None
    count, plan = first.snapshot.shard.count, first.snapshot.shard.plan
    by_index: dict[int, Part] = {}
    for part in parts:
        shard = part.snapshot.shard
        assert shard is not None
        if shard.count != count:
            raise InputError(f"shard {shard.label} of a plan in {shard.count} shards, {first.name} of one in "
                             f"{count}: the shards of one run are merged together", path=part.path)
        if shard.plan != plan:
            raise InputError(f"shard {shard.label} was collected for another plan ({shard.plan}) than "
                             f"{first.name} ({plan}): other targets or another check selection",
                             path=part.path)
        if shard.index in by_index:
            raise InputError(f"{by_index[shard.index].name} and {part.name} are both shard {shard.label}")
        by_index[shard.index] = part
    missing = [str(k) for k in range(1, count + 1) if k not in by_index]
    if missing:
        raise InputError(f"shard(s) {', '.join(missing)} of {count} missing: give every shard of the plan "
                         f"(run the missing ones again)")
    ordered = [by_index[k] for k in range(1, count + 1)]
    _check_units(ordered)
    return ordered


def _check_units(parts: Sequence[Part]) -> None:
    holder: dict[tuple[str, str | None], Part] = {}
    for part in parts:
        assert part.snapshot.shard is not None
        for unit in part.snapshot.shard.units:
            key = (unit.source, unit.region)
            if key in holder and unit.region != ANY_REGION:
                where = f" region {unit.region}" if unit.region else ""
                raise InputError(f"{holder[key].name} and {part.name} both hold {unit.source}{where}: "
                                 "overlapping units")
            holder[key] = part
    _check_regions_covered(parts, holder)


def _check_regions_covered(parts: Sequence[Part], holder: dict[tuple[str, str | None], Part]) -> None:
    """Every region of every account a shard reached is held by some shard (or by one that could not
    reach the account and says so)."""
    checked: set[tuple[str, str]] = set()
    for part in parts:
        assert part.snapshot.shard is not None
        reached = {t.id: t for t in part.snapshot.targets if t.account is not None and t.provider != "host"}
        for unit in part.snapshot.shard.units:
            account = reached.get(unit.target or "")
            if account is None or (unit.source, account.id) in checked or (unit.source, ANY_REGION) in holder:
                continue
            checked.add((unit.source, account.id))
            for region in account.regions:
                if (unit.source, region) not in holder:
                    raise InputError(f"region {region} of {account.id} ({unit.source}) is in no part: the "
                                     "shards did not all see the region list the account gave this one; run "
                                     "them again", path=part.path)


def _unreached_sources(parts: Sequence[Part]) -> dict[str, str]:
    """Targets of a source some shard could not reach (they name no account) that another shard
    reached as one account: unreached id -> account target id."""
    reached: dict[str, set[str]] = {}
    unreached: dict[str, set[str]] = {}
    for part in parts:
        if part.snapshot.shard is None:
            continue
        targets = {t.id: t for t in part.snapshot.targets}
        for unit in part.snapshot.shard.units:
            target = targets.get(unit.target or "")
            if target is None or target.provider == "host":
                continue
            found = reached if target.account is not None else unreached
            found.setdefault(unit.source, set()).add(target.id)
    return {gone: next(iter(reached[source])) for source, ids in unreached.items()
            if len(reached.get(source, set())) == 1 for gone in ids}


def _moved(error: CollectionError, remap: dict[str, str]) -> CollectionError:
    if error.target not in remap:
        return error
    return error.model_copy(update={"target": remap[error.target]})


def _merged_targets(parts: Sequence[Part], remap: dict[str, str]) -> list[Target]:
    merged: dict[str, tuple[Target, Part]] = {}
    for part in parts:
        for target in part.snapshot.targets:
            if target.id in remap:
                continue
            seen = merged.get(target.id)
            if seen is None:
                merged[target.id] = (target, part)
            elif part.snapshot.shard is None:
                raise InputError(f"{seen[1].name} and {part.name} both hold target {target.id}: overlapping "
                                 "snapshots (merge each target once)")
            elif seen[0] != target:
                raise InputError(f"{seen[1].name} and {part.name} disagree on target {target.id} "
                                 f"({_difference(seen[0], target)}): the shards saw different accounts; run "
                                 "them again")
    return [target for target, _ in merged.values()]


def _check_references(parts: Sequence[Part], targets: list[Target]) -> None:
    """What Snapshot validation says of a whole file, said of the merge without validating 100,000s of
    resources again (each part was validated when read). Errors of a source a part did not reach
    move to the account another shard reached it as; resources of such a target cannot."""
    known = {t.id for t in targets}
    for part in parts:
        stray = next((r.target for r in part.snapshot.resources if r.target not in known), None)
        if stray is not None:
            raise InputError(f"holds resources of target {stray}, which it records as not reached (another "
                             "shard reached it as an account): the part is inconsistent", path=part.path)


def _difference(one: Target, other: Target) -> str:
    a, b = one.model_dump(), other.model_dump()
    return ", ".join(f"{key} {a[key]!r} against {b[key]!r}" for key in a if a[key] != b[key])


def _check_resources(parts: Sequence[Part]) -> None:
    seen: dict[tuple[str, str, str, str | None], Part] = {}
    for part in parts:
        for resource in part.snapshot.resources:
            key = (resource.target, resource.type, resource.uid, resource.region)
            if key in seen and seen[key] is not part:
                raise InputError(f"{seen[key].name} and {part.name} both hold {resource.type} {resource.uid} "
                                 f"of {resource.target}: overlapping parts")
            seen[key] = part


def _reference(snapshot: Snapshot) -> PartRef:
    assert snapshot.digest is not None
    return PartRef(digest=snapshot.digest, shard=snapshot.shard.label if snapshot.shard else None,
                   started_at=snapshot.started_at, finished_at=snapshot.finished_at,
                   targets=len(snapshot.targets), resources=len(snapshot.resources),
                   errors=len(snapshot.errors))


def chain_problems(merged: Snapshot, parts: Iterable[Part]) -> list[str]:
    """What stops ``parts`` from being the chain of ``merged`` (empty: they are)."""
    given = list(parts)
    if not merged.parts:
        return ["the snapshot lists no parts: it was not merged"]
    listed = {p.digest for p in merged.parts}
    problems = [f"{p.name}: digest {p.snapshot.digest} is not among the parts listed"
                for p in given if p.snapshot.digest not in listed]
    present = {p.snapshot.digest for p in given}
    problems += [f"part {p.digest}{f' (shard {p.shard})' if p.shard else ''} was not given"
                 for p in merged.parts if p.digest not in present]
    if problems:
        return problems
    order = {p.digest: n for n, p in enumerate(merged.parts)}
    again = merge_snapshots(sorted(given, key=lambda p: order[p.snapshot.digest or ""]))
    if again.digest != merged.digest:
        return [f"merging the parts again gives {again.digest}, not {merged.digest}: the merged content "
                "differs from its parts"]
    return []
