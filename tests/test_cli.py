from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlpscan.cli import main
from mlpscan.content import Content
from mlpscan.snapshot import dump_snapshot, read_snapshot
from tests.conftest import EXAMPLES, REPO, resource, snapshot_dict, target

Validator = Callable[[bytes | str | dict[str, Any]], list[str]]
WriteSnapshot = Callable[..., Path]


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 120, umask: int = -1) -> subprocess.CompletedProcess[str]:
    """The real command line, in a fresh interpreter (``env`` adds to the environment)."""
    env = {**os.environ, "COLUMNS": "200", **(env or {})}  # wide unless a test asks for 80
    return subprocess.run([sys.executable, "-m", "mlpscan", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False, timeout=timeout, umask=umask)


def residency_snapshot(write_snapshot: WriteSnapshot, *regions: str) -> Path:
    resources = [resource("aliyun:1", "aliyun.account", "acs:ram::1:root")]
    resources += [resource("aliyun:1", "aliyun.oss.bucket", f"acs:oss:{r}:1:b-{r}", r, name=f"b-{r}")
                  for r in regions]
    return write_snapshot([target("aliyun:1", regions=["cn-hangzhou"])], resources)


def test_evaluate_writes_table_json_and_sarif(tmp_path: Path, write_snapshot: WriteSnapshot,
                                              sarif_validator: Validator, cloud_checks_only: Path) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou", "cn-hongkong")
    out = tmp_path / "out"
    done = run("evaluate", str(snapshot), "--content", str(cloud_checks_only), "--level", "3", "--format", "table,json,sarif",
               "--output-dir", str(out))
    assert done.returncode == 1, done.stderr
    assert "cloud.residency.mainland_region" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["mlpscan-report.json", "mlpscan.sarif"]
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["summary"]["by_status"]["fail"] == 1
    assert sarif_validator((out / "mlpscan.sarif").read_bytes()) == []
    assert f"wrote {out / 'mlpscan.sarif'}" in done.stderr


@pytest.mark.parametrize(("regions", "extra", "code"), [
    (("cn-hangzhou",), [], 0),
    (("cn-hangzhou", "cn-hongkong"), [], 1),
    (("cn-hangzhou", "cn-hongkong"), ["--fail-on", "critical"], 0),
    (("cn-hangzhou", "cn-hongkong"), ["--fail-on", "high"], 1),
    (("cn-hangzhou", "cn-hongkong"), ["--fail-on", "none"], 0),
])
def test_exit_codes_follow_fail_on(tmp_path: Path, write_snapshot: WriteSnapshot, regions: tuple[str, ...],
                                   extra: list[str], code: int, cloud_checks_only: Path) -> None:
    snapshot = residency_snapshot(write_snapshot, *regions)
    assert main(["evaluate", str(snapshot), "--content", str(cloud_checks_only), "--format", "json", "--output-dir", str(tmp_path / "o"),
                 *extra]) == code


def test_exit_code_3_when_no_target_could_be_collected(tmp_path: Path, write_snapshot: WriteSnapshot) -> None:
    snapshot = write_snapshot([target("aws:1"), target("aws:2")], [], [
        {"target": "aws:1", "type": "aws.*", "operation": "sts:GetCallerIdentity", "code": "InvalidClientTokenId"},
        {"target": "aws:2", "type": "aws.*", "operation": "sts:GetCallerIdentity", "code": "ExpiredToken"}])
    out = tmp_path / "o"
    assert main(["evaluate", str(snapshot), "--format", "json", "--output-dir", str(out)]) == 3
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["summary"]["by_status"]["error"] >= 2


def test_config_supplies_level_waivers_platforms_and_outputs(tmp_path: Path, write_snapshot: WriteSnapshot,
                                                             sarif_validator: Validator, cloud_checks_only: Path) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou", "cn-hongkong")
    config = tmp_path / "mlpscan.yaml"
    config.write_text(f"""\
system: {{name: payments, level: 4}}
platforms:
  - {{target: "aliyun:*", name: Alibaba Finance Cloud, level: 4, evidence: 备案证明 33010099001}}
waivers:
  - check: cloud.residency.mainland_region
    resource: "*:b-cn-hongkong"
    justification: CDN origin for the Hong Kong site, no personal data
    approver: ciso@example.cn
    expires: 2099-12-31
output: {{dir: {tmp_path / 'cfg-out'}, formats: [json, sarif], fail_on: high}}
""", encoding="utf-8")
    assert main(["evaluate", str(snapshot), "--content", str(cloud_checks_only), "--config", str(config)]) == 0
    report = json.loads((tmp_path / "cfg-out" / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["profile"]["level"] == 4
    statuses = {f["check"]: f["status"] for f in report["findings"] if f["status"] != "pass"}
    assert statuses == {"cloud.residency.mainland_region": "waived"}
    sarif = json.loads((tmp_path / "cfg-out" / "mlpscan.sarif").read_bytes())
    assert sarif_validator(sarif) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"mlpscan.yaml"}   # relative, as GitHub needs (the file is outside the cwd)


def test_profile_file_and_user_waiver_file(tmp_path: Path, write_snapshot: WriteSnapshot, cloud_checks_only: Path) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hongkong")
    profile = tmp_path / "bank.yaml"
    profile.write_text("id: bank\nextends: level3\nparams: {log_retention_days: 366}\n", encoding="utf-8")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - {check: 'cloud.*', resource: '*', justification: pilot, approver: me, "
                       "expires: 2099-01-01}\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(["evaluate", str(snapshot), "--content", str(cloud_checks_only), "--profile", str(profile), "--waivers", str(waivers),
                 "--format", "json", "--output-dir", str(out)]) == 0
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["profile"] == {"id": "bank", "level": 3, "params": report["profile"]["params"]}
    assert report["profile"]["params"]["log_retention_days"] == 366


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


BAD_CONFIGS = {
    "malformed": ("system: {level: 3\n", "mlpscan.yaml:2: invalid YAML"),
    "duplicate": ("system: {level: 3}\nsystem: {level: 4}\n", "mlpscan.yaml:2: duplicate key 'system'"),
    "unknown field": ("system: {levle: 3}\n", "mlpscan.yaml:1: unknown field 'levle' in system"),
    "waiver without expiry": ("waivers:\n  - check: x\n    resource: '*'\n    justification: j\n"
                              "    approver: a\n", "mlpscan.yaml:2: missing required field 'expires' in waivers[0]"),
    "bad date": ("waivers:\n  - {check: x, resource: '*', justification: j, approver: a, expires: soon}\n",
                 "mlpscan.yaml:2: waivers[0].expires: Input should be a valid date"),
    "both": ("system: {level: 3, profile: level4}\n", "give either 'level' or 'profile'"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_one_line_and_writes_nothing(case: str, tmp_path: Path, write_snapshot: WriteSnapshot) -> None:
    text, expected = BAD_CONFIGS[case]
    config = tmp_path / "mlpscan.yaml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou")
    line = one_line_error(run("evaluate", str(snapshot), "--config", str(config), "--output-dir", str(out)))
    assert line.startswith("mlpscan: error: ")
    assert expected in line
    assert str(config) in line
    assert not out.exists()


def test_bad_snapshots(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "mlpscan.snapshot/1",\n "targets": [}\n', encoding="utf-8")
    assert one_line_error(run("evaluate", str(broken))).startswith(f"mlpscan: error: {broken}:2: invalid JSON")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"schema": "mlpscan.report/1"}), encoding="utf-8")
    assert "not a mlpscan.snapshot/1 snapshot (schema is 'mlpscan.report/1')" in one_line_error(
        run("evaluate", str(other)))
    bad = snapshot_dict([target("aws:1")], [resource("aws:9", "aws.s3.bucket", "b")])
    dangling = tmp_path / "dangling.json"
    dangling.write_text(json.dumps(bad), encoding="utf-8")
    assert "resources[0] names unknown target 'aws:9'" in one_line_error(run("evaluate", str(dangling)))
    extra = snapshot_dict([target("aws:1")])
    extra["secret"] = 1
    extra_path = tmp_path / "extra.json"
    extra_path.write_text(json.dumps(extra), encoding="utf-8")
    assert "unknown field 'secret'" in one_line_error(run("evaluate", str(extra_path)))
    assert "file not found" in one_line_error(run("evaluate", str(tmp_path / "missing.json")))


def test_bad_profile_and_waiver_files(tmp_path: Path, write_snapshot: WriteSnapshot) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou")
    profile = tmp_path / "p.yaml"
    profile.write_text("id: p\nextends: level3\nparams:\n  lockout_treshold: 3\n", encoding="utf-8")
    assert f"{profile}: unknown parameter 'lockout_treshold'" in one_line_error(
        run("evaluate", str(snapshot), "--profile", str(profile)))
    profile.write_text("id: p\nextends: level3\nparams:\n  log_retention_days: 90\n", encoding="utf-8")
    assert "looser than the legal floor 180" in one_line_error(
        run("evaluate", str(snapshot), "--profile", str(profile)))
    waivers = tmp_path / "w.yaml"
    waivers.write_text("waivers:\n  - {check: x, resource: '*', justification: j, approver: a}\n", encoding="utf-8")
    assert f"{waivers}:2: missing required field 'expires'" in one_line_error(
        run("evaluate", str(snapshot), "--waivers", str(waivers)))


def test_bad_command_lines(tmp_path: Path, write_snapshot: WriteSnapshot) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou")
    assert "unknown format 'xml'" in one_line_error(run("evaluate", str(snapshot), "--format", "json,xml"))
    assert "unknown severity 'urgent'" in one_line_error(run("evaluate", str(snapshot), "--fail-on", "urgent"))
    assert "invalid choice: 5" in one_line_error(run("evaluate", str(snapshot), "--level", "5"))
    assert "not allowed with argument" in one_line_error(
        run("evaluate", str(snapshot), "--level", "3", "--profile", "level4"))
    assert "unknown profile 'level9'" in one_line_error(run("evaluate", str(snapshot), "--profile", "level9"))
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert "cannot write output" in one_line_error(
        run("evaluate", str(snapshot), "--format", "json", "--output-dir", str(blocker / "sub")))


def test_content_errors_are_one_line(content_copy: Callable[[], Path]) -> None:
    root = content_copy()
    check = root / "checks" / "cloud" / "residency" / "mainland_region.yaml"
    check.write_text(check.read_text(encoding="utf-8").replace("8.2.4.5.a", "8.2.4.5.z"), encoding="utf-8")
    line = one_line_error(run("validate", "--content", str(root)))
    assert f"{check}:" in line
    assert "unknown clause '8.2.4.5.z' for level 3" in line


def test_validate_ok() -> None:
    done = run("validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("content OK")
    assert "L3 111" in done.stdout


def test_grade(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "--object", "social", "--degree", "serious"]) == 0
    assert capsys.readouterr().out.startswith("MLPS level 3\n")
    assert main(["grade", "--object", "citizen", "--degree", "grave", "--service-object", "national",
                 "--service-degree", "general"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("MLPS level 3\n")
    assert "level 2" in out
    assert "the higher of the two gradings = level 3" in out
    assert main(["grade", "--object", "national", "--degree", "grave"]) == 0
    assert "not published" in capsys.readouterr().out
    assert one_line_error(run("grade", "--object", "social", "--degree", "serious", "--service-object", "social"))


@pytest.mark.parametrize(("obj", "degrees"), [("citizen", (1, 2, 2)), ("social", (2, 3, 4)),
                                              ("national", (3, 4, 5))])
def test_grading_matrix(obj: str, degrees: tuple[int, int, int], capsys: pytest.CaptureFixture[str]) -> None:
    for degree, level in zip(("general", "serious", "grave"), degrees, strict=True):
        main(["grade", "--object", obj, "--degree", degree])
        assert capsys.readouterr().out.startswith(f"MLPS level {level}\n")


def test_coverage_lists_every_level3_clause(content: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--level", "3", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["clauses"]
    assert [r["clause"] for r in rows] == sorted(
        (c.id for c in content.catalog.for_level(3)), key=lambda i: [int(p) if p.isdigit() else p
                                                                      for p in i.split(".")])
    by_id = {r["clause"]: r for r in rows}
    assert "cloud.residency.mainland_region" in by_id["8.2.4.5.a"]["checks"]
    assert by_id["8.2.2.1.a"]["coverage"] == "checked"
    assert by_id["8.1.4.11.a"]["coverage"] == "manual"
    done = run("coverage", "--level", "3")
    assert done.returncode == 0
    assert "manual" in done.stdout
    assert "8.2.4.5.a" in done.stdout
    assert "111 technical clauses" in done.stdout.replace("\n", " ")


@pytest.mark.parametrize("kind", ["snapshot", "report", "config"])
def test_schema(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", kind]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False


def test_verify(tmp_path: Path, write_snapshot: WriteSnapshot) -> None:
    unsealed = residency_snapshot(write_snapshot, "cn-hangzhou")
    assert main(["verify", str(unsealed)]) == 1
    sealed = tmp_path / "sealed.json"
    sealed.write_bytes(dump_snapshot(read_snapshot(unsealed).sealed()))
    done = run("verify", str(sealed))
    assert done.returncode == 0
    assert "OK sha256:" in done.stdout
    tampered = json.loads(sealed.read_text(encoding="utf-8"))
    tampered["resources"][1]["region"] = "cn-shanghai"
    sealed.write_text(json.dumps(tampered), encoding="utf-8")
    done = run("verify", str(sealed))
    assert done.returncode == 1
    assert "MODIFIED" in done.stdout


@pytest.mark.parametrize("what", ["/dev/urandom", "fifo", "directory"])
def test_verify_reads_regular_files_only(tmp_path: Path, what: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(what) if what.startswith("/") else tmp_path / what
    if what == "fifo":
        os.mkfifo(path)  # before: verify waited for a writer forever
    elif what == "directory":
        path.mkdir()
    assert main(["verify", str(path)]) == 2  # before: /dev/urandom was read until memory ran out
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"mlpscan: error: {path}: ")
    assert "regular file" in line or "is a directory" in line


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda text: text.replace('"data": {}', '"data": {"_failed_calls": ["GetBucketAcl"]}', 1),
     "resources[0].data: '_failed_calls' must map each key to the reason its call failed"),
    (lambda text: text.replace('"data": {}', '"data": {"a": ' + "[" * 3000 + "]" * 3000 + "}", 1),
     "invalid JSON: nested deeper than 200 levels"),
    (lambda text: text.replace('"data": {}', '"data": {"a": ' + "7" * 4400 + "}", 1),
     "invalid JSON: a number is out of range (more than 4300 digits)"),
    (lambda text: text.replace('"data": {}', '"data": {"a": "\\udc00"}', 1),
     "invalid JSON: a \\u escape is a lone UTF-16 surrogate"),
])
def test_hostile_snapshots_exit_2_with_one_line(write_snapshot: WriteSnapshot, mutate: Callable[[str], str],
                                                message: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = residency_snapshot(write_snapshot, "cn-hangzhou")
    text = path.read_text(encoding="utf-8")
    path.write_text(mutate(text), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != text
    for command in (["verify", str(path)], ["evaluate", str(path), "--format", "json"]):
        assert main(command) == 2
        [line] = capsys.readouterr().err.splitlines()
        assert line.startswith(f"mlpscan: error: {path}:")
        assert message in line


def test_validate_counts_families_laws_and_resource_types(capsys: pytest.CaptureFixture[str],
                                                         content: Content) -> None:
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert f"{len(content.checks)} checks, {len(content.families)} control families" in out
    assert f"{len(content.laws)} laws" in out
    assert f"{len(content.resource_types)} resource types" in out


def test_checks_and_profiles_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "list", "--provider", "aliyun", "--level", "3"]) == 0
    assert "cloud.residency.mainland_region" in capsys.readouterr().out
    assert main(["checks", "list", "--provider", "host"]) == 0
    assert "cloud.residency" not in capsys.readouterr().out
    assert main(["checks", "show", "cloud.platform.level_at_least_system"]) == 0
    out = capsys.readouterr().out
    assert "8.2.2.1 a)" in out
    assert "checks/cloud/platform/level_at_least_system.yaml" in out
    assert main(["checks", "show", "nope"]) == 2
    assert main(["profiles", "list"]) == 0
    assert "level4" in capsys.readouterr().out
    assert main(["profiles", "show", "level4"]) == 0
    out = capsys.readouterr().out
    assert "level4 -> level3 -> level2 -> level1" in out
    assert "log_retention_days" in out


def test_runs_from_any_directory(tmp_path: Path) -> None:
    done = run("validate", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert str(REPO) in done.stdout or "site-packages" in done.stdout


# -- exit codes that mean one thing ---------------------------------------------------------------

def test_an_internal_error_exits_4_with_one_line(tmp_path: Path, write_snapshot: WriteSnapshot,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("engine exploded\nsecond line")

    monkeypatch.setattr("mlpscan.planning.evaluate", broken)
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou")
    args = ["evaluate", str(snapshot), "--output-dir", str(tmp_path / "o")]
    assert main(args) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("mlpscan: error: internal error: RuntimeError: engine exploded second line")
    assert "--debug" in err
    assert "Traceback" not in err
    assert main([*args, "--debug"]) == 4
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert not (tmp_path / "o").exists()


def test_a_missing_provider_extra_is_exit_2_with_the_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "paramiko", None)          # as if the [host] extra were not installed
    monkeypatch.delitem(sys.modules, "mlpscan.providers.host.ssh", raising=False)
    assert main(["scan", "ssh://ops@web-01", "--output-dir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["mlpscan: error: ssh:// targets need paramiko (paramiko is not installed): "
                   "pip install 'mlpscan[host]'"]
    assert not (tmp_path / "o").exists()


# -- baseline gating -----------------------------------------------------------------------------

def baseline_of(write_snapshot: WriteSnapshot, tmp_path: Path, content_dir: Path, *regions: str) -> Path:
    old = residency_snapshot(write_snapshot, *regions)
    assert main(["evaluate", str(old), "--content", str(content_dir), "--format", "json",
                 "--output-dir", str(tmp_path / "baseline")]) in (0, 1)
    baseline = tmp_path / "baseline.json"
    (tmp_path / "baseline" / "mlpscan-report.json").rename(baseline)
    return baseline


def test_baseline_gates_on_new_findings_and_reports_fixed_ones(tmp_path: Path, write_snapshot: WriteSnapshot,
                                                               cloud_checks_only: Path) -> None:
    baseline = baseline_of(write_snapshot, tmp_path, cloud_checks_only, "cn-hangzhou", "cn-hongkong", "ap-southeast-1")
    same = residency_snapshot(write_snapshot, "cn-hangzhou", "cn-hongkong", "ap-southeast-1")
    common = ["--content", str(cloud_checks_only), "--format", "table", "--fail-on", "any",
              "--baseline", str(baseline), "--output-dir", str(tmp_path / "o")]
    unchanged = run("evaluate", str(same), *common)
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr   # known failures only
    assert "0 new, 2 known, 0 fixed" in unchanged.stdout
    # a new failing bucket (us-east-1), one fixed (ap-southeast-1 is gone)
    worse = residency_snapshot(write_snapshot, "cn-hangzhou", "cn-hongkong", "us-east-1")
    done = run("evaluate", str(worse), *common)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 new, 1 known, 1 fixed" in done.stdout
    new_lines = [line for line in done.stdout.splitlines() if line.strip().startswith("new ")]
    assert len(new_lines) == 1
    assert "b-us-east-1" in new_lines[0]
    fixed = done.stdout[done.stdout.index("fixed since the baseline"):]
    assert "b-ap-southeast-1" in fixed
    # without the baseline, the same evidence fails on all of them
    assert run("evaluate", str(worse), "--content", str(cloud_checks_only), "--format", "table",
               "--output-dir", str(tmp_path / "o")).returncode == 1


def test_fail_on_errors_no_shows_errors_but_does_not_gate_on_them(tmp_path: Path, write_snapshot: WriteSnapshot,
                                                                  cloud_checks_only: Path) -> None:
    snapshot = write_snapshot([target("aliyun:1", regions=["cn-hangzhou"])],
                              [resource("aliyun:1", "aliyun.account", "acs:ram::1:root"),
                               resource("aliyun:1", "aliyun.oss.bucket", "acs:oss:cn-nowhere-9:1:b", "cn-nowhere-9")])
    common = ["evaluate", str(snapshot), "--content", str(cloud_checks_only), "--format", "table,json",
              "--output-dir", str(tmp_path / "o")]
    gated = run(*common)
    assert gated.returncode == 1, gated.stdout + gated.stderr
    assert "  ERROR " in gated.stdout
    relaxed = run(*common, "--fail-on-errors", "no")
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert "  ERROR " in relaxed.stdout                          # still shown
    report = json.loads((tmp_path / "o" / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["summary"]["by_status"]["error"] == 1          # and still recorded


def test_a_baseline_that_is_not_a_report_is_exit_2(tmp_path: Path, write_snapshot: WriteSnapshot) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou")
    line = one_line_error(run("evaluate", str(snapshot), "--baseline", str(snapshot),
                              "--output-dir", str(tmp_path / "o")))
    assert f"{snapshot}: not a mlpscan.report/1 report" in line
    assert not (tmp_path / "o").exists()


# -- outputs -------------------------------------------------------------------------------------

def test_json_on_stdout_and_nothing_else(tmp_path: Path, write_snapshot: WriteSnapshot, cloud_checks_only: Path,
                                         sarif_validator: Validator) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou", "cn-hongkong")
    done = run("evaluate", str(snapshot), "--content", str(cloud_checks_only), "--output-dir", "-", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["schema"] == "mlpscan.report/1"
    assert "wrote" not in done.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "snapshot.json"]   # no file written
    sarif = run("evaluate", str(snapshot), "--content", str(cloud_checks_only), "--output-dir", "-",
                "--format", "sarif")
    assert sarif_validator(sarif.stdout) == []
    assert "standard output takes exactly one file format" in one_line_error(
        run("evaluate", str(snapshot), "--output-dir", "-", "--format", "table,json"))


def test_display_filters_never_change_the_files(tmp_path: Path, write_snapshot: WriteSnapshot,
                                               cloud_checks_only: Path) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou", "cn-hongkong")
    common = ["evaluate", str(snapshot), "--content", str(cloud_checks_only), "--format", "table,json,sarif,junit",
              "--today", "2026-11-21"]
    plain = run(*common, "--output-dir", str(tmp_path / "a"))
    filtered = run(*common, "--output-dir", str(tmp_path / "b"), "--status", "pass", "--severity", "low", "-v")
    quiet = run(*common, "--output-dir", str(tmp_path / "c"), "--quiet")
    assert plain.returncode == filtered.returncode == quiet.returncode == 1
    assert plain.stdout != filtered.stdout
    for name in ("mlpscan-report.json", "mlpscan.sarif", "mlpscan-junit.xml"):
        texts = [re.sub(r'"?generated_at"?[=:] ?"[^"]*"|timestamp="[^"]*"', "", (tmp_path / d / name).read_text(
            encoding="utf-8")) for d in "abc"]
        assert texts[0] == texts[1] == texts[2], name
    assert quiet.stdout.splitlines()[0].startswith("summary:")
    assert "cloud.residency" not in quiet.stdout
    assert "wrote" not in quiet.stderr
    assert "--status: unknown value 'broken'" in one_line_error(run(*common, "--status", "broken"))


# -- choosing checks at run time -----------------------------------------------------------------

def test_checks_exclude_checks_and_provider_select_like_exclude_checks(tmp_path: Path, write_snapshot: WriteSnapshot,
                                                                      cloud_checks_only: Path) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou", "cn-hongkong")
    common = ["evaluate", str(snapshot), "--content", str(cloud_checks_only), "--format", "json,sarif"]

    def checks_run(*extra: str) -> tuple[int, set[str], set[str]]:
        out = tmp_path / str(len(list(tmp_path.iterdir())))
        done = run(*common, "--output-dir", str(out), *extra)
        report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
        sarif = json.loads((out / "mlpscan.sarif").read_text(encoding="utf-8"))
        rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
        return done.returncode, {f["check"] for f in report["findings"]}, rules

    both = {"cloud.residency.mainland_region", "cloud.platform.level_at_least_system"}
    assert checks_run() == (1, both, both)
    assert checks_run("--checks", "cloud.platform.*") == (0, {"cloud.platform.level_at_least_system"},
                                                         {"cloud.platform.level_at_least_system"})
    assert checks_run("--exclude-checks", "cloud.residency.mainland_region")[1] == {
        "cloud.platform.level_at_least_system"}
    assert checks_run("--checks", "cloud.*", "--exclude-checks", "*.platform.*")[1] == {"cloud.residency.mainland_region"}
    assert checks_run("--provider", "aliyun")[1] == both
    assert "matches no check of profile level3" in one_line_error(run(*common, "--checks", "cloud.residency.mainland"))
    assert "leaves no check to run" in one_line_error(run(*common, "--exclude-checks", "cloud.*"))
    assert "has no target of --provider aws" in one_line_error(run(*common, "--provider", "aws"))
    assert "unknown provider 'gcp'" in one_line_error(run(*common, "--provider", "gcp"))
    warned = run(*common, "--output-dir", str(tmp_path / "w"), "--exclude-checks", "aws.nothing.*")
    assert "--exclude-checks: 'aws.nothing.*' matches no check" in warned.stderr


# -- bad input, one line ---------------------------------------------------------------------------

def test_nul_bytes_non_finite_timeouts_and_unencodable_output(tmp_path: Path, write_snapshot: WriteSnapshot,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou")
    for argv in (["evaluate", str(snapshot), "--output-dir", "out\0dir"], ["collect", "-o", "s\0.json"],
                 ["evaluate", str(snapshot), "--config", "a\0.yaml"], ["evaluate", "snap\0.json"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert "NUL" in err
    for value in ("nan", "inf", "-inf", "-1", "0", "1e999", "soon"):
        assert main(["scan", f"--connect-timeout={value}", "--output-dir", str(tmp_path / "o")]) == 2, value
        assert "expected a positive number of seconds" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    done = run("evaluate", str(EXAMPLES / "tencent.json"), "--format", "table", "-v", "--output-dir", str(tmp_path / "t"),
               env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "tencent.cam.user_login_mfa" in done.stdout
    assert "summary:" in done.stdout


BAD_CONFIG_VALUES = {
    "target twice": ("targets: [local, local]\n", ["scan"], "target local is given twice (in {config})"),
    "unknown system.profile": ("system: {profile: bank}\n", ["evaluate", "{snapshot}"],
                               "{config}: system.profile: unknown profile"),
    "output.dir is a file": ("output: {dir: '{blocker}'}\n", ["evaluate", "{snapshot}"],
                             "{config}: output.dir: the output directory"),
    "output.dir with NUL": ("output: {dir: \"out\\0dir\"}\n", ["evaluate", "{snapshot}"],
                            "{config}: output.dir: a path may not contain a NUL byte"),
    "output.fail_on": ("output: {fail_on: urgent}\n", ["evaluate", "{snapshot}"], "{config}:1: output.fail_on"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIG_VALUES))
def test_config_problems_name_the_config_file(case: str, tmp_path: Path, write_snapshot: WriteSnapshot) -> None:
    text, argv, expected = BAD_CONFIG_VALUES[case]
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    config = tmp_path / "mlpscan.yaml"
    config.write_text(text.replace("{blocker}", str(blocker)), encoding="utf-8")
    snapshot = residency_snapshot(write_snapshot, "cn-hangzhou")
    args = [a.format(snapshot=snapshot) for a in argv]
    line = one_line_error(run(*args, "--config", str(config), cwd=tmp_path))
    assert expected.format(config=config) in line


def test_json_schemas_carry_schema_and_id(capsys: pytest.CaptureFixture[str]) -> None:
    ids = set()
    for kind in ("snapshot", "report", "config"):
        assert main(["schema", kind]) == 0
        schema = json.loads(capsys.readouterr().out)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)
        ids.add(schema["$id"])
    assert ids == {"urn:mlpscan:schema:mlpscan.snapshot/1", "urn:mlpscan:schema:mlpscan.report/1",
                   "urn:mlpscan:schema:mlpscan.config/1"}


def test_checks_list_prints_every_id_whole_at_80_columns(content: Any) -> None:
    done = run("checks", "list", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    first_words = {line.split()[0] for line in lines if line.strip()}
    assert set(content.checks) <= first_words


def test_the_cli_imports_no_provider_internals() -> None:
    source = (REPO / "src" / "mlpscan" / "cli.py").read_text(encoding="utf-8")
    imported = re.findall(r"^(?:from|import) (mlpscan[\w.]*)", source, re.MULTILINE)
    assert imported
    assert not [name for name in imported if name.startswith("mlpscan.providers")]


def test_arguments_that_are_not_utf8_are_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    # an undecodable byte in argv arrives as a lone surrogate (PEP 383); outputs are UTF-8 text
    assert main(["evaluate", "snapshot.json", "--sarif-category", "prod-\udcff"]) == 2
    assert capsys.readouterr().err == "mlpscan: error: argument 'prod-\\udcff' is not valid UTF-8 text\n"


def test_sarif_anchor_is_a_relative_repository_path(tmp_path: Path, write_snapshot: WriteSnapshot) -> None:
    snapshot = residency_snapshot(write_snapshot, "cn-hongkong")
    for bad in ("/etc/passwd", "../outside.yml", "https://example.com/x", ""):
        assert "--sarif-anchor" in one_line_error(run("evaluate", str(snapshot), "--sarif-anchor", bad,
                                                      "--output-dir", str(tmp_path / "o")))
    missing = run("evaluate", str(snapshot), "--sarif-anchor", "ci/missing.yml", "--format", "sarif",
                  "--output-dir", str(tmp_path / "o"), cwd=tmp_path)
    assert missing.returncode == 1
    assert "--sarif-anchor: ci/missing.yml is not a file of the working directory" in missing.stderr
    sarif = json.loads((tmp_path / "o" / "mlpscan.sarif").read_text(encoding="utf-8"))
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]} == {"ci/missing.yml"}
