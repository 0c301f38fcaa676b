"""First-match port exposure, shared by the security-group hooks of clouds whose rules are ordered.

Alibaba Cloud (Priority, then Drop before Accept) and Tencent Cloud (PolicyIndex) apply the first
rule that matches a packet. Traffic from the whole Internet is matched by rules whose source is
0.0.0.0/0 (IPv4) or ::/0 (IPv6); each family is decided on its own, so a Drop for 0.0.0.0/0 does
not close what an Accept for ::/0 opens. A port is open to the world when the first world rule
matching it, in its family and protocol, accepts it.
"""

from __future__ import annotations

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
