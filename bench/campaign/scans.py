"""Scans through the real command line against the suite's fakes, moto and SSH servers.

A Stage is one provider's world: the servers that stay up for the whole campaign (the healthy
account's fake, moto, the real sshd), a fresh faulty endpoint for each scenario, the credential
files in the scans' HOME, and the mlpscan.yaml naming a faulty and a healthy target. Scenarios
plant one fault on the faulty endpoint; a clean scan of the same worlds is the ground truth.
"""

from __future__ import annotations

import abc
import json
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from bench.campaign.common import Run, run_mlpscan
from bench.campaign.worlds import (
    ALIYUN_FAULTY,
    ALIYUN_HEALTHY,
    ALIYUN_KEYS,
    AWS_FAULTY,
    AWS_HEALTHY,
    AWS_HEALTHY_ROLE,
    AWS_KEYS,
    TENCENT_FAULTY,
    TENCENT_HEALTHY,
    TENCENT_KEYS,
    aliyun_healthy,
    aliyun_planted,
    seed_aws,
    tencent_healthy,
    tencent_planted,
)
from tests.fakes.aliyun_fake import AliyunFake
from tests.fakes.aws_throttle import Rule, ThrottlingProxy, _Handler, serving
from tests.fakes.tencent_fake import TencentFake
from tests.providers.aws.conftest import CHINA

SCAN_LIMIT = 180.0     # seconds: a scan still running after this has hung


@dataclass
class Outcome:
    """One scan: how the process ended and what it wrote."""

    run: Run
    snapshot: dict[str, Any] | None
    report: dict[str, Any] | None
    out: Path

    def findings(self) -> dict[tuple[str, str, str, str | None], str]:
        """(target, check, resource uid, region) -> status. (An error about a failed call is the
        account's, once per region the call failed in.)"""
        found: dict[tuple[str, str, str, str | None], str] = {}
        for f in (self.report or {}).get("findings", []):
            resource = f["resource"]
            found[(resource["target"], f["check"], resource["uid"], resource.get("region"))] = f["status"]
        return found

    def target_ids(self) -> set[str]:
        return {t["id"] for t in (self.snapshot or {}).get("targets", [])}

    def errors(self, target: str | None = None) -> list[dict[str, Any]]:
        return [e for e in (self.snapshot or {}).get("errors", []) if target in (None, e["target"])]


def scan(args: list[str], *, env: dict[str, str], cwd: Path, out: Path) -> Outcome:
    shutil.rmtree(out, ignore_errors=True)
    # the caller's options last: a --format of theirs wins
    run = run_mlpscan(["scan", "--level", "3", "--format", "json", "--output-dir", str(out), *args],
                      env=env, cwd=cwd, limit=SCAN_LIMIT)
    out.mkdir(parents=True, exist_ok=True)
    (out.parent / "stdout.txt").write_text(run.stdout, encoding="utf-8")
    (out.parent / "stderr.txt").write_text(run.stderr, encoding="utf-8")

    def load(name: str) -> dict[str, Any] | None:
        path = out / name
        if not path.is_file():
            return None
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return document

    return Outcome(run, load("snapshot.json"), load("mlpscan-report.json"), out)


# ---------------------------------------------------------------------------------------------
# Recording what every endpoint is asked
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    provider: str
    service: str         # AWS: the signing service; the fakes: the kind of API (rpc, roa, oss, sls)
    action: str          # Action, service:Action, or for REST "METHOD /path"


class _RecordingHandler(_Handler):
    def _relay(self) -> None:
        scope = re.search(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/", self.headers.get("Authorization", ""))
        self.server.local.service = scope.group(1) if scope else "?"   # type: ignore[attr-defined]
        super()._relay()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = _relay


class RecordingProxy(ThrottlingProxy):
    """The suite's fault proxy, also recording every operation it forwards (with the signing
    service, so REST operations can be named), and able to take a whole region down (every call
    signed for it answers 503)."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.RequestHandlerClass = _RecordingHandler
        self.local = threading.local()
        self.seen: list[Call] = []
        self.down: set[str] = set()
        self.unavailable = Rule("*", None, status=503, content_type="text/xml", body=(
            b"<Response><Errors><Error><Code>ServiceUnavailable</Code><Message>The service is unavailable."
            b"</Message></Error></Errors><RequestID>r-down</RequestID></Response>"))

    def rule_for(self, operation: str, region: str) -> Rule | None:
        with self.lock:
            self.seen.append(Call("aws", getattr(self.local, "service", "?"), operation))
            if region in self.down:
                return self.unavailable
        return super().rule_for(operation, region)


# ---------------------------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------------------------

@dataclass
class Faulty:
    """The faulty endpoint of one scenario, and what a scenario may change about its scan."""

    server: Any                                   # AliyunFake, TencentFake or RecordingProxy; a host
    entry: dict[str, Any] = field(default_factory=dict)     # the faulty clouds: entry (changeable)
    targets: list[str] = field(default_factory=list)        # host targets
    args: list[str] = field(default_factory=list)           # extra command-line options
    stack: ExitStack = field(default_factory=ExitStack)     # what the scenario starts, stopped after it
    workdir: Path = Path()
    known_hosts: list[str] = field(default_factory=list)    # hosts: lines for the scan's known_hosts


class Stage(abc.ABC):
    """A provider's servers, its scans' HOME, and the API calls they received."""

    provider: str
    healthy_ids: frozenset[str]
    faulty_ids: frozenset[str]

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root / self.provider
        self.root.mkdir(parents=True, exist_ok=True)
        self.home = self.root / "home"
        self.home.mkdir(exist_ok=True)
        self.env = {**env, "HOME": str(self.home), "AWS_CONFIG_FILE": str(self.home / ".aws" / "config"),
                    "AWS_SHARED_CREDENTIALS_FILE": str(self.home / ".aws" / "credentials")}
        self.lock = threading.Lock()
        self.calls: list[Call] = []

    @abc.abstractmethod
    def start(self, stack: ExitStack) -> None:
        """Start what stays up for the whole campaign; `stack` stops it."""

    @abc.abstractmethod
    def faulty(self, workdir: Path) -> AbstractContextManager[Faulty]:
        """A fresh faulty endpoint for one scenario."""

    @abc.abstractmethod
    def run(self, faulty: Faulty, workdir: Path) -> Outcome:
        """Scan the faulty target beside the healthy one."""

    def record(self, calls: list[Call]) -> None:
        with self.lock:
            self.calls.extend(calls)


class CloudStage(Stage):
    """The faulty account's clouds: entry beside the healthy one's, in one mlpscan.yaml."""

    @abc.abstractmethod
    def healthy_entry(self) -> dict[str, Any]:
        """The healthy account's clouds: entry."""

    def run(self, faulty: Faulty, workdir: Path) -> Outcome:
        config = {"clouds": [faulty.entry, self.healthy_entry()]}
        path = workdir / "mlpscan.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return scan(["--config", str(path), *faulty.args], env=self.env, cwd=workdir, out=workdir / "out")


class AliyunStage(CloudStage):
    provider = "aliyun"
    healthy_ids = frozenset({f"aliyun:{ALIYUN_HEALTHY}"})
    faulty_ids = frozenset({f"aliyun:{ALIYUN_FAULTY}"})

    def start(self, stack: ExitStack) -> None:
        self.healthy = AliyunFake()
        keys = ALIYUN_KEYS["healthy"]
        self.healthy.add_account(aliyun_healthy(), keys.key_id, keys.secret)
        stack.enter_context(self.healthy.running())
        stack.callback(lambda: self.record([Call("aliyun", s.kind, s.action) for s in self.healthy.calls()]))
        profiles = [{"name": name, "mode": "AK", "access_key_id": k.key_id, "access_key_secret": k.secret,
                     "region_id": "cn-hangzhou"} for name, k in ALIYUN_KEYS.items()]
        (self.home / ".aliyun").mkdir(exist_ok=True)
        (self.home / ".aliyun" / "config.json").write_text(
            json.dumps({"current": "healthy", "profiles": profiles}), encoding="utf-8")

    def healthy_entry(self) -> dict[str, Any]:
        return {"provider": "aliyun", "profile": "healthy", "endpoint": self.healthy.url}

    @contextmanager
    def faulty(self, workdir: Path) -> Iterator[Faulty]:
        fake = AliyunFake()
        keys = ALIYUN_KEYS["faulty"]
        fake.add_account(aliyun_planted(), keys.key_id, keys.secret)
        with fake.running():
            entry = {"provider": "aliyun", "profile": "faulty", "endpoint": fake.url, "read_timeout": 3}
            yield Faulty(fake, entry, workdir=workdir)
            self.record([Call("aliyun", s.kind, s.action) for s in fake.calls()])


class TencentStage(CloudStage):
    provider = "tencent"
    healthy_ids = frozenset({f"tencent:{TENCENT_HEALTHY}"})
    faulty_ids = frozenset({f"tencent:{TENCENT_FAULTY}"})

    def start(self, stack: ExitStack) -> None:
        self.healthy = TencentFake()
        keys = TENCENT_KEYS["healthy"]
        self.healthy.add_account(tencent_healthy(), keys.key_id, keys.secret)
        stack.enter_context(self.healthy.running())
        stack.callback(lambda: self.record(_tencent_calls(self.healthy)))
        (self.home / ".tencentcloud").mkdir(exist_ok=True)
        (self.home / ".tencentcloud" / "credentials").write_text("".join(
            f"[{name}]\nsecret_id = {k.key_id}\nsecret_key = {k.secret}\n"
            for name, k in TENCENT_KEYS.items()),
            encoding="utf-8")

    def healthy_entry(self) -> dict[str, Any]:
        return {"provider": "tencent", "profile": "healthy", "endpoint": self.healthy.endpoint}

    @contextmanager
    def faulty(self, workdir: Path) -> Iterator[Faulty]:
        fake = TencentFake()
        keys = TENCENT_KEYS["faulty"]
        fake.add_account(tencent_planted(), keys.key_id, keys.secret)
        with fake.running():
            yield Faulty(fake, {"provider": "tencent", "profile": "faulty", "endpoint": fake.endpoint,
                                "read_timeout": 3}, workdir=workdir)
            self.record(_tencent_calls(fake))


def _tencent_calls(fake: TencentFake) -> list[Call]:
    with fake._lock:
        return [Call("tencent", "", c.operation) for c in fake.calls]


class AwsStage(CloudStage):
    provider = "aws"
    healthy_ids = frozenset({f"aws:{AWS_HEALTHY}"})
    faulty_ids = frozenset({f"aws:{AWS_FAULTY}"})

    def start(self, stack: ExitStack) -> None:
        from moto.server import ThreadedMotoServer  # noqa: PLC0415  (only the AWS stage needs it)

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        stack.callback(server.stop)
        host, port = server.get_host_and_port()
        self.moto = f"http://{host}:{port}"
        seed_aws(self.moto)
        self.healthy = RecordingProxy(self.moto)
        stack.enter_context(serving(self.healthy))
        stack.callback(lambda: self.record(self.healthy.seen))
        aws = self.home / ".aws"
        aws.mkdir(exist_ok=True)
        (aws / "credentials").write_text("".join(
            f"[{name}]\naws_access_key_id = {k.key_id}\naws_secret_access_key = {k.secret}\n"
            for name, k in AWS_KEYS.items()), encoding="utf-8")
        (aws / "config").write_text("".join(f"[profile {name}]\nregion = cn-north-1\n" for name in AWS_KEYS),
                                    encoding="utf-8")

    def healthy_entry(self) -> dict[str, Any]:
        return {"provider": "aws", "profile": "healthy", "endpoint": self.healthy.endpoint,
                "regions": list(CHINA),
                "accounts": [{"role_arn": AWS_HEALTHY_ROLE, "name": "healthy"}]}

    @contextmanager
    def faulty(self, workdir: Path) -> Iterator[Faulty]:
        proxy = RecordingProxy(self.moto)
        with serving(proxy):
            yield Faulty(proxy, {"provider": "aws", "profile": "faulty", "endpoint": proxy.endpoint,
                                 "regions": list(CHINA), "read_timeout": 3}, workdir=workdir)
            self.record(proxy.seen)


@contextmanager
def silent_listener() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (an SSH server stalled before its banner)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        listener.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
