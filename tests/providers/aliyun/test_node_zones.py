"""The zones an ACK cluster's worker nodes run in, through the real SDK against the fake: the node
pools of each cluster (cs DescribeClusterNodePools, ROA) and the zones of their vSwitches (vpc
DescribeVSwitches, every page); a pool list or a vSwitch that could not be read is an `error`,
never a pass, and serverless or registered clusters are not applicable."""

from __future__ import annotations

from typing import Any

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Finding, Status
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.snapshot import Snapshot
from tests.fakes.aliyun_fake import AliyunFake
from tests.fakes.aliyun_services import node_pool, vswitch
from tests.providers.aliyun.conftest import Scan

ACCOUNT = "1234567890123456"
REGION = "cn-hangzhou"
CHECK = "aliyun.cs.node_multi_zone"


def cluster(name: str, pools: list[dict[str, Any]], *, kind: str = "ManagedKubernetes",
            profile: str = "Default") -> dict[str, Any]:
    """A cluster as DescribeClustersV1 lists it, with the node pools DescribeClusterNodePools answers."""
    return {"cluster_id": f"c-{name}", "name": name, "region_id": REGION, "state": "running", "cluster_type": kind,
            "profile": profile, "cluster_spec": "ack.pro.small", "vpc_id": "vpc-zhou01",
            "master_url": '{"intranet_api_server_endpoint": "https://192.168.0.10:6443"}', "_nodepools": pools}


def seeded(fake: AliyunFake, clusters: list[dict[str, Any]], *, padding: int = 0) -> None:
    """The clusters, and vSwitches in zones h, i and j after `padding` others (so the listing pages)."""
    world = fake.worlds[ACCOUNT]
    others = [{**vswitch(REGION, "k"), "VSwitchId": f"vsw-other{n:04d}"} for n in range(padding)]
    world.regional["vswitch"][REGION] = [*others, *(vswitch(REGION, zone) for zone in "hij")]
    world.clusters[REGION] = clusters


def findings(snapshot: Snapshot, content: Content) -> dict[str, Finding]:
    report = evaluate(snapshot, content, content.level_profile(3))
    return {f.resource.name or "": f for f in report.findings if f.check == CHECK}


def test_worker_nodes_over_two_zones_pass_and_nodes_in_one_zone_fail(fake: AliyunFake, scan: Scan,
                                                                     content: Content) -> None:
    seeded(fake, [
        cluster("spread", [node_pool(REGION, "default-nodepool", "hi"), node_pool(REGION, "batch", "j", nodes=2)]),
        cluster("one-zone", [node_pool(REGION, "default-nodepool", "h"), node_pool(REGION, "gpu", "h", nodes=1)]),
        # the pool over three zones holds no node: the nodes all sit in zone h
        cluster("empty-spread", [node_pool(REGION, "default-nodepool", "h"), node_pool(REGION, "idle", "hij", nodes=0)]),
        cluster("lone-node", [node_pool(REGION, "default-nodepool", "hij", nodes=1)]),
        # edge nodes are off-cloud: only the cloud pool counts
        cluster("edge", [node_pool(REGION, "cloud", "h"), node_pool(REGION, "edge-sites", "ij", kind="edge")],
                profile="Edge"),
    ], padding=120)   # zones h, i and j come after 120 other vSwitches: on the third page of 50
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert snapshot.errors == []
    assert [c.status for c in fake.calls("DescribeVSwitches")] == [200, 200, 200]
    assert len(fake.calls("DescribeClusterNodePools")) == 5
    assert len([r for r in snapshot.resources if r.type == "aliyun.vpc.vswitch"]) == 123
    found = findings(snapshot, content)
    assert {name: f.status for name, f in found.items()} == {
        "spread": Status.PASS, "one-zone": Status.FAIL, "empty-spread": Status.FAIL, "lone-node": Status.FAIL,
        "edge": Status.FAIL}
    clusters = {r.name: r.data for r in snapshot.resources if r.type == "aliyun.cs.cluster"}
    spread = clusters["spread"]["NodeZones"]
    assert (spread["zones"], spread["worker_nodes"]) == (["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"], 5)
    assert spread["node_pools"][0]["multi_az_policy"] == "BALANCE"
    assert clusters["empty-spread"]["NodeZones"]["left_out"] == ["idle: no nodes"]
    assert clusters["edge"]["NodeZones"]["left_out"] == [
        "edge-sites: edge node pool (nodes outside Alibaba Cloud zones)"]
    assert found["one-zone"].message == ("ACK cluster one-zone in cn-hangzhou runs its 4 worker node(s) in zone(s) "
                                         "cn-hangzhou-h (default-nodepool (3 nodes): cn-hangzhou-h; "
                                         "gpu (1 node): cn-hangzhou-h)")


def test_serverless_and_registered_clusters_are_not_applicable(fake: AliyunFake, scan: Scan,
                                                               content: Content) -> None:
    seeded(fake, [cluster("serverless", [], profile="Serverless"), cluster("legacy-ask", [], kind="Ask"),
                  cluster("registered", [], kind="ExternalKubernetes"),
                  cluster("dedicated", [node_pool(REGION, "default-nodepool", "hi")], kind="Kubernetes")])
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert {name: f.status for name, f in findings(snapshot, content).items()} == {
        "serverless": Status.NOT_APPLICABLE, "legacy-ask": Status.NOT_APPLICABLE,
        "registered": Status.NOT_APPLICABLE, "dedicated": Status.PASS}
    # their node pools are not needed: a pool listing that fails leaves them not applicable
    fake.fail("DescribeClusterNodePools", "ErrorClusterNotFound", 404, region=REGION)
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert {name: f.status for name, f in findings(snapshot, content).items()} == {
        "serverless": Status.NOT_APPLICABLE, "legacy-ask": Status.NOT_APPLICABLE,
        "registered": Status.NOT_APPLICABLE, "dedicated": Status.ERROR}


def test_denied_node_pools_make_the_cluster_an_error(fake: AliyunFake, scan: Scan, content: Content) -> None:
    seeded(fake, [cluster("prod", [node_pool(REGION, "default-nodepool", "hij")])])
    fake.fail("DescribeClusterNodePools", "Forbidden.RAM", 403, region=REGION,
              message="User not authorized to operate on the specified resource.")
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    [finding] = findings(snapshot, content).values()
    assert finding.status is Status.ERROR
    assert "cs:DescribeClusterNodePools Forbidden.RAM" in finding.message


def test_a_vswitch_that_could_not_be_read_makes_the_cluster_an_error(fake: AliyunFake, scan: Scan,
                                                                     content: Content) -> None:
    stray = node_pool(REGION, "stray", "h")
    stray["scaling_group"]["vswitch_ids"] = ["vsw-elsewhere01"]     # not among those listed in the region
    seeded(fake, [cluster("prod", [node_pool(REGION, "default-nodepool", "hij")]),
                  cluster("stray", [node_pool(REGION, "default-nodepool", "hi"), stray])])
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    found = findings(snapshot, content)
    assert (found["prod"].status, found["stray"].status) == (Status.PASS, Status.ERROR)
    assert "vSwitch vsw-elsewhere01: not among the vSwitches listed in cn-hangzhou" in found["stray"].message


def test_a_denied_vswitch_listing_is_an_error_for_every_cluster_with_nodes(fake: AliyunFake, scan: Scan,
                                                                          content: Content) -> None:
    seeded(fake, [cluster("prod", [node_pool(REGION, "default-nodepool", "hij")]),
                  cluster("serverless", [], profile="Serverless")])
    fake.fail("DescribeVSwitches", "Forbidden.RAM", 403, region=REGION)
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    assert [(e.type, e.operation, e.code) for e in snapshot.errors] == [
        ("aliyun.vpc.vswitch", "vpc:DescribeVSwitches", "Forbidden.RAM")]
    found = findings(snapshot, content)
    assert (found["prod"].status, found["serverless"].status) == (Status.ERROR, Status.NOT_APPLICABLE)
    assert "listing failed in cn-hangzhou (vpc:DescribeVSwitches Forbidden.RAM" in found["prod"].message


def test_a_pool_answered_without_its_node_count_is_an_error(fake: AliyunFake, scan: Scan, content: Content) -> None:
    pool = node_pool(REGION, "default-nodepool", "hij")
    del pool["status"]["total_nodes"]
    seeded(fake, [cluster("prod", [pool])])
    snapshot = scan(fake, CloudSource(provider="aliyun", regions=(REGION,)))
    [finding] = findings(snapshot, content).values()
    assert finding.status is Status.ERROR
    assert "node pool default-nodepool: status.total_nodes is None, not a number" in finding.message
