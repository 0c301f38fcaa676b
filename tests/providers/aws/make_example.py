"""Regenerate examples/aws-china.json with the real collector: run by hand, never collected by pytest.

    .venv/bin/python tests/providers/aws/make_example.py

The same path as tests/providers/aws: moto's server on 127.0.0.1, seeded through boto3, scanned by
collect_clouds through the real AWS provider, behind the fault proxy of tests/fakes/aws_throttle.py
for the two planted denials. The accounts of the example:
- aws:111122223333 in the China partition (cn-north-1, cn-northwest-1), reached by assuming its audit role:
  a strong password policy; alice, a console user without MFA, and bob with MFA; legacy-admin, an
  API user made 400 days ago with AdministratorAccess and a key never used; a single-region trail
  (log file validation on, no KMS key) delivering to a bucket that keeps logs 400 days; log
  groups of 30 and 400 days; a KMS key with rotation; GuardDuty in cn-north-1; the bucket orders-cn
  (encrypted, versioned, public access blocked, TLS-only policy) and web-assets-cn, whose policy
  denies plain http for s3:GetObject only; an instance, an encrypted and an unencrypted volume, a
  web security group (443) and an admin one with SSH and RDP open to the world; a VPC flow log;
  an encrypted RDS instance; Amazon Inspector scanning EC2 in both regions; a CloudFront distribution
  (China edges) logging to orders-cn. guardduty:ListDetectors is denied in cn-northwest-1 (planted error).
- aws:444455556666 in the commercial partition, reached by assuming its audit role: a bucket in
  us-east-1 and an instance in ap-east-1 (Hong Kong), Amazon Inspector scanning EC2 in both; a
  CloudFront distribution (global edges) for the Hong Kong site; no Shield Advanced subscription;
  iam:GetAccountSummary is denied there (planted error).
moto's ids come from a fixed seed and its clock, like the hooks', is pinned to STARTED (the
legacy user is made 400 days earlier), so the file is the same on every run but for what moto
stamps while it is scanned. The scanning keys and the roles' keys never reach the file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
OUTPUT = REPO / "examples" / "aws-china.json"
STARTED = datetime(2026, 11, 21, 10, 0, 0, tzinfo=timezone.utc)
CHINA_ACCOUNT, GLOBAL_ACCOUNT = "111122223333", "444455556666"
CHINA_ROLE = f"arn:aws-cn:iam::{CHINA_ACCOUNT}:role/mlpscan-audit"
GLOBAL_ROLE = f"arn:aws:iam::{GLOBAL_ACCOUNT}:role/mlpscan-audit"
KEY_ID, SECRET = "AKIAEXAMPLEMLPSCAN01", "EXAMPLEmlpscanAwsSecret00000000000000001"
DENIED = ('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
          "<Code>AccessDenied</Code><Message>User: arn:aws:sts::444455556666:assumed-role/mlpscan-audit/mlpscan "
          "is not authorized to perform: iam:GetAccountSummary</Message></Error>"
          "<RequestId>4a9e1f7c-0000-4000-8000-000000000001</RequestId></ErrorResponse>")
SERVICES = ("iam", "sts", "s3", "cloudtrail", "logs", "kms", "ec2", "rds", "guardduty", "config", "inspector2",
            "cloudfront", "shield")
GUARDDUTY_DENIED = json.dumps({"__type": "AccessDeniedException",
                               "message": "User is not authorized to perform: guardduty:ListDetectors"})


@contextmanager
def moto_clock(when: datetime, *, except_sts: bool = False) -> Iterator[None]:
    """moto stamps times with moto.core.utils.utcnow (S3 with datetime.now): every module's copy
    answers `when`. STS may keep the real clock, so that the roles it issues are not expired."""
    import importlib  # noqa: PLC0415

    from moto.core import utils  # noqa: PLC0415

    for service in SERVICES:   # moto loads backends on first use: load them now, so all are pinned
        importlib.import_module(f"moto.{service}.models")
    original = utils.utcnow
    patched = [module for module in list(sys.modules.values())
               if module is not None and (module.__name__ or "").startswith("moto")
               and not (except_sts and (module.__name__ or "").startswith("moto.sts"))
               and getattr(module, "utcnow", None) is original]
    for module in patched:
        module.utcnow = lambda: when.replace(tzinfo=None)
    s3 = sys.modules["moto.s3.models"]
    real_datetime = s3.datetime

    class Pinned(real_datetime.datetime):  # type: ignore[name-defined,misc]
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return when.astimezone(tz) if tz is not None else when.replace(tzinfo=None)

    s3.datetime = type("PinnedDatetimeModule", (), {"datetime": Pinned, "timezone": real_datetime.timezone,
                                                    "timedelta": real_datetime.timedelta,
                                                    "date": real_datetime.date})
    try:
        yield
    finally:
        for module in patched:
            module.utcnow = original
        s3.datetime = real_datetime


def client(endpoint: str, service: str, region: str, **credentials: str) -> Any:
    import boto3  # noqa: PLC0415

    return boto3.client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id=KEY_ID,
                        aws_secret_access_key=SECRET, **credentials)


def role_credentials(endpoint: str, role: str, region: str) -> dict[str, str]:
    """Credentials of the account behind `role`, for seeding it (moto opens any role asked for)."""
    granted = client(endpoint, "sts", region).assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    return {"aws_access_key_id": granted["AccessKeyId"], "aws_secret_access_key": granted["SecretAccessKey"],
            "aws_session_token": granted["SessionToken"]}


def seed_china(endpoint: str) -> dict[str, str]:
    from tests.providers.aws.conftest import Seeder  # noqa: PLC0415

    credentials = role_credentials(endpoint, CHINA_ROLE, "cn-north-1")
    seeder = Seeder(endpoint, "cn-north-1", credentials)
    iam = seeder.client("iam")
    with moto_clock(STARTED - timedelta(days=400)):
        iam.create_user(UserName="legacy-admin")
        iam.attach_user_policy(UserName="legacy-admin", PolicyArn="arn:aws-cn:iam::aws:policy/AdministratorAccess")
        iam.create_access_key(UserName="legacy-admin")
    with moto_clock(STARTED - timedelta(days=20)):
        seeder.console_user("alice", mfa=False)
        seeder.console_user("bob", mfa=True)
        seeder.password_policy(strong=True)
        seeder.trail("org-audit", f"acme-cloudtrail-{CHINA_ACCOUNT}", multi_region=False, retention_days=400)
        seeder.client("cloudtrail").update_trail(Name="org-audit", EnableLogFileValidation=True)
        seeder.log_group("/app/orders", 30)
        seeder.log_group("/app/audit", 400)
        key = seeder.client("kms").create_key(Description="acme data key")["KeyMetadata"]["KeyId"]
        seeder.client("kms").enable_key_rotation(KeyId=key)
        seeder.client("guardduty").create_detector(Enable=True)
        for region in ("cn-north-1", "cn-northwest-1"):
            seeder.client("inspector2", region).enable(accountIds=[CHINA_ACCOUNT], resourceTypes=["EC2"])
        seeder.bucket("orders-cn", "cn-northwest-1", hardened=True)
        seed_web_assets(seeder)
        seed_compute(seeder)
        seeder.client("rds").create_db_instance(
            DBInstanceIdentifier="orders-db", DBInstanceClass="db.t3.medium", Engine="mysql", AllocatedStorage=20,
            MasterUsername="admin", MasterUserPassword="Initial-Passw0rd!", StorageEncrypted=True,
            BackupRetentionPeriod=14, MultiAZ=True, PubliclyAccessible=False)
        seeder.distribution("www-acme-cn", log_bucket="orders-cn.s3.amazonaws.com.cn")
    return credentials


def seed_web_assets(seeder: Any) -> None:
    """A bucket whose policy denies plain http for downloads only: the rest of its traffic may use http."""
    seeder.bucket("web-assets-cn", "cn-north-1", hardened=True)
    seeder.client("s3").put_bucket_policy(Bucket="web-assets-cn", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "TlsForDownloads", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws-cn:s3:::web-assets-cn/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))


def seed_compute(seeder: Any) -> None:
    ec2 = seeder.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone="cn-north-1a")["Subnet"]["SubnetId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "prod"}])
    flows = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                                 LogDestinationType="cloud-watch-logs", LogGroupName="/app/audit",
                                 DeliverLogsPermissionArn=f"arn:aws-cn:iam::{CHINA_ACCOUNT}:role/flow-logs")
    if flows.get("Unsuccessful"):
        raise SystemExit(f"moto refused the flow log: {flows['Unsuccessful']}")
    web = ec2.create_security_group(GroupName="web-cn1", Description="web tier", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    admin = ec2.create_security_group(GroupName="admin-cn1", Description="administration", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=admin, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    image = ec2.describe_images()["Images"][0]["ImageId"]
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.medium", SubnetId=subnet,
                      ClientToken="mlpscan-example-web",
                      SecurityGroupIds=[web], TagSpecifications=[{"ResourceType": "instance", "Tags": [
                          {"Key": "Name", "Value": "web-cn1-01"}]}])
    seeder.volume(encrypted=True)
    seeder.volume(encrypted=False)


def seed_global(endpoint: str) -> dict[str, str]:
    """The commercial account's bucket and Hong Kong instance, made with its role's credentials."""
    from tests.providers.aws.conftest import Seeder  # noqa: PLC0415

    credentials = role_credentials(endpoint, GLOBAL_ROLE, "us-east-1")
    with moto_clock(STARTED - timedelta(days=20)):
        s3 = Seeder(endpoint, "us-east-1", credentials).client("s3")
        s3.create_bucket(Bucket="marketing-us")   # us-east-1 takes no location constraint: GetBucketLocation null
        s3.put_bucket_versioning(Bucket="marketing-us", VersioningConfiguration={"Status": "Enabled"})
        for region in ("us-east-1", "ap-east-1"):
            Seeder(endpoint, region, credentials).client("inspector2").enable(accountIds=[GLOBAL_ACCOUNT],
                                                                              resourceTypes=["EC2"])
        hong_kong = Seeder(endpoint, "ap-east-1", credentials).client("ec2")
        image = hong_kong.describe_images()["Images"][0]["ImageId"]
        hong_kong.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small",
                                ClientToken="mlpscan-example-hk",
                                TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                    {"Key": "Name", "Value": "hk-proxy-01"}]}])
        Seeder(endpoint, "us-east-1", credentials).distribution("www-acme-hk", price_class="PriceClass_200")
    return credentials


@contextmanager
def pinned_hooks() -> Iterator[None]:
    from mlpscan.providers.aws import hooks  # noqa: PLC0415

    saved = dict(hooks.HOOKS)
    hooks.HOOKS["credential_report"] = replace(saved["credential_report"],
                                               run=partial(hooks.credential_report, clock=lambda: STARTED))
    try:
        yield
    finally:
        hooks.HOOKS.update(saved)


def main() -> int:
    for path in (REPO, REPO / "src"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import logging  # noqa: PLC0415

    import requests  # noqa: PLC0415
    from moto.core.config import default_user_config  # noqa: PLC0415
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    from mlpscan.providers.cloud.collect import CloudOptions, collect_clouds  # noqa: PLC0415
    from mlpscan.providers.cloud.source import CloudSource  # noqa: PLC0415
    from tests.fakes.aws_throttle import throttling_proxy  # noqa: PLC0415
    from tests.fakes.environment import only_these  # noqa: PLC0415
    from tests.providers.aliyun.make_example import write  # noqa: PLC0415

    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # moto logs every request
    default_user_config["iam"]["load_aws_managed_policies"] = True   # AdministratorAccess must exist
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    cleared = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION")
    try:
        with only_these(cleared, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET,
                        AWS_DEFAULT_REGION="cn-north-1", AWS_CONFIG_FILE="/nonexistent",
                        AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_EC2_METADATA_DISABLED="true"):
            requests.post(f"{endpoint}/moto-api/reset", timeout=10)
            requests.post(f"{endpoint}/moto-api/seed?a=2026", timeout=10)
            issued = [*seed_china(endpoint).values(), *seed_global(endpoint).values()]
            with throttling_proxy(endpoint) as proxy, pinned_hooks(), moto_clock(STARTED, except_sts=True):
                proxy.answer("GetAccountSummary", 403, DENIED, "text/xml", region="us-east-1")
                # GuardDuty is a REST API: ListDetectors is GET /detector
                proxy.answer("GET /detector", 403, GUARDDUTY_DENIED, "application/json", region="cn-northwest-1")
                # one worker: moto creates each region's default resources on first use, in call order
                options = CloudOptions(api_workers=1, max_attempts=2, backoff_base=0.001, backoff_cap=0.005)
                collection = collect_clouds([
                    CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("cn-north-1", "cn-northwest-1"),
                                role_arn=CHINA_ROLE),
                    CloudSource(provider="aws", endpoint=proxy.endpoint, regions=("us-east-1", "ap-east-1"),
                                role_arn=GLOBAL_ROLE)], REPO, lambda _: True, options)
    finally:
        server.stop()
    planted = {("aws.guardduty.region", "guardduty:ListDetectors")}   # GetAccountSummary is a detail call
    unexpected = [e for e in collection.errors if (e.type, e.operation) not in planted]
    if unexpected:
        raise SystemExit(f"the collection recorded errors that were not planted: {unexpected}")
    write(collection, OUTPUT, [KEY_ID, SECRET, *issued])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
