"""The network, database and protection services and where data leaves the mainland, scanned
through the real SDK clients against the fake."""

from __future__ import annotations

import pytest
from tests.fakes.tencent_accounts import build, cdn_domain
from tests.fakes.tencent_fake import TencentFake
from tests.providers.tencent.conftest import SECRET_ID, SECRET_KEY, Scan, env_keys, scan, source

from mlpscan.content import Content
from mlpscan.findings import Status

UIN = "100000000001"
# check -> (the resource that fails, what its message must name) in the weak account
EXPORTS = {
    "tencent.cos.replication_in_mainland": ("acme-orders-1250000001",
                                             "qcs::cos:ap-singapore::acme-orders-copy-1250000001 in ap-singapore"),
    "tencent.cloudaudit.delivery_in_mainland": ("acme-audit-hk", "COS bucket acme-hk-static in ap-hongkong"),

    "tencent.cdb.dr_in_mainland": ("orders", "cdbdr-000001 in ap-singapore"),
    "tencent.mongodb.standby_in_mainland": ("catalog", "cmgo-dr000001 in ap-hongkong"),
    "tencent.cynosdb.backups_in_mainland": ("ledger", "logical backup storage in ap-singapore"),
    "tencent.vpc.ccn_in_mainland": ("backbone", "VPC vpc-hk000001 in ap-hongkong"),
    "tencent.vpc.peering_in_mainland": ("to-dr", "VPC vpc-sg000001 in ap-singapore"),
}


def scan_account(content: Content, fake: TencentFake, monkeypatch: pytest.MonkeyPatch, *, weak: bool) -> Scan:
    fake.add_account(build(UIN, weak=weak), SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    return scan(content, [source(fake)])


def test_every_path_out_of_the_mainland_fails_naming_source_destination_and_region(
        content: Content, fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_account(content, fake, monkeypatch, weak=True)
    assert result.collection.errors == []
    for check, (name, named) in EXPORTS.items():
        failures = [f for f in result.findings(check) if f.status is Status.FAIL and f.resource.name == name]
        assert failures, (check, [(f.resource.name, f.status, f.message) for f in result.findings(check)])
        assert any(named in f.message and f"{name} sends data out of mainland China" in f.message
                   for f in failures), (check, [f.message for f in failures])
        assert all(f.clauses == ["8.2.4.5.a"] and f.law for f in failures), check   # the family's legal basis
    [cdn] = [f for f in result.findings("tencent.cdn.area_mainland") if f.resource.name == "www.acme.example.cn"]
    assert cdn.status is Status.FAIL
    assert "acceleration area global" in cdn.message
    # the track delivering inside the mainland passes beside the one delivering to Hong Kong
    tracks = {f.resource.name: f.status for f in result.findings("tencent.cloudaudit.delivery_in_mainland")}
    assert tracks == {"acme-audit": Status.PASS, "acme-audit-hk": Status.FAIL}


def test_copies_kept_in_the_mainland_pass(content: Content, fake: TencentFake,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_account(content, fake, monkeypatch, weak=False)
    for check in [*EXPORTS, "tencent.cdn.area_mainland"]:
        statuses = {f.status for f in result.findings(check)}
        assert statuses == {Status.PASS}, (check, [f.message for f in result.findings(check)])
    [bucket] = result.findings("tencent.cos.replication_in_mainland")
    assert "qcs::cos:ap-shanghai::acme-orders-copy-1250000001 in ap-shanghai" in bucket.message


def test_the_weak_services_fail_with_what_was_read(content: Content, fake: TencentFake,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_account(content, fake, monkeypatch, weak=True)
    tls = {f.resource.region: f.message for f in result.findings("tencent.clb.tls_versions")}
    # one instance binds a configuration that allows TLSv1, the other has none and gets the default
    assert "TLSv1, TLSv1.1, TLSv1.2" in tls["ap-guangzhou"]
    assert "customized configuration pz-00cfg001 (tls) sets ssl_protocols" in tls["ap-guangzhou"]
    assert "no customized configuration: CLB's default" in tls["ap-shanghai"]
    ports = [f for f in result.findings("tencent.clb.no_risky_listener_ports") if f.status is Status.FAIL]
    assert len(ports) == 2
    assert all("6379" in f.message for f in ports)
    [waf] = result.findings("tencent.waf.in_use")
    [ddos] = result.findings("tencent.antiddos.in_use")
    assert (waf.status, ddos.status) == (Status.FAIL, Status.FAIL)
    [vulnerability] = result.findings("tencent.cwp.vulnerabilities_fixed")
    assert "CVE-2024-6387" in vulnerability.message
    anonymous = {f.resource.name: f.status for f in result.findings("tencent.cos.policy_no_anonymous")}
    assert anonymous == {"acme-orders-1250000001": Status.PASS, "acme-hk-static-1250000001": Status.FAIL}


def test_every_page_of_the_new_lists_is_read(content: Content, fake: TencentFake,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    account = build(UIN, weak=False, regions=("ap-guangzhou",))
    domains = account.account_wide("cdn_domains")
    domains += [cdn_domain(f"d{n:03d}.acme.example.cn", https=True, tls=["TLSv1.2"], area="mainland") for n in range(150)]
    attached = account.account_wide("ccns")[0]["_attached"]
    attached += [{**attached[0], "InstanceId": f"vpc-p{n:07d}"} for n in range(120)]
    fake.add_account(account, SECRET_ID, SECRET_KEY)
    env_keys(monkeypatch)
    result = scan(content, [source(fake)])
    assert result.collection.errors == []
    kinds = [r.type for r in result.collection.resources]
    assert kinds.count("tencent.cdn.domain") == 151
    [ccn] = [r for r in result.collection.resources if r.type == "tencent.vpc.ccn"]
    assert len(ccn.data["DescribeCcnAttachedInstances"]) == 122
    assert len(ccn.data["DataExports"]) == 122
    calls = fake.operations()
    assert (calls["cdn:DescribeDomainsConfig"], calls["vpc:DescribeCcnAttachedInstances"]) == (2, 2)


def test_a_denied_detail_call_makes_the_export_check_an_error_not_a_pass(
        content: Content, fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.deny("cos:GetBucketReplication")
    fake.deny("cynosdb:DescribeBackupConfig", region="ap-shanghai")
    result = scan_account(content, fake, monkeypatch, weak=False)
    [bucket] = result.findings("tencent.cos.replication_in_mainland")
    assert bucket.status is Status.ERROR
    assert "cos:GetBucketReplication AccessDenied" in bucket.message
    backups = {f.resource.region: f.status for f in result.findings("tencent.cynosdb.backups_in_mainland")}
    assert backups == {"ap-guangzhou": Status.PASS, "ap-shanghai": Status.ERROR}
    retention = {f.resource.region: f.status for f in result.findings("tencent.cynosdb.backup_retention")}
    assert retention == {"ap-guangzhou": Status.PASS, "ap-shanghai": Status.ERROR}


def test_a_product_the_account_lacks_is_an_error_for_its_checks_only(
        content: Content, fake: TencentFake, monkeypatch: pytest.MonkeyPatch) -> None:
    # without a Cloud Firewall purchase the API refuses; nothing may read that as "every IP protected"
    fake.fail("cfw:DescribeFwEdgeIps", "ResourceNotFound", times=None, message="cfw instance not found")
    result = scan_account(content, fake, monkeypatch, weak=False)
    [error] = result.collection.errors
    assert (error.type, error.operation, error.code) == ("tencent.cfw.edge_ip", "cfw:DescribeFwEdgeIps",
                                                         "ResourceNotFound")
    assert {f.status for f in result.findings("tencent.cfw.edge_protection_on")} == {Status.ERROR}
    assert {f.status for f in result.findings("tencent.waf.in_use")} == {Status.PASS}
