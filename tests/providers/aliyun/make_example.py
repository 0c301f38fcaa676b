"""Regenerate examples/aliyun.json with the real collector: run by hand, never collected by pytest.

    /tmp/venv/bin/python tests/providers/aliyun/make_example.py

The same path as tests/providers/aliyun/test_collect.py: the signature-verifying fake Alibaba Cloud
on 127.0.0.1, seeded with the fake's World helpers, scanned by collect_clouds through the real
Alibaba provider and SDKs (RPC, OSS, SLS). The worlds of the example:
- aliyun:1234567890123456 (acme-prod; cn-hangzhou, cn-shanghai, cn-hongkong), scanned with its own
  key, with the weak points of the acceptance test (tests/providers/aliyun/test_acceptance.py):
  zhang.wei is a console user without MFA, console MFA is not enforced (`independent`), the
  password policy is weak (6 characters, never expires, no history, no lockout), the trail
  delivers to an SLS logstore that keeps 30 days, the cn-shanghai disk is not encrypted, and an
  ECS instance, its disk and an OSS bucket sit in cn-hongkong;
  It also has a CLB whose HTTPS listener still accepts TLS 1.0, a compliant Redis instance, a WAF
  instance, and data leaving the mainland: the orders bucket replicated to Singapore and a CDN
  domain accelerated worldwide;
- aliyun:5555666677778888 (acme-fin), on the finance cloud in cn-shanghai-finance-1 only, reached
  by assuming its audit role (with an external id) with the first account's key; compliant, every
  load balancer, database and security service included.
Everything is seeded with fixed ids and dates. The hooks (login and key idle days, the trail's
retention) read a clock pinned to STARTED, the snapshot's own times are fixed and it is sealed, so
the file is the same on every run. The scanning key and the role's temporary keys are known only
to the fake; RAM users' access key ids are masked by the collector.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlpscan.providers.cloud.collect import CloudCollection
    from mlpscan.providers.cloud.source import CloudSource
    from tests.fakes.aliyun_fake import AliyunFake
    from tests.fakes.aliyun_world import World

REPO = Path(__file__).resolve().parents[3]
OUTPUT = REPO / "examples" / "aliyun.json"
STARTED = datetime(2026, 11, 21, 10, 0, 0, tzinfo=timezone.utc)
FINISHED = STARTED + timedelta(seconds=7)
MAIN, FINANCE = "1234567890123456", "5555666677778888"
HONG_KONG, FINANCE_REGION = "cn-hongkong", "cn-shanghai-finance-1"
EXTERNAL_ID = "mlpscan-7f3a"
# Only the fake knows these; they are sent signed, never written to the snapshot.
KEY_ID = "LTAI5tEXAMPLEmlpscanScan01"
SECRET = "EXAMPLEmlpscanSecretScan00000001"
CLEARED = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
           "ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_PROFILE",
           "ALIBABA_CLOUD_CREDENTIALS_FILE", "MLPSCAN_ALIYUN_ENDPOINT")


def on_path() -> None:
    for path in (REPO, REPO / "src"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


@contextmanager
def pinned_hooks() -> Iterator[None]:
    """The hooks measure idleness and retention from STARTED, not from the machine's clock.

    connect() hands the provider's HOOKS mapping to the runner, so its entries are swapped for
    the same hooks with a pinned clock while the scan runs."""
    from mlpscan.providers.aliyun import hooks  # noqa: PLC0415

    saved = dict(hooks.HOOKS)
    for name, function in (("user_activity", hooks.user_activity), ("trail_log_retention", hooks.trail_log_retention)):
        hooks.HOOKS[name] = replace(saved[name], run=partial(function, clock=lambda: STARTED))
    try:
        yield
    finally:
        hooks.HOOKS.update(saved)


def scanning_key(key_id: str = KEY_ID, secret: str = SECRET) -> AbstractContextManager[None]:
    """The key in the environment, and nothing else of the machine's Alibaba configuration."""
    from tests.fakes.environment import only_these  # noqa: PLC0415

    return only_these(CLEARED, ALIBABA_CLOUD_ACCESS_KEY_ID=key_id, ALIBABA_CLOUD_ACCESS_KEY_SECRET=secret)


def copy(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of one of the fake's JSON constants, free to change."""
    copied: dict[str, Any] = json.loads(json.dumps(document))
    return copied


def ecs_instance(region: str, instance_id: str, name: str, vpc_id: str, group_id: str) -> dict[str, Any]:
    from tests.fakes.aliyun_world import instance  # noqa: PLC0415

    found = instance(region, 1)
    found.update(InstanceId=instance_id, InstanceName=name, ZoneId=f"{region}-b",
                 VpcAttributes={"VpcId": vpc_id, "PrivateIpAddress": {"IpAddress": ["172.16.1.10"]}},
                 SecurityGroupIds={"SecurityGroupId": [group_id]})
    return found


def ecs_disk(region: str, disk_id: str, name: str, instance_id: str, *, encrypted: bool = True) -> dict[str, Any]:
    from tests.fakes.aliyun_world import disk  # noqa: PLC0415

    found = disk(region, 1, encrypted=encrypted)
    found.update(DiskId=disk_id, DiskName=name, InstanceId=instance_id)
    return found


def main_world() -> World:
    """acme-prod: the acceptance test's weak points, the rest compliant."""
    from tests.fakes.aliyun_services import cdn_domain, load_balancer, redis  # noqa: PLC0415
    from tests.fakes.aliyun_world import (  # noqa: PLC0415
        HTTPS_ONLY,
        MANDATORY_MFA,
        STRONG_PASSWORDS,
        Bucket,
        User,
        World,
        database,
        security_group,
        trail,
    )

    preference = copy(MANDATORY_MFA)
    preference["LoginProfilePreference"]["MFAOperationForLogin"] = "independent"
    world = World(account_id=MAIN, alias="acme-prod", regions=["cn-hangzhou", "cn-shanghai", HONG_KONG],
                  password_policy={**STRONG_PASSWORDS, "MinimumPasswordLength": 6, "RequireSymbols": False,
                                   "RequireUppercaseCharacters": False, "MaxPasswordAge": 0,
                                   "PasswordReusePrevention": 0, "MaxLoginAttemps": 0},
                  security_preference=preference)
    world.users = [
        User("li.na", created="2024-03-04T02:00:00Z", last_login="2026-11-20T01:12:00Z",
             policies=["AliyunECSFullAccess", "AliyunRDSFullAccess"]),
        User("zhang.wei", created="2025-06-16T02:00:00Z", last_login="2026-11-18T07:40:00Z", mfa=False,
             policies=["ReadOnlyAccess"]),
        User("oss-sync", created="2025-02-01T02:00:00Z", console=False, mfa=False, last_login=None,
             policies=["AliyunOSSFullAccess"],
             keys=[{"AccessKeyId": "LTAI5tEXAMPLEossSync0007", "Status": "Active",
                    "CreateDate": "2026-02-01T02:00:00Z", "LastUsedDate": "2026-11-21T00:10:00Z"}]),
    ]
    world.trails = [trail(MAIN, "acme-audit", "cn-hangzhou", project="actiontrail-acme")]
    world.logstores = {("actiontrail-acme", "actiontrail_acme-audit"): {"ttl": 30, "hot_ttl": 30}}
    world.buckets = [Bucket("acme-web-assets-hz", "cn-hangzhou", policy=HTTPS_ONLY),
                     Bucket("acme-orders-data-sh", "cn-shanghai", policy=HTTPS_ONLY),
                     Bucket("acme-hk-static", HONG_KONG, policy=HTTPS_ONLY)]
    group = security_group("cn-hangzhou", 1, [("TCP", "443/443", "0.0.0.0/0"), ("TCP", "22/22", "10.0.0.0/8")])
    group.update(SecurityGroupId="sg-bp1f2g3h4j5k6l7m8n9p", SecurityGroupName="web-hz",
                 VpcId="vpc-bp1a2b3c4d5e6f7g8h9v")
    world.security_groups["cn-hangzhou"] = [group]
    machines = (("cn-hangzhou", "i-bp1a2b3c4d5e6f7g8h9i", "web-hz-01", "d-bp1s2y3s4t5e6m7d8i9s",
                 "vpc-bp1a2b3c4d5e6f7g8h9v", "sg-bp1f2g3h4j5k6l7m8n9p", True),
                ("cn-shanghai", "i-uf6a2b3c4d5e6f7g8h9i", "app-sh-01", "d-uf6s2y3s4t5e6m7d8i9s",
                 "vpc-uf6a2b3c4d5e6f7g8h9v", "sg-uf6f2g3h4j5k6l7m8n9p", False),
                (HONG_KONG, "i-j6ca2b3c4d5e6f7g8h9i", "hk-proxy-01", "d-j6cs2y3s4t5e6m7d8i9s",
                 "vpc-j6ca2b3c4d5e6f7g8h9v", "sg-j6cf2g3h4j5k6l7m8n9p", True))
    for region, instance_id, name, disk_id, vpc_id, group_id, encrypted in machines:
        world.instances[region] = [ecs_instance(region, instance_id, name, vpc_id, group_id)]
        world.disks[region] = [ecs_disk(region, disk_id, f"{name}-system", instance_id, encrypted=encrypted)]
    orders = database("cn-shanghai", 1)
    orders.update(DBInstanceId="rm-uf6a2b3c4d5e6f7g8", DBInstanceDescription="orders", ZoneId="cn-shanghai-b")
    world.databases["cn-shanghai"] = [orders]
    # a CLB still accepting TLS 1.0, a compliant Redis, the orders bucket replicated to Singapore and a
    # CDN domain accelerated worldwide (data leaving the mainland), a WAF and nothing else in front
    world.regional["slb"] = {"cn-hangzhou": [load_balancer("cn-hangzhou", 1, weak=True)]}
    world.regional["redis"] = {"cn-shanghai": [redis("cn-shanghai", 1)]}
    world.buckets[1].replication = [("acme-orders-dr-sg", "ap-southeast-1")]
    world.cdn_domains = [cdn_domain("static.acme.example", coverage="global")]
    world.waf3 = {"InstanceId": "waf_v3prepaid_public_cn-0001", "Status": 1, "Edition": "enterprise",
                  "RegionId": "cn-hangzhou"}
    return world


def finance_world() -> World:
    """acme-fin: a compliant account on the finance cloud, one region, no RAM users."""
    from tests.fakes.aliyun_services import services_compliant  # noqa: PLC0415
    from tests.fakes.aliyun_world import HTTPS_ONLY, MANDATORY_MFA, STRONG_PASSWORDS, Bucket, World, trail  # noqa: PLC0415

    world = World(account_id=FINANCE, alias="acme-fin", regions=[FINANCE_REGION],
                  password_policy=dict(STRONG_PASSWORDS),
                  security_preference=copy(MANDATORY_MFA))
    world.trails = [trail(FINANCE, "acme-fin-audit", FINANCE_REGION, project="actiontrail-acme-fin")]
    world.logstores = {("actiontrail-acme-fin", "actiontrail_acme-fin-audit"): {
        "ttl": 365, "hot_ttl": 30, "encrypt_conf": {"enable": True, "encrypt_type": "default"}}}
    world.buckets = [Bucket("acme-fin-ledger", FINANCE_REGION, policy=HTTPS_ONLY)]
    instance_id = "i-6wea2b3c4d5e6f7g8h9i"
    world.instances[FINANCE_REGION] = [ecs_instance(FINANCE_REGION, instance_id, "pay-core-01",
                                                    "vpc-6wea2b3c4d5e6f7g8h9v", "sg-6wef2g3h4j5k6l7m8n9p")]
    world.disks[FINANCE_REGION] = [ecs_disk(FINANCE_REGION, "d-6wes2y3s4t5e6m7d8i9s", "pay-core-01-system",
                                            instance_id)]
    services_compliant(world)   # every load balancer, database and security service in its compliant form
    return world


def collect(sources: Sequence[CloudSource]) -> CloudCollection:
    """collect_clouds over the given sources, as `mlpscan scan` runs it (fast retries)."""
    from mlpscan.providers.cloud.collect import CloudOptions, collect_clouds  # noqa: PLC0415

    options = CloudOptions(api_workers=8, max_attempts=3, backoff_base=0.001, backoff_cap=0.005,
                           connect_timeout=2.0, read_timeout=5.0)
    return collect_clouds(sources, REPO, lambda _: True, options)


def refused(fake: AliyunFake) -> list[tuple[str, str | None, int]]:
    """Answers other than 200 besides the "not configured" ones the specs keep as null."""
    expected = {("GetLoginProfile", 404), ("GetUserMFAInfo", 404), ("GetBucketLifecycle", 404),
                ("GetBucketReplication", 404)}
    return [(s.action, s.region, s.status) for s in fake.calls()
            if s.status != 200 and (s.action, s.status) not in expected]


def issued(fake: AliyunFake) -> list[str]:
    """The temporary keys, secrets and tokens the fake issued (role assumption)."""
    found: list[str] = []
    for key_id, key in fake.keys.items():
        if key.token is not None:
            found += [key_id, key.secret, key.token]
    return found


def write(collection: CloudCollection, output: Path, secrets: Sequence[str]) -> None:
    """Seal the collection with the fixed times and write it, unless it would hold a secret."""
    from mlpscan._version import __version__  # noqa: PLC0415
    from mlpscan.snapshot import Snapshot, Tool, dump_snapshot  # noqa: PLC0415

    snapshot = Snapshot(schema_="mlpscan.snapshot/1", tool=Tool(version="0.1.0"), started_at=STARTED,
                        finished_at=FINISHED, targets=collection.targets, resources=collection.resources,
                        errors=collection.errors).sealed()
    text = dump_snapshot(snapshot)
    for secret in secrets:
        if secret.encode() in text:
            raise SystemExit(f"{output.name} would contain a scanning secret or key id")
    output.write_bytes(text)
    print(f"{output.relative_to(REPO)}: {len(snapshot.resources)} resources, {len(snapshot.errors)} errors, "
          f"{snapshot.digest} (mlpscan {__version__})")


def main() -> int:
    on_path()
    from mlpscan.providers.cloud.source import CloudSource  # noqa: PLC0415
    from tests.fakes.aliyun_fake import AliyunFake  # noqa: PLC0415

    fake = AliyunFake()
    fake.add_account(main_world(), KEY_ID, SECRET)
    role = fake.add_role(finance_world(), external_id=EXTERNAL_ID)
    with pinned_hooks(), scanning_key(), fake.running():
        collection = collect([
            CloudSource(provider="aliyun", endpoint=fake.url),
            CloudSource(provider="aliyun", endpoint=fake.url, role_arn=role, external_id=EXTERNAL_ID,
                        regions=(FINANCE_REGION,)),
        ])
    if refused(fake):
        raise SystemExit(f"the fake refused requests: {refused(fake)}")
    if collection.errors:
        raise SystemExit(f"the collection recorded errors: {collection.errors}")
    write(collection, OUTPUT, [SECRET, KEY_ID, "LTAI5tEXAMPLEossSync0007", *issued(fake)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
