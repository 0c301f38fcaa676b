"""Which ports a security group opens to the whole Internet.

Tencent matches ingress rules in PolicyIndex order and the first match decides, so a DROP from
0.0.0.0/0 closes what later rules would open. The hook adds to each group:

- public_ports: the TCP/UDP port numbers reachable from 0.0.0.0/0 or ::/0, so a check can ask
  whether they intersect the level's risky_ports; null when a rule open to everyone takes its
  ports from a parameter template, which is not resolved here (the check then says `error`);
- public_wide_ranges: ranges wider than WIDE_RANGE ports open to everyone (ALL included), listed
  rather than expanded: that many open ports is not a minimal rule whichever they are;
- public_ingress: the rules that open them, as evidence.
"""

from __future__ import annotations

from typing import Any

from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.derive import with_derived
from mlpscan.snapshot import Resource

WORLD = ("0.0.0.0/0", "::/0")
WIDE_RANGE = 64
PROTOCOLS = ("TCP", "UDP")
MAX_PORT = 65535


def security_group_exposure(context: HookContext) -> list[Resource]:
    found = []
    for group in context.resources:
        answer = group.data.get("DescribeSecurityGroupPolicies")
        if isinstance(answer, dict):
            fields = exposure((answer.get("SecurityGroupPolicySet") or {}).get("Ingress") or [])
        else:  # the call failed: the fields fail with it
            fields = dict.fromkeys(("public_ports", "public_wide_ranges", "public_ingress"))
        found.append(with_derived(group, ("DescribeSecurityGroupPolicies",), **fields))
    return found


def exposure(rules: list[dict[str, Any]]) -> dict[str, Any]:
    decided = {protocol: bytearray(MAX_PORT + 1) for protocol in PROTOCOLS}
    ports: set[int] = set()
    wide: list[str] = []
    opening: list[dict[str, Any]] = []
    unresolved = False
    for rule in sorted(rules, key=lambda r: r.get("PolicyIndex") or 0):
        source = next((c for c in (rule.get("CidrBlock"), rule.get("Ipv6CidrBlock")) if c in WORLD), None)
        protocol = str(rule.get("Protocol") or "").upper()
        if source is None or protocol not in (*PROTOCOLS, "ALL"):
            continue
        accept = str(rule.get("Action") or "").upper() == "ACCEPT"
        ranges = port_ranges(rule)
        if ranges is None:
            unresolved = unresolved or accept
            continue
        opened = []
        for proto in PROTOCOLS if protocol == "ALL" else (protocol,):
            for low, high in ranges:
                opened += [(proto, start, end) for start, end in _undecided(decided[proto], low, high)]
        if not accept or not opened:
            continue
        opening.append({"PolicyIndex": rule.get("PolicyIndex"), "Protocol": protocol,
                        "Port": rule.get("Port"), "Source": source,
                        "PolicyDescription": rule.get("PolicyDescription")})
        for proto, start, end in opened:
            if end - start + 1 > WIDE_RANGE:
                wide.append(f"{proto.lower()} {start}-{end}")
            else:
                ports.update(range(start, end + 1))
    return {"public_ports": None if unresolved else sorted(ports), "public_wide_ranges": wide,
            "public_ingress": opening}


def port_ranges(rule: dict[str, Any]) -> list[tuple[int, int]] | None:
    """'ALL', '22', '80,443', '8000-8080' as inclusive ranges; None for a port template."""
    text = str(rule.get("Port") or "").strip().upper()
    template = rule.get("ServiceTemplate") or {}
    if not text:
        return None if template.get("ServiceId") or template.get("ServiceGroupId") else [(1, MAX_PORT)]
    if text == "ALL":
        return [(1, MAX_PORT)]
    ranges = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        ranges.append((int(low), int(high or low)))
    return ranges


def _undecided(decided: bytearray, low: int, high: int) -> list[tuple[int, int]]:
    """The sub-ranges of [low, high] no earlier rule matched; marks all of [low, high] matched."""
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
