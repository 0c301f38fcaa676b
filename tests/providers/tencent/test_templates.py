"""Rules whose source or ports are parameter templates: a template holding 0.0.0.0/0 is the world.

The unit tests hand the hook collected templates directly; the scans collect them from the fake
through the real SDK (DescribeAddressTemplates and its three siblings, every page) and evaluate.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.fakes.tencent_accounts import (
    address_template,
    address_template_group,
    build,
    rule,
    security_group,
    service_template,
    service_template_group,
    templated_rule,
)
from tests.fakes.tencent_fake import TencentFake
from tests.providers.tencent.conftest import SECRET_ID, SECRET_KEY, env_keys, scan, source

from mlpscan.content import Content
from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.exposure import (
    ADDRESS_TEMPLATE,
    ADDRESS_TEMPLATE_GROUP,
    SERVICE_TEMPLATE,
    SERVICE_TEMPLATE_GROUP,
    security_group_exposure,
)
from mlpscan.snapshot import CollectionError, Resource

REGION = "ap-guangzhou"
UIN = "100000000001"
ADMIN = "tencent.vpc.admin_ports_restricted"
RISKY = "tencent.vpc.no_risky_ports_open"
KINDS = {ADDRESS_TEMPLATE: "AddressTemplateId", ADDRESS_TEMPLATE_GROUP: "AddressTemplateGroupId",
         SERVICE_TEMPLATE: "ServiceTemplateId", SERVICE_TEMPLATE_GROUP: "ServiceTemplateGroupId"}
TEMPLATES = [
    address_template("ipm-world", ["10.0.0.0/8", "0.0.0.0/0"]),
    address_template("ipm-office", ["10.0.0.0/8", "192.168.1.10", "172.16.0.1-172.16.0.9"], remarks=True),
    address_template("ipm-low", ["0.0.0.0", "0.0.0.1-127.255.255.255"]),
    address_template("ipm-lab", ["192.168.0.0/16"]),
    address_template("ipm-zero", ["0.0.0.0/8"]),
    address_template("ipm-high", ["128.0.0.0-255.255.255.255"]),
    address_template("ipm-v6", ["::/0"], remarks=True),
    address_template_group("ipmg-halves", ["ipm-low", "ipm-high"]),
    address_template_group("ipmg-private", ["ipm-office", "ipm-lab", "ipm-low"]),
    service_template("ppm-ssh", ["tcp: 22"]),
    service_template("ppm-web", ["TCP:80,443", "icmp"]),
    service_template("ppm-udp", ["udp:all"]),
    service_template_group("ppmg-admin", ["ppm-ssh", "ppm-web"]),
]


def related(*items: dict[str, Any], region: str = REGION) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = {kind: [] for kind in KINDS}
    for item in items:
        kind = next(k for k, id_field in KINDS.items() if id_field in item)
        found[kind].append(Resource(target=f"tencent:{UIN}", type=kind, uid=item[KINDS[kind]], region=region,
                                    data=item))
    return found


def derived(*ingress: dict[str, Any], templates: dict[str, list[Resource]] | None = None,
            errors: list[CollectionError] | None = None) -> dict[str, Any]:
    group = Resource(target=f"tencent:{UIN}", type="tencent.vpc.security_group", uid="sg-1", region=REGION,
                     data={"SecurityGroupId": "sg-1", "DescribeSecurityGroupPolicies": security_group(
                         "sg-1", "web", list(ingress))["_policies"]})
    context = HookContext(account=None, spec=None, resources=[group], errors=errors or [],  # type: ignore[arg-type]
                          related=related(*TEMPLATES) if templates is None else templates)
    [found] = security_group_exposure(context)
    return found.data


def opened(*ingress: dict[str, Any], **extra: Any) -> list[int] | None:
    ports: list[int] | None = derived(*ingress, **extra)["public_ports"]
    return ports


def test_an_address_template_holding_the_world_opens_its_ports() -> None:
    found = derived(templated_rule(0, address="ipm-world", port="22"))
    assert found["public_ports"] == [22]
    assert found["WorldOpenRanges"] == [{"Protocol": "tcp", "FromPort": 22, "ToPort": 22}]
    assert found["public_ingress"][0]["Source"] == "ipm-world"
    assert found["WorldOpenUnresolved"] == []


def test_private_templates_and_groups_open_nothing() -> None:
    assert opened(templated_rule(0, address="ipm-office", port="22"),
                  templated_rule(1, address="ipmg-private", port="3389")) == []


def test_members_that_cover_the_world_together_are_the_world() -> None:
    assert opened(templated_rule(0, address="ipmg-halves", port="3389")) == [3389]
    # Tencent reads any 0.0.0.0/n as 0.0.0.0/0 (SecurityGroupPolicy.CidrBlock); a template entry too
    assert opened(templated_rule(0, address="ipm-zero", port="23")) == [23]


def test_an_ipv6_world_template_opens_ipv6_only() -> None:
    # an IPv4 DROP ahead does not close what the IPv6 template opens
    assert opened(rule(0, "TCP", "22", "0.0.0.0/0", "DROP"), templated_rule(1, address="ipm-v6", port="22")) == [22]


def test_a_drop_from_a_world_template_closes_a_later_accept_from_anywhere() -> None:
    assert opened(templated_rule(0, address="ipm-world", port="22", action="DROP"),
                  rule(1, "TCP", "22", "0.0.0.0/0")) == []
    # a DROP from a private template does not: the rest of the world still gets in
    assert opened(templated_rule(0, address="ipm-office", port="22", action="DROP"),
                  rule(1, "TCP", "22", "0.0.0.0/0")) == [22]
    # rules apply by PolicyIndex, not by the order of the answer
    assert opened(rule(1, "TCP", "22", "0.0.0.0/0"),
                  templated_rule(0, address="ipm-world", port="ALL", protocol="ALL", action="DROP")) == []


def test_port_templates_and_groups_give_the_ports() -> None:
    assert opened(templated_rule(0, cidr="0.0.0.0/0", ports="ppm-ssh")) == [22]
    assert opened(templated_rule(0, cidr="0.0.0.0/0", ports="ppmg-admin")) == [22, 80, 443]
    found = derived(templated_rule(0, address="ipm-world", ports="ppm-udp"))
    assert (found["public_ports"], found["public_wide_ranges"]) == ([], ["udp 1-65535"])
    assert found["public_ingress"][0]["Port"] == "ppm-udp"
    # a DROP by port template ahead of an ACCEPT ALL
    assert opened(templated_rule(0, cidr="0.0.0.0/0", ports="ppm-ssh", action="DROP"),
                  rule(1, "TCP", "20-25", "0.0.0.0/0")) == [20, 21, 23, 24, 25]


@pytest.mark.parametrize(("templates", "errors", "reason"), [
    (None, [], "IP address template ipm-gone: not among the IP address templates listed in ap-guangzhou"),
    ({}, [], "IP address templates were not collected"),
    (related(*TEMPLATES, region="ap-shanghai"), [CollectionError(
        target=f"tencent:{UIN}", type=ADDRESS_TEMPLATE, region=REGION, operation="vpc:DescribeAddressTemplates",
        code="AuthFailure.UnauthorizedOperation", message="not authorized")],
     "listing failed in ap-guangzhou (vpc:DescribeAddressTemplates AuthFailure.UnauthorizedOperation"),
])
def test_a_template_that_could_not_be_read_is_unresolved(templates: dict[str, list[Resource]] | None,
                                                         errors: list[CollectionError], reason: str) -> None:
    found = derived(rule(0, "TCP", "443", "0.0.0.0/0"), templated_rule(1, address="ipm-gone", port="22"),
                    templates=templates, errors=errors)
    assert found["public_ports"] is None
    assert found["WorldOpenRanges"] is None
    assert found["public_wide_ranges"] == []
    [why] = found["WorldOpenUnresolved"]
    assert why.startswith("rule 1: ")
    assert reason in why


def test_an_unreadable_member_or_entry_is_unresolved() -> None:
    broken = related(*TEMPLATES, address_template_group("ipmg-broken", ["ipm-world", "ipm-missing"]),
                     address_template("ipm-bad", ["10.0.0.0/33"]), service_template("ppm-odd", ["sctp:22"]))
    for bad in (templated_rule(0, address="ipmg-broken", port="22"), templated_rule(0, address="ipm-bad", port="22"),
                templated_rule(0, cidr="0.0.0.0/0", ports="ppm-odd")):
        assert opened(bad, templates=broken) is None, bad
    no_addresses = {**address_template("ipm-empty", []), "AddressSet": None, "AddressExtraSet": None}
    assert opened(templated_rule(0, address="ipm-empty", port="22"), templates=related(no_addresses)) is None


def test_an_unknown_template_that_decides_nothing_leaves_the_ports_known() -> None:
    unknown_accept = templated_rule(1, address="ipm-gone", port="22")
    # an earlier ACCEPT from anywhere already decided port 22
    assert opened(rule(0, "TCP", "22", "0.0.0.0/0"), unknown_accept) == [22]
    # an unknown DROP with no ACCEPT after it can only close what nothing opens
    assert opened(rule(0, "TCP", "443", "0.0.0.0/0"),
                  templated_rule(1, address="ipm-gone", port="22", action="DROP")) == [443]
    # but an unknown DROP ahead of an ACCEPT from anywhere may or may not close it
    assert opened(templated_rule(0, address="ipm-gone", port="22", action="DROP"),
                  rule(1, "TCP", "22", "0.0.0.0/0")) is None
    # what is open whatever the unknown rule holds is kept: a wide range open for sure still fails
    found = derived(templated_rule(0, address="ipm-gone", port="22", action="DROP"),
                    rule(1, "ALL", "ALL", "0.0.0.0/0"))
    assert found["public_ports"] is None
    assert found["public_wide_ranges"] == ["tcp 23-65535", "udp 1-65535"]


# -- through the real SDK and the fake -------------------------------------------------------------

def seeded(fake: TencentFake, monkeypatch: pytest.MonkeyPatch, groups: list[tuple[str, list[dict[str, Any]]]],
           *, padding: int = 0) -> None:
    """The compliant account plus, in ap-guangzhou, the templates above (and `padding` more
    templates, so the listing pages) and a group per (id, ingress)."""
    account = build(UIN, weak=False)
    kinds = {ADDRESS_TEMPLATE: "address_templates", ADDRESS_TEMPLATE_GROUP: "address_template_groups",
             SERVICE_TEMPLATE: "service_templates", SERVICE_TEMPLATE_GROUP: "service_template_groups"}
    for number in range(padding):
        account.add("address_templates", REGION, address_template(f"ipm-pad{number:04d}", [f"10.9.{number % 250}.0/24"]))
    for kind, resources in related(*TEMPLATES).items():
        for resource in resources:
            account.add(kinds[kind], REGION, resource.data)
    for group_id, ingress in groups:
        account.add("groups", REGION, security_group(group_id, group_id, ingress))
    fake.add_account(account, SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)


def by_group(statuses: dict[str, str]) -> dict[str, str]:
    return {uid.rsplit("/", 1)[-1]: status for uid, status in statuses.items() if f":{REGION}:" in uid}


def test_a_scan_fails_ssh_opened_by_a_world_template_on_every_page(content: Content, fake: TencentFake,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seeded(fake, monkeypatch, [
        ("sg-tmplworld", [templated_rule(0, address="ipm-world", port="22,3389")]),
        ("sg-tmploffice", [templated_rule(0, address="ipm-office", port="22,3389")]),
        ("sg-tmpldrop", [templated_rule(0, address="ipmg-halves", port="ALL", protocol="ALL", action="DROP"),
                         rule(1, "TCP", "22", "0.0.0.0/0")]),
        ("sg-tmplports", [templated_rule(0, cidr="0.0.0.0/0", ports="ppmg-admin")]),
    ], padding=150)   # the world template is listed after 150 others: on the second page of 100
    result = scan(content, [source(fake)])
    assert result.collection.errors == []
    assert fake.count("vpc:DescribeAddressTemplates") == 2 + 1   # two pages in ap-guangzhou, one in ap-shanghai
    admin = by_group(result.statuses(ADMIN))
    assert {k: admin[k] for k in ("sg-tmplworld", "sg-tmploffice", "sg-tmpldrop", "sg-tmplports")} == {
        "sg-tmplworld": "fail", "sg-tmploffice": "pass", "sg-tmpldrop": "pass", "sg-tmplports": "fail"}
    [failure] = [f for f in result.findings(ADMIN) if f.resource.name == "sg-tmplworld"]
    assert "22, 3389" in failure.message
    risky = by_group(result.statuses(RISKY))
    assert risky["sg-tmplworld"] == "fail"
    assert risky["sg-tmploffice"] == "pass"


def test_a_denied_template_listing_makes_the_groups_that_name_one_an_error(content: Content, fake: TencentFake,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    seeded(fake, monkeypatch, [("sg-tmplworld", [templated_rule(0, address="ipm-world", port="22")]),
                               ("sg-plain", [rule(0, "TCP", "443", "0.0.0.0/0")])])
    fake.deny("vpc:DescribeAddressTemplates", region=REGION)
    result = scan(content, [source(fake)])
    assert [(e.type, e.region) for e in result.collection.errors] == [(ADDRESS_TEMPLATE, REGION)]
    admin = by_group(result.statuses(ADMIN))
    assert (admin["sg-tmplworld"], admin["sg-plain"]) == ("error", "pass")
    [error] = [f for f in result.findings(ADMIN) if f.resource.name == "sg-tmplworld"]
    assert "ipm-world" in error.message
    assert "vpc:DescribeAddressTemplates" in error.message
    assert by_group(result.statuses(RISKY))["sg-tmplworld"] == "error"
