"""Benchmark: sharded collection and merge (README "Fleets"). Not a test: it asserts nothing.

    python bench/fleet.py merge  [--resources 100000 --shards 8]   # mlpscan merge of a 100k-resource fleet
    python bench/fleet.py hosts  [--hosts 20 --shards 4]           # N shards + merge vs one process, sshd
    python bench/fleet.py host-cost [--hosts 10]                   # per host: mlpscan's part vs the host's
    python bench/fleet.py clouds [--latency 0.05 --shards 4]       # the same against the Tencent fake
    python bench/fleet.py quota  [--shards 4]                      # shards under one account's quota

Every mlpscan run is a fresh CLI process (interpreter start-up included), as a job engine starts it;
shards run at once on this machine, so on 2 cores they also compete for the CPU that separate
pods or runners would not share.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generate import build as build_snapshot  # noqa: E402
from tencent_scan import large_account  # noqa: E402
from tests.fakes.tencent_fake import TencentFake  # noqa: E402
from tests.fakes.tencent_quota import QuotaProxy  # noqa: E402
from tests.providers.host.sshd_server import running_sshd  # noqa: E402

from mlpscan.content import load_content  # noqa: E402
from mlpscan.providers.host.collector import HostOptions  # noqa: E402
from mlpscan.providers.host.commands import build_script, new_marker  # noqa: E402
from mlpscan.providers.host.facts import build_resources  # noqa: E402
from mlpscan.providers.host.ssh import SshOptions, SshSession, resolve  # noqa: E402
from mlpscan.providers.host.stream import SessionReader  # noqa: E402
from mlpscan.snapshot import ShardDescriptor, ShardUnit, Snapshot, Target, dump_snapshot  # noqa: E402

SECRET_ID, SECRET_KEY = "AKIDmlpscanBENCH000000000001", "bench-secret"


@dataclass
class Run:
    """A CLI process: its wall time, and the CPU and memory it used (from wait4, so that processes
    running at once are told apart; on a loaded machine CPU seconds say more than wall seconds)."""

    process: subprocess.Popen[bytes]
    started: float
    errors: Any   # a temporary file: a pipe left unread could fill up and stall the process

    def wait(self) -> Run:
        while True:   # polled: processes running at once are each timed when they end, in any order
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                return self.finish(status, usage)
            time.sleep(0.01)

    def finish(self, status: int, usage: Any) -> Run:
        self.wall = time.perf_counter() - self.started
        self.cpu = usage.ru_utime + usage.ru_stime
        self.peak_mib = usage.ru_maxrss / 1024
        code = os.waitstatus_to_exitcode(status)
        self.process.returncode = code
        self.errors.seek(0)
        said = self.errors.read().decode(errors="replace")
        self.errors.close()
        if code not in (0, 1):
            raise SystemExit(f"mlpscan failed ({code}): {said}")
        return self


def mlpscan(*args: str, env: dict[str, str] | None = None) -> Run:
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Run.wait, after the process ended
    process = subprocess.Popen([sys.executable, "-m", "mlpscan", *args], stdout=subprocess.DEVNULL,
                               stderr=errors, env=env)
    return Run(process, time.perf_counter(), errors)


def wait_all(runs: list[Run]) -> list[Run]:
    """Each run timed when it ends, whichever ends first."""
    pending = list(runs)
    while pending:
        for run in list(pending):
            pid, status, usage = os.wait4(run.process.pid, os.WNOHANG)
            if pid:
                run.finish(status, usage)
                pending.remove(run)
        time.sleep(0.01)
    return runs


def timed(*args: str, env: dict[str, str] | None = None) -> Run:
    return mlpscan(*args, env=env).wait()


def shards_then_merge(collect: list[str], count: int, work: Path, env: dict[str, str] | None = None
                      ) -> dict[str, Any]:
    """Every shard at once, then the merge: each shard's wall and CPU time, the merge's, the total."""
    started = time.perf_counter()
    paths = [work / f"shard-{k}.json" for k in range(1, count + 1)]
    running = [mlpscan(*collect, "--shard", f"{k}/{count}", "-o", str(path), env=env)
               for k, path in enumerate(paths, 1)]
    shards = wait_all(running)
    collected = time.perf_counter()
    merge = timed("merge", *map(str, paths), "-o", str(work / "merged.json"))
    total = time.perf_counter() - started
    # each shard alone on this machine, as it would be on a pod or runner of its own
    alone = [timed(*collect, "--shard", f"{k}/{count}", "-o", str(path), env=env)
             for k, path in enumerate(paths, 1)]
    return {"shards": shards, "max": max(r.wall for r in shards), "collected": collected - started,
            "merge": merge, "total": total, "alone": alone}


def print_sharded(one: Run, result: dict[str, Any], count: int) -> None:
    shards = " ".join(f"{r.wall:.2f}" for r in result["shards"])
    cpu = " ".join(f"{r.cpu:.2f}" for r in result["shards"])
    print(f"  one process:            {one.wall:7.2f} s  (cpu {one.cpu:.2f} s)")
    print(f"  {count} shards at once:      {result['collected']:7.2f} s  (each: {shards}; cpu {cpu})")
    print(f"  merge:                  {result['merge'].wall:7.2f} s  (cpu {result['merge'].cpu:.2f} s)")
    print(f"  shards + merge:         {result['total']:7.2f} s  (max(shard) + merge = "
          f"{result['max'] + result['merge'].wall:.2f} s)")
    alone = result["alone"]
    print(f"  each shard alone:       {' '.join(f'{r.wall:.2f}' for r in alone)} s: on {count} machines, "
          f"max + merge = {max(r.wall for r in alone) + result['merge'].wall:.2f} s")


# -- merge of a large fleet ---------------------------------------------------------------------

def units_of(target: Target) -> list[ShardUnit]:
    """A host, or an account's account-wide unit with all its regions (kept together here)."""
    return [ShardUnit(source=target.id, target=target.id),
            *(ShardUnit(source=target.id, region=r, target=target.id) for r in target.regions)]


def split(snapshot: Snapshot, count: int) -> list[Snapshot]:
    """The fleet's targets dealt round robin into shards, as sealed shard snapshots."""
    parts = []
    for index in range(1, count + 1):
        targets = [t for n, t in enumerate(snapshot.targets) if n % count == index - 1]
        ids = {t.id for t in targets}
        descriptor = ShardDescriptor(index=index, count=count, plan="sha256:" + "0" * 64,
                                     units=[unit for t in targets for unit in units_of(t)])
        part = Snapshot.model_construct(
            schema_="mlpscan.snapshot/1", tool=snapshot.tool, started_at=snapshot.started_at,
            finished_at=snapshot.finished_at, digest=None, targets=targets,
            resources=[r for r in snapshot.resources if r.target in ids],
            errors=[e for e in snapshot.errors if e.target in ids], shard=descriptor, parts=None)
        parts.append(part.sealed())
    return parts


def bench_merge(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        snapshot = build_snapshot(args.resources, 1, content=REPO)
        paths = []
        for part in split(snapshot, args.shards):
            path = folder / f"shard-{part.shard.index if part.shard else 0}.json"
            path.write_bytes(dump_snapshot(part))
            paths.append(path)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"mlpscan merge: {len(snapshot.resources):,} resources, {len(snapshot.targets)} targets in "
              f"{args.shards} shards ({size:.0f} MB); {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; "
              f"median of {args.repeat}")
        out = folder / "merged.json"
        for label, command in (("merge", ["merge", *map(str, paths), "-o", str(out)]),
                               ("verify the chain", ["verify", str(out), *map(str, paths)])):
            runs = [timed(*command) for _ in range(args.repeat)]
            walls = [r.wall for r in runs]
            cpu, peak = statistics.median(r.cpu for r in runs), max(r.peak_mib for r in runs)
            print(f"  {label:<17} {statistics.median(walls):6.2f} s  (runs {min(walls):.2f}-{max(walls):.2f} "
                  f"s; cpu {cpu:.2f} s; peak {peak:.0f} MiB)")


# -- hosts over SSH ------------------------------------------------------------------------------

def bench_hosts(args: argparse.Namespace) -> None:
    addresses = tuple(f"127.0.0.{i}" for i in range(1, args.hosts + 1))
    with running_sshd(addresses) as sshd, tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        config = folder / "ssh_config"
        config.write_text("", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
        collect = ["collect", *(f"ssh://{sshd.user}@{a}:{sshd.port}" for a in addresses),
                   "--identity", str(sshd.client_key), "--known-hosts", str(sshd.known_hosts),
                   "--ssh-config", str(config), "--max-workers", str(args.max_workers),
                   *(["--exclude-checks", args.exclude_checks] if args.exclude_checks else [])]
        left_out = f", --exclude-checks {args.exclude_checks}" if args.exclude_checks else ""
        print(f"{args.hosts} hosts over SSH (the suite's sshd), {args.shards} shards, max-workers "
              f"{args.max_workers} each{left_out}; {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; "
              f"median of {args.repeat}")
        ones = sorted((timed(*collect, "-o", str(folder / "one.json"), env=env) for _ in range(args.repeat)),
                      key=lambda r: r.wall)
        results = sorted((shards_then_merge(collect, args.shards, folder, env) for _ in range(args.repeat)),
                         key=lambda r: r["total"])
        print_sharded(ones[len(ones) // 2], results[len(results) // 2], args.shards)


def bench_host_cost(args: argparse.Namespace) -> None:
    """Per host, in this process: connect + authenticate, the session's own overhead (its wall time
    less the commands' own time, measured by running the same script with `sh -s` on the host
    directly) and parsing. The session's overhead is measured without the commands whose cost is
    the host's own and dwarfs it (--without); those are timed alone, each."""
    addresses = tuple(f"127.0.0.{i}" for i in range(1, args.hosts + 1))
    content = load_content(REPO)
    heavy = set(args.without.split(","))
    light = [c for c in content.host_commands if c.id not in heavy]
    with running_sshd(addresses) as sshd, tempfile.TemporaryDirectory() as work:
        config = Path(work) / "ssh_config"
        config.write_text("", encoding="utf-8")
        options = SshOptions(config_file=config, known_hosts=sshd.known_hosts, accept_new_host_keys=False,
                             identity_files=[sshd.client_key], password=None, connect_timeout=10)
        times = HostOptions().times
        connect, session, parse = [], [], []
        for address in addresses:
            marker = new_marker()
            reader = SessionReader(marker, light, HostOptions().limits)
            started = time.perf_counter()
            with SshSession(resolve(address, sshd.port, sshd.user, options), options) as ssh:
                connected = time.perf_counter()
                ssh.run(build_script(light, marker), sudo=False, times=times, reader=reader)
                ran = time.perf_counter()
            closed = time.perf_counter()
            build_resources(f"host:{address}", reader.results, sudo=False, cut=None,
                            max_command_output=HostOptions().max_command_output)
            parse.append(time.perf_counter() - closed)
            connect.append(connected - started + closed - ran)
            session.append(ran - connected)
        direct = []
        for _ in range(args.hosts):
            started = time.perf_counter()
            script = build_script(light, new_marker()).encode()
            subprocess.run(["sudo", "-u", sshd.user, "sh", "-s"], input=script, capture_output=True,
                           check=False)
            direct.append(time.perf_counter() - started)
        alone = []
        for command in content.host_commands:
            if command.id in heavy:
                started = time.perf_counter()
                subprocess.run(["sudo", "-u", sshd.user, "sh", "-c", command.run], capture_output=True,
                               check=False)
                alone.append((time.perf_counter() - started, command.id))
    commands_alone = statistics.median(direct)
    overhead = statistics.median(session) - commands_alone
    own = statistics.median(connect) + max(0.0, overhead) + statistics.median(parse)
    print(f"per host, {len(light)} commands in one `sh -s` session (all but {args.without}), {args.hosts} "
          f"hosts one after another, medians; {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    print(f"  connect + authenticate + close   {statistics.median(connect):6.3f} s")
    print(f"  session wall time                {statistics.median(session):6.3f} s")
    print(f"    the same commands, `sh -s` on the host directly  {commands_alone:6.3f} s  "
          f"(session overhead {overhead:+.3f} s)")
    print(f"  parse into resources             {statistics.median(parse):6.3f} s")
    print(f"  mlpscan's own part               {own:6.3f} s  (connect + session overhead + parse)")
    for seconds, name in alone:
        print(f"  {name:<24} alone on the host: {seconds:6.3f} s")


# -- clouds against the Tencent fake -------------------------------------------------------------

def account_keys(n: int) -> tuple[str, str]:
    return f"AKIDmlpscanBENCH{n:014d}", f"bench-secret-{n}"


def serve(conn: Connection, latency: float, quota: int, accounts: int) -> None:
    """The fake (and, with a quota, the gateway in front of it) in a child process."""
    fake = TencentFake(latency=latency)
    if accounts == 0:
        fake.add_account(large_account(4, 150, 200, 60), SECRET_ID, SECRET_KEY)
    for n in range(accounts):
        account = large_account(4, 60, 60, 0)   # buckets are named by APPID: the same in every copy
        account.uin = f"1000000{n:05d}"
        fake.add_account(account, *account_keys(n))
    with fake.running():
        proxy = None
        endpoint = fake.endpoint
        if quota:
            proxy = QuotaProxy(fake.endpoint, per_second=quota)
            threading.Thread(target=proxy.serve_forever, daemon=True).start()
            endpoint = proxy.endpoint
        conn.send(endpoint)
        while conn.recv() == "count":
            conn.send({"calls": fake.count(), "throttled": proxy.throttled if proxy else 0})


def cloud_env(folder: Path, endpoint: str, extra: dict[str, Any] | None = None, accounts: int = 0
              ) -> tuple[list[str], dict[str, str]]:
    """A config naming one account (keys in the environment) or ``accounts`` (credential profiles)."""
    config = folder / "mlpscan.yaml"
    home = folder / "home"
    (home / ".tencentcloud").mkdir(parents=True, exist_ok=True)
    profiles = "".join(f"[acct-{n}]\nsecret_id = {account_keys(n)[0]}\nsecret_key = {account_keys(n)[1]}\n"
                       for n in range(accounts))
    (home / ".tencentcloud" / "credentials").write_text(profiles, encoding="utf-8")
    clouds = ([{"provider": "tencent", "endpoint": endpoint, "profile": f"acct-{n}"} for n in range(accounts)]
              or [{"provider": "tencent", "endpoint": endpoint}])
    config.write_text(json.dumps({"clouds": clouds, **(extra or {})}), encoding="utf-8")
    env = {**os.environ, "HOME": str(home)}
    if not accounts:
        env |= {"TENCENTCLOUD_SECRET_ID": SECRET_ID, "TENCENTCLOUD_SECRET_KEY": SECRET_KEY}
    return ["collect", "--config", str(config)], env


def started_fake(latency: float, quota: int = 0, accounts: int = 0
                 ) -> tuple[Connection, multiprocessing.Process, str]:
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(target=serve,
                                                         args=(theirs, latency, quota, accounts))
    server.start()
    return ours, server, ours.recv()


def bench_clouds(args: argparse.Namespace) -> None:
    ours, server, endpoint = started_fake(args.latency, accounts=args.accounts)
    try:
        with tempfile.TemporaryDirectory() as work:
            folder = Path(work)
            collect, env = cloud_env(folder, endpoint, accounts=args.accounts)
            collect += ["--api-workers", str(args.api_workers)]
            print(f"Tencent fake, {args.accounts} accounts (each 4 regions x 60 CVMs with disks, snapshots, "
                  f"groups; 60 users), {args.latency * 1000:.0f} ms per call, {args.shards} shards, "
                  f"api-workers {args.api_workers} each; {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
            one = timed(*collect, "-o", str(folder / "one.json"), env=env)
            print_sharded(one, shards_then_merge(collect, args.shards, folder, env), args.shards)
    finally:
        ours.send("stop")
        server.join(timeout=10)


def bench_quota(args: argparse.Namespace) -> None:
    ours, server, endpoint = started_fake(0.01, quota=20)
    try:
        with tempfile.TemporaryDirectory() as work:
            folder = Path(work)
            print(f"{args.shards} shards of one Tencent account behind a gateway allowing 20 calls a second "
                  f"per action (Tencent's default), api-workers 16 each; {time.strftime('%Y-%m-%d')}")
            unpaced = {"rate_limits": {"tencent": {"*": {"rate": 1000, "burst": 1000}}}}
            for label, extra in (("built-in budget (15/s per action, split)", {}),
                                 ("no budget (rate 1000)", unpaced)):
                collect, env = cloud_env(folder, endpoint, extra)
                ours.send("count")
                before = ours.recv()
                result = shards_then_merge([*collect, "--api-workers", "16"], args.shards, folder, env)
                ours.send("count")
                after = ours.recv()
                merged = json.loads((folder / "merged.json").read_text(encoding="utf-8"))
                throttled = [e for e in merged["errors"] if e["code"].startswith("RequestLimitExceeded")]
                print(f"  {label:<42} {result['total']:6.1f} s  {after['calls'] - before['calls']:>5} calls  "
                      f"{after['throttled'] - before['throttled']:>5} throttled answers  "
                      f"{len(throttled):>3} throttling errors  {len(merged['resources']):>5} resources")
    finally:
        ours.send("stop")
        server.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=("merge", "hosts", "host-cost", "clouds", "quota"))
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--max-workers", type=int, default=10)
    parser.add_argument("--api-workers", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--accounts", type=int, default=6, help="clouds: Tencent accounts in the fake")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exclude-checks", metavar="GLOBS",
                        help="hosts: collect without what these checks read (e.g. host.updates.*)")
    parser.add_argument("--without", default="security_updates,services_enabled", metavar="IDS",
                        help="host-cost: the commands whose cost is the host's own, timed apart")
    args = parser.parse_args()
    {"merge": bench_merge, "hosts": bench_hosts, "host-cost": bench_host_cost, "clouds": bench_clouds,
     "quota": bench_quota}[args.part](args)


if __name__ == "__main__":
    main()
