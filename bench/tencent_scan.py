"""Scan a large fake Tencent Cloud account with latency added to every call.

Builds an account of several thousand resources across regions (CVM, CBS disks and snapshots,
security groups, VPCs, MySQL, CLS topics, workload-protection machines, CAM users and policies,
COS buckets) in the signature-checking fake of the test suite, then runs the real collector
(SDK clients over HTTP on 127.0.0.1) with each call delayed by --latency. The fake runs in its
own process, so that its signature checks do not compete with the collector for the GIL. The
claim to check: wall time ~ calls x latency / workers, i.e. the shared pool stays full, until the
collector's own CPU (SDK, requests, signing: `cpu s`, one core under the GIL) becomes the floor.

    pip install -e '.[test]'
    python bench/tencent_scan.py                          # 6 regions x 200, 300 users, 100 buckets
    python bench/tencent_scan.py --latency 0.05 --workers 16,32,64 --per-region 500
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fakes.tencent_accounts import (  # noqa: E402
    FakeAccount,
    bucket,
    build,
    custom_policy,
    disk,
    instance,
    policy_document,
    rule,
    security_group,
    user,
)
from tests.fakes.tencent_fake import TencentFake  # noqa: E402

from mlpscan.providers.cloud.collect import CloudOptions, collect_clouds  # noqa: E402
from mlpscan.providers.cloud.source import CloudSource  # noqa: E402

REGIONS = ("ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-nanjing", "ap-shanghai-fsi")
SECRET_ID, SECRET_KEY = "AKIDmlpscanBENCH000000000001", "bench-secret"


def large_account(regions: int, per_region: int, users: int, buckets: int) -> FakeAccount:
    account = build("100000000009", weak=False, regions=REGIONS[:regions])
    for r, region in enumerate(REGIONS[:regions]):
        for n in range(per_region):
            tag = f"{r}{n:06d}"
            account.add("instances", region, instance(f"ins-{tag}", region, groups=[f"sg-{tag}"]))
            account.add("disks", region, disk(f"disk-{tag}", region, encrypted=n % 7 != 0, policies=[]))
            account.add("snapshots", region, {"SnapshotId": f"snap-{tag}", "SnapshotName": f"s{n}",
                                              "Encrypt": True, "DiskId": f"disk-{tag}"})
            account.add("machines", region, {"MachineName": f"m{n}", "Quuid": f"q-{tag}", "Uuid": f"u-{tag}",
                                             "MachineStatus": "ONLINE", "InstanceId": f"ins-{tag}"})
            if n % 4 == 0:
                account.add("groups", region, security_group(f"sg-{tag}", f"g{n}", [
                    rule(0, "TCP", "443", "0.0.0.0/0"), rule(1, "TCP", "22", "10.0.0.0/8")]))
            if n % 10 == 0:
                account.add("databases", region, {**account.items("databases", region)[0],
                                                  "InstanceId": f"cdb-{tag}", "InstanceName": f"db{n}"})
            if n % 20 == 0:
                account.add("vpcs", region, {"VpcId": f"vpc-{tag}", "VpcName": f"v{n}"})
                account.add("topics", region, {"TopicId": f"topic-{tag}", "TopicName": f"t{n}",
                                               "Period": 180})
    owner = int(account.uin)
    account.users += [user(owner + 1000 + n, f"user-{n:04d}", mfa=n % 3 != 0,
                           keys=((f"AKIDbench{n:015d}", "Active", n % 200),)) for n in range(users)]
    account.buckets += [bucket(f"bench-{n:04d}-{account.appid}", REGIONS[n % regions])
                        for n in range(buckets)]
    document = policy_document({"effect": "allow", "action": ["cvm:Describe*"], "resource": ["*"]})
    account.policies += [custom_policy(50000 + n, f"team-{n}", document) for n in range(users // 3)]
    return account


def serve(conn: Connection, account: FakeAccount, latency: float) -> None:
    """The fake in a child process: sends its endpoint, then answers call counts until told to stop."""
    fake = TencentFake(latency=latency)
    fake.add_account(account, SECRET_ID, SECRET_KEY)
    with fake.running():
        conn.send(fake.endpoint)
        while conn.recv() == "count":
            conn.send(fake.count())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regions", type=int, default=6, help=f"1-{len(REGIONS)}")
    parser.add_argument("--per-region", type=int, default=200,
                        help="CVMs (and disks, snapshots, ...) per region")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--buckets", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to every call")
    parser.add_argument("--workers", default="8,16,32", help="api_workers values to try")
    args = parser.parse_args()
    os.environ.update(TENCENTCLOUD_SECRET_ID=SECRET_ID, TENCENTCLOUD_SECRET_KEY=SECRET_KEY)
    account = large_account(args.regions, args.per_region, args.users, args.buckets)
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(target=serve, args=(theirs, account, args.latency))
    server.start()
    source = CloudSource(provider="tencent", endpoint=ours.recv())
    print(f"latency {args.latency * 1000:.0f} ms per call, {args.regions} regions")
    print(f"{'workers':>7} {'resources':>9} {'calls':>6} {'wall s':>7} {'ideal s':>8} {'ideal/wall':>10} "
          f"{'cpu s':>6} {'errors':>6}")
    try:
        for workers in (int(w) for w in args.workers.split(",")):
            ours.send("count")
            before = ours.recv()
            started, cpu = time.perf_counter(), time.process_time()
            found = collect_clouds([source], REPO, lambda _: True, CloudOptions(api_workers=workers))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            ours.send("count")
            calls = ours.recv() - before
            ideal = calls * args.latency / workers
            print(f"{workers:>7} {len(found.resources):>9} {calls:>6} {wall:>7.2f} {ideal:>8.2f} "
                  f"{ideal / wall:>10.0%} {cpu:>6.2f} {len(found.errors):>6}")
    finally:
        ours.send("stop")
        server.join(timeout=10)


if __name__ == "__main__":
    main()
