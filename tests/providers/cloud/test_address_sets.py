"""Address sets as rule sources (the world when their entries cover a family) and the first-match
walk's reading of rules whose source or ports are not known."""

from __future__ import annotations

import pytest

from mlpscan.providers.cloud.address_sets import NamedSets, Unresolved, world_families
from mlpscan.providers.cloud.exposure import Rule, first_match
from mlpscan.snapshot import Resource

BOTH = frozenset({"ipv4", "ipv6"})
V4 = frozenset({"ipv4"})


@pytest.mark.parametrize(("entries", "families"), [
    (["0.0.0.0/0"], {"ipv4"}),
    (["10.0.0.0/8", "::/0"], {"ipv6"}),
    (["0.0.0.0/1", "128.0.0.0/1"], {"ipv4"}),                        # together
    (["0.0.0.0-255.255.255.255"], {"ipv4"}),                          # a range
    (["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1", "::/1", "8000::/1"], {"ipv4", "ipv6"}),
    (["0.0.0.0/1", "128.0.0.0/2"], set()),                            # a quarter missing
    (["10.0.0.0/8", "192.168.1.10", "172.16.0.1-172.16.0.9"], set()),
    ([], set()),
])
def test_world_families(entries: list[str], families: set[str]) -> None:
    assert world_families(entries) == families


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "office", "10.0.0.9-10.0.0.1", "10.0.0.1-::1"])
def test_an_entry_that_is_not_an_address_is_unresolved(entry: str) -> None:
    with pytest.raises(Unresolved, match="unreadable address entry"):
        world_families(["0.0.0.0/0", entry])


def test_named_sets_say_why_a_set_is_missing_or_unread() -> None:
    read = Resource(target="t", type="aws.ec2.managed_prefix_list", uid="a", region="r1", data={"Id": "a"})
    unread = Resource(target="t", type="aws.ec2.managed_prefix_list", uid="b", region="r1",
                      data={"Id": "b", "_failed_calls": {"Entries": "x:Entries AccessDenied: no"}})
    sets = NamedSets(kind="list", collected=True, by_id={("r1", "a"): read, ("r1", "b"): unread},
                     failed_listings={"r2": "x:List Throttled: slow"})
    assert sets.get("r1", "a") is read
    for region, set_id, reason in (("r1", "b", "list b: x:Entries AccessDenied: no"),
                                   ("r1", "c", "list c: not among the lists listed in r1"),
                                   ("r2", "a", "list a: listing failed in r2 (x:List Throttled: slow)")):
        with pytest.raises(Unresolved) as caught:
            sets.get(region, set_id)
        assert str(caught.value) == reason


def tcp(port: int) -> tuple[tuple[str, int, int], ...]:
    return (("tcp", port, port),)


def test_first_match_reads_an_unknown_rule_both_ways() -> None:
    accept, drop = Rule(True, V4, tcp(22)), Rule(False, V4, tcp(22))
    unknown_accept = Rule(True, BOTH, tcp(22), unresolved="rule 1: list gone")
    unknown_drop = Rule(False, BOTH, tcp(22), unresolved="rule 1: list gone")
    open_22 = [{"Protocol": "tcp", "FromPort": 22, "ToPort": 22}]
    assert first_match([accept]).ranges == open_22
    assert first_match([drop, accept]).ranges == []
    assert first_match([accept, unknown_accept]).ranges == open_22       # decided already
    assert first_match([unknown_drop]).ranges == []                      # closes what nothing opens
    assert first_match([accept, unknown_drop]).ranges == open_22
    undecided = first_match([unknown_drop, accept])
    assert undecided.ranges is None
    assert undecided.certain == []
    assert undecided.unresolved == ["rule 1: list gone"]
    assert first_match([unknown_accept]).ranges is None
    assert first_match([drop, unknown_accept]).ranges is None            # drop is IPv4 only: IPv6 may open
