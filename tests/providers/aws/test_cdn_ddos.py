"""CloudFront (where a distribution's content is cached and its access logs go) and Shield Advanced,
seeded in moto through boto3 and scanned through the real provider, in both partitions.

moto keeps CloudFront and Shield per partition, as AWS does: a China-partition account's
distributions are not a global account's. It implements Shield's DescribeSubscription and
ListProtections (not GetSubscriptionState, which mlpscan does not call). Its CloudFront answers
CloudFrontDefaultCertificate true for every distribution, even one given an IAM certificate, so a
passing viewer security policy is tested with fixtures (tests/checks/aws/cloudfront.tls_policy.yaml).
"""

from __future__ import annotations

from typing import Any

from mlpscan.content import Content
from mlpscan.findings import Status
from mlpscan.providers.cloud.source import CloudSource
from tests.fakes.aws_throttle import throttling_proxy
from tests.providers.aws.conftest import CHINA, FAST, Seeder, evaluate_level, findings, scan

GLOBAL_ROLE = "arn:aws:iam::444455556666:role/mlpscan-audit"
TYPES = ("aws.cloudfront.distribution", "aws.shield.subscription")
# More than one page of ListDistributions (MaxItems defaults to 100, in AWS and in moto).
MANY = 101


def wanted(kind: str) -> bool:
    return kind in TYPES


def global_seeder(moto: str, region: str) -> Seeder:
    keys = Seeder(moto, "us-east-1").client("sts").assume_role(RoleArn=GLOBAL_ROLE, RoleSessionName="seed")["Credentials"]
    return Seeder(moto, region, {"aws_access_key_id": keys["AccessKeyId"], "aws_secret_access_key": keys["SecretAccessKey"],
                                 "aws_session_token": keys["SessionToken"]})


def by_id(report: Any, check: str) -> dict[str, Any]:
    return {f.resource.uid.rsplit("/", 1)[-1]: f for f in findings(report, check)}


def test_china_distributions_pass_every_page_and_a_hong_kong_log_bucket_fails(moto: str, content: Content) -> None:
    ningxia = Seeder(moto, "cn-northwest-1")
    ningxia.client("s3").create_bucket(Bucket="cf-logs-nx", CreateBucketConfiguration={"LocationConstraint": "cn-northwest-1"})
    beijing = Seeder(moto, "cn-north-1")
    logged = beijing.distribution("shop", log_bucket="cf-logs-nx.s3.amazonaws.com.cn")
    disabled = beijing.distribution("old-shop", enabled=False)
    rest = [beijing.distribution(f"campaign-{n}", price_class="PriceClass_100") for n in range(MANY - 2)]
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA)], content, wanted=wanted)
    assert found.errors == []
    report = evaluate_level(found, content)
    results = by_id(report, "aws.cloudfront.edges_in_mainland")
    assert set(results) == {logged, disabled, *rest}     # the second page was read
    assert {f.status for f in results.values()} == {Status.PASS}
    assert "CloudFront edge locations in aws-cn (price class PriceClass_All)" in results[logged].message
    assert "S3 bucket cf-logs-nx in cn-northwest-1 (standard logging)" in results[logged].message
    assert "copies or sends data nowhere" in results[disabled].message
    # Shield Advanced is not offered in the China partition: nothing is called, nothing is judged
    assert not [r for r in found.resources if r.type == "aws.shield.subscription"]
    assert findings(report, "aws.shield.advanced_protection") == []


def test_a_global_accounts_distribution_fails_naming_its_edges(moto: str, content: Content) -> None:
    seeder = global_seeder(moto, "ap-east-1")
    seeder.client("s3").create_bucket(Bucket="cf-logs-hk", CreateBucketConfiguration={"LocationConstraint": "ap-east-1"})
    served = seeder.distribution("shop-hk", price_class="PriceClass_200", log_bucket="cf-logs-hk.s3.amazonaws.com")
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=("ap-east-1",), role_arn=GLOBAL_ROLE)], content,
                 wanted=wanted)
    assert found.errors == []
    [result] = by_id(evaluate_level(found, content), "aws.cloudfront.edges_in_mainland").values()
    assert result.resource.uid.endswith(served)
    assert result.status is Status.FAIL
    assert "CloudFront edge locations in aws (price class PriceClass_200)" in result.message
    assert "partition aws has no region in mainland China" in result.message
    assert "S3 bucket cf-logs-hk in ap-east-1" in result.message


def test_shield_advanced_passes_only_with_a_protected_resource(moto: str, content: Content) -> None:
    seeder = global_seeder(moto, "ap-east-1")
    source = CloudSource(provider="aws", endpoint=moto, regions=("ap-east-1",), role_arn=GLOBAL_ROLE)

    def shield_result() -> Any:
        found = scan([source], content, wanted=wanted)
        assert found.errors == []
        [result] = findings(evaluate_level(found, content), "aws.shield.advanced_protection")
        return result

    unsubscribed = shield_result()
    assert unsubscribed.status is Status.FAIL
    assert "has no Shield Advanced protection in use" in unsubscribed.message
    # Shield is one global service; moto keys it by the signing region, which is the scan's home
    # region here (the endpoint is overridden), so it is seeded there.
    shield = seeder.client("shield")
    shield.create_subscription()
    subscribed = shield_result()     # subscribed, protecting nothing
    assert subscribed.status is Status.FAIL
    assert "subscription: arn:aws:shield::444455556666:subscription/" in subscribed.message
    address = seeder.client("ec2").allocate_address(Domain="vpc")["AllocationId"]
    shield.create_protection(Name="shop-ip",
                             ResourceArn=f"arn:aws:ec2:ap-east-1:444455556666:eip-allocation/{address}")
    protected = shield_result()
    assert protected.status is Status.PASS, protected.message


def test_viewer_protocols_and_the_default_certificate_are_read_from_the_listing(moto: str, content: Content) -> None:
    beijing = Seeder(moto, "cn-north-1")
    secure = beijing.distribution("shop", static_policy="redirect-to-https")
    mixed = beijing.distribution("campaign", static_policy="allow-all")
    found = scan([CloudSource(provider="aws", endpoint=moto, regions=CHINA)], content, wanted=wanted)
    assert found.errors == []
    report = evaluate_level(found, content)
    https = by_id(report, "aws.cloudfront.https_only")
    assert https[secure].status is Status.PASS
    assert https[mixed].status is Status.FAIL
    assert "other behaviors /static/* allow-all" in https[mixed].message
    tls = by_id(report, "aws.cloudfront.tls_policy")
    assert {f.status for f in tls.values()} == {Status.FAIL}    # moto gives each the default certificate
    assert "default certificate true, security policy TLSv1" in tls[secure].message
    assert {f.status for f in by_id(report, "aws.cloudfront.waf_attached").values()} == {Status.FAIL}   # no web ACL


CLOUDFRONT_DENIED = ('<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
                     "<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: "
                     "cloudfront:GetDistributionConfig</Message></Error><RequestId>r-1</RequestId></ErrorResponse>")


def test_an_unreadable_configuration_or_listing_is_an_error_never_a_pass(moto: str, content: Content) -> None:
    beijing = Seeder(moto, "cn-north-1")
    shop = beijing.distribution("shop")
    with throttling_proxy(moto) as proxy:
        proxy.answer(f"GET /2020-05-31/distribution/{shop}/config", 403, CLOUDFRONT_DENIED, "text/xml")
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=CHINA)], content, wanted=wanted)
    [edges] = findings(evaluate_level(found, content), "aws.cloudfront.edges_in_mainland")
    assert edges.status is Status.ERROR     # China edges, but where the access logs go is unknown
    assert "cloudfront:GetDistributionConfig AccessDenied" in edges.message
    with throttling_proxy(moto) as proxy:   # "more pages follow" without the marker to ask for them
        proxy.rewrite("GET /2020-05-31/distribution", lambda body: body.replace(
            b"<IsTruncated>false</IsTruncated>", b"<IsTruncated>true</IsTruncated>"))
        found = scan([CloudSource(provider="aws", endpoint=proxy.endpoint, regions=CHINA)], content, wanted=wanted)
    assert [(e.operation, e.code) for e in found.errors] == [("cloudfront:ListDistributions", "MalformedResponse")]
    assert {f.status for f in findings(evaluate_level(found, content), "aws.cloudfront.edges_in_mainland")} == {
        Status.ERROR}


def test_throttled_or_denied_shield_reads_are_errors(moto: str, content: Content) -> None:
    seeder = global_seeder(moto, "ap-east-1")
    seeder.client("shield").create_subscription()

    def source_of(endpoint: str) -> CloudSource:
        return CloudSource(provider="aws", endpoint=endpoint, regions=("ap-east-1",), role_arn=GLOBAL_ROLE)

    with throttling_proxy(moto) as proxy:
        proxy.throttle("ListProtections", 10)    # more than FAST's attempts
        found = scan([source_of(proxy.endpoint)], content, FAST, wanted=wanted)
    [throttled] = findings(evaluate_level(found, content), "aws.shield.advanced_protection")
    assert throttled.status is Status.ERROR
    assert "ThrottlingException" in throttled.message
    with throttling_proxy(moto) as proxy:
        proxy.answer("DescribeSubscription", 400, '{"__type": "AccessDeniedException", "message": "not authorized"}')
        found = scan([source_of(proxy.endpoint)], content, FAST, wanted=wanted)
    [denied] = findings(evaluate_level(found, content), "aws.shield.advanced_protection")
    assert denied.status is Status.ERROR
    assert "AccessDeniedException" in denied.message
