"""Shared fixtures: the shipped content, snapshot builders, and the official SARIF schema."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlpscan.content import Content, load_content
from mlpscan.snapshot import Snapshot

# Set before any cloud SDK is imported: the Alibaba credential chain reads it at import time and
# would otherwise probe the ECS metadata address; the SDKs read proxies themselves (and Alibaba's
# ignores NO_PROXY), so none may leak in from the environment.
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
# The terminal view and the record speak the locale's language by default; tests expect English
# unless they ask for another (a developer's ja_JP or zh_CN locale must not change them).
for _locale in ("LC_ALL", "LC_MESSAGES", "LANG"):
    if os.environ.get(_locale, "")[:2].lower() in ("ja", "zh"):
        os.environ[_locale] = "C.UTF-8"
for _proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_proxy, None)

_real_connect = socket.socket.connect


def _loopback_only_connect(self: socket.socket, address: Any) -> None:
    """Test traffic goes to loopback only: a connection anywhere else fails the test loudly."""
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise AssertionError(f"test tried to connect to {address!r}: tests talk to loopback only")
    _real_connect(self, address)


socket.socket.connect = _loopback_only_connect  # type: ignore[method-assign]

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SARIF_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SARIF_SCHEMA_IN_PACKAGE = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
SARIF_CACHE = REPO / ".cache" / "sarif-schema"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(REPO)


@pytest.fixture(scope="session")
def cloud_checks_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content with only the cross-cloud checks (residency, platform level): for tests of
    the command line and the writers whose tiny snapshots should not meet every provider check."""
    root = tmp_path_factory.mktemp("cloud-checks-only")
    for name in ("profiles", "providers"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "checks" / "cloud", root / "checks" / "cloud")
    return root


@pytest.fixture
def content_copy(tmp_path: Path) -> Callable[[], Path]:
    """A writable copy of the shipped content, for tests that break it on purpose."""
    def make() -> Path:
        root = tmp_path / "content"
        for name in ("checks", "profiles", "providers"):
            shutil.copytree(REPO / name, root / name)
        return root
    return make


def target(target_id: str, provider: str | None = None, **extra: Any) -> dict[str, Any]:
    provider = provider or target_id.split(":", 1)[0]
    return {"id": target_id, "provider": provider, **extra}


def resource(target_id: str, kind: str, uid: str, region: str | None = None,
             data: dict[str, Any] | None = None, name: str | None = None) -> dict[str, Any]:
    return {"target": target_id, "type": kind, "uid": uid, "name": name, "region": region,
            "data": data or {}}


def snapshot_dict(targets: list[dict[str, Any]], resources: list[dict[str, Any]] | None = None,
                  errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"schema": "mlpscan.snapshot/1", "tool": {"name": "mlpscan", "version": "0.1.0"},
            "started_at": "2026-11-20T01:00:00Z", "finished_at": "2026-11-20T01:00:05Z",
            "targets": targets, "resources": resources or [], "errors": errors or []}


def make_snapshot(targets: list[dict[str, Any]], resources: list[dict[str, Any]] | None = None,
                  errors: list[dict[str, Any]] | None = None) -> Snapshot:
    return Snapshot.model_validate(snapshot_dict(targets, resources, errors))


@pytest.fixture
def write_snapshot(tmp_path: Path) -> Callable[..., Path]:
    def write(targets: list[dict[str, Any]], resources: list[dict[str, Any]] | None = None,
              errors: list[dict[str, Any]] | None = None, name: str = "snapshot.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(snapshot_dict(targets, resources, errors)), encoding="utf-8")
        return path
    return write


def _fetch_sarif_schema() -> Path:
    schema = SARIF_CACHE / "sarif-2.1.0-rtm.5.json"
    if schema.is_file():
        return schema
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to fetch the official SARIF 2.1.0 schema (" + SARIF_PACKAGE + ")")
    SARIF_CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "pack", SARIF_PACKAGE, "--silent", "--pack-destination", str(SARIF_CACHE)],
                          capture_output=True, text=True, timeout=300, check=False)
    tarballs = sorted(SARIF_CACHE.glob("*.tgz"))
    if done.returncode != 0 or not tarballs:
        pytest.fail(f"could not fetch {SARIF_PACKAGE} for the SARIF schema: {done.stderr.strip()}")
    with tarfile.open(tarballs[-1]) as archive:
        member = archive.extractfile(SARIF_SCHEMA_IN_PACKAGE)
        if member is None:
            pytest.fail(f"{SARIF_PACKAGE} has no {SARIF_SCHEMA_IN_PACKAGE}")
        schema.write_bytes(member.read())
    return schema


@pytest.fixture(scope="session")
def sarif_validator() -> Iterator[Callable[[bytes | str | dict[str, Any]], list[str]]]:
    """Validate SARIF against the official 2.1.0 schema; returns the error messages."""
    schema = json.loads(_fetch_sarif_schema().read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

    def validate(document: bytes | str | dict[str, Any]) -> list[str]:
        data = json.loads(document) if isinstance(document, (bytes, str)) else document
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]

    return validate
