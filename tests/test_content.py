from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlpscan.content import Content, default_content_root, load_content
from mlpscan.errors import InputError

GOOD_CHECK = """\
title: Volumes are encrypted
severity: high
provider: aws
resource: aws.ec2.volume
family: data.encryption_at_rest
clauses:
  3: [8.1.4.8.b]
  4: [9.1.4.8.b]
assert:
  path: Encrypted
  op: eq
  value: true
"""


def add_check(root: Path, relative: str, text: str) -> Path:
    path = root / "checks" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_content_loads(content: Content) -> None:
    assert {"cloud.residency.mainland_region", "cloud.platform.level_at_least_system"} <= set(content.checks)
    assert set(content.regions) == {"aws", "aliyun", "tencent"}
    assert set(content.profile_files) == {"level1", "level2", "level3", "level4"}
    check = content.checks["cloud.residency.mainland_region"]
    assert check.source == Path("checks/cloud/residency/mainland_region.yaml")


def test_default_root_is_the_checkout_or_the_package() -> None:
    root = default_content_root()
    assert (root / "profiles" / "params.yaml").is_file()


def test_a_good_check_loads_with_its_id_from_the_path(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    add_check(root, "aws/ec2/volume_encrypted.yaml", GOOD_CHECK)
    check = load_content(root).checks["aws.ec2.volume_encrypted"]
    assert check.provider == ["aws"]
    assert check.family == ["data.encryption_at_rest"]
    assert check.clauses == {3: ["8.1.4.8.b"], 4: ["9.1.4.8.b"]}


@pytest.mark.parametrize(("replace", "by", "message", "line"), [
    ("  3: [8.1.4.8.b]", "  3: [8.1.4.99.z]", "unknown clause '8.1.4.99.z' for level 3", 7),
    ("  4: [9.1.4.8.b]", "  4: [8.1.4.8.b]", "clause '8.1.4.8.b' belongs to level 3, not 4", 8),
    ("  value: true", "  param: no_such", "unknown parameter 'no_such'", 10),
    ("severity: high", "severity: urgent", "severity: Input should be", 2),
    ("title: Volumes", "titel: Volumes", "unknown field 'titel'", 1),
    ("resource: aws.ec2.volume", "resource: aliyun.ecs.disk", "belongs to none of the providers", None),
    ("  op: eq", "  op: equals", "unknown operator 'equals'", 10),
    ("provider: aws", "provider: aws\nprovider: aliyun", "duplicate key 'provider' (first defined on line 3)", 4),
    ("assert:", "evaluator: no_such\nassert:", "exactly one of 'assert' or 'evaluator'", None),
    ("assert:", "message: 'Volume {volume}'\nassert:", "message uses {volume}; allowed", 9),
    ("assert:", "message: 'keep {param.nope} days'\nassert:", "unknown parameter 'nope'", 9),
    ("assert:", "message: 'see {data.a[}'\nassert:", "invalid jmespath 'a[': incomplete expression", 9),
    # item 9: every check names its family, and cites its clauses
    ("family: data.encryption_at_rest\n", "", "missing required field 'family'", 1),
    ("family: data.encryption_at_rest", "family: data.encryption_at_rst",
     "unknown family 'data.encryption_at_rst'; did you mean 'data.encryption_at_rest'?", 5),
    ("  4: [9.1.4.8.b]\n", "", "clauses differ from family data.encryption_at_rest: level 4 is missing "
     "(the family has 9.1.4.8.b); cite the family's clauses or say why in 'family_divergence'", 7),
    ("  3: [8.1.4.8.b]", "  3: [8.1.4.8.b, 8.1.4.8.a]", "level 3 lists 8.1.4.8.b, 8.1.4.8.a, the family 8.1.4.8.b", 7),
    ("family: data.encryption_at_rest", "family: data.encryption_at_rest\nfamily_divergence: because",
     "'family_divergence' is given but the clauses equal family data.encryption_at_rest's", 6),
    # item 12: a resource type no provider collects would silently give no finding
    ("resource: aws.ec2.volume", "resource: aws.ec2.volumes",
     "resource 'aws.ec2.volumes' is collected by no provider of this check (aws); did you mean "
     "'aws.ec2.volume'?", 4),
    ("resource: aws.ec2.volume", "resource: aws.nothing.*", "resource 'aws.nothing.*' is collected by no", 4),
    # item 17.11: accepted by validate before, crashed in evaluate
    ("  value: true", "  param: log_retention_days", "", None),
    ("  op: eq\n  value: true", "  op: in\n  param: log_retention_days",
     "operator 'in' needs a list parameter; 'log_retention_days' is number", 10),
    ("  op: eq\n  value: true", "  op: not_in\n  param: mfa_required",
     "operator 'not_in' needs a list parameter; 'mfa_required' is bool", 10),
    ("  op: eq\n  value: true", "  op: gt\n  param: risky_ports", "operator 'gt' needs a number or string", 10),
    ("  op: eq\n  value: true", "  op: matches\n  param: risky_ports", "operator 'matches' needs a regular", 10),
    ("  path: Encrypted", "  path: nope(Encrypted)", "invalid jmespath 'nope(Encrypted)': unknown function nope()",
     10),
])
def test_validate_rejects_bad_checks(content_copy: Callable[[], Path], replace: str, by: str,
                                     message: str, line: int | None) -> None:
    root = content_copy()
    assert replace in GOOD_CHECK
    path = add_check(root, "aws/ec2/volume_encrypted.yaml", GOOD_CHECK.replace(replace, by))
    if not message:  # the control case: a type that suits its operator loads
        assert load_content(root).checks["aws.ec2.volume_encrypted"]
        return
    with pytest.raises(InputError) as caught:
        load_content(root)
    assert caught.value.path == str(path)
    assert message in caught.value.message
    assert "\n" not in str(caught.value)
    if line is not None:
        assert caught.value.line == line


def test_check_id_must_equal_its_path(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    add_check(root, "aws/ec2/volume_encrypted.yaml", "id: aws.ec2.other\n" + GOOD_CHECK)
    with pytest.raises(InputError, match=r"must equal its path 'aws\.ec2\.volume_encrypted'"):
        load_content(root)


def test_unknown_evaluator(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    text = GOOD_CHECK.split("assert:", maxsplit=1)[0] + "evaluator: guess\n"
    add_check(root, "aws/ec2/volume_encrypted.yaml", text)
    with pytest.raises(InputError, match="unknown evaluator 'guess'"):
        load_content(root)


def test_deprecated_by_must_name_a_check(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    add_check(root, "aws/ec2/volume_encrypted.yaml", GOOD_CHECK + "deprecated_by: aws.ec2.gone\n")
    with pytest.raises(InputError, match=r"deprecated_by names unknown check 'aws\.ec2\.gone'"):
        load_content(root)


def test_bad_catalogue_and_provider_data(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    regions = root / "providers" / "aliyun" / "regions.yaml"
    regions.write_text(regions.read_text(encoding="utf-8").replace("provider: aliyun", "provider: tencent"),
                       encoding="utf-8")
    with pytest.raises(InputError, match="does not match its folder 'aliyun'"):
        load_content(root)


def test_duplicate_clause_in_catalogue(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    level3 = root / "profiles" / "standard" / "level3.yaml"
    (root / "profiles" / "standard" / "level3-copy.yaml").write_text(
        level3.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match="is defined twice"):
        load_content(root)


def test_not_a_content_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing checks/, profiles/, providers/"):
        load_content(tmp_path)


def test_a_declared_divergence_lets_a_check_differ_from_its_family(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    text = GOOD_CHECK.replace("  4: [9.1.4.8.b]\n", "").replace(
        "family: data.encryption_at_rest", "family: data.encryption_at_rest\n"
                                           "family_divergence: level 4 is assessed by another check")
    add_check(root, "aws/ec2/volume_encrypted.yaml", text)
    check = load_content(root).checks["aws.ec2.volume_encrypted"]
    assert check.levels == [3]
    assert check.family_divergence == "level 4 is assessed by another check"


def test_a_check_may_implement_several_families_and_cites_their_union(content: Content) -> None:
    agent = content.checks["aliyun.sas.agent_online"]
    assert agent.family == ["malware.protection", "intrusion.host_detection"]
    # malware protection stops at level 3 (level 4 asks for active immunity); detection goes on
    assert agent.clauses == {1: ["6.1.4.4"], 2: ["7.1.4.5"], 3: ["8.1.4.4.f", "8.1.4.5"], 4: ["9.1.4.4.f"]}


@pytest.mark.parametrize(("replace", "by", "message"), [
    ("clauses: {3: [8.1.4.8.b], 4: [9.1.4.8.b]}", "clauses: {3: [8.1.4.8.z], 4: [9.1.4.8.b]}",
     "family data.encryption_at_rest: unknown clause '8.1.4.8.z' for level 3"),
    ("clauses: {3: [8.1.4.8.b], 4: [9.1.4.8.b]}", "clauses: {3: [9.1.4.8.b], 4: [9.1.4.8.b]}",
     "family data.encryption_at_rest: clause '9.1.4.8.b' belongs to level 4, not 3"),
    ("law: [csl.network_log_retention]", "law: [csl.article_99]",
     "family audit.log_retention: unknown law 'csl.article_99' (not in profiles/laws.yaml)"),
    ("  data.encryption_at_rest:", "  Data.Encryption:", "family id 'Data.Encryption' must look like"),
])
def test_bad_families_file(content_copy: Callable[[], Path], replace: str, by: str, message: str) -> None:
    root = content_copy()
    families = root / "profiles" / "families.yaml"
    text = families.read_text(encoding="utf-8")
    assert replace in text
    families.write_text(text.replace(replace, by), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_content(root)
    assert caught.value.path == str(families)
    assert message in caught.value.message


def test_law_basis_comes_from_the_family(content: Content) -> None:
    retention = [c for c in content.checks.values() if "audit.log_retention" in c.family]
    assert len(retention) == 6  # host, CloudTrail, CloudWatch, ActionTrail, CloudAudit, CLS
    for check in retention:
        (basis,) = check.law
        assert basis.id == "csl.network_log_retention"
        assert [(a.version, a.article, a.in_force.isoformat()) for a in basis.articles] == [
            ("2016", "art. 21(3)", "2017-06-01"), ("2025 amendment", "art. 23(3)", "2026-01-01")]
        assert "six months" in basis.requirement
    residency = content.checks["cloud.residency.mainland_region"]
    assert [b.id for b in residency.law] == ["csl.data_localisation", "pipl.data_localisation",
                                             "cac.data_export_security_assessment", "cac.cross_border_data_flows"]
    assert [a.article for a in residency.law[0].articles] == ["art. 37", "art. 39"]
    assert not content.checks["aws.iam.root_mfa"].law  # the standard itself asks for MFA


# Issue 12 item 9: the controls that were mapped differently on different clouds
SAME_CONTROL = {
    "public instance IP": ["aws.ec2.instance_no_public_ip", "aliyun.ecs.instance_no_public_ip",
                           "tencent.cvm.no_public_ip"],
    "security-group ports": ["aws.ec2.security_group_risky_ports", "aliyun.ecs.security_group_risky_ports",
                             "tencent.vpc.no_risky_ports_open"],
    "public buckets": ["aws.s3.public_access_blocked", "aliyun.oss.bucket_not_public",
                       "tencent.cos.bucket_not_public"],
    "TLS-only buckets": ["aws.s3.tls_only", "aliyun.oss.bucket_https_only"],
    "versioning": ["aws.s3.versioning", "aliyun.oss.bucket_versioning", "tencent.cos.bucket_versioning"],
    "database public access": ["aws.rds.not_public", "aliyun.rds.no_public_any_ip",
                               "tencent.cdb.no_public_access"],
    "host security agent": ["aliyun.sas.agent_online", "tencent.cwp.agent_online"],
}


@pytest.mark.parametrize("control", sorted(SAME_CONTROL))
def test_one_control_cites_the_same_clauses_on_every_provider(content: Content, control: str) -> None:
    checks = [content.checks[check_id] for check_id in SAME_CONTROL[control]]
    assert len({tuple(c.family) for c in checks}) == 1, control
    first = {level: sorted(ids) for level, ids in checks[0].clauses.items()}
    for check in checks[1:]:
        assert {level: sorted(ids) for level, ids in check.clauses.items()} == first, check.id


def test_threat_detection_cites_host_intrusion_detection_everywhere(content: Content) -> None:
    detectors = ["aws.guardduty.enabled", "aliyun.sas.edition", "aliyun.sas.agent_online",
                 "tencent.cwp.agent_online", "host.intrusion.detection"]
    for check_id in detectors:
        check = content.checks[check_id]
        assert "intrusion.host_detection" in check.family, check_id
        assert "8.1.4.4.f" in check.clauses[3], check_id
        assert "9.1.4.4.f" in check.clauses[4], check_id
    # GuardDuty watches network traffic too (7.1.3.3 at level 2); the agents fight malware
    assert content.checks["aws.guardduty.enabled"].clauses[2] == ["7.1.3.3"]
    assert "malware.protection" in content.checks["tencent.cwp.agent_online"].family


@pytest.mark.parametrize(("check_id", "wrong"), [
    ("aws.ec2.snapshot_not_public", "7.2.4.5.b"),
    ("aws.s3.public_access_blocked", "7.2.4.5.b"),
    ("aliyun.ecs.disk_auto_snapshot", "8.2.4.6.a"),
    ("tencent.cbs.disk_auto_snapshot", "8.2.4.6.a"),
    ("tencent.cbs.snapshot_policy_active", "8.2.4.6.a"),
])
def test_the_five_wrong_mappings_are_gone(content: Content, check_id: str, wrong: str) -> None:
    cited = {c for ids in content.checks[check_id].clauses.values() for c in ids}
    assert wrong not in cited
    # 剩余信息保护 at level 2 (7.2.4.5) and the customer's own local backup copy (x.2.4.6 a) are
    # cited by no check: in-cloud snapshots and public-access settings do not meet them
    assert not {c for c in cited if c.startswith(("7.2.4.5", "7.2.4.4.a", "8.2.4.6", "9.2.4.6"))}


def test_resource_manifests_and_host_commands_load_with_the_content(content: Content) -> None:
    assert set(content.manifests) == {"aws", "aliyun", "tencent"}
    assert "aws.s3.bucket" in {spec.type for spec in content.manifests["aws"].resources}
    assert {"host.system", "host.sshd", "aws.account", "aliyun.oss.bucket", "tencent.cam.user"} <= \
        content.resource_types
    assert {c.id for c in content.host_commands} >= {"passwd", "sshd_effective"}
    used = {check.resource for check in content.checks.values() if "*" not in check.resource}
    assert used <= content.resource_types


def test_a_broken_resource_manifest_is_a_content_error(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    manifest = root / "providers" / "tencent" / "resources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("provider: tencent", "provider: aws"),
                        encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_content(root)
    assert caught.value.path == str(manifest)


def test_a_type_limited_to_an_unknown_partition_is_a_content_error(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    manifest = root / "providers" / "aws" / "resources.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "partitions: [aws]" in text
    manifest.write_text(text.replace("partitions: [aws]", "partitions: [aws-china]"), encoding="utf-8")
    with pytest.raises(InputError, match=r"aws\.shield\.subscription: unknown partition 'aws-china'") as caught:
        load_content(root)
    assert caught.value.path == str(manifest)


def test_one_check_file_is_linted_against_loaded_content(content: Content, tmp_path: Path) -> None:
    path = add_check(tmp_path, "aws/ec2/volume_encrypted.yaml", GOOD_CHECK)
    assert content.load_check(path, tmp_path / "checks").id == "aws.ec2.volume_encrypted"
    bad = add_check(tmp_path, "aws/ec2/other.yaml", GOOD_CHECK.replace("aws.ec2.volume", "aws.ec2.vol"))
    with pytest.raises(InputError, match="collected by no provider"):
        content.load_check(bad, tmp_path / "checks")


def test_a_check_nested_beyond_any_sense_is_one_error_naming_it(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    condition = "{path: Encrypted, op: eq, value: true}"
    for _ in range(150):  # within YAML's depth limit, beyond the condition language's
        condition = f"{{not: {condition}}}"
    text = GOOD_CHECK.split("assert:", maxsplit=1)[0] + f"assert: {condition}\n"
    path = add_check(root, "aws/ec2/volume_encrypted.yaml", text)
    with pytest.raises(InputError) as caught:
        load_content(root)
    assert caught.value.path == str(path)
    assert caught.value.line == 9
    assert "conditions are nested deeper than 32 levels" in caught.value.message
