"""mlpscan merge and verify's chain: what is refused (one line, exit 2) and what a merge keeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlpscan.cli import main
from mlpscan.errors import InputError
from mlpscan.merge import Part, chain_problems, merge_snapshots
from mlpscan.snapshot import ShardDescriptor, ShardUnit, Snapshot, dump_snapshot, read_snapshot
from tests.conftest import EXAMPLES, make_snapshot, resource, target

PLAN = "sha256:" + "ab" * 32
ACCOUNT = "aliyun:1234567890"
SOURCE = "aliyun:default"


def account(regions: list[str]) -> dict[str, Any]:
    return target(ACCOUNT, account="1234567890", regions=regions)


def shard(index: int, count: int, targets: list[dict[str, Any]], resources: list[dict[str, Any]],
          units: list[ShardUnit], errors: list[dict[str, Any]] | None = None, plan: str = PLAN,
          version: str = "0.1.0") -> Snapshot:
    base = make_snapshot(targets, resources, errors)
    descriptor = ShardDescriptor(index=index, count=count, plan=plan, units=units)
    return base.model_copy(update={"shard": descriptor, "tool": base.tool.model_copy(update={"version": version})}
                           ).sealed()


def three_shards() -> list[Snapshot]:
    """A host in shard 1; the account-wide unit in shard 2; two regions in shards 3 and 1."""
    regions = ["cn-beijing", "cn-hangzhou"]
    host = target("host:web-01")
    return [
        shard(1, 3, [host, account(regions)],
              [resource("host:web-01", "host.system", "web-01"),
               resource(ACCOUNT, "aliyun.ecs.instance", "i-2", "cn-hangzhou")],
              [ShardUnit(source="host:web-01", target="host:web-01"),
               ShardUnit(source=SOURCE, region="cn-hangzhou", target=ACCOUNT)]),
        shard(2, 3, [account(regions)], [resource(ACCOUNT, "aliyun.account", "acs:ram::1234567890:root")],
              [ShardUnit(source=SOURCE, target=ACCOUNT)],
              [{"target": ACCOUNT, "type": "aliyun.ram.user", "operation": "ram:ListUsers", "code": "Denied"}]),
        shard(3, 3, [account(regions)], [resource(ACCOUNT, "aliyun.ecs.instance", "i-1", "cn-beijing")],
              [ShardUnit(source=SOURCE, region="cn-beijing", target=ACCOUNT)]),
    ]


def parts(snapshots: list[Snapshot]) -> list[Part]:
    return [Part(Path(f"shard-{n}.json"), s) for n, s in enumerate(snapshots, 1)]


def refused(snapshots: list[Snapshot]) -> str:
    with pytest.raises(InputError) as caught:
        merge_snapshots(parts(snapshots))
    return str(caught.value)


def test_the_merge_holds_every_part_once_and_lists_their_digests() -> None:
    shards = three_shards()
    merged = merge_snapshots(parts(list(reversed(shards))))   # given in any order
    assert [t.id for t in merged.targets] == ["host:web-01", ACCOUNT]
    assert sorted(r.uid for r in merged.resources) == ["acs:ram::1234567890:root", "i-1", "i-2", "web-01"]
    assert [e.operation for e in merged.errors] == ["ram:ListUsers"]
    assert merged.parts is not None
    assert [(p.digest, p.shard) for p in merged.parts] == [(s.digest, f"{n}/3") for n, s in enumerate(shards, 1)]
    assert merged.shard is None
    assert merged.digest == merged.compute_digest()
    again = Snapshot.model_validate_json(dump_snapshot(merged))   # a valid snapshot file
    assert again.digest == again.compute_digest() == merged.digest
    assert chain_problems(merged, parts(shards)) == []


def test_tampered_parts_are_refused() -> None:
    shards = three_shards()
    edited = shards[2].model_copy(update={"resources": []})   # the digest recorded no longer matches
    assert "does not match the recorded digest" in refused([shards[0], shards[1], edited])
    unsealed = shards[2].model_copy(update={"digest": None})
    assert "records no digest" in refused([shards[0], shards[1], unsealed])


def test_missing_duplicate_and_foreign_shards_are_refused() -> None:
    one, two, three = three_shards()
    assert "shard(s) 3 of 3 missing" in refused([one, two])
    assert "are both shard 2/3" in refused([one, two, two, three])
    other_plan = shard(3, 3, [account([])], [], [], plan="sha256:" + "cd" * 32)
    assert "another plan" in refused([one, two, other_plan])
    four = shard(3, 4, [account([])], [], [])
    assert "in 4 shards" in refused([one, two, four])
    whole = make_snapshot([target("host:db-01")]).sealed()
    assert "is not a shard" in refused([one, two, three, whole])


def test_mixed_versions_are_refused() -> None:
    one, two, _three = three_shards()
    newer = shard(3, 3, [account(["cn-beijing", "cn-hangzhou"])], [],
                  [ShardUnit(source=SOURCE, region="cn-beijing", target=ACCOUNT)], version="0.2.0")
    assert "collected by mlpscan 0.2.0" in refused([one, two, newer])


def test_overlapping_units_and_resources_are_refused() -> None:
    one, two, _three = three_shards()
    doubled = shard(3, 3, [account(["cn-beijing", "cn-hangzhou"])], [],
                    [ShardUnit(source=SOURCE, region="cn-hangzhou", target=ACCOUNT)])
    assert "both hold aliyun:default region cn-hangzhou: overlapping units" in refused([one, two, doubled])
    same_resource = shard(3, 3, [account(["cn-beijing", "cn-hangzhou"])],
                          [resource(ACCOUNT, "aliyun.ecs.instance", "i-2", "cn-hangzhou")],
                          [ShardUnit(source=SOURCE, region="cn-beijing", target=ACCOUNT)])
    assert "both hold aliyun.ecs.instance i-2" in refused([one, two, same_resource])
    a = make_snapshot([target("host:web-01")]).sealed()
    assert "both hold target host:web-01" in refused([a, a.model_copy(update={"started_at": a.finished_at})
                                                      .sealed()])


def test_a_region_no_shard_collected_is_refused() -> None:
    one, two, _three = three_shards()
    saw_less = shard(3, 3, [account(["cn-beijing", "cn-hangzhou"])], [], [])
    assert "region cn-beijing of aliyun:1234567890 (aliyun:default) is in no part" in refused([one, two, saw_less])


def test_shards_that_saw_the_account_differently_are_refused() -> None:
    one, two, _three = three_shards()
    other = shard(3, 3, [account(["cn-beijing"])], [],
                  [ShardUnit(source=SOURCE, region="cn-beijing", target=ACCOUNT)])
    assert "disagree on target aliyun:1234567890" in refused([one, two, other])


def test_what_a_shard_could_not_reach_becomes_an_error_of_the_account() -> None:
    one, two, _ = three_shards()
    gone = f"aliyun:{SOURCE.split(':')[1]}"
    failed = shard(3, 3, [target(gone, regions=[])], [],
                   [ShardUnit(source=SOURCE, region="*", target=gone)],
                   [{"target": gone, "type": "aliyun.*", "operation": "sts:GetCallerIdentity", "code": "Timeout"}])
    merged = merge_snapshots(parts([one, two, failed]))
    assert [t.id for t in merged.targets] == ["host:web-01", ACCOUNT]
    assert {(e.target, e.type, e.code) for e in merged.errors} == {
        (ACCOUNT, "aliyun.ram.user", "Denied"), (ACCOUNT, "aliyun.*", "Timeout")}


def test_resources_of_a_target_a_part_did_not_reach_are_refused_naming_that_part() -> None:
    """Found by bench/campaign.py: such a part was refused without saying which file it was."""
    one, two, _ = three_shards()
    gone = f"aliyun:{SOURCE.split(':')[1]}"
    inconsistent = shard(3, 3, [target(gone, regions=[])], [resource(gone, "aliyun.ecs.instance", "i-9", "cn-beijing")],
                         [ShardUnit(source=SOURCE, region="*", target=gone)])
    message = refused([one, two, inconsistent])
    assert message.startswith("shard-3.json: ")
    assert f"resources of target {gone}, which it records as not reached" in message
    assert "\n" not in message


def test_separate_scans_of_different_targets_merge_too() -> None:
    hosts = make_snapshot([target("host:web-01")], [resource("host:web-01", "host.system", "web-01")]).sealed()
    cloud = make_snapshot([account([])], [resource(ACCOUNT, "aliyun.account", "root")]).sealed()
    merged = merge_snapshots([Part(Path("a.json"), hosts), Part(Path("b.json"), cloud)])
    assert [t.id for t in merged.targets] == ["host:web-01", ACCOUNT]
    assert merged.parts is not None
    assert [p.shard for p in merged.parts] == [None, None]


def test_snapshots_without_the_new_sections_keep_their_digest_and_shape() -> None:
    for example in sorted(EXAMPLES.glob("*.json")):
        snapshot = read_snapshot(example)
        assert snapshot.shard is None
        assert snapshot.parts is None
        assert snapshot.compute_digest() == snapshot.digest, example
        written = json.loads(dump_snapshot(snapshot))
        assert "shard" not in written
        assert "parts" not in written


# -- the command line ---------------------------------------------------------------------------

def write(tmp_path: Path, snapshots: list[Snapshot]) -> list[str]:
    paths = []
    for n, snapshot in enumerate(snapshots, 1):
        path = tmp_path / f"shard-{n}.json"
        path.write_bytes(dump_snapshot(snapshot))
        paths.append(str(path))
    return paths


def test_merge_and_verify_the_chain_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write(tmp_path, three_shards())
    out = tmp_path / "snapshot.json"
    assert main(["merge", *files, "-o", str(out)]) == 0
    assert "merged 3 parts" in capsys.readouterr().err
    assert main(["verify", str(out), *files]) == 0
    said = capsys.readouterr().out
    assert "chain OK: its 3 parts verify and merge to it" in said
    assert main(["verify", str(out)]) == 0
    assert "merged from 3 parts; give them to check the chain" in capsys.readouterr().out
    assert main(["verify", str(out), *files[:2]]) == 1
    assert "CHAIN BROKEN: part sha256:" in capsys.readouterr().out
    stranger = tmp_path / "stranger.json"
    stranger.write_bytes(dump_snapshot(make_snapshot([target("host:x")]).sealed()))
    assert main(["verify", str(out), *files, str(stranger)]) == 1
    assert "is not among the parts listed" in capsys.readouterr().out


def test_refusals_are_one_line_and_exit_2_with_nothing_written(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    one, two, three = three_shards()
    files = write(tmp_path, [one, two, three])
    data = json.loads(Path(files[2]).read_text(encoding="utf-8"))
    data["resources"][0]["data"] = {"InstanceName": "edited"}
    Path(files[2]).write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "merged.json"
    assert main(["merge", *files, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "shard-3.json" in err
    assert "does not match the recorded digest" in err
    assert not out.exists()
    data["schema"] = "mlpscan.snapshot/2"
    Path(files[2]).write_text(json.dumps(data), encoding="utf-8")
    assert main(["merge", *files, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "shard-3.json" in err
    assert "mlpscan.snapshot/2" in err
    assert not out.exists()


def test_regions_are_checked_even_when_the_account_unit_could_not_reach_the_account() -> None:
    host = target("host:web-01")
    gone = "aliyun:default"
    regions = ["cn-beijing", "cn-hangzhou"]
    owner_failed = shard(1, 2, [host, target(gone, regions=[])], [resource("host:web-01", "host.system", "w")],
                         [ShardUnit(source="host:web-01", target="host:web-01"), ShardUnit(source=SOURCE, target=gone)],
                         [{"target": gone, "type": "aliyun.*", "operation": "sts:GetCallerIdentity", "code": "Timeout"}])
    one_region = shard(2, 2, [account(regions)], [resource(ACCOUNT, "aliyun.ecs.instance", "i-1", "cn-beijing")],
                       [ShardUnit(source=SOURCE, region="cn-beijing", target=ACCOUNT)])
    assert "region cn-hangzhou of aliyun:1234567890 (aliyun:default) is in no part" in refused(
        [owner_failed, one_region])
