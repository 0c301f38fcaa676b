"""Scan a large AWS account in moto's server with latency added to every call.

Seeds IAM users, CloudWatch log groups and S3 buckets across cn-north-1 and cn-northwest-1,
then runs the real collector through a loopback proxy that delays each call by --latency and
counts it. The claim to check: wall time ~ calls x latency / workers (the pool stays full).

    pip install -e '.[test]'
    python bench/aws_scan.py                      # 2,000 users, 5,000 log groups, 1,000 buckets
    python bench/aws_scan.py --latency 0.05 --workers 16,32,64
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.update(AWS_ACCESS_KEY_ID="AKIAMLPSCANBENCH0001", AWS_SECRET_ACCESS_KEY="bench",
                  AWS_DEFAULT_REGION="cn-north-1", AWS_EC2_METADATA_DISABLED="true",
                  AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)

import boto3  # noqa: E402
from tests.fakes.aws_throttle import throttling_proxy  # noqa: E402

from mlpscan.providers.cloud.collect import CloudOptions, collect_clouds  # noqa: E402
from mlpscan.providers.cloud.source import CloudSource  # noqa: E402

REGIONS = ("cn-north-1", "cn-northwest-1")
WANTED = {"aws.account", "aws.iam.user", "aws.logs.log_group", "aws.s3.bucket"}


def seed(endpoint: str, users: int, log_groups: int, buckets: int) -> None:
    def client(service: str, region: str = "cn-north-1"):  # type: ignore[no-untyped-def]
        return boto3.client(service, region_name=region, endpoint_url=endpoint)

    iam = client("iam")
    logs = {region: client("logs", region) for region in REGIONS}
    s3 = {region: client("s3", region) for region in REGIONS}
    jobs = [lambda n=n: iam.create_user(UserName=f"user-{n:05d}") for n in range(users)]
    jobs += [lambda n=n: logs[REGIONS[n % 2]].create_log_group(
        logGroupName=f"/app/group-{n:05d}") for n in range(log_groups)]
    jobs += [lambda n=n: s3[REGIONS[n % 2]].create_bucket(
        Bucket=f"bench-bucket-{n:05d}", CreateBucketConfiguration={"LocationConstraint": REGIONS[n % 2]})
        for n in range(buckets)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda job: job(), jobs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--log-groups", type=int, default=5000)
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per call (default 0.05)")
    parser.add_argument("--workers", default="16,32", help="comma list of --api-workers values")
    args = parser.parse_args()

    # moto in its own process: in this one it would share the GIL with the collector it serves.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    _wait_for(port)
    started = time.perf_counter()
    seed(endpoint, args.users, args.log_groups, args.buckets)
    print(f"seeded {args.users} users, {args.log_groups} log groups, {args.buckets} buckets "
          f"in {time.perf_counter() - started:.1f} s")
    print(f"{'workers':>7} {'calls':>6} {'resources':>9} {'wall s':>7} {'ideal s':>7} {'ratio':>6} "
          f"{'our cpu s':>9}")
    for workers in (int(w) for w in args.workers.split(",")):
        with throttling_proxy(endpoint, latency=args.latency) as proxy:
            source = CloudSource(provider="aws", endpoint=proxy.endpoint, regions=REGIONS)
            began, cpu = time.perf_counter(), time.process_time()
            found = collect_clouds([source], REPO, WANTED.__contains__, CloudOptions(api_workers=workers))
            wall = time.perf_counter() - began
            used = time.process_time() - cpu   # collector + proxy threads; moto runs in its own process
            ideal = proxy.calls * args.latency / workers
            ratio = f"{wall / ideal:>6.2f}" if ideal else f"{'-':>6}"
            print(f"{workers:>7} {proxy.calls:>6} {len(found.resources):>9} {wall:>7.1f} {ideal:>7.1f} "
                  f"{ratio} {used:>9.1f}")
            if found.errors:
                print(f"        {len(found.errors)} collection errors, first: {found.errors[0]}")
    server.terminate()
    server.wait()


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("moto server did not start")


if __name__ == "__main__":
    main()
