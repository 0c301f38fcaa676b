"""Sharded collection end to end: N shard processes as a job engine starts them, merged, evaluated,
against one unsharded run of the same hosts (real sshd), Tencent account (fake) and AWS account
(moto); and shards sharing one account's request budget against a fake that enforces a quota."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlpscan.cli import main
from mlpscan.snapshot import read_snapshot
from tests.fakes.aws_throttle import serving
from tests.fakes.tencent_accounts import FakeAccount, build, rule, security_group, user
from tests.fakes.tencent_quota import QuotaProxy
from tests.fleet_world import Fleet, running_fleet

SHARDS = 3


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    with running_fleet(tmp_path_factory.mktemp("fleet")) as world:
        yield world


def comparable(report: Path) -> list[dict[str, Any]]:
    """The findings, as the JSON report lists them (sorted by check, target and resource)."""
    findings: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return findings


def evaluate(fleet: Fleet, snapshot: Path, out: Path) -> list[dict[str, Any]]:
    done = fleet.mlpscan("evaluate", str(snapshot), "--level", "3", "--format", "json", "--output-dir", str(out),
                         "--fail-on", "none", cwd=out.parent)
    assert done.returncode == 0, done.stderr
    return comparable(out / "mlpscan-report.json")


def run_shards(fleet: Fleet, workdir: Path, count: int, *extra: str) -> list[Path]:
    """Every shard at once, each told its place the way a Kubernetes Indexed Job tells it."""
    paths = [workdir / f"shard-{index}.json" for index in range(count)]
    started = [fleet.start("collect", "--config", str(fleet.config), *fleet.ssh_options, *extra,
                           "--shard", "auto", "-o", str(path), cwd=workdir,
                           extra_env={"JOB_COMPLETION_INDEX": str(index), "JOB_COMPLETIONS": str(count)})
               for index, path in enumerate(paths)]
    for process in started:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    return paths


def test_sharded_then_merged_findings_equal_the_unsharded_scan(fleet: Fleet, tmp_path: Path) -> None:
    whole = tmp_path / "whole.json"
    # at the same time as the shards: the hosts are live
    collecting = fleet.start("collect", "--config", str(fleet.config), *fleet.ssh_options, "-o", str(whole),
                             cwd=tmp_path)
    shards = run_shards(fleet, tmp_path, SHARDS)
    _, err = collecting.communicate(timeout=600)
    assert collecting.returncode == 0, err
    merged = tmp_path / "merged.json"
    done = fleet.mlpscan("merge", *map(str, shards), "-o", str(merged), cwd=tmp_path)
    assert done.returncode == 0, done.stderr

    # every unit in exactly one shard: five hosts, and each account's account-wide unit and regions
    units: Counter[tuple[str, str | None]] = Counter()
    for path in shards:
        descriptor = read_snapshot(path).shard
        assert descriptor is not None
        units.update((u.source, u.region) for u in descriptor.units)
    assert set(units.values()) == {1}
    whole_snapshot, merged_snapshot = read_snapshot(whole), read_snapshot(merged)
    assert sum(1 for source, _ in units if source.startswith("host:")) == 5
    for target in whole_snapshot.targets:
        if target.provider != "host":
            source = "aws:default" if target.provider == "aws" else "tencent:default"
            assert {r for s, r in units if s == source} == {None, *target.regions}
    assert sorted(t.model_dump_json() for t in merged_snapshot.targets) == sorted(
        t.model_dump_json() for t in whole_snapshot.targets)
    # the same collection errors (on hosts, what needs --sudo), none about the clouds
    assert sorted(e.model_dump_json() for e in merged_snapshot.errors) == sorted(
        e.model_dump_json() for e in whole_snapshot.errors)
    assert {e.target.split(":")[0] for e in merged_snapshot.errors} == {"host"}

    assert evaluate(fleet, merged, tmp_path / "merged-out") == evaluate(fleet, whole, tmp_path / "whole-out")
    chain = fleet.mlpscan("verify", str(merged), *map(str, shards), cwd=tmp_path)
    assert chain.returncode == 0, chain.stdout + chain.stderr
    assert "chain OK" in chain.stdout


def test_a_scan_shard_evaluates_its_share(fleet: Fleet, tmp_path: Path) -> None:
    done = fleet.mlpscan("scan", "--config", str(fleet.config), *fleet.ssh_options, "--shard", "2/3",
                         "--format", "json", "--output-dir", str(tmp_path / "out"), "--fail-on", "none", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    snapshot = read_snapshot(tmp_path / "out" / "snapshot.json")
    assert snapshot.shard is not None
    assert snapshot.shard.label == "2/3"
    report = json.loads((tmp_path / "out" / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert {f["resource"]["target"] for f in report["findings"]} == {t.id for t in snapshot.targets}


# -- one account's quota, shared by shards ------------------------------------------------------

BUSY_REGIONS = ("ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu")
BUSY_ID, BUSY_KEY = "AKIDmlpscanBUSY000000000000001", "busy-secret"


def busy_account() -> FakeAccount:
    """Many calls of the same actions: users (account-wide) and security groups in four regions, each
    with a detail call, so that four shards draw on the same per-action quota."""
    account = build("100000000077", weak=False, regions=BUSY_REGIONS)
    for r, region in enumerate(BUSY_REGIONS):
        for n in range(15):
            account.add("groups", region, security_group(f"sg-{r}{n:03d}", f"g{n}", [rule(0, "TCP", "443", "0.0.0.0/0")]))
    account.users += [user(100000077000 + n, f"user-{n:03d}", mfa=True) for n in range(30)]
    return account


def collect_in_shards(fleet: Fleet, config: Path, prefix: str, workdir: Path) -> list[subprocess.Popen[str]]:
    return [fleet.start("collect", "--config", str(config), "--shard", f"{k}/4", "--api-workers", "16",
                        "-o", str(workdir / f"{prefix}-{k}.json"), cwd=workdir,
                        extra_env={"TENCENTCLOUD_SECRET_ID": BUSY_ID, "TENCENTCLOUD_SECRET_KEY": BUSY_KEY})
            for k in range(1, 5)]


def test_shards_sharing_an_account_budget_are_never_throttled(fleet: Fleet, tmp_path: Path) -> None:
    fleet.tencent.add_account(busy_account(), BUSY_ID, BUSY_KEY)
    config = tmp_path / "mlpscan.yaml"
    # Tencent's default quota: 20 calls a second per action
    with serving(QuotaProxy(fleet.tencent.endpoint, per_second=20)) as proxy:
        # the built-in budget (Tencent: 15 a second per action), split among the four shards
        config.write_text(json.dumps({"clouds": [{"provider": "tencent", "endpoint": proxy.endpoint}]}),
                          encoding="utf-8")
        for process in collect_in_shards(fleet, config, "paced", tmp_path):
            _, err = process.communicate(timeout=600)
            assert process.returncode == 0, err
        assert proxy.throttled == 0
        snapshots = [read_snapshot(tmp_path / f"paced-{k}.json") for k in range(1, 5)]
        assert [e for s in snapshots for e in s.errors] == []
        groups = [r for s in snapshots for r in s.resources if r.type == "tencent.vpc.security_group"]
        assert len(groups) >= 60
        assert all("DescribeSecurityGroupPolicies" in g.data for g in groups)
        assert proxy.forwarded > 200

        # the same four shards with a budget far above the quota: the gateway throttles them
        config.write_text(json.dumps({"clouds": [{"provider": "tencent", "endpoint": proxy.endpoint}],
                                      "rate_limits": {"tencent": {"*": {"rate": 1000, "burst": 1000}}}}),
                          encoding="utf-8")
        for process in collect_in_shards(fleet, config, "eager", tmp_path):
            process.communicate(timeout=600)
        assert proxy.throttled > 0


def test_collect_skips_what_no_chosen_check_reads_and_shards_of_another_selection_do_not_merge(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lighter = tmp_path / "lighter.json"
    assert main(["collect", "local", "--exclude-checks", "host.updates.*", "--shard", "1/2", "-o", str(lighter)]) == 0
    assert "checks of profile level3 selected" in capsys.readouterr().err
    snapshot = read_snapshot(lighter)
    assert "host.updates" not in {r.type for r in snapshot.resources}       # no package-manager query
    assert "host.sshd" in {r.type for r in snapshot.resources}
    [host] = snapshot.targets
    assert host.collected_types is not None
    assert "host.sshd" in host.collected_types
    assert "host.updates" not in host.collected_types
    # judged later with every check: what was not asked for is an error, never "nothing found"
    assert main(["evaluate", str(lighter), "--level", "3", "--format", "json", "--output-dir", "-"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    updates = [f for f in report["findings"] if f["check"].startswith("host.updates.")]
    assert updates
    assert {f["status"] for f in updates} == {"error"}
    assert all(f["observed"] == {"not_collected": ["host.updates"]} for f in updates)
    full = tmp_path / "full.json"
    assert main(["collect", "local", "--shard", "2/2", "-o", str(full)]) == 0
    capsys.readouterr()
    assert main(["merge", str(lighter), str(full), "-o", str(tmp_path / "merged.json")]) == 2
    assert "was collected for another plan" in capsys.readouterr().err
    assert not (tmp_path / "merged.json").exists()
