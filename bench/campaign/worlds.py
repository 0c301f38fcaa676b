"""The accounts the campaign scans: planted, so every control has a known failing resource, placed
last (on the last page, in every region) where a fault that loses data would lose it.

Built from the suite's own world builders (tests/fakes/aliyun_world.py, tencent_accounts.py and
the moto seeder of tests/providers/aws/conftest.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.fakes import aliyun_world as ali
from tests.fakes import tencent_accounts as tc
from tests.providers.aws.conftest import CHINA, Seeder

ALIYUN_FAULTY, ALIYUN_HEALTHY = "2222333344445555", "1234567890123456"
TENCENT_FAULTY, TENCENT_HEALTHY = "100000000002", "100000000001"
AWS_FAULTY, AWS_HEALTHY = "123456789012", "111111111111"      # moto's default account; a role's
AWS_HEALTHY_ROLE = f"arn:aws-cn:iam::{AWS_HEALTHY}:role/mlpscan-audit"


@dataclass(frozen=True)
class Keys:
    key_id: str
    secret: str


ALIYUN_KEYS = {"faulty": Keys("LTAI5tCampaignFaulty01", "campaign-faulty-secret-01"),
               "healthy": Keys("LTAI5tCampaignHealthy1", "campaign-healthy-secret-01")}
TENCENT_KEYS = {"faulty": Keys("AKIDcampaignFAULTY00000000000001", "campaignFAULTYsecret000000000001"),
                "healthy": Keys("AKIDcampaignHEALTHY0000000000001", "campaignHEALTHYsecret00000000001")}
AWS_KEYS = {"faulty": Keys("AKIACAMPAIGNFAULTY01", "campaign/faulty+secret0000000000000001"),
            "healthy": Keys("AKIACAMPAIGNHEALTHY1", "campaign/healthy+secret000000000000001")}


def aliyun_planted() -> ali.World:
    """The faulty account: every control fails somewhere, its failing resource last in every list.

    Two mainland regions and a bucket in Hong Kong (the only thing outside the mainland, so residency
    rests on the global bucket listing). Lists are served two items a page (`page_cap`), so a failing
    item is always on a later page."""
    world = ali.weak_world(ALIYUN_FAULTY)
    world.regions = ["cn-hangzhou", "cn-shanghai"]
    world.page_cap = 2
    world.users = [ali.User("ops.admin"), ali.User("ci-deployer", console=False, mfa=False, last_login=None),
                   ali.User("li.na"), ali.User("zhang.wei", mfa=False),
                   ali.User("stale.wang", last_login="2025-01-02T03:00:00Z")]
    world.buckets = [ali.Bucket("acme-orders", "cn-hangzhou", policy=ali.HTTPS_ONLY),
                     ali.Bucket("acme-logs", "cn-shanghai", policy=None, encryption="None"),
                     ali.Bucket("acme-hk-static", "cn-hongkong", policy=ali.HTTPS_ONLY)]
    for region in world.regions:
        world.instances[region] = [ali.instance(region, n) for n in (1, 2)] + [
            ali.instance(region, 3, public_ip="203.0.113.7")]
        world.disks[region] = [ali.disk(region, 1), ali.disk(region, 2), ali.disk(region, 3, encrypted=False)]
        world.snapshots[region] = [ali.snapshot(region, 1), ali.snapshot(region, 2),
                                   ali.snapshot(region, 3, encrypted=False)]
        world.security_groups[region] = [
            ali.security_group(region, 1, [("TCP", "443/443", "0.0.0.0/0")]),
            ali.security_group(region, 2, [("TCP", "22/22", "10.0.0.0/8")]),
            ali.security_group(region, 3, [("TCP", "22/22", "0.0.0.0/0"), ("TCP", "3389/3389", "0.0.0.0/0")])]
        world.databases[region] = [ali.database(region, 1), ali.database(region, 2, secure=False)]
        world.vpcs[region] = [ali.vpc(region, 1), ali.vpc(region, 2, flow_log=False)]
    world.assets = [{"Uuid": f"uuid-{r}", "InstanceId": f"i-{r[-4:]}000001", "InstanceName": "app-1",
                     "RegionId": r, "ClientStatus": "offline" if r == "cn-shanghai" else "online",
                     "Status": "Running"} for r in world.regions]
    return world


def aliyun_healthy() -> ali.World:
    return ali.compliant_world(ALIYUN_HEALTHY)


def tencent_planted() -> tc.FakeAccount:
    account = tc.build(TENCENT_FAULTY, weak=True)
    # a compliant user first and the failing one last, as a later page would hold it
    account.users.append(tc.user(int(TENCENT_FAULTY) + 126, "ops-sun", mfa=False,
                                 keys=(("AKIDopssun00000000000001", "Active", 3),)))
    return account


def tencent_healthy() -> tc.FakeAccount:
    return tc.build(TENCENT_HEALTHY, weak=False)


def seed_aws(endpoint: str) -> None:
    """The faulty account (moto's default) weak in both China regions; the healthy one, reached by a
    role, compliant. Bucket names are global in S3: each account has its own."""
    keys = {"aws_access_key_id": AWS_KEYS["faulty"].key_id,
            "aws_secret_access_key": AWS_KEYS["faulty"].secret}
    north = Seeder(endpoint, CHINA[0], credentials=keys)
    north.console_user("alice", mfa=True)
    north.console_user("bob", mfa=True)
    north.console_user("carol", mfa=False)
    north.password_policy(strong=False)
    north.trail("org-audit", "campaign-trail-faulty", multi_region=False, retention_days=30)
    for region in CHINA:
        seeder = Seeder(endpoint, region, credentials=keys)
        seeder.log_group(f"/app/{region}/kept", 365)
        seeder.log_group(f"/app/{region}/short", 30)
        seeder.volume(encrypted=True)
        seeder.volume(encrypted=False)
        seeder.bucket(f"campaign-faulty-{region}", region, hardened=region == CHINA[0])
    sts = north.client("sts")
    role = sts.assume_role(RoleArn=AWS_HEALTHY_ROLE, RoleSessionName="seed")["Credentials"]
    healthy = {"aws_access_key_id": role["AccessKeyId"], "aws_secret_access_key": role["SecretAccessKey"],
               "aws_session_token": role["SessionToken"]}
    good = Seeder(endpoint, CHINA[0], credentials=healthy)
    good.console_user("dana", mfa=True)
    good.password_policy(strong=True)
    good.trail("healthy-audit", "campaign-trail-healthy", multi_region=True, retention_days=400)
    for region in CHINA:
        seeder = Seeder(endpoint, region, credentials=healthy)
        seeder.log_group(f"/healthy/{region}", 365)
        seeder.volume(encrypted=True)
        seeder.bucket(f"campaign-healthy-{region}", region, hardened=True)
    # the role the healthy source assumes must exist for moto's IAM too
    good.client("iam").create_role(RoleName="mlpscan-audit", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": "*"}}]}))
