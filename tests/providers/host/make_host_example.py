"""Regenerate examples/host.json from the host fixtures: run by hand, never collected by pytest.

    /tmp/venv/bin/python tests/providers/host/make_host_example.py

Two SSH targets, built with build_resources exactly as a scan would build them:
- host:web-01 from the rocky9 fixture outputs, collected with --sudo (mostly compliant);
- host:db-01 from the ubuntu2204 fixture outputs, collected without --sudo, so its root-only
  reads (shadow_meta, sudoers, nft, iptables) are PermissionDenied collection errors.
Only the `hostname` output is replaced, so that the facts carry the example's host names. The
clock is fixed and the snapshot sealed, so the file is the same on every run.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OUTPUT = REPO / "examples" / "host.json"
STARTED = datetime(2026, 11, 20, 2, 0, 0, tzinfo=timezone.utc)

# (target id, fixture family, hostname, address)
HOSTS = (("host:web-01", "rocky9", "web-01", "10.0.0.5:22"),
         ("host:db-01", "ubuntu2204", "db-01", "10.0.0.12:22"))


def fingerprint(name: str) -> str:
    """A made-up but well-formed OpenSSH SHA256 fingerprint (43 unpadded base64 characters)."""
    digest = hashlib.sha256(f"example host key of {name}".encode()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def main() -> int:
    sys.path.insert(0, str(REPO / "src"))
    from mlpscan._version import __version__  # noqa: PLC0415
    from mlpscan.providers.host.commands import CommandResult, load_commands  # noqa: PLC0415
    from mlpscan.providers.host.facts import build_resources  # noqa: PLC0415
    from mlpscan.snapshot import Connection, Snapshot, Target, Tool, dump_snapshot  # noqa: PLC0415

    specs = load_commands(REPO)
    targets, resources, errors = [], [], []
    for offset, (target_id, family, hostname, address) in enumerate(HOSTS):
        directory = FIXTURES / family
        session = yaml.safe_load((directory / "_session.yaml").read_text(encoding="utf-8"))
        results = {}
        for spec in specs:
            output = (directory / f"{spec.id}.txt").read_text(encoding="utf-8")
            if spec.id == "hostname":
                output = hostname + "\n"
            code = session["exit_codes"].get(spec.id, 0)
            results[spec.id] = CommandResult(spec.id, code, output, code in spec.ok_codes)
        sudo = bool(session["sudo"])
        built, failed = build_resources(target_id, results, sudo=sudo,
                                        now=STARTED + timedelta(seconds=offset))
        resources.extend(built)
        errors.extend(failed)
        targets.append(Target(id=target_id, provider="host", account="ops", connection=Connection(
            transport="ssh", address=address, user="ops", host_key=f"ssh-ed25519 {fingerprint(hostname)}",
            sudo=sudo)))
    snapshot = Snapshot(schema="mlpscan.snapshot/1", tool=Tool(version="0.1.0"), started_at=STARTED,
                        finished_at=STARTED + timedelta(seconds=3), targets=targets, resources=resources,
                        errors=errors).sealed()
    OUTPUT.write_bytes(dump_snapshot(snapshot))
    print(f"{OUTPUT.relative_to(REPO)}: {len(resources)} resources, {len(errors)} errors, "
          f"{snapshot.digest} (mlpscan {__version__})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
