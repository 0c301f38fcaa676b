"""Fixtures for the Alibaba Cloud provider: the fake on 127.0.0.1 and a scan through the library API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from mlpscan.collect import collect
from mlpscan.content import Content
from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.source import CloudSource
from mlpscan.providers.host.collector import HostOptions
from mlpscan.snapshot import Snapshot
from tests.fakes.aliyun_fake import ROOT_KEY_ID, ROOT_SECRET, AliyunFake
from tests.fakes.aliyun_world import compliant_world

# Tiny backoff so retries cost milliseconds; few attempts so giving up is quick.
FAST = CloudOptions(api_workers=8, max_attempts=3, connect_timeout=2.0, read_timeout=5.0,
                    backoff_base=0.001, backoff_cap=0.004)
Scan = Callable[..., Snapshot]


# oss2's signature V4 and the SLS SDK's signer call datetime.utcnow(), deprecated since Python 3.12:
# a warning inside the SDK, not a failure of the scan.
UTCNOW = pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(UTCNOW)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME and no credential variables: nothing of the machine's own configuration leaks in."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
                 "ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_PROFILE",
                 "ALIBABA_CLOUD_CREDENTIALS_FILE", "MLPSCAN_ALIYUN_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def fake(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AliyunFake]:
    """A running fake holding the compliant account, its root key in the environment."""
    server = AliyunFake()
    server.add_account(compliant_world())
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ROOT_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ROOT_SECRET)
    with server.running():
        yield server


@pytest.fixture
def scan(content: Content) -> Scan:
    """Collect aliyun sources against the fake through mlpscan.collect (the library API)."""
    def run(fake: AliyunFake, *sources: CloudSource, options: CloudOptions = FAST) -> Snapshot:
        chosen = sources or (CloudSource(provider="aliyun"),)
        pointed = [replace(s, endpoint=s.endpoint or fake.url) for s in chosen]
        return collect([], content, HostOptions(), clouds=pointed, cloud_options=options)
    return run
