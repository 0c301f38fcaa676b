"""Regenerate examples/mixed-level4.json with the real collectors: run by hand, never collected by pytest.

    /tmp/venv/bin/python tests/make_mixed_example.py

Two small, compliant accounts scanned in one collect_clouds run, each against its provider's
signature-verifying fake (tests/fakes/aliyun_fake.py, tests/fakes/tencent_fake.py):
- aliyun:2222333344445555 (acme-portal) in the public region cn-hangzhou only, with no platform
  recorded: the platform check looks its level up (aliyun-public, level 3);
- tencent:200000000002 in the finance zone ap-shanghai-fsi only. Its Target gets a platform declared
  as mlpscan.yaml would declare it (`platforms:` entry, source "declared in mlpscan.yaml"), set
  after collection and before sealing; a declaration takes precedence over the lookup.
The pinned clocks, fixed ids and sealing are those of tests/providers/aliyun/make_example.py and
tests/providers/tencent/make_example.py (whose keys and clock this script reuses), so the file
is the same on every run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlpscan.providers.cloud.collect import CloudCollection
    from tests.fakes.aliyun_world import World
    from tests.fakes.tencent_accounts import FakeAccount

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "examples" / "mixed-level4.json"
ALIYUN, TENCENT = "2222333344445555", "200000000002"
TENCENT_TARGET = f"tencent:{TENCENT}"
FINANCE_ZONE = "ap-shanghai-fsi"
PLATFORM = {"name": "Tencent Cloud finance zone", "level": 4, "evidence": "公安部备案证明 44030099001-18001"}
# Only the fake knows these; they are sent signed, never written to the snapshot.
KEY_ID = "LTAI5tEXAMPLEmlpscanPortal1"
SECRET = "EXAMPLEmlpscanSecretPortal000001"


def aliyun_world() -> World:
    """acme-portal: compliant settings, one console user with MFA, a trail kept a year in an
    encrypted log store, one instance with its encrypted disk, one bucket; everything in cn-hangzhou."""
    from tests.fakes.aliyun_world import (  # noqa: PLC0415
        HTTPS_ONLY,
        MANDATORY_MFA,
        STRONG_PASSWORDS,
        Bucket,
        User,
        World,
        trail,
    )
    from tests.providers.aliyun.make_example import copy, ecs_disk, ecs_instance  # noqa: PLC0415

    region = "cn-hangzhou"
    world = World(account_id=ALIYUN, alias="acme-portal", regions=[region], password_policy=dict(STRONG_PASSWORDS),
                  security_preference=copy(MANDATORY_MFA))
    world.users = [User("wang.fang", created="2025-03-10T02:00:00Z", last_login="2026-11-20T08:30:00Z",
                        policies=["AliyunECSFullAccess"])]
    world.trails = [trail(ALIYUN, "acme-portal-audit", region, project="actiontrail-acme-portal")]
    world.logstores = {("actiontrail-acme-portal", "actiontrail_acme-portal-audit"): {
        "ttl": 365, "hot_ttl": 30, "encrypt_conf": {"enable": True, "encrypt_type": "default"}}}
    world.buckets = [Bucket("acme-portal-uploads", region, policy=HTTPS_ONLY)]
    instance_id = "i-bp1m2i3x4e5d6l7v8l4a"
    world.instances[region] = [ecs_instance(region, instance_id, "portal-hz-01", "vpc-bp1m2i3x4e5d6l7v8l4b",
                                            "sg-bp1m2i3x4e5d6l7v8l4d")]
    world.disks[region] = [ecs_disk(region, "d-bp1m2i3x4e5d6l7v8l4e", "portal-hz-01-system", instance_id)]
    return world


def tencent_world() -> FakeAccount:
    """The compliant finance-zone account of tests/providers/tencent/test_scan.py, made smaller: one
    console user with a soft token, the track and its CLS topic (365 days), one CVM instance with its
    encrypted disk, snapshot policy and CWP agent, one security group, the VPC with its flow log and
    one bucket (no database, no snapshot, no custom policy)."""
    from tests.fakes.tencent_accounts import build, tls_only_policy, user  # noqa: PLC0415

    account = build(TENCENT, weak=False, regions=(FINANCE_ZONE,), data_region=FINANCE_ZONE)
    account.users = [user(int(TENCENT) + 123, "ops-liu", mfa=True, login_days=1, created_days=600)]
    account.policies = []
    [instance] = account.items("instances", FINANCE_ZONE)
    instance["InstanceName"] = "fsi-settle-01"
    [disk] = account.items("disks", FINANCE_ZONE)
    disk["DiskName"] = "fsi-settle-01-data"
    [bucket] = account.buckets
    bucket["Name"] = f"acme-settle-{account.appid}"
    bucket["_policy"] = tls_only_policy(bucket["Name"], FINANCE_ZONE, account.appid)
    for kind in ("snapshots", "databases"):
        account.items(kind, FINANCE_ZONE).clear()
    return account


def declare_platform(collection: CloudCollection) -> None:
    """What `platforms: [{target: "tencent:200000000002", ...}]` in mlpscan.yaml records."""
    from mlpscan.config import PlatformDeclaration  # noqa: PLC0415

    declared = PlatformDeclaration(target=TENCENT_TARGET, **PLATFORM).platform("declared in mlpscan.yaml")
    collection.targets = [t.model_copy(update={"platform": declared}) if t.id == TENCENT_TARGET else t
                          for t in collection.targets]


def main() -> int:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.providers.aliyun import make_example as aliyun  # noqa: PLC0415

    aliyun.on_path()
    from mlpscan.providers.cloud.source import CloudSource  # noqa: PLC0415
    from tests.fakes.aliyun_fake import AliyunFake  # noqa: PLC0415
    from tests.fakes.tencent_fake import TencentFake  # noqa: PLC0415
    from tests.providers.tencent import make_example as tencent  # noqa: PLC0415

    aliyun_fake, tencent_fake = AliyunFake(), TencentFake()
    aliyun_fake.add_account(aliyun_world(), KEY_ID, SECRET)
    with (aliyun.pinned_hooks(), aliyun.scanning_key(KEY_ID, SECRET), tencent.pinned_clock(), tencent.root_keys(),
          aliyun_fake.running(), tencent_fake.running()):
        tencent_fake.add_account(tencent_world(), tencent.SECRET_ID, tencent.SECRET_KEY)
        collection = aliyun.collect([CloudSource(provider="aliyun", endpoint=aliyun_fake.url),
                                     CloudSource(provider="tencent", endpoint=tencent_fake.endpoint)])
    if aliyun.refused(aliyun_fake) or tencent_fake.rejected:
        raise SystemExit(f"the fakes refused requests: {aliyun.refused(aliyun_fake)} {tencent_fake.rejected}")
    if collection.errors:
        raise SystemExit(f"the collection recorded errors: {collection.errors}")
    if sorted(t.id for t in collection.targets) != [f"aliyun:{ALIYUN}", TENCENT_TARGET]:
        raise SystemExit(f"unexpected targets: {[t.id for t in collection.targets]}")
    declare_platform(collection)
    aliyun.write(collection, OUTPUT, [KEY_ID, SECRET, tencent.SECRET_ID, tencent.SECRET_KEY])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
