"""Load balancers, ElastiCache, DB clusters, OpenSearch, EFS, Inspector, GuardDuty status and the
paths out of the mainland, seeded in moto through boto3 and scanned through the real provider.

moto gaps, tested with fixtures instead (tests/checks/aws/): EFS PutBackupPolicy is not implemented
(a file system's backup policy can only be absent here), and Inspector findings come from moto's own
queue (/moto-api/static/inspector2/findings-results), which answers ListFindings with whatever it is
given, in the API's documented shape.
"""

from __future__ import annotations

from typing import Any

import requests

from mlpscan.content import Content
from mlpscan.findings import Report, Status
from mlpscan.providers.cloud.source import CloudSource
from tests.providers.aws.conftest import CHINA, Seeder, evaluate_level, findings, scan

ACCOUNT = "123456789012"
GLOBAL_ROLE = "arn:aws:iam::444455556666:role/mlpscan-audit"
TLS12 = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
TLS10 = "ELBSecurityPolicy-2016-08"
BREADTH = ("aws.elbv2.load_balancer", "aws.elasticache.replication_group", "aws.rds.db_cluster", "aws.rds.db_instance",
           "aws.opensearch.domain", "aws.efs.file_system", "aws.inspector2.region", "aws.guardduty.region",
           "aws.s3.bucket", "aws.cloudtrail.trail", "aws.ec2.vpc_peering", "aws.ec2.tgw_peering")


def wanted(kind: str) -> bool:
    return kind in BREADTH


def seed_services(seeder: Seeder, *, hardened: bool) -> None:
    ec2 = seeder.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{n}.0/24", AvailabilityZone=f"cn-north-1{zone}")["Subnet"]["SubnetId"]
               for n, zone in ((1, "a"), (2, "b"))]
    seed_load_balancer(seeder, subnets if hardened else subnets[:1], hardened=hardened)
    seeder.client("elasticache").create_replication_group(
        ReplicationGroupId="sessions", ReplicationGroupDescription="sessions", Engine="redis",
        CacheNodeType="cache.t3.micro", NumCacheClusters=2, TransitEncryptionEnabled=hardened,
        AtRestEncryptionEnabled=hardened, MultiAZEnabled=hardened, AutomaticFailoverEnabled=hardened,
        **({"AuthToken": "an-auth-token-of-32-characters!!"} if hardened else {}))
    seeder.client("rds").create_db_cluster(
        DBClusterIdentifier="ledger", Engine="aurora-mysql", MasterUsername="admin", MasterUserPassword="Passw0rd-Passw0rd",
        StorageEncrypted=hardened, BackupRetentionPeriod=14 if hardened else 1, DeletionProtection=hardened)
    seeder.client("opensearch").create_domain(
        DomainName="search", EncryptionAtRestOptions={"Enabled": hardened}, NodeToNodeEncryptionOptions={"Enabled": hardened},
        DomainEndpointOptions={"EnforceHTTPS": hardened, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10" if hardened
                               else "Policy-Min-TLS-1-0-2019-07"},
        **({"VPCOptions": {"SubnetIds": subnets[:1]}} if hardened else {}))
    seeder.client("efs").create_file_system(CreationToken="shared", Encrypted=hardened,
                                            Tags=[{"Key": "Name", "Value": "shared"}])
    seeder.client("inspector2").enable(accountIds=[ACCOUNT], resourceTypes=["EC2"] if hardened else ["ECR"])
    seeder.client("guardduty").create_detector(Enable=hardened)


def seed_load_balancer(seeder: Seeder, subnets: list[str], *, hardened: bool) -> None:
    certificate = seeder.client("acm").request_certificate(DomainName="www.acme.example.cn")["CertificateArn"]
    elb = seeder.client("elbv2")
    arn = elb.create_load_balancer(Name="web", Subnets=subnets, Scheme="internet-facing",
                                   Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    forward = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}]
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    elb.create_listener(LoadBalancerArn=arn, Protocol="HTTPS", Port=443, SslPolicy=TLS12 if hardened else TLS10,
                        Certificates=[{"CertificateArn": certificate}], DefaultActions=forward)
    elb.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=redirect if hardened else forward)
    if hardened:
        waf = seeder.client("wafv2")
        acl = waf.create_web_acl(Name="web", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[], VisibilityConfig={
            "SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "web"})["Summary"]["ARN"]
        waf.associate_web_acl(WebACLArn=acl, ResourceArn=arn)


def queue_findings(endpoint: str, findings_: list[dict[str, Any]], region: str = "cn-north-1") -> None:
    """moto's documented way of giving ListFindings its answer (one queued result per call)."""
    requests.post(f"{endpoint}/moto-api/static/inspector2/findings-results", timeout=10,
                  json={"results": [findings_], "account_id": ACCOUNT, "region": region})


def finding(severity: str) -> dict[str, Any]:
    return {"findingArn": f"arn:aws-cn:inspector2:cn-north-1:{ACCOUNT}:finding/{severity.lower()}",
            "awsAccountId": ACCOUNT, "type": "PACKAGE_VULNERABILITY", "title": f"CVE-2024-6387 - openssh ({severity})",
            "severity": severity, "status": "ACTIVE", "fixAvailable": "YES",
            "resources": [{"type": "AWS_EC2_INSTANCE", "id": "i-0123456789abcdef0", "region": "cn-north-1"}]}


def china_scan(moto: str, content: Content, *, hardened: bool) -> Report:
    seeder = Seeder(moto, "cn-north-1")
    seed_services(seeder, hardened=hardened)
    queue_findings(moto, [finding("MEDIUM")] if hardened else [finding("MEDIUM"), finding("CRITICAL")])
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=("cn-north-1",))], content, wanted=wanted)
    assert found.errors == []
    return evaluate_level(found, content)


def status_of(report: Report, check: str) -> set[Status]:
    return {f.status for f in findings(report, check)}


HARDENED_PASS = ["aws.elbv2.tls_policy", "aws.elbv2.http_redirects_to_https", "aws.elbv2.multi_az", "aws.elbv2.waf_attached",
                 "aws.elasticache.transit_encryption", "aws.elasticache.at_rest_encryption", "aws.elasticache.auth_required",
                 "aws.elasticache.multi_az", "aws.rds.cluster_encrypted", "aws.rds.cluster_backup_retention",
                 "aws.rds.cluster_deletion_protection", "aws.opensearch.encrypted", "aws.opensearch.node_to_node_encryption",
                 "aws.opensearch.https_enforced", "aws.opensearch.in_vpc", "aws.efs.encrypted", "aws.inspector2.ec2_scanning",
                 "aws.inspector2.findings_fixed", "aws.guardduty.enabled"]


def test_hardened_services_pass(moto: str, content: Content) -> None:
    report = china_scan(moto, content, hardened=True)
    for check in HARDENED_PASS:
        assert status_of(report, check) == {Status.PASS}, (check, [f.message for f in findings(report, check)])
    # moto does not implement PutBackupPolicy: an EFS file system here never has one
    assert status_of(report, "aws.efs.backup_enabled") == {Status.FAIL}


def test_weak_services_fail_with_what_was_read(moto: str, content: Content) -> None:
    report = china_scan(moto, content, hardened=False)
    for check in HARDENED_PASS:
        assert status_of(report, check) == {Status.FAIL}, (check, [f.message for f in findings(report, check)])
    [tls] = findings(report, "aws.elbv2.tls_policy")
    assert TLS10 in tls.message
    [inspector] = findings(report, "aws.inspector2.findings_fixed")
    assert "(CRITICAL)" in inspector.message
    [guardduty] = findings(report, "aws.guardduty.enabled")
    assert "status DISABLED" in guardduty.message


def test_paths_inside_the_china_partition_pass(moto: str, content: Content) -> None:
    beijing, ningxia = Seeder(moto, "cn-north-1"), Seeder(moto, "cn-northwest-1")
    for seeder, name in ((beijing, "orders-cn"), (ningxia, "orders-nx")):
        seeder.client("s3").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": seeder.region})
        seeder.client("s3").put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    replicate(beijing.client("s3"), "orders-cn", "arn:aws-cn:s3:::orders-nx")
    beijing.trail("org-audit", "audit-trail-cn", multi_region=True, retention_days=400)
    source = beijing.client("rds").create_db_instance(
        DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="mysql", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="Passw0rd-Passw0rd")["DBInstance"]["DBInstanceArn"]
    ningxia.client("rds").create_db_instance_read_replica(DBInstanceIdentifier="orders-nx", SourceDBInstanceIdentifier=source,
                                                         DBInstanceClass="db.t3.micro")
    peer_vpcs(beijing, ningxia)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA)], content, wanted=wanted)
    assert found.errors == []
    report = evaluate_level(found, content)
    replication = {f.resource.name: f for f in findings(report, "aws.s3.replication_in_mainland")}
    assert replication["orders-cn"].status is Status.PASS
    assert "arn:aws-cn:s3:::orders-nx in cn-northwest-1" in replication["orders-cn"].message
    for check in ("aws.cloudtrail.delivery_in_mainland", "aws.rds.copies_in_mainland", "aws.ec2.peering_in_mainland"):
        assert status_of(report, check) == {Status.PASS}, (check, [f.message for f in findings(report, check)])
    [replica] = [f for f in findings(report, "aws.rds.copies_in_mainland") if f.resource.name == "orders"]
    assert f"arn:aws-cn:rds:cn-northwest-1:{ACCOUNT}:db:orders-nx in cn-northwest-1" in replica.message


def test_a_rule_naming_a_bucket_of_another_partition_fails_without_reading_it(moto: str, content: Content) -> None:
    s3 = Seeder(moto, "cn-north-1").client("s3")
    s3.create_bucket(Bucket="orders-cn", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    s3.put_bucket_versioning(Bucket="orders-cn", VersioningConfiguration={"Status": "Enabled"})
    replicate(s3, "orders-cn", "arn:aws:s3:::orders-global")
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=("cn-north-1",))], content,
                 wanted=lambda kind: kind == "aws.s3.bucket")
    [bucket] = findings(evaluate_level(found, content), "aws.s3.replication_in_mainland")
    assert bucket.status is Status.FAIL
    assert "arn:aws:s3:::orders-global in aws" in bucket.message
    assert "partition aws has no region in mainland China" in bucket.message


def test_paths_of_a_global_account_fail_naming_destination_and_region(moto: str, content: Content) -> None:
    keys = Seeder(moto, "us-east-1").client("sts").assume_role(RoleArn=GLOBAL_ROLE, RoleSessionName="seed")["Credentials"]
    credentials = {"aws_access_key_id": keys["AccessKeyId"], "aws_secret_access_key": keys["SecretAccessKey"],
                   "aws_session_token": keys["SessionToken"]}
    oregon, hong_kong = Seeder(moto, "us-west-2", credentials), Seeder(moto, "ap-east-1", credentials)
    oregon.client("s3").create_bucket(Bucket="orders-us", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    hong_kong.client("s3").create_bucket(Bucket="orders-hk", CreateBucketConfiguration={"LocationConstraint": "ap-east-1"})
    for seeder, name in ((oregon, "orders-us"), (hong_kong, "orders-hk")):
        seeder.client("s3").put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    replicate(oregon.client("s3"), "orders-us", "arn:aws:s3:::orders-hk")
    oregon.trail("org-audit", "audit-trail-us", multi_region=True, retention_days=400)
    peer_vpcs(oregon, hong_kong)
    gateway = oregon.client("ec2").create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    remote = hong_kong.client("ec2").create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    oregon.client("ec2").create_transit_gateway_peering_attachment(
        TransitGatewayId=gateway, PeerTransitGatewayId=remote, PeerAccountId="444455556666", PeerRegion="ap-east-1")
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=("us-west-2",), role_arn=GLOBAL_ROLE)], content,
                 wanted=wanted)
    report = evaluate_level(found, content)
    expected = {"aws.s3.replication_in_mainland": ("orders-us", "arn:aws:s3:::orders-hk in ap-east-1"),
                "aws.cloudtrail.delivery_in_mainland": ("org-audit", "S3 bucket audit-trail-us in us-west-2"),
                "aws.ec2.peering_in_mainland": (None, "in ap-east-1"),
                "aws.ec2.tgw_peering_in_mainland": (None, f"transit gateway {remote} in ap-east-1")}
    for check, (name, named) in expected.items():
        failing = [f for f in findings(report, check) if f.status is Status.FAIL and name in (None, f.resource.name)]
        assert failing, (check, [(f.resource.name, f.status, f.message) for f in findings(report, check)])
        assert all(named in f.message and "outside mainland China" in f.message for f in failing), check


def test_a_suspended_detector_is_read_and_a_denied_detail_is_an_error(moto: str, content: Content) -> None:
    Seeder(moto, "cn-north-1").client("guardduty").create_detector(Enable=False)
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA)], content,
                 wanted=lambda kind: kind == "aws.guardduty.region")
    regions = {r.region: r.data for r in found.resources}
    assert [d["Status"] for d in regions["cn-north-1"]["Detectors"]] == ["DISABLED"]
    assert regions["cn-northwest-1"]["Detectors"] == []
    report = evaluate_level(found, content)
    assert {f.resource.region: f.status for f in findings(report, "aws.guardduty.enabled")} == {
        "cn-north-1": Status.FAIL, "cn-northwest-1": Status.FAIL}


def replicate(s3: Any, bucket: str, destination: str) -> None:
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={
        "Role": "arn:aws-cn:iam::123456789012:role/replication", "Rules": [{
            "ID": "to-copy", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""},
            "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": destination}}]})


def peer_vpcs(local: Seeder, remote: Seeder) -> None:
    mine = local.client("ec2").create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    theirs = remote.client("ec2").create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    local.client("ec2").create_vpc_peering_connection(VpcId=mine, PeerVpcId=theirs, PeerRegion=remote.region)
