"""Regenerate examples/tencent.json with the real collector: run by hand, never collected by pytest.

    /tmp/venv/bin/python tests/providers/tencent/make_example.py

The same path as tests/providers/tencent/test_scan.py: the signature-verifying fake Tencent Cloud
on 127.0.0.1, seeded with `build` (the compliant account) and the fake's item helpers, scanned by
collect_clouds through the real Tencent provider and SDK with the root's keys. The world of the
example account tencent:100000000001 (ap-guangzhou, ap-shanghai, ap-hongkong):
- CAM: ops-chen logs in with a soft token (Stoken), dev-zhao is a console user without MFA,
  ci-deployer is API-only (no console, two keys); the root has a soft token too;
- a CloudAudit track delivering to a CLS topic in ap-guangzhou that keeps logs 30 days;
- in ap-hongkong, a CVM instance, its CBS disk (no snapshot policy) and a COS bucket;
- the orders bucket replicating to a bucket in ap-hongkong (data leaving the mainland); load
  balancers, Redis, TDSQL-C, MongoDB, WAF, Anti-DDoS, Cloud Firewall, CDN and a CCN as the
  compliant account has them;
- cbs:DescribeDisks denied in ap-shanghai (AuthFailure.UnauthorizedOperation).
Everything is seeded with fixed ids. The fake and the collector's hooks (login and key idle
days) read a clock pinned to STARTED, so the dates and derived day counts do not move; the
snapshot's own times are fixed and it is sealed, so the file is the same on every run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fakes.tencent_accounts import FakeAccount

REPO = Path(__file__).resolve().parents[3]
OUTPUT = REPO / "examples" / "tencent.json"
STARTED = datetime(2026, 11, 21, 10, 0, 0, tzinfo=timezone.utc)
FINISHED = STARTED + timedelta(seconds=7)
UIN = "100000000001"
HONG_KONG = "ap-hongkong"
# Only the fake knows these; they are sent signed, never written to the snapshot.
SECRET_ID = "AKIDEXAMPLEmlpscanROOT00000000001"
SECRET_KEY = "EXAMPLEmlpscanSECRETkey0000000001"
CLEARED = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN",
           "MLPSCAN_TENCENT_ENDPOINT")


class PinnedClock(datetime):
    """datetime whose now() is STARTED: what "today" is for the fake and for the hooks."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return STARTED.astimezone(tz) if tz is not None else STARTED.replace(tzinfo=None)


@contextmanager
def pinned_clock() -> Iterator[None]:
    from tests.fakes import tencent_accounts, tencent_handlers  # noqa: PLC0415

    from mlpscan.providers.tencent import identity, storage  # noqa: PLC0415

    modules = (identity, storage, tencent_accounts, tencent_handlers)
    saved = [getattr(module, "datetime") for module in modules]  # noqa: B009
    for module in modules:
        setattr(module, "datetime", PinnedClock)  # noqa: B010
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            setattr(module, "datetime", original)  # noqa: B010


def root_keys() -> AbstractContextManager[None]:
    from tests.fakes.environment import only_these  # noqa: PLC0415

    return only_these(CLEARED, TENCENTCLOUD_SECRET_ID=SECRET_ID, TENCENTCLOUD_SECRET_KEY=SECRET_KEY)


def world() -> FakeAccount:
    """The example account, as the fake serves it (built under the pinned clock)."""
    from tests.fakes.tencent_accounts import READ_ONLY_POLICY, bucket, build, disk, instance, user  # noqa: PLC0415

    account = build(UIN, weak=False)   # ap-guangzhou and ap-shanghai, everything compliant
    owner = int(UIN)
    account.users = [
        user(owner + 123, "ops-chen", mfa=True, login_days=2, created_days=900,
             keys=(("AKIDopschenEXAMPLE00000001", "Active", 2),)),
        user(owner + 124, "dev-zhao", mfa=False, login_days=9, created_days=470,
             policies=[READ_ONLY_POLICY]),
        user(owner + 125, "ci-deployer", mfa=False, console=False, login_days=None, created_days=300,
             keys=(("AKIDcideployEXAMPLE000001", "Active", 1), ("AKIDcideployEXAMPLE000002", "Inactive", None))),
    ]
    # the CLS topic the track delivers to keeps logs 30 days, not 180
    [topic] = account.items("topics", "ap-guangzhou")
    topic["Period"] = 30
    # a Hong Kong instance, its disk (bound to no snapshot policy) and a bucket
    account.regions.append(HONG_KONG)
    account.add("instances", HONG_KONG, {**instance("ins-hk000001", HONG_KONG), "InstanceName": "hk-proxy-01"})
    account.add("disks", HONG_KONG, {**disk("disk-hk000001", HONG_KONG, encrypted=True, policies=[]),
                                     "DiskName": "hk-proxy-01-data", "InstanceId": "ins-hk000001"})
    account.buckets.append(bucket(f"acme-hk-static-{account.appid}", HONG_KONG))
    # the orders bucket copies every object to Hong Kong
    account.buckets[0]["_replication"] = [("to-hk", HONG_KONG, f"acme-orders-hk-{account.appid}")]
    return account


def main() -> int:
    for path in (REPO, REPO / "src"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    from tests.fakes.tencent_fake import TencentFake  # noqa: PLC0415

    from mlpscan._version import __version__  # noqa: PLC0415
    from mlpscan.providers.cloud.collect import CloudOptions, collect_clouds  # noqa: PLC0415
    from mlpscan.providers.cloud.source import CloudSource  # noqa: PLC0415
    from mlpscan.snapshot import Snapshot, Tool, dump_snapshot  # noqa: PLC0415

    options = CloudOptions(api_workers=8, max_attempts=3, backoff_base=0.001, backoff_cap=0.005,
                           connect_timeout=2.0, read_timeout=5.0)
    fake = TencentFake()
    with pinned_clock(), root_keys(), fake.running():
        fake.add_account(world(), SECRET_ID, SECRET_KEY)
        fake.deny("cbs:DescribeDisks", region="ap-shanghai")
        collection = collect_clouds([CloudSource(provider="tencent", endpoint=fake.endpoint)], REPO,
                                    lambda _: True, options)
    if fake.rejected:
        raise SystemExit(f"the fake rejected requests: {fake.rejected}")
    snapshot = Snapshot(schema_="mlpscan.snapshot/1", tool=Tool(version="0.1.0"), started_at=STARTED,
                        finished_at=FINISHED, targets=collection.targets, resources=collection.resources,
                        errors=collection.errors).sealed()
    text = dump_snapshot(snapshot)
    for secret in (SECRET_KEY.encode(), SECRET_ID.encode()):
        if secret in text:
            raise SystemExit("the snapshot would contain the scanning keys")
    OUTPUT.write_bytes(text)
    print(f"{OUTPUT.relative_to(REPO)}: {len(snapshot.resources)} resources, {len(snapshot.errors)} errors, "
          f"{snapshot.digest} (mlpscan {__version__})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
