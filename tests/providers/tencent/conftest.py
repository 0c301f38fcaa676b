"""A running fake Tencent Cloud per test, and helpers that scan it through the real provider."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from tests.conftest import REPO
from tests.fakes.tencent_fake import TencentFake

from mlpscan.content import Content
from mlpscan.engine import evaluate
from mlpscan.findings import Finding, Report
from mlpscan.providers.cloud.collect import CloudCollection, CloudOptions, collect_clouds
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.snapshot import Snapshot, Tool

SECRET_ID = "AKIDmlpscanTEST0000000000000001"
SECRET_KEY = "mlpscanTESTsecretKEY0000000000001"
# Tiny backoff: a retried call waits milliseconds, not seconds.
FAST = CloudOptions(api_workers=8, max_attempts=3, backoff_base=0.001, backoff_cap=0.005,
                    connect_timeout=2.0, read_timeout=5.0)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[TencentFake]:
    for variable in ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN",
                     "MLPSCAN_TENCENT_ENDPOINT"):
        monkeypatch.delenv(variable, raising=False)
    with TencentFake().running() as running:
        yield running


def env_keys(monkeypatch: pytest.MonkeyPatch, secret_id: str = SECRET_ID, secret_key: str = SECRET_KEY) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", secret_id)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", secret_key)


def source(fake: TencentFake, **extra: object) -> CloudSource:
    return CloudSource(provider="tencent", endpoint=fake.endpoint, **extra)  # type: ignore[arg-type]


def collect(sources: Sequence[CloudSource], options: CloudOptions = FAST) -> CloudCollection:
    return collect_clouds(sources, REPO, lambda _: True, options)


def snapshot_of(collection: CloudCollection) -> Snapshot:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return Snapshot(schema_="mlpscan.snapshot/1", tool=Tool(version="test"), started_at=now, finished_at=now,
                    targets=collection.targets, resources=collection.resources, errors=collection.errors)


@dataclass
class Scan:
    collection: CloudCollection
    report: Report

    def statuses(self, check: str) -> dict[str, str]:
        """resource uid -> status of one check."""
        return {f.resource.uid: f.status.value for f in self.report.findings if f.check == check}

    def findings(self, check: str) -> list[Finding]:
        return [f for f in self.report.findings if f.check == check]


def scan(content: Content, sources: Sequence[CloudSource], level: int = 3,
         options: CloudOptions = FAST) -> Scan:
    collection = collect(sources, options)
    return Scan(collection, evaluate(snapshot_of(collection), content, content.level_profile(level)))
