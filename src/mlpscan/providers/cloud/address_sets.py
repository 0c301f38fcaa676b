"""Rule sources that name a set of addresses instead of one block: Tencent Cloud's IP address
templates and template groups, AWS's managed prefix lists, Alibaba Cloud's prefix lists.

A security-group rule whose source is such a set lets the whole Internet in, in a family, when
the set's entries together cover every address of that family: 0.0.0.0/0 or ::/0, or pieces such
as 0.0.0.0/1 and 128.0.0.0/1. The sets are collected as resources of their own type (declared in
providers/<cloud>/resources.yaml and named in the security-group type's `uses`); a set that could
not be read - its listing failed in the region, its entries were not read, its id is not among
those listed, its type was not collected - leaves the rule's source unknown (Unresolved).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import (
    IPv4Network,
    IPv6Network,
    collapse_addresses,
    ip_address,
    ip_network,
    summarize_address_range,
)

from mlpscan.providers.cloud.runner import HookContext
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource

Network = IPv4Network | IPv6Network
FAMILIES = {4: "ipv4", 6: "ipv6"}
EVERYTHING = {4: ip_network("0.0.0.0/0"), 6: ip_network("::/0")}


class Unresolved(Exception):
    """A source or port set that could not be read; the message says which and why."""


def world_families(entries: Iterable[str]) -> frozenset[str]:
    """The families whose every address the entries cover together. An entry is an address, a
    CIDR block or a range 'first-last'; one that cannot be read raises Unresolved."""
    networks: dict[int, list[Network]] = {4: [], 6: []}
    for entry in entries:
        for network in _networks(entry):
            networks[network.version].append(network)
    return frozenset(FAMILIES[version] for version, found in networks.items()
                     if found and list(collapse_addresses(found)) == [EVERYTHING[version]])  # type: ignore[type-var]


def _networks(entry: str) -> list[Network]:
    text = str(entry).strip()
    try:
        if "-" in text:
            first, _, last = text.partition("-")
            return list(summarize_address_range(ip_address(first.strip()), ip_address(last.strip())))
        return [ip_network(text, strict=False)]
    except (ValueError, TypeError):
        raise Unresolved(f"unreadable address entry {text!r}") from None


@dataclass
class NamedSets:
    """The sets of one resource type collected for an account, found by region and id."""

    kind: str                                                   # "prefix list", for messages
    collected: bool
    by_id: dict[tuple[str | None, str], Resource] = field(default_factory=dict)
    failed_listings: dict[str | None, str] = field(default_factory=dict)

    @property
    def kinds(self) -> str:
        """The plural, for messages: "prefix lists", "vSwitches"."""
        return self.kind + ("es" if self.kind.endswith(("ch", "sh", "s", "x")) else "s")

    @classmethod
    def of(cls, context: HookContext, resource_type: str, id_field: str, kind: str) -> NamedSets:
        """The sets of `resource_type` the hook's context holds, and where listing them failed."""
        found = context.related.get(resource_type)
        sets = cls(kind=kind, collected=found is not None)
        for resource in found or []:
            sets.by_id[(resource.region, str(resource.data.get(id_field)))] = resource
        for error in context.errors:
            if error.type == resource_type:
                reason = f"{error.operation} {error.code}: {error.message}"
                sets.failed_listings.setdefault(error.region, reason)
        return sets

    def get(self, region: str | None, set_id: str) -> Resource:
        """The set, read completely; Unresolved saying why not."""
        if not self.collected:
            raise Unresolved(f"{self.kind} {set_id}: {self.kinds} were not collected")
        found = self.by_id.get((region, set_id))
        where = region or "the account"
        if found is None:
            failed = self.failed_listings.get(region)
            if failed is not None:
                raise Unresolved(f"{self.kind} {set_id}: listing failed in {where} ({failed})")
            raise Unresolved(f"{self.kind} {set_id}: not among the {self.kinds} listed in {where}")
        problems = found.data.get(FAILED_CALLS_KEY)
        if problems:
            raise Unresolved(f"{self.kind} {set_id}: " + "; ".join(str(v) for v in problems.values()))
        return found
