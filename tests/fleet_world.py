"""A small fleet on this machine for the sharding tests: hosts behind the suite's sshd, a Tencent
account in its fake and an AWS account in moto, declared in one mlpscan.yaml.

Shards are separate processes (`mlpscan collect --shard ...`), so the world is reached over
loopback from subprocesses: its configuration file and the environment they need come with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml
from moto.server import ThreadedMotoServer

from tests.fakes.tencent_accounts import build
from tests.fakes.tencent_fake import TencentFake
from tests.providers.aws.conftest import CHINA, Seeder
from tests.providers.host.sshd_server import running_sshd

TENCENT_ID, TENCENT_KEY = "AKIDmlpscanFLEET00000000000001", "fleet-tencent-secret"
AWS_ID, AWS_KEY = "AKIAMLPSCANFLEET0001", "fleet-aws-secret"
HOST_ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")
FROZEN_ETC = {"/etc/motd": "A host of mlpscan's fleet tests.\n"}


@dataclass(frozen=True)
class Fleet:
    config: Path                    # mlpscan.yaml naming every target
    env: dict[str, str]             # what a shard process needs (credentials, endpoints)
    ssh_options: tuple[str, ...]    # --identity, --known-hosts, --ssh-config
    tencent: TencentFake

    def mlpscan(self, *args: str, cwd: Path, extra_env: Mapping[str, str] | None = None,
                ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mlpscan", *args], cwd=cwd, capture_output=True, text=True,
                              env={**self.env, **(extra_env or {})}, timeout=600, check=False)

    def start(self, *args: str, cwd: Path, extra_env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "mlpscan", *args], cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env={**self.env, **(extra_env or {})})


def base_env(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("AWS_", "ALIBABA_", "ALIYUN_", "TENCENTCLOUD_", "MLPSCAN_", "JOB_", "CI_"))}
    return {**keep, "HOME": str(home), "COLUMNS": "120", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}


def seed_aws(endpoint: str) -> None:
    """An account with global (IAM, buckets) and regional (volumes, log groups) resources in both
    China regions, so that every kind of unit has evidence."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    keys = {"aws_access_key_id": AWS_ID, "aws_secret_access_key": AWS_KEY}
    north = Seeder(endpoint, CHINA[0], credentials=keys)
    north.password_policy(strong=False)
    north.console_user("ops-wang", mfa=False)
    north.console_user("ops-li", mfa=True)
    north.trail("audit", "audit-logs-cn", multi_region=True, retention_days=90)
    for region in CHINA:
        seeder = Seeder(endpoint, region, credentials=keys)
        seeder.volume(encrypted=False)
        seeder.log_group(f"/app/{region}", retention_days=30)
        seeder.bucket(f"data-{region}", region, hardened=False)


@contextmanager
def running_fleet(workdir: Path, hosts: Sequence[str] = HOST_ADDRESSES,
                  extra_config: dict[str, Any] | None = None) -> Iterator[Fleet]:
    workdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        # each host's /etc is a copy taken now: other tests on this machine that install and remove
        # packages (auditd, rsyslog ...) do not change the fleet between two collections of it
        sshd = stack.enter_context(running_sshd(tuple(hosts), etc_files=FROZEN_ETC))
        tencent = stack.enter_context(TencentFake().running())
        tencent.add_account(build("100000000001", weak=True), TENCENT_ID, TENCENT_KEY)
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        stack.callback(moto.stop)
        host, port = moto.get_host_and_port()
        aws = f"http://{host}:{port}"
        seed_aws(aws)
        config = {"targets": [f"ssh://{sshd.user}@{a}:{sshd.port}" for a in hosts],
                  "clouds": [{"provider": "tencent", "endpoint": tencent.endpoint},
                             {"provider": "aws", "endpoint": aws, "regions": list(CHINA)}],
                  **(extra_config or {})}
        path = workdir / "mlpscan.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        ssh_config = workdir / "ssh_config"
        ssh_config.write_text("", encoding="utf-8")
        home = workdir / "home"
        home.mkdir(exist_ok=True)
        env = {**base_env(home), "TENCENTCLOUD_SECRET_ID": TENCENT_ID, "TENCENTCLOUD_SECRET_KEY": TENCENT_KEY,
               "AWS_ACCESS_KEY_ID": AWS_ID, "AWS_SECRET_ACCESS_KEY": AWS_KEY, "AWS_DEFAULT_REGION": CHINA[0],
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": str(workdir / "none"),
               "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "none")}
        options = ("--identity", str(sshd.client_key), "--known-hosts", str(sshd.known_hosts),
                   "--ssh-config", str(ssh_config))
        yield Fleet(config=path, env=env, ssh_options=options, tencent=tencent)
