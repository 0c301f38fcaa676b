"""Benchmark: collect N hosts over SSH on loopback, concurrently, through the real CLI.

Starts one private OpenSSH sshd listening on 127.0.0.1 … 127.0.0.N (the test suite's server,
tests/providers/host/sshd_server.py: needs root or an installed sshd and a `mlpscan-test` user),
then times `mlpscan collect` for 1 host and for N hosts. Not a test: it asserts nothing.

    python bench/hosts.py                 # 1 host, then 20 hosts, 3 runs each
    python bench/hosts.py --hosts 50 --max-workers 20
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.providers.host.sshd_server import running_sshd  # noqa: E402  (after the path setup)


def content_without(commands: set[str], into: Path) -> Path:
    """A copy of the shipped content whose command list leaves ``commands`` out."""
    for name in ("checks", "profiles", "providers"):
        shutil.copytree(REPO / name, into / name)
    listing = into / "providers" / "host" / "commands.yaml"
    document = yaml.safe_load(listing.read_text(encoding="utf-8"))
    document["commands"] = [c for c in document["commands"] if c["id"] not in commands]
    listing.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return into


def collect(targets: list[str], key: Path, known_hosts: Path, workers: int, out: Path, *,
            content: Path | None) -> tuple[float, int]:
    empty_config = out.parent / "ssh_config"
    empty_config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    started = time.perf_counter()
    extra = ["--content", str(content)] if content else []
    done = subprocess.run([sys.executable, "-m", "mlpscan", "collect", *targets, "-o", str(out),
                           "--identity", str(key), "--known-hosts", str(known_hosts),
                           "--ssh-config", str(empty_config), "--max-workers", str(workers), *extra],
                          capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"collect failed ({done.returncode}): {done.stderr}")
    errors = [e for e in json.loads(out.read_text(encoding="utf-8"))["errors"] if e["type"] == "host.*"]
    if errors:
        raise SystemExit(f"hosts failed: {errors}")
    return elapsed, len(targets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--max-workers", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--without", default="security_updates,services_enabled", metavar="IDS",
                        help="commands left out in the second series, to separate the hosts' own "
                             "package-manager and systemd cost from mlpscan's (default: %(default)s)")
    args = parser.parse_args()
    addresses = tuple(f"127.0.0.{i}" for i in range(1, args.hosts + 1))
    with running_sshd(addresses) as sshd, tempfile.TemporaryDirectory() as work:
        out = Path(work) / "snapshot.json"
        targets = [f"ssh://{sshd.user}@{a}:{sshd.port}" for a in addresses]
        print(f"mlpscan host collection over SSH on loopback, {os.cpu_count()} cores, "
              f"{time.strftime('%Y-%m-%d')}; median of {args.repeat} runs, CLI start-up included")
        lighter = content_without(set(args.without.split(",")), Path(work) / "content")
        for series, content in (("full command list", None), (f"without {args.without}", lighter)):
            print(f"  {series}:")
            for label, chosen, workers in (("1 host", targets[:1], 1),
                                           (f"{args.hosts} hosts", targets, args.max_workers)):
                runs = [collect(chosen, sshd.client_key, sshd.known_hosts, workers, out, content=content)[0]
                        for _ in range(args.repeat)]
                print(f"    {label:>10}  (max-workers {workers:>2}): {statistics.median(runs):6.2f} s  "
                      f"(runs {min(runs):.2f}-{max(runs):.2f} s)")


if __name__ == "__main__":
    main()
