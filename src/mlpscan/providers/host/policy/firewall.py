"""Whether the host firewall lets a new connection from anywhere on the Internet reach a port.

The rules come from `nft list ruleset` and `iptables -S` (parsers turn them into chains and
rule texts); this module walks them as the kernel would for one test packet: TCP (or UDP) to the
port, from an arbitrary Internet address, arriving on a non-loopback interface, connection state
new. Branches the packet could take (which interface it arrives on, IPv4 or IPv6) are all
followed; an expression this walker does not understand makes its outcome uncertain.

- `restricted`: every path drops or rejects the packet (the port is limited by source, or closed);
- `open`: some path accepts it using only expressions that were understood;
- None: it cannot be told (an uncertain path accepts, or the rules could not be read).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]
MAX_JUMPS = 32   # nested jumps followed; deeper is uncertain (and a loop never hangs)


@dataclass(frozen=True)
class Packet:
    proto: str   # tcp | udp
    port: int


@dataclass(frozen=True)
class Outcome:
    verdict: str       # accept | drop | continue
    certain: bool


# ---------------------------------------------------------------------------------------------
# nftables
# ---------------------------------------------------------------------------------------------

_NFT_VERDICT = re.compile(r"^(accept|drop|reject\b.*|return|jump \S+|goto \S+|queue\b.*)$")
_NFT_SET = r"(?:\{[^}]*\}|\S+)"
_NFT_EXPRESSIONS: list[tuple[str, re.Pattern[str]]] = [
    ("ignore", re.compile(r"^(?:counter(?: packets \d+ bytes \d+)?"
                          r"|log(?: prefix \"[^\"]*\"| level \S+| flags \S+| group \d+)*"
                          r"|comment \"[^\"]*\"|notrack|ct helper set \S+|meta nftrace set \d)\s*")),
    ("ct_state", re.compile(rf"^ct state (?P<neg>!= )?(?P<set>{_NFT_SET})\s*")),
    ("ct_status", re.compile(rf"^ct status (?P<neg>!= )?(?P<set>{_NFT_SET})\s*")),
    ("iif", re.compile(rf"^(?:iifname|iif) (?P<neg>!= )?(?P<set>{_NFT_SET})\s*")),
    ("saddr", re.compile(rf"^(?:ip|ip6) saddr (?P<neg>!= )?(?P<set>{_NFT_SET})\s*")),
    ("daddr", re.compile(rf"^(?:ip|ip6) daddr (?P<neg>!= )?(?P<set>{_NFT_SET})\s*")),
    ("dport", re.compile(rf"^(?P<proto>tcp|udp|th) dport (?P<neg>!= )?(?P<set>{_NFT_SET})\s*")),
    ("l4proto", re.compile(rf"^(?:meta l4proto|ip protocol|ip6 nexthdr) (?P<neg>!= )?"
                           rf"(?P<set>{_NFT_SET})\s*")),
    ("nfproto", re.compile(rf"^meta nfproto (?P<set>{_NFT_SET})\s*")),
    ("icmp", re.compile(r"^(?:icmp|icmpv6) (?:type|code) \S+(?: \{[^}]*\})?\s*")),
]


def _nft_words(text: str) -> set[str]:
    return {w.strip().strip('"') for w in text.strip("{} ").split(",") if w.strip()}


def _nft_match(kind: str, match: re.Match[str], packet: Packet) -> bool | None:
    """True/False for a decided match; None for one that depends on the interface (both happen)."""
    groups = match.groupdict()
    negated = bool(groups.get("neg"))
    values = _nft_words(groups.get("set") or "")
    if kind == "ct_state":
        return ("new" in values) != negated
    if kind == "ct_status":
        return negated  # a new connection from outside has no dnat/snat status
    if kind == "iif":
        if values <= {"lo"}:
            return negated
        return None
    if kind == "saddr":
        if any(v.startswith("@") for v in values):
            return None  # a named set: its members are not printed here
        return _source_anywhere(values) != negated
    if kind == "daddr":
        return None
    if kind == "dport":
        if groups["proto"] not in ("th", packet.proto):
            return False
        listed = _port_in(values, packet.port)
        return None if listed is None else listed != negated
    if kind == "l4proto":
        return (packet.proto in values) != negated
    if kind == "nfproto":
        return None  # IPv4 and IPv6 packets both arrive
    if kind == "icmp":
        return False
    return None


def _port_in(values: set[str], port: int) -> bool | None:
    """Whether the port is among `22`, `1000-2000` values; None for a service name (`ssh`)."""
    for value in values:
        low, _, high = value.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        if int(low) <= port <= int(high or low):
            return True
    return False


def _source_anywhere(values: set[str]) -> bool:
    """A source set that admits the whole Internet (a prefix shorter than /8 counts)."""
    for value in values:
        try:
            if ipaddress.ip_network(value, strict=False).prefixlen < 8:
                return True
        except ValueError:
            continue
    return False


def nft_exposure(chains: Mapping[str, JSON], packet: Packet) -> tuple[str | None, str]:
    """The fate of the packet in every nftables base chain on the input hook."""
    inputs = [name for name, chain in chains.items() if chain.get("hook") == "input"]
    if not inputs:
        return "open", "nftables: no chain on the input hook"
    fates = []
    for name in inputs:
        outcomes = _NftWalk(chains, packet).chain(name, 0)
        policy = str(chains[name].get("policy") or "accept")
        final = {Outcome(policy if o.verdict == "continue" else o.verdict, o.certain) for o in outcomes}
        fates.append((name, final))
    # every base chain sees the packet: one that always drops it restricts the port
    for name, final in fates:
        if all(o.verdict == "drop" for o in final):
            return "restricted", f"nftables chain {name} drops it on every path"
    if all(any(o.verdict == "accept" and o.certain for o in final) for _, final in fates):
        return "open", "nftables accepts it (" + ", ".join(name for name, _ in fates) + ")"
    return None, "nftables rules for it could not be fully evaluated"


class _NftWalk:
    """Follows one packet through nftables chains: every possible path, with its certainty."""

    def __init__(self, chains: Mapping[str, JSON], packet: Packet) -> None:
        self.chains = chains
        self.packet = packet

    def chain(self, name: str, depth: int) -> set[Outcome]:
        chain = self.chains.get(name)
        if chain is None or depth > MAX_JUMPS:
            return {Outcome("continue", False)}
        return self.rules(list(chain.get("rules", [])), depth, True)

    def rules(self, rules: Sequence[str], depth: int, certain: bool) -> set[Outcome]:
        for index, rule in enumerate(rules):
            matched, verdict, sure = _nft_rule(rule, self.packet)
            if matched is False:
                continue
            rest = rules[index + 1:]
            taken = self.take(verdict, rest, depth, certain and sure)
            if matched is None:  # the packet may or may not match this rule: both paths
                return self.rules(rest, depth, certain and sure) | taken
            return taken
        return {Outcome("continue", certain)}

    def take(self, verdict: str | None, rest: Sequence[str], depth: int, certain: bool) -> set[Outcome]:
        if verdict is None:  # a rule without a verdict (counter, log): carry on
            return self.rules(rest, depth, certain)
        if verdict == "accept":
            return {Outcome("accept", certain)}
        if verdict == "drop" or verdict.startswith("reject"):
            return {Outcome("drop", certain)}
        if verdict == "return":
            return {Outcome("continue", certain)}
        action, _, target = verdict.partition(" ")
        if action not in ("jump", "goto"):
            return {Outcome("drop", False), Outcome("accept", False)}  # queue: a userspace program decides
        results: set[Outcome] = set()
        for outcome in self.chain(target, depth + 1):
            if outcome.verdict != "continue":
                results.add(Outcome(outcome.verdict, outcome.certain and certain))
            elif action == "jump":
                results |= self.rules(rest, depth, certain and outcome.certain)
            else:  # goto: the calling chain does not resume
                results.add(Outcome("continue", certain and outcome.certain))
        return results


def _nft_rule(rule: str, packet: Packet) -> tuple[bool | None, str | None, bool]:
    """(matches: True/False/None for both, verdict, understood)."""
    text = rule.strip()
    verdict = None
    found = re.search(r"\s*\b(accept|drop|reject(?: with .*)?|return|jump \S+|goto \S+|queue.*)$", text)
    if found:
        verdict = found[1]
        text = text[:found.start()].strip()
    matched: bool | None = True
    understood = True
    while text:
        for kind, pattern in _NFT_EXPRESSIONS:
            match = pattern.match(text)
            if match:
                text = text[match.end():]
                if kind != "ignore":
                    result = _nft_match(kind, match, packet)
                    if result is False:
                        return False, verdict, True
                    if result is None:
                        matched = None
                        understood = understood and kind in ("iif", "daddr", "nfproto")
                break
        else:
            understood = False   # an expression we do not read: this rule may or may not match
            matched = None
            break
    return matched, verdict, understood


# ---------------------------------------------------------------------------------------------
# iptables
# ---------------------------------------------------------------------------------------------

def iptables_exposure(chains: Mapping[str, JSON], packet: Packet) -> tuple[str | None, str]:
    """The fate of the packet in the filter table's INPUT chain (`iptables -S`)."""
    if "INPUT" not in chains:
        return "open", "iptables: no INPUT chain listed"
    outcomes = _IptWalk(chains, packet).rules(list(chains["INPUT"].get("rules", [])), 0, True)
    policy = str(chains["INPUT"].get("policy") or "ACCEPT").lower()
    final = {Outcome(policy if o.verdict == "continue" else o.verdict, o.certain) for o in outcomes}
    if all(o.verdict == "drop" for o in final):
        return "restricted", "iptables INPUT drops it on every path"
    if any(o.verdict == "accept" and o.certain for o in final):
        return "open", "iptables INPUT accepts it"
    return None, "iptables rules for it could not be fully evaluated"


class _IptWalk:
    """Follows one packet through iptables chains, as _NftWalk does through nftables."""

    def __init__(self, chains: Mapping[str, JSON], packet: Packet) -> None:
        self.chains = chains
        self.packet = packet

    def rules(self, rules: Sequence[list[str]], depth: int, certain: bool) -> set[Outcome]:
        for index, words in enumerate(rules):
            matched, target, understood = _ipt_rule(words, self.packet)
            if matched is False:
                continue
            rest = rules[index + 1:]
            sure = certain and understood
            taken = self.take(target, rest, depth, sure)
            if matched is None:
                return self.rules(rest, depth, sure) | taken
            return taken
        return {Outcome("continue", certain)}

    def take(self, target: str | None, rest: Sequence[list[str]], depth: int, certain: bool) -> set[Outcome]:
        if target in (None, "LOG", "NFLOG", "MARK", "CONNMARK", "CT"):
            return self.rules(rest, depth, certain)
        if target == "ACCEPT":
            return {Outcome("accept", certain)}
        if target in ("DROP", "REJECT"):
            return {Outcome("drop", certain)}
        if target == "RETURN":
            return {Outcome("continue", certain)}
        goto = target.startswith("goto ")
        chain = target.removeprefix("goto ")
        if chain not in self.chains or depth >= MAX_JUMPS:
            return {Outcome("drop", False), Outcome("accept", False)}
        results: set[Outcome] = set()
        for outcome in self.rules(list(self.chains[chain].get("rules", [])), depth + 1, certain):
            if outcome.verdict != "continue" or goto:
                results.add(outcome)
            else:
                results |= self.rules(rest, depth, outcome.certain)
        return results


_IPT_IGNORED = {"-A", "-m", "--comment", "--log-prefix", "--log-level", "--reject-with", "--set-mark",
                "--limit-burst"}


def _ipt_rule(words: Sequence[str], packet: Packet) -> tuple[bool | None, str | None, bool]:
    """(matches: True/False/None for both, target, understood) for one `-A` rule."""
    target = None
    matched: bool | None = True
    understood = True
    index = 0
    while index < len(words):
        word = words[index]
        value = words[index + 1] if index + 1 < len(words) else ""
        negated = word == "!"
        if negated:
            index += 1
            word = words[index] if index < len(words) else ""
            value = words[index + 1] if index + 1 < len(words) else ""
        step = 2
        if word == "-j":
            target = value
        elif word == "-g":
            target = f"goto {value}"   # the chain's end returns to our caller, not to this rule
        elif word == "-p":
            if (value.lower() in (packet.proto, "all")) == negated:
                return False, target, True
        elif word in ("-s", "--source"):
            if _source_anywhere({value}) == negated:
                return False, target, True
        elif word in ("-d", "--destination", "-o"):
            matched = None
        elif word in ("-i", "--in-interface"):
            if value == "lo":
                if not negated:
                    return False, target, True
            else:
                matched = None
        elif word in ("--dport", "--destination-port", "--dports", "--destination-ports"):
            listed = _port_in({p.replace(":", "-") for p in value.split(",")}, packet.port)
            if listed is None:
                return None, target, False
            if listed == negated:
                return False, target, True
        elif word in ("--state", "--ctstate"):
            if ("NEW" in value.upper().split(",")) == negated:
                return False, target, True
        elif word not in _IPT_IGNORED:
            # an option this walk does not read (-m recent, --match-set, ...): the rule may or may
            # not match; its target is still read further on
            understood, matched, step = False, None, 1
        index += step
    return matched, target, understood


def exposure(nft: Mapping[str, JSON] | None, iptables: Mapping[str, JSON] | None,
             packet: Packet) -> tuple[str | None, str]:
    """Both views apply when both exist (iptables-legacy beside nftables): one that restricts the
    port restricts it; it is open when every available view accepts it."""
    views = []
    if nft is not None:
        views.append(nft_exposure(nft, packet))
    if iptables is not None:
        views.append(iptables_exposure(iptables, packet))
    if not views:
        return None, "the host firewall could not be read"
    for verdict, evidence in views:
        if verdict == "restricted":
            return verdict, evidence
    if all(verdict == "open" for verdict, _ in views):
        return "open", "; ".join(evidence for _, evidence in views)
    return None, "; ".join(evidence for verdict, evidence in views if verdict is None)


def internet_facing(address: str) -> bool:
    """A bind that Internet traffic can reach: every interface, or a public (global) address.
    Private, link-local and loopback addresses are reached from inside only."""
    if is_anywhere(address):
        return True
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return True  # a name or an odd form: not known to be internal


def is_anywhere(address: str) -> bool:
    """A listening address that accepts connections on every interface."""
    if address in ("*", "0.0.0.0", "::", ""):
        return True
    try:
        return ipaddress.ip_address(address).is_unspecified
    except ValueError:
        return False
