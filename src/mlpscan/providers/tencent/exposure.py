"""Which ports a security group opens to the whole Internet.

Tencent matches ingress rules in PolicyIndex order and the first match decides, so a DROP from
0.0.0.0/0 closes what later rules would open (IPv4 and IPv6 each decided on their own, see
cloud/exposure.py). The hook adds to each group:

- public_ports: the TCP/UDP port numbers reachable from 0.0.0.0/0 or ::/0, so a check can ask
  whether they intersect the level's risky_ports; null when a rule open to everyone takes its
  ports from a parameter template, which is not resolved here (the check then says `error`);
- public_wide_ranges: ranges wider than WIDE_RANGE ports open to everyone (ALL included), listed
  rather than expanded: that many open ports is not a minimal rule whichever they are;
- public_ingress: the rules that open them, as evidence;
- WorldOpenRanges: every open range, [{Protocol, FromPort, ToPort}] as on the other clouds (null
  when unresolved).
"""

from __future__ import annotations

from typing import Any

from mlpscan.providers.cloud.exposure import PROTOCOLS, WORLD, FirstMatch, merged
from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.derive import with_derived
from mlpscan.snapshot import Resource

WIDE_RANGE = 64
MAX_PORT = 65535
FIELDS = ("public_ports", "public_wide_ranges", "public_ingress", "WorldOpenRanges")


def security_group_exposure(context: HookContext) -> list[Resource]:
    found = []
    for group in context.resources:
        answer = group.data.get("DescribeSecurityGroupPolicies")
        if isinstance(answer, dict):
            fields = exposure((answer.get("SecurityGroupPolicySet") or {}).get("Ingress") or [])
        else:  # the call failed: the fields fail with it
            fields = dict.fromkeys(FIELDS)
        found.append(with_derived(group, ("DescribeSecurityGroupPolicies",), **fields))
    return found


def exposure(rules: list[dict[str, Any]]) -> dict[str, Any]:
    decisions = FirstMatch()
    opened: list[tuple[str, int, int]] = []
    opening: list[dict[str, Any]] = []
    unresolved = False
    for rule in sorted(rules, key=lambda r: r.get("PolicyIndex") or 0):
        sources = [(WORLD[c], c) for c in (rule.get("CidrBlock"), rule.get("Ipv6CidrBlock")) if c in WORLD]
        protocol = str(rule.get("Protocol") or "").lower()
        if not sources or protocol not in (*PROTOCOLS, "all"):
            continue
        accept = str(rule.get("Action") or "").upper() == "ACCEPT"
        ranges = port_ranges(rule)
        if ranges is None:
            unresolved = unresolved or accept
            continue
        fresh = [(proto, start, end) for family, _ in sources
                 for proto in (PROTOCOLS if protocol == "all" else (protocol,))
                 for low, high in ranges for start, end in decisions.claim(family, proto, low, high)]
        if not accept or not fresh:
            continue
        opening.append({"PolicyIndex": rule.get("PolicyIndex"), "Protocol": rule.get("Protocol"),
                        "Port": rule.get("Port"), "Source": sources[0][1],
                        "PolicyDescription": rule.get("PolicyDescription")})
        opened += fresh
    ranges_open = merged(opened)
    ports = sorted({port for r in ranges_open if r["ToPort"] - r["FromPort"] < WIDE_RANGE
                    for port in range(r["FromPort"], r["ToPort"] + 1)})
    wide = [f"{r['Protocol']} {r['FromPort']}-{r['ToPort']}" for r in ranges_open
            if r["ToPort"] - r["FromPort"] >= WIDE_RANGE]
    return {"public_ports": None if unresolved else ports, "public_wide_ranges": wide,
            "public_ingress": opening, "WorldOpenRanges": None if unresolved else ranges_open}


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
