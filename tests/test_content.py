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
clauses:
  3: [8.1.4.8.b]
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
    assert check.clauses == {3: ["8.1.4.8.b"]}


@pytest.mark.parametrize(("replace", "by", "message", "line"), [
    ("8.1.4.8.b", "8.1.4.99.z", "unknown clause '8.1.4.99.z' for level 3", 6),
    ("  3: [8.1.4.8.b]", "  4: [8.1.4.8.b]", "clause '8.1.4.8.b' belongs to level 3, not 4", 6),
    ("  value: true", "  param: no_such", "unknown parameter 'no_such'", 8),
    ("severity: high", "severity: urgent", "severity: Input should be", 2),
    ("title: Volumes", "titel: Volumes", "unknown field 'titel'", 1),
    ("resource: aws.ec2.volume", "resource: aliyun.ecs.disk", "belongs to none of the providers", None),
    ("  op: eq", "  op: equals", "unknown operator 'equals'", 8),
    ("provider: aws", "provider: aws\nprovider: aliyun", "duplicate key 'provider' (first defined on line 3)", 4),
    ("assert:", "evaluator: no_such\nassert:", "exactly one of 'assert' or 'evaluator'", None),
    ("assert:", "message: 'Volume {volume}'\nassert:", "message uses {volume}; allowed", 7),
    ("assert:", "message: 'keep {param.nope} days'\nassert:", "unknown parameter 'nope'", 7),
    ("assert:", "message: 'see {data.a[}'\nassert:", "invalid jmespath", 7),
])
def test_validate_rejects_bad_checks(content_copy: Callable[[], Path], replace: str, by: str,
                                     message: str, line: int | None) -> None:
    root = content_copy()
    assert replace in GOOD_CHECK
    path = add_check(root, "aws/ec2/volume_encrypted.yaml", GOOD_CHECK.replace(replace, by))
    with pytest.raises(InputError) as caught:
        load_content(root)
    assert caught.value.path == str(path)
    assert message in caught.value.message
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
