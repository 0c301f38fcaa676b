"""First-match port exposure, shared by the security-group hooks of clouds whose rules are ordered.

Alibaba Cloud (Priority, then Drop before Accept) and Tencent Cloud (PolicyIndex) apply the first
rule that matches a packet. Traffic from the whole Internet is matched by rules whose source is
0.0.0.0/0 (IPv4) or ::/0 (IPv6); each family is decided on its own, so a Drop for 0.0.0.0/0 does
not close what an Accept for ::/0 opens. A port is open to the world when the first world rule
matching it, in its family and protocol, accepts it. Sources that name a set of addresses (an
address template, a prefix list) are the world in the families their entries cover (address_sets.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WORLD = {"0.0.0.0/0": "ipv4", "::/0": "ipv6"}
PROTOCOLS = ("tcp", "udp")
MAX_PORT = 65535


class FirstMatch:
    """The ports of each (family, protocol) that an earlier rule has decided already."""

    def __init__(self) -> None:
        self._decided: dict[tuple[str, str], bytearray] = {}

    def claim(self, family: str, protocol: str, low: int, high: int) -> list[tuple[int, int]]:
        """The sub-ranges of [low, high] no earlier rule decided; all of [low, high] is decided now."""
        decided = self._decided.setdefault((family, protocol), bytearray(MAX_PORT + 1))
        low, high = max(low, 0), min(high, MAX_PORT)
        fresh: list[tuple[int, int]] = []
        position, end = low, high + 1
        while position < end:
            start = decided.find(0, position, end)
            if start < 0:
                break
            stop = decided.find(1, start, end)
            stop = end if stop < 0 else stop
            fresh.append((start, stop - 1))
            position = stop
        decided[low:end] = b"\x01" * (end - low)
        return fresh


def merged(opened: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Open ranges per protocol, overlapping and adjacent ones joined (both families together), in
    the shape every provider's hook records: [{"Protocol": "tcp", "FromPort": 22, "ToPort": 22}]."""
    result: list[dict[str, Any]] = []
    for protocol in PROTOCOLS:
        spans = sorted((low, high) for proto, low, high in opened if proto == protocol)
        joined: list[list[int]] = []
        for low, high in spans:
            if joined and low <= joined[-1][1] + 1:
                joined[-1][1] = max(joined[-1][1], high)
            else:
                joined.append([low, high])
        result += [{"Protocol": protocol, "FromPort": low, "ToPort": high} for low, high in joined]
    return result


@dataclass(frozen=True)
class Rule:
    """One ingress rule as the first-match walk sees it: what it does to traffic from anywhere."""

    accept: bool
    families: frozenset[str]                  # the families whose whole Internet its source is
    spans: tuple[tuple[str, int, int], ...]   # (tcp|udp, first port, last port)
    # Why its source or its ports are not known; families and spans are then the widest it may have.
    unresolved: str | None = None


@dataclass(frozen=True)
class Exposure:
    """What a group's rules open to the whole Internet: `ranges` (merged()) and the positions of
    the rules that open them; ranges None when rules whose source or ports are not known decide,
    `certain` then holding what is open whatever they hold (a wide range open for sure still fails)."""

    ranges: list[dict[str, Any]] | None
    certain: list[dict[str, Any]]
    opening: list[int]
    unresolved: list[str]


def first_match(rules: Sequence[Rule]) -> Exposure:
    """The ports the rules, applied in this order, open to the world, the first match deciding.

    A rule whose source or ports are not known (a template or list that could not be read) is
    taken both ways: the walk that opens the most (unknown Accepts matching as widely as they
    may, unknown Drops not at all) and the one that opens the least (the reverse). Any reading of
    the unknown rules lies between the two, so when they agree the unknown rules decide nothing;
    when they differ the exposure is unresolved and the checks say `error`, never `pass`.
    """
    most, opening = _walk(rules, widest_accepts=True)
    reasons = [rule.unresolved for rule in rules if rule.unresolved]
    if not reasons:
        return Exposure(merged(most), merged(most), opening, [])
    least, certain = _walk(rules, widest_accepts=False)
    if merged(least) != merged(most):
        return Exposure(None, merged(least), certain, reasons)
    return Exposure(merged(least), merged(least), certain, [])


def _walk(rules: Sequence[Rule], *, widest_accepts: bool) -> tuple[list[tuple[str, int, int]], list[int]]:
    decisions = FirstMatch()
    opened: list[tuple[str, int, int]] = []
    opening: list[int] = []
    for position, rule in enumerate(rules):
        if rule.unresolved is not None and rule.accept != widest_accepts:
            continue   # this reading takes the unknown rule as matching nothing
        fresh = [(protocol, start, end)
                 for family in sorted(rule.families) for protocol, low, high in rule.spans
                 for start, end in decisions.claim(family, protocol, low, high)]
        if rule.accept and fresh:
            opening.append(position)
            opened += fresh
    return opened, opening
