"""The zones an ACK cluster's worker nodes run in: `NodeZones`, from its node pools and their vSwitches.

A node pool places its nodes in the vSwitches of its scaling group (DescribeClusterNodePools
`scaling_group.vswitch_ids`), and a vSwitch lies in one zone (DescribeVSwitches `ZoneId`, collected
as `aliyun.vpc.vswitch`, which the cluster type `uses`). The zones counted are those of the pools
that hold nodes (`status.total_nodes` above 0): an empty pool spanning three zones does not make the
nodes of a one-zone pool redundant. Edge pools (`nodepool_info.type` `edge`) are left out: their
nodes are the customer's own machines, in no Alibaba Cloud zone.

These are the zones the nodes may be placed in; how they are spread over them is the pool's
`multi_az_policy` (kept per pool: BALANCE spreads them evenly, PRIORITY fills the first vSwitch
first). A pool list that could not be read, a pool without its node count or vSwitch list, or a
vSwitch whose zone cannot be read (its listing failed, it is not among those listed, it has no
ZoneId) leaves `NodeZones` failed, so the check says `error`, never that the nodes are spread.
"""

from __future__ import annotations

from typing import Any

from mlpscan.providers.cloud.address_sets import NamedSets, Unresolved
from mlpscan.providers.cloud.runner import HookContext, with_failed_calls
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource

KEY = "NodeZones"
NODE_POOLS = "NodePools"              # where the cluster keeps DescribeClusterNodePools' `nodepools`
VSWITCHES = "aliyun.vpc.vswitch"
EDGE_POOL = "edge"                    # nodepool_info.type of pools of off-cloud (edge) nodes


def cluster_node_zones(context: HookContext) -> list[Resource]:
    """NodeZones for each cluster: the zones of the vSwitches of its node pools that hold nodes."""
    vswitches = NamedSets.of(context, VSWITCHES, "VSwitchId", "vSwitch")
    done: list[Resource] = []
    for resource in context.resources:
        failed = resource.data.get(FAILED_CALLS_KEY, {})
        if NODE_POOLS in failed:
            reason = f"derived from an answer that could not be read: {failed[NODE_POOLS]}"
            done.append(with_failed_calls(resource, {KEY: reason}))
            continue
        try:
            zones = node_zones(resource.data.get(NODE_POOLS), resource.region, vswitches)
        except Unresolved as exc:
            done.append(with_failed_calls(resource, {KEY: str(exc)[:500]}))
            continue
        done.append(resource.model_copy(update={"data": {**resource.data, KEY: zones}}))
    return done


def node_zones(pools: Any, region: str | None, vswitches: NamedSets) -> dict[str, Any]:
    """{zones, worker_nodes, node_pools, left_out, evidence} of one cluster's node pools."""
    if not isinstance(pools, list):
        raise Unresolved(f"DescribeClusterNodePools answered nodepools as {type(pools).__name__}, not a list")
    counted: list[dict[str, Any]] = []
    left_out: list[str] = []
    for pool in pools:
        if not isinstance(pool, dict):
            raise Unresolved(f"a node pool is {type(pool).__name__}, not an object")
        info = pool.get("nodepool_info") or {}
        name = str(info.get("name") or info.get("nodepool_id") or "(unnamed)")
        if info.get("type") == EDGE_POOL:
            left_out.append(f"{name}: edge node pool (nodes outside Alibaba Cloud zones)")
            continue
        nodes = (pool.get("status") or {}).get("total_nodes")
        if not isinstance(nodes, int) or isinstance(nodes, bool):
            raise Unresolved(f"node pool {name}: status.total_nodes is {nodes!r}, not a number")
        if nodes == 0:
            left_out.append(f"{name}: no nodes")
            continue
        scaling = pool.get("scaling_group") or {}
        ids = scaling.get("vswitch_ids")
        if not isinstance(ids, list) or not ids:
            raise Unresolved(f"node pool {name}: scaling_group.vswitch_ids is {ids!r}, not a list of ids")
        pool_zones = sorted({_zone(vswitches, region, str(vswitch)) for vswitch in ids})
        counted.append({"nodepool_id": info.get("nodepool_id"), "name": name, "type": info.get("type"),
                        "nodes": nodes, "vswitch_ids": [str(v) for v in ids], "zones": pool_zones,
                        "multi_az_policy": scaling.get("multi_az_policy")})
    zones = sorted({zone for pool in counted for zone in pool["zones"]})
    evidence = "; ".join(f"{p['name']} ({p['nodes']} node{'' if p['nodes'] == 1 else 's'}): "
                         f"{', '.join(p['zones'])}" for p in counted)
    return {"zones": zones, "worker_nodes": sum(p["nodes"] for p in counted), "node_pools": counted,
            "left_out": left_out, "evidence": evidence or "no node pool holds nodes"}


def _zone(vswitches: NamedSets, region: str | None, vswitch_id: str) -> str:
    zone = vswitches.get(region, vswitch_id).data.get("ZoneId")
    if not isinstance(zone, str) or not zone:
        raise Unresolved(f"vSwitch {vswitch_id}: answered without its ZoneId")
    return zone
