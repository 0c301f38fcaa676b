"""Benchmark: collect one large fake Alibaba Cloud account with latency injected on every call.

The fake (tests/fakes/aliyun_fake.py, signatures verified) runs in its own process so it does not
share the scanner's interpreter lock; every answer waits `--latency` seconds first. The scan goes
through the library API (mlpscan.collect) as `mlpscan scan aliyun` does. Printed per worker count:
resources, API calls, wall time, the ideal calls x latency / workers, and the scanner's CPU time
(the SDK stack costs about 1.5 ms of CPU per call: one core serves at most ~650 calls a second, so
beyond that the wall time is CPU-bound, not latency-bound). Not a test: asserts nothing.

    python bench/aliyun_scan.py                           # 6 regions, ~6,000 resources, 20 ms, 16 workers
    python bench/aliyun_scan.py --workers 16,32,64 --latency 0.05
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"   # never probe the ECS metadata service

from tests.fakes.aliyun_fake import ROOT_KEY_ID, ROOT_SECRET, AliyunFake  # noqa: E402
from tests.fakes.aliyun_world import (  # noqa: E402
    Bucket,
    User,
    compliant_world,
    database,
    disk,
    instance,
    security_group,
    snapshot,
    vpc,
)

from mlpscan.collect import collect  # noqa: E402  (after the path setup)
from mlpscan.content import load_content  # noqa: E402
from mlpscan.providers.cloud.collect import CloudOptions  # noqa: E402
from mlpscan.providers.cloud.source import CloudSource  # noqa: E402
from mlpscan.providers.host.collector import HostOptions  # noqa: E402

REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-shanghai-finance-1", "cn-hongkong"]


def big_world(scale: int) -> AliyunFake:
    """~1,000 resources per `scale`: every region gets instances, disks, snapshots, groups, databases."""
    world = compliant_world()
    world.regions = list(REGIONS)
    world.users = [User(f"user{n:04d}", keys=[{"AccessKeyId": f"LTAI5tBench{n:08d}", "Status": "Active",
                                               "CreateDate": "2026-01-05T02:00:00Z",
                                               "LastUsedDate": "2026-11-20T09:00:00Z"}])
                   for n in range(40 * scale)]
    world.buckets = [Bucket(f"bench-{n:05d}", REGIONS[n % len(REGIONS)]) for n in range(30 * scale)]
    per_region = scale * 150 // len(REGIONS)
    for region in REGIONS:
        world.instances[region] = [instance(region, n) for n in range(per_region)]
        world.disks[region] = [disk(region, n) for n in range(per_region)]
        world.snapshots[region] = [snapshot(region, n) for n in range(per_region)]
        world.security_groups[region] = [security_group(region, n, [("TCP", "443/443", "0.0.0.0/0")])
                                         for n in range(per_region // 5)]
        world.databases[region] = [database(region, n) for n in range(per_region // 10)]
        world.vpcs[region] = [vpc(region, n) for n in range(per_region // 10)]
    world.assets = [{"Uuid": f"uuid-{n}", "InstanceId": f"i-{n}", "RegionId": REGIONS[n % len(REGIONS)],
                     "ClientStatus": "online"} for n in range(per_region * len(REGIONS))]
    fake = AliyunFake()
    fake.add_account(world)
    return fake


def serve(scale: int, latency: float, pipe: Connection) -> None:
    """The fake's process: report the port, answer until told to stop, then report what it saw."""
    fake = big_world(scale)
    fake.latency = latency
    with fake.running():
        pipe.send(fake.port)
        while pipe.recv() == "count":
            pipe.send(Counter(s.status for s in fake.calls()))
            with fake.lock:
                fake.seen.clear()
        pipe.send(None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=6, help="about 1,000 resources per unit (default 6)")
    parser.add_argument("--latency", type=float, default=0.02,
                        help="seconds added to every answer (default 0.02)")
    parser.add_argument("--workers", default="16", help="comma list of api worker counts (default 16)")
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    parent, child = spawn.Pipe()
    server = spawn.Process(target=serve, args=(args.scale, args.latency, child))
    server.start()
    port = parent.recv()
    os.environ.update(ALIBABA_CLOUD_ACCESS_KEY_ID=ROOT_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=ROOT_SECRET)
    content = load_content(REPO)
    source = CloudSource(provider="aliyun", endpoint=f"http://127.0.0.1:{port}")
    print(f"fake account: {len(REGIONS)} regions, latency {args.latency * 1000:.0f} ms per call, "
          f"fake in its own process (pid {server.pid})")
    print(f"{'workers':>7} {'resources':>9} {'calls':>6} {'errors':>6} {'wall s':>7} {'ideal s':>7} "
          f"{'ideal/wall':>10} {'scanner CPU s':>13} {'CPU ms/call':>11}")
    for workers in (int(w) for w in args.workers.split(",")):
        options = CloudOptions(api_workers=workers)
        started, cpu = time.perf_counter(), time.process_time()
        result = collect([], content, HostOptions(), clouds=[source], cloud_options=options)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        parent.send("count")
        statuses: Counter[int] = parent.recv()
        calls = sum(statuses.values())
        ideal = calls * args.latency / workers
        print(f"{workers:>7} {len(result.resources):>9} {calls:>6} {len(result.errors):>6} {wall:>7.2f} "
              f"{ideal:>7.2f} {ideal / wall:>10.0%} {cpu:>13.2f} {cpu / calls * 1000:>11.2f}")
    parent.send("stop")
    parent.recv()
    server.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
