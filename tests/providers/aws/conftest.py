"""moto's server on 127.0.0.1, reset for every test, and accounts seeded through the real SDK."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Finding, Report
from mlpscan.providers.cloud.collect import CloudCollection, CloudOptions, collect_clouds
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.snapshot import Snapshot, Tool

CHINA = ("cn-north-1", "cn-northwest-1")
logging.getLogger("werkzeug").setLevel(logging.WARNING)   # moto logs every request
# Fast, bounded retries in tests: botocore's backoff is real sleep.
FAST = CloudOptions(api_workers=8, max_attempts=2, connect_timeout=5, read_timeout=30)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A clean moto, and an environment whose only credentials are moto's test keys."""
    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    requests.post(f"{moto_server}/moto-api/reset-auth", data=b"inf", timeout=10)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMLPSCANTEST00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mlpscan-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "cn-north-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield moto_server
    requests.post(f"{moto_server}/moto-api/reset-auth", data=b"inf", timeout=10)


@dataclass
class Seeder:
    """Builds an account's configuration through boto3, in one region."""

    endpoint: str
    region: str
    credentials: dict[str, str] | None = None

    def client(self, service: str, region: str | None = None) -> Any:
        return boto3.client(service, region_name=region or self.region, endpoint_url=self.endpoint,
                            **(self.credentials or {}))

    def console_user(self, name: str, mfa: bool) -> None:
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password="Initial-Passw0rd!")
        if mfa:
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
            iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                                  AuthenticationCode2="654321")

    def password_policy(self, strong: bool) -> None:
        iam = self.client("iam")
        if strong:
            iam.update_account_password_policy(
                MinimumPasswordLength=12, RequireSymbols=True, RequireNumbers=True, RequireUppercaseCharacters=True,
                RequireLowercaseCharacters=True, MaxPasswordAge=90, PasswordReusePrevention=5)
        else:
            iam.update_account_password_policy(MinimumPasswordLength=6)

    def trail(self, name: str, bucket: str, multi_region: bool, retention_days: int | None) -> None:
        self.bucket(bucket, self.region, hardened=True)
        s3 = self.client("s3")
        if retention_days is not None:
            s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
                {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""},
                 "Expiration": {"Days": retention_days}}]})
        cloudtrail = self.client("cloudtrail")
        cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region,
                                IncludeGlobalServiceEvents=True)
        cloudtrail.put_event_selectors(TrailName=name, EventSelectors=[
            {"ReadWriteType": "All", "IncludeManagementEvents": True}])
        cloudtrail.start_logging(Name=name)

    def log_group(self, name: str, retention_days: int | None) -> None:
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if retention_days is not None:
            logs.put_retention_policy(logGroupName=name, retentionInDays=retention_days)

    def volume(self, encrypted: bool) -> str:
        volume: str = self.client("ec2").create_volume(
            AvailabilityZone=f"{self.region}a", Size=8, Encrypted=encrypted)["VolumeId"]
        return volume

    def distribution(self, reference: str, *, enabled: bool = True, price_class: str = "PriceClass_All",
                     log_bucket: str | None = None, static_policy: str | None = None) -> str:
        """A CloudFront distribution in front of the shop, logging to `log_bucket` when given;
        `static_policy`: a /static/* cache behavior with that viewer protocol policy."""
        origin = {"Id": "shop", "DomainName": "shop.example.cn",
                  "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}
        config: dict[str, Any] = {
            "CallerReference": reference, "Comment": reference, "Enabled": enabled, "PriceClass": price_class,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "shop", "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
                                     "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                     "TrustedSigners": {"Enabled": False, "Quantity": 0}},
            "Logging": {"Enabled": log_bucket is not None, "IncludeCookies": False, "Bucket": log_bucket or "",
                        "Prefix": "cf/" if log_bucket else ""}}
        if static_policy is not None:
            static = {**config["DefaultCacheBehavior"], "PathPattern": "/static/*", "ViewerProtocolPolicy": static_policy}
            config["CacheBehaviors"] = {"Quantity": 1, "Items": [static]}
        return str(self.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"])

    def bucket(self, name: str, region: str, hardened: bool) -> None:
        s3 = self.client("s3", region)
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        if hardened:
            # Real S3 encrypts new buckets with SSE-S3 by default; moto does not, so say it explicitly.
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True})
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            partition = "aws-cn" if region.startswith("cn-") else "aws"
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [f"arn:{partition}:s3:::{name}", f"arn:{partition}:s3:::{name}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))


def scan(sources: list[CloudSource], content: Content, options: CloudOptions = FAST,
         wanted: Callable[[str], bool] = lambda _: True) -> CloudCollection:
    return collect_clouds(sources, content.root, wanted, options)


def snapshot_of(found: CloudCollection) -> Snapshot:
    return Snapshot(schema_="mlpscan.snapshot/1", tool=Tool(version="test"), started_at="2026-11-21T00:00:00Z",
                    finished_at="2026-11-21T00:00:01Z", targets=found.targets, resources=found.resources,
                    errors=found.errors).sealed()


def evaluate_level(found: CloudCollection, content: Content, level: int = 3) -> Report:
    return evaluate(snapshot_of(found), content, content.level_profile(level))


def statuses(report: Report, check: str) -> dict[str, str]:
    return {f.resource.name or f.resource.uid: f.status.value for f in report.findings if f.check == check}


def findings(report: Report, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]
