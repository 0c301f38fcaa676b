"""The fleet deployments in examples/: a GitHub Actions matrix with a merge job (examples/ci) and a
Kubernetes Indexed Job with a merge Job (examples/k8s).

Both are checked as their platform would (actionlint; the Kubernetes API's strict schemas), then
run here as far as one machine allows: every shard's command with the environment its job engine
gives it, then the merge job's commands, against the suite's sshd hosts, the Tencent fake and moto.
The merged evaluation must equal an unsharded run of the same plan.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.ci.test_ci_kit import actionlint
from tests.conftest import REPO
from tests.fleet_world import Fleet, running_fleet

WORKFLOW = REPO / "examples" / "ci" / "github-actions-shards.yml"
K8S = REPO / "examples" / "k8s"
KUBERNETES = "1.33.0"          # backoffLimitPerIndex is GA from 1.33
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    with running_fleet(tmp_path_factory.mktemp("fleet-kit")) as world:
        yield world


def findings(report: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return data


def start_unsharded(fleet: Fleet, workdir: Path, *options: str) -> subprocess.Popen[str]:
    """The same plan collected by one process, at the same time as the shards (the hosts are live)."""
    return fleet.start("collect", "--config", str(fleet.config), *options, "-o", str(workdir / "unsharded.json"),
                       cwd=workdir)


def unsharded(fleet: Fleet, workdir: Path, collecting: subprocess.Popen[str]) -> list[dict[str, Any]]:
    """Its findings, evaluated as the merged snapshot was."""
    _, err = collecting.communicate(timeout=600)
    assert collecting.returncode == 0, err
    snapshot = workdir / "unsharded.json"
    done = fleet.mlpscan("evaluate", str(snapshot), "--config", str(fleet.config), "--format", "json",
                         "--output-dir", str(workdir / "unsharded-out"), "--fail-on", "none", cwd=workdir)
    assert done.returncode == 0, done.stderr
    return findings(workdir / "unsharded-out" / "mlpscan-report.json")


# -- GitHub Actions: a matrix of shards, then a merge job ---------------------------------------

def test_the_matrix_workflow_passes_actionlint(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, repo / ".github" / "workflows" / "mlpscan-fleet.yml")
    done = actionlint(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" in done.stdout


def expand(text: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        assert match[1] in values, f"unexpected expression {match[0]} where mlpscan runs"
        return values[match[1]]
    return EXPRESSION.sub(value, text)


def run_step(step: dict[str, Any], job: dict[str, Any], values: dict[str, str], cwd: Path,
             env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert "${{" not in step["run"], "run scripts take values from env:, as GitHub advises"
    step_env = {k: expand(str(v), values) for k, v in {**job.get("env", {}), **step.get("env", {})}.items()}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                          env={**env, **step_env}, capture_output=True, text=True, timeout=600, check=False)


def named(job: dict[str, Any], *names: str) -> list[dict[str, Any]]:
    steps = {s.get("name"): s for s in job["steps"]}
    return [steps[name] for name in names]


def test_the_matrix_workflow_shards_merge_and_evaluate_like_one_run(fleet: Fleet, tmp_path: Path) -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    collect, merge = workflow["jobs"]["collect"], workflow["jobs"]["merge"]
    assert merge["needs"] == "collect"
    shards = collect["strategy"]["matrix"]["shard"]
    key = Path(fleet.ssh_options[fleet.ssh_options.index("--identity") + 1]).read_text(encoding="utf-8")
    known_hosts = Path(fleet.ssh_options[fleet.ssh_options.index("--known-hosts") + 1])
    secrets = {"secrets.MLPSCAN_SSH_KEY": key, "secrets.ALIBABA_CLOUD_ACCESS_KEY_ID": "unused",
               "secrets.ALIBABA_CLOUD_ACCESS_KEY_SECRET": "unused"}
    handed = tmp_path / "merge" / "shards"     # what download-artifact gives the merge job
    handed.mkdir(parents=True)
    (tmp_path / "key").write_text(key, encoding="utf-8")
    (tmp_path / "key").chmod(0o600)
    whole = start_unsharded(fleet, tmp_path, "--sudo", "--identity", str(tmp_path / "key"),
                            "--known-hosts", str(known_hosts))
    for shard in shards:
        repo = tmp_path / f"runner-{shard}"       # each job: its own runner, checkout and home
        (repo / ".mlpscan").mkdir(parents=True)
        shutil.copy(fleet.config, repo / "mlpscan.yaml")
        shutil.copy(known_hosts, repo / ".mlpscan" / "known_hosts")
        env = {**fleet.env, "HOME": str(repo / "home")}
        values = {"matrix.shard": str(shard), "strategy.job-total": str(len(shards)), **secrets}
        for step in named(collect, "Install the SSH key", "Collect this shard"):
            done = run_step(step, collect, values, repo, env)
            assert done.returncode == 0, done.stdout + done.stderr
        upload = named(collect, "Hand the shard to the merge job")[0]["with"]
        produced = repo / expand(upload["path"], {"env.SHARD_FILE": f"shard-{shard}.json"})
        shutil.copy(produced, handed / produced.name)

    repo = handed.parent
    shutil.copy(fleet.config, repo / "mlpscan.yaml")
    env = {**fleet.env, "HOME": str(repo / "home")}
    for step in named(merge, "Merge the shards", "Evaluate the fleet"):
        done = run_step(step, merge, {}, repo, env)
        assert done.returncode == 0, done.stdout + done.stderr
    gate = run_step(named(merge, "Gate on high findings")[0], merge, {}, repo, env)
    assert gate.returncode == 1, gate.stdout + gate.stderr       # the weak accounts fail high checks
    out = repo / "mlpscan-out"
    assert sorted(p.name for p in out.iterdir()) == ["mlpscan-report.json", "mlpscan.sarif", "snapshot.json"]
    assert findings(out / "mlpscan-report.json") == unsharded(fleet, tmp_path, whole)


# -- Kubernetes: an Indexed Job onto a shared volume, then a merge Job --------------------------

def manifests() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found[f"{document['kind']}/{document['metadata']['name']}"] = document
    return found


def test_the_manifests_are_valid_for_kubernetes() -> None:
    found = manifests()
    assert set(found) == {"ConfigMap/mlpscan-config", "PersistentVolumeClaim/mlpscan-evidence",
                          "Job/mlpscan-shards", "Job/mlpscan-merge"}
    for name, document in found.items():
        assert kubernetes_validate.validate(document, KUBERNETES, strict=True), name
    broken = json.loads(json.dumps(found["Job/mlpscan-shards"]))
    broken["spec"]["completionMod"] = broken["spec"].pop("completionMode")
    with pytest.raises(kubernetes_validate.ValidationError):   # strict: a misspelt field is caught
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)
    job = found["Job/mlpscan-shards"]["spec"]
    assert job["completionMode"] == "Indexed"
    [container] = job["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["JOB_COMPLETIONS"] == str(job["completions"])    # the N of --shard auto
    assert found["PersistentVolumeClaim/mlpscan-evidence"]["spec"]["accessModes"] == ["ReadWriteMany"]


def start_container(job: dict[str, Any], mounts: dict[str, Path], env: dict[str, str], extra: dict[str, str],
                    cwd: Path) -> subprocess.Popen[str]:
    """A container's command as its pod runs it: its env, its volumes at paths of this machine."""
    [container] = job["spec"]["template"]["spec"]["containers"]
    command = [*container["command"], *container["args"]]
    for mount in sorted(mounts, key=len, reverse=True):
        command = [part.replace(mount, str(mounts[mount])) for part in command]
    declared = {e["name"]: e["value"] for e in container.get("env", [])}
    return subprocess.Popen(command, cwd=cwd, env={**env, **declared, **extra}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(pod: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = pod.communicate(timeout=600)
    return pod.returncode, out + err


def test_the_indexed_job_and_the_merge_job_give_the_unsharded_findings(fleet: Fleet, tmp_path: Path) -> None:
    found = manifests()
    shards_job, merge_job = found["Job/mlpscan-shards"], found["Job/mlpscan-merge"]
    config_dir, ssh_dir, evidence = tmp_path / "config", tmp_path / "ssh", tmp_path / "evidence"
    for directory in (config_dir, ssh_dir, evidence):
        directory.mkdir()
    shutil.copy(fleet.config, config_dir / "mlpscan.yaml")          # the ConfigMap, for this machine
    options = dict(zip(fleet.ssh_options[::2], fleet.ssh_options[1::2], strict=True))
    shutil.copy(options["--identity"], ssh_dir / "id_ed25519")       # the Secret
    shutil.copy(options["--known-hosts"], ssh_dir / "known_hosts")
    mounts = {"/etc/mlpscan": config_dir, "/etc/mlpscan-ssh": ssh_dir, "/evidence": evidence}
    completions = shards_job["spec"]["completions"]
    [container] = shards_job["spec"]["template"]["spec"]["containers"]
    run = next(e["value"] for e in container["env"] if e["name"] == "RUN")
    (evidence / run).mkdir()
    whole = start_unsharded(fleet, tmp_path, "--sudo", "--identity", str(ssh_dir / "id_ed25519"),
                            "--known-hosts", str(ssh_dir / "known_hosts"))
    # spec.parallelism pods at once, each told its index as the Job controller tells it
    assert shards_job["spec"]["parallelism"] == completions
    started = [start_container(shards_job, mounts, fleet.env, {"JOB_COMPLETION_INDEX": str(index)}, tmp_path)
               for index in range(completions)]
    pods = [finished(pod) for pod in started]
    assert [code for code, _ in pods] == [0] * completions, pods
    assert sorted(p.name for p in (evidence / run).iterdir()) == sorted(
        f"shard-{index}.json" for index in range(completions))
    code, said = finished(start_container(merge_job, mounts, fleet.env, {}, tmp_path))
    assert code == 0, said
    assert "chain OK" in said
    report = evidence / run / "report"
    assert sorted(p.name for p in report.iterdir()) == ["mlpscan-record.html", "mlpscan-report.json",
                                                        "mlpscan.sarif"]
    assert findings(report / "mlpscan-report.json") == unsharded(fleet, tmp_path, whole)
