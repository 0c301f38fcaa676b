"""Which ports a security group opens to the whole Internet.

Tencent matches ingress rules in PolicyIndex order and the first match decides, so a DROP from
0.0.0.0/0 closes what later rules would open (IPv4 and IPv6 each decided on their own, see
cloud/exposure.py). A rule's source is the world when it is 0.0.0.0/0 or ::/0, or an IP address
template (AddressTemplate.AddressId) or template group (AddressGroupId) whose addresses cover a
family; its ports come from Protocol and Port, or from a protocol port template (ServiceTemplate).
Templates are collected as resources of their own (providers/tencent/resources.yaml) and read from
there; one that could not be read leaves the rule unknown, and unless the rules decide the same
whatever it holds, the exposure is unresolved. The hook adds to each group:

- public_ports: the TCP/UDP port numbers reachable from the world, so a check can ask whether
  they intersect the level's risky_ports;
- public_wide_ranges: ranges wider than WIDE_RANGE ports open to everyone (ALL included), listed
  rather than expanded: that many open ports is not a minimal rule whichever they are;
- public_ingress: the rules that open them, as evidence;
- WorldOpenRanges: every open range, [{Protocol, FromPort, ToPort}] as on the other clouds;
- WorldOpenUnresolved: why the ports are not known, when they are not: public_ports and
  WorldOpenRanges are then null and the checks say `error`, unless a wide range is open whatever
  the unknown rules hold (public_wide_ranges and public_ingress keep what is open for sure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlpscan.providers.cloud.address_sets import NamedSets, Unresolved, world_families
from mlpscan.providers.cloud.exposure import MAX_PORT, PROTOCOLS, WORLD, Rule, first_match
from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.derive import with_derived
from mlpscan.snapshot import Resource

WIDE_RANGE = 64
FIELDS = ("public_ports", "public_wide_ranges", "public_ingress", "WorldOpenRanges", "WorldOpenUnresolved")
ADDRESS_TEMPLATE = "tencent.vpc.address_template"
ADDRESS_TEMPLATE_GROUP = "tencent.vpc.address_template_group"
SERVICE_TEMPLATE = "tencent.vpc.service_template"
SERVICE_TEMPLATE_GROUP = "tencent.vpc.service_template_group"
PORTLESS = ("icmp", "icmpv6", "gre")
Span = tuple[str, int, int]


@dataclass(frozen=True)
class Templates:
    """The parameter templates rules may name, as collected for the account."""

    addresses: NamedSets
    address_groups: NamedSets
    services: NamedSets
    service_groups: NamedSets

    @classmethod
    def of(cls, context: HookContext) -> Templates:
        return cls(NamedSets.of(context, ADDRESS_TEMPLATE, "AddressTemplateId", "IP address template"),
                   NamedSets.of(context, ADDRESS_TEMPLATE_GROUP, "AddressTemplateGroupId",
                                "IP address template group"),
                   NamedSets.of(context, SERVICE_TEMPLATE, "ServiceTemplateId", "protocol port template"),
                   NamedSets.of(context, SERVICE_TEMPLATE_GROUP, "ServiceTemplateGroupId",
                                "protocol port template group"))

    @classmethod
    def absent(cls) -> Templates:
        """No template collected: every rule naming one is unresolved."""
        return cls(*(NamedSets(kind=kind, collected=False) for kind in (
            "IP address template", "IP address template group", "protocol port template",
            "protocol port template group")))

    def addresses_of(self, region: str | None, named: dict[str, Any]) -> list[str]:
        """The addresses of an AddressTemplate {AddressId | AddressGroupId}."""
        group_id = str(named.get("AddressGroupId") or "")
        if group_id:
            members = _members(self.address_groups.get(region, group_id), "AddressTemplateIdSet", group_id)
            return [entry for member in members for entry in self._addresses(region, member)]
        return self._addresses(region, str(named.get("AddressId") or ""))

    def services_of(self, region: str | None, named: dict[str, Any]) -> list[str]:
        """The protocol ports ('tcp:22', 'udp:all', 'icmp') of a ServiceTemplate {ServiceId |
        ServiceGroupId}."""
        group_id = str(named.get("ServiceGroupId") or "")
        if group_id:
            members = _members(self.service_groups.get(region, group_id), "ServiceTemplateIdSet", group_id)
            return [entry for member in members for entry in self._services(region, member)]
        return self._services(region, str(named.get("ServiceId") or ""))

    def _addresses(self, region: str | None, template_id: str) -> list[str]:
        data = self.addresses.get(region, template_id).data
        return _entries(data, "AddressSet", "AddressExtraSet", "Address", template_id)

    def _services(self, region: str | None, template_id: str) -> list[str]:
        data = self.services.get(region, template_id).data
        return _entries(data, "ServiceSet", "ServiceExtraSet", "Service", template_id)


def _members(group: Resource, key: str, group_id: str) -> list[str]:
    members = group.data.get(key)
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise Unresolved(f"template group {group_id} answered without its {key}")
    return members


def _entries(data: dict[str, Any], plain: str, extra: str, field: str, template_id: str) -> list[str]:
    """A template's members: the plain list and the list with remarks, together (either may be used)."""
    listed, remarked = data.get(plain), data.get(extra)
    if not isinstance(listed, list) and not isinstance(remarked, list):
        raise Unresolved(f"template {template_id} answered without {plain} or {extra}")
    entries = [str(item) for item in listed or []]
    for item in remarked or []:
        if not isinstance(item, dict) or not isinstance(item.get(field), str):
            raise Unresolved(f"template {template_id}: an {extra} item without {field}")
        entries.append(item[field])
    return entries


def security_group_exposure(context: HookContext) -> list[Resource]:
    templates = Templates.of(context)
    found = []
    for group in context.resources:
        answer = group.data.get("DescribeSecurityGroupPolicies")
        if isinstance(answer, dict):
            ingress = (answer.get("SecurityGroupPolicySet") or {}).get("Ingress") or []
            fields = exposure(ingress, group.region, templates)
        else:  # the call failed: the fields fail with it
            fields = dict.fromkeys(FIELDS)
        found.append(with_derived(group, ("DescribeSecurityGroupPolicies",), **fields))
    return found


def exposure(rules: list[dict[str, Any]], region: str | None = None,
             templates: Templates | None = None) -> dict[str, Any]:
    templates = templates or Templates.absent()
    ordered = sorted(rules, key=lambda r: r.get("PolicyIndex") or 0)
    walked = [_as_walked(rule, region, templates) for rule in ordered]
    relevant = [(rule, walk) for rule, walk in zip(ordered, walked, strict=True) if walk is not None]
    result = first_match([walk for _, walk in relevant])
    ports = sorted({port for r in result.certain if r["ToPort"] - r["FromPort"] < WIDE_RANGE
                    for port in range(r["FromPort"], r["ToPort"] + 1)})
    wide = [f"{r['Protocol']} {r['FromPort']}-{r['ToPort']}" for r in result.certain
            if r["ToPort"] - r["FromPort"] >= WIDE_RANGE]
    opening = [_evidence(relevant[position][0]) for position in result.opening]
    # Unresolved: the ports are unknown, but a wide range open whatever the unknown rules hold stays
    return {"public_ports": ports if result.ranges is not None else None, "public_wide_ranges": wide,
            "public_ingress": opening, "WorldOpenRanges": result.ranges,
            "WorldOpenUnresolved": result.unresolved}


def _as_walked(rule: dict[str, Any], region: str | None, templates: Templates) -> Rule | None:
    """The rule for the first-match walk; None when it concerns no port of the whole Internet."""
    accept = str(rule.get("Action") or "").upper() == "ACCEPT"
    problems: list[str] = []
    try:
        families = source_families(rule, region, templates)
    except Unresolved as exc:
        families = frozenset(WORLD.values())
        problems.append(str(exc))
    if not families:
        return None
    try:
        spans = rule_spans(rule, region, templates)
    except Unresolved as exc:
        spans = tuple((protocol, 1, MAX_PORT) for protocol in PROTOCOLS)
        problems.append(str(exc))
    if not spans:
        return None   # ICMP, GRE: no ports
    unresolved = f"rule {rule.get('PolicyIndex')}: " + "; ".join(problems) if problems else None
    return Rule(accept=accept, families=families, spans=spans, unresolved=unresolved)


def source_families(rule: dict[str, Any], region: str | None, templates: Templates) -> frozenset[str]:
    """The families whose whole Internet the rule's source is (empty: a narrower source)."""
    families = set()
    if _tencent_reads(str(rule.get("CidrBlock") or "")) == "0.0.0.0/0":
        families.add("ipv4")
    if str(rule.get("Ipv6CidrBlock") or "").strip() == "::/0":
        families.add("ipv6")
    named = rule.get("AddressTemplate") or {}
    if isinstance(named, dict) and (named.get("AddressId") or named.get("AddressGroupId")):
        families |= world_families(_tencent_reads(entry) for entry in templates.addresses_of(region, named))
    return frozenset(families)


def _tencent_reads(cidr: str) -> str:
    """Tencent maps every 0.0.0.0/n to 0.0.0.0/0 (SecurityGroupPolicy.CidrBlock, API 2017-03-12);
    a template entry written that way is read the same, the worse of the two readings."""
    text = cidr.strip()
    return "0.0.0.0/0" if text.startswith("0.0.0.0/") else text


def rule_spans(rule: dict[str, Any], region: str | None, templates: Templates) -> tuple[Span, ...]:
    """(protocol, first, last) for TCP and UDP: from a protocol port template, or Protocol + Port."""
    named = rule.get("ServiceTemplate") or {}
    if isinstance(named, dict) and (named.get("ServiceId") or named.get("ServiceGroupId")):
        services = templates.services_of(region, named)
        return tuple(span for service in services for span in service_spans(service))
    protocol = str(rule.get("Protocol") or "").strip().lower()
    if protocol not in (*PROTOCOLS, "all"):
        return ()
    ranges = port_ranges(str(rule.get("Port") or ""))
    if ranges is None:
        raise Unresolved(f"unreadable Port {rule.get('Port')!r}")
    return tuple((proto, low, high) for proto in (PROTOCOLS if protocol == "all" else (protocol,))
                 for low, high in ranges)


def service_spans(service: str) -> tuple[Span, ...]:
    """One member of a protocol port template: 'tcp:22', 'tcp: 8080', 'tcp:80,443', 'udp:all',
    'tcp:3306-20000', 'icmp' (CreateServiceTemplate, API 2017-03-12)."""
    protocol, _, ports = service.partition(":")
    protocol = protocol.strip().lower()
    if protocol in PORTLESS:
        return ()
    ranges = port_ranges(ports)
    if protocol not in (*PROTOCOLS, "all") or ranges is None:
        raise Unresolved(f"unreadable protocol port {service!r}")
    return tuple((proto, low, high) for proto in (PROTOCOLS if protocol == "all" else (protocol,))
                 for low, high in ranges)


def port_ranges(text: str) -> list[tuple[int, int]] | None:
    """'ALL' (or nothing), '22', '80,443', '8000-8080' as inclusive ranges; None when unreadable."""
    text = text.strip().upper()
    if text in ("", "ALL"):
        return [(1, MAX_PORT)]
    ranges = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        ranges.append((int(low), int(high or low)))
    return ranges


def _evidence(rule: dict[str, Any]) -> dict[str, Any]:
    address = rule.get("AddressTemplate") or {}
    service = rule.get("ServiceTemplate") or {}
    source = (rule.get("CidrBlock") or rule.get("Ipv6CidrBlock") or address.get("AddressId")
              or address.get("AddressGroupId"))
    port = rule.get("Port") or service.get("ServiceId") or service.get("ServiceGroupId")
    return {"PolicyIndex": rule.get("PolicyIndex"), "Protocol": rule.get("Protocol"), "Port": port,
            "Source": source, "PolicyDescription": rule.get("PolicyDescription")}
