"""Deterministic sharding: the share of a collection plan that shard K of N collects.

A plan's work units are each host, each cloud source's account-wide resources (the `global`
resource types: IAM, RAM, CAM, the account itself) and each of the source's regions. Hosts and
cloud sources are known before anything is contacted: they are sorted by key and dealt round
robin, position p going to shard p mod N + 1. A source's regions follow its account-wide unit:
region j of its sorted region list goes to shard (p + 1 + j) mod N + 1. Declared regions are known
up front; otherwise every shard that might hold some asks the account for its region list when it
connects, and all of them deal the same list the same way. So the same plan and N always give the
same partition, and every unit lands in exactly one shard.

K and N come from `--shard K/N` (1-based, as Jest and Playwright count) or, with `--shard auto`,
from the environment a job engine sets: MLPSCAN_SHARD="K/N", a Kubernetes Indexed Job's
JOB_COMPLETION_INDEX (0-based) with JOB_COMPLETIONS, GitLab's CI_NODE_INDEX / CI_NODE_TOTAL,
CircleCI's and Buildkite's.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from mlpscan.errors import InputError
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.providers.host.spec import HostSpec

AUTO = "auto"
SHARD_VARIABLE = "MLPSCAN_SHARD"
# (index variable, count variable, the index's first value, the engine that sets them)
ENGINES: tuple[tuple[str, str, int, str], ...] = (
    ("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", 0, "a Kubernetes Indexed Job"),
    ("CI_NODE_INDEX", "CI_NODE_TOTAL", 1, "GitLab CI parallel:"),
    ("CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0, "CircleCI parallelism"),
    ("BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0, "Buildkite parallelism"),
)
MAX_SHARDS = 10_000
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    index: int   # K, 1 .. count
    count: int   # N

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    def takes(self, position: int) -> bool:
        """Whether the unit dealt at ``position`` (0-based, round robin) is this shard's."""
        return position % self.count == self.index - 1

    def holder(self, position: int) -> int:
        return position % self.count + 1


WHOLE = Shard(1, 1)


def parse_shard(text: str, origin: str = "--shard") -> Shard:
    found = _SHARD.match(text)
    if found is None:
        raise InputError(f"{origin}: {text!r} is not K/N (shard K of N, counting from 1), e.g. 2/8")
    return _checked(int(found[1]), int(found[2]), origin)


def _checked(index: int, count: int, origin: str) -> Shard:
    if not 1 <= count <= MAX_SHARDS:
        raise InputError(f"{origin}: the number of shards must be 1 to {MAX_SHARDS}, not {count}")
    if not 1 <= index <= count:
        raise InputError(f"{origin}: shard {index} of {count} does not exist (shards count from 1 to "
                         f"{count})")
    return Shard(index, count)


def shard_from_environment(environ: Mapping[str, str]) -> Shard:
    """`--shard auto`: the first engine whose variables are set."""
    if environ.get(SHARD_VARIABLE):
        return parse_shard(environ[SHARD_VARIABLE], SHARD_VARIABLE)
    for index_name, count_name, first, engine in ENGINES:
        if index_name not in environ:
            continue
        index, count = environ[index_name], environ.get(count_name)
        origin = f"--shard auto ({index_name}, {engine})"
        if count is None:
            raise InputError(f"{origin}: {index_name} is set but {count_name} is not; set it to the number "
                             "of shards (a Kubernetes Job: the same value as spec.completions)")
        if not (index.strip().isdigit() and count.strip().isdigit()):
            raise InputError(f"{origin}: {index_name}={index!r} and {count_name}={count!r} must be whole "
                             "numbers")
        return _checked(int(index) - first + 1, int(count), origin)
    names = ", ".join([SHARD_VARIABLE] + [f"{i}/{c}" for i, c, _, _ in ENGINES])
    raise InputError(f"--shard auto: none of {names} is set; give --shard K/N")


def requested_shard(value: str | None, environ: Mapping[str, str]) -> Shard | None:
    if value is None:
        return None
    return shard_from_environment(environ) if value.strip() == AUTO else parse_shard(value)


# -- the plan's units ---------------------------------------------------------------------------

def source_key(source: CloudSource) -> str:
    """How a cloud source is named in the plan: provider, profile and role, never a secret."""
    key = f"{source.provider}:{source.profile or 'default'}"
    return f"{key} role {source.role_arn}" if source.role_arn else key


SharedBy = Literal["account", "region"]
CallScope = Literal["global", "regional"]


@dataclass(frozen=True)
class SourceShare:
    """One cloud source's units and which of them this shard holds."""

    key: str
    position: int
    shard: Shard
    declared: tuple[str, ...]        # the source's regions, sorted; empty: asked of the account

    @property
    def owns_account(self) -> bool:
        """Whether this shard collects the account-wide resources (and records connection problems)."""
        return self.shard.takes(self.position)

    def dealt(self, regions: Iterable[str]) -> dict[str, int]:
        """Each region -> the shard (1-based) that collects it."""
        ordered = self.declared or tuple(sorted(set(regions)))
        return {region: self.shard.holder(self.position + 1 + j) for j, region in enumerate(ordered)}

    def regions_taken(self, regions: Iterable[str]) -> list[str]:
        listed = set(regions)
        return [r for r, holder in self.dealt(listed).items() if holder == self.shard.index and r in listed]

    def may_hold(self) -> bool:
        """Whether to connect at all: with declared regions the answer is known before connecting."""
        if not self.declared or self.owns_account:
            return True
        return self.shard.index in self.dealt(self.declared).values()

    def sharers(self, scope: SharedBy, region: str | None, regions: Iterable[str],
                callers: Collection[CallScope] = ("global", "regional")) -> int:
        """How many shards draw on one budget of this account. ``callers`` says which resource types
        make the calls it counts: account-wide ones (made by the shard holding the account-wide
        unit) and regional ones (by the shards holding the regions); unknown calls count as both.
        A per-region budget is drawn on by that region's shard only (and the account-wide unit's,
        whose global types may call regional endpoints)."""
        owner = self.shard.holder(self.position)
        dealt = self.dealt(regions)
        holders: set[int] = set()
        if "global" in callers or not callers:
            holders.add(owner)
        if "regional" in callers or not callers:
            if scope == "region" and region is not None and region in dealt:
                holders.add(dealt[region])
            else:
                holders.update(dealt.values())
        return max(1, len(holders))


@dataclass(frozen=True)
class Partition:
    """The plan's units dealt among N shards, seen from shard K."""

    shard: Shard
    hosts: tuple[str, ...]                          # host target ids taken by this shard
    sources: tuple[SourceShare, ...]                # one per cloud source, in the plan's order
    keys: tuple[str, ...] = field(repr=False)       # every unit known before collecting, sorted

    def takes_host(self, spec: HostSpec) -> bool:
        return spec.id in self.hosts

    def plan_digest(self, collected_types: Iterable[str]) -> str:
        """What every shard of one run agrees on: the units and what is collected of them."""
        document = {"units": list(self.keys), "collects": sorted(collected_types)}
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def partition(hosts: Sequence[HostSpec], clouds: Sequence[CloudSource], shard: Shard) -> Partition:
    """Deal the plan's hosts and cloud sources (and, through SourceShare, their regions)."""
    source_keys = _unique([source_key(c) for c in clouds])
    host_keys = [f"host {h.id}" for h in hosts]
    ordered = sorted([*host_keys, *(f"cloud {k}" for k in source_keys)])
    position = {key: n for n, key in enumerate(ordered)}
    taken = tuple(h.id for h, key in zip(hosts, host_keys, strict=True) if shard.takes(position[key]))
    shares = tuple(SourceShare(key=k, position=position[f"cloud {k}"], shard=shard,
                               declared=tuple(sorted(set(c.regions))))
                   for c, k in zip(clouds, source_keys, strict=True))
    declared = [f"cloud {s.key} region {r}" for s in shares for r in s.declared]
    return Partition(shard=shard, hosts=taken, sources=shares, keys=tuple(sorted([*ordered, *declared])))


def _unique(keys: list[str]) -> list[str]:
    """The same source given twice is two units (and two targets) in the plan: number the repeats."""
    seen: dict[str, int] = {}
    unique = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        unique.append(key if seen[key] == 1 else f"{key} #{seen[key]}")
    return unique
