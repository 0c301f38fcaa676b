"""Benchmark `mlpscan evaluate` on synthetic snapshots of growing size.

    python bench/run.py                          # 25k, 50k, 100k resources; shipped + 30 synthetic checks
    python bench/run.py --shipped-only           # only the checks that ship today
    python bench/run.py --sizes 100000 --profile # also write and summarise a cProfile of the CLI run

For each size it generates a snapshot (bench/generate.py, in a subprocess), then

1. runs the full command line in a fresh process, as a user would:
   `python -m mlpscan evaluate SNAP --level 3 --format json,sarif --output-dir DIR --content C
   --fail-on none`, timing the wall clock and reading the peak RSS of that process
   (getrusage(RUSAGE_CHILDREN) in a fresh wrapper process per run, so runs never mix);
2. runs the same steps through the library in another fresh process and times each phase
   with time.perf_counter: load content, read snapshot, snapshot digest, evaluate, render
   JSON, render SARIF, write the files; it also records the peak RSS reached by the end of
   each phase and the time spent in the cyclic garbage collector.

It prints one table, the growth between sizes (linearity) and whether the largest size meets
the target (100,000 resources: under 20 s and under 1.5 GiB peak RSS). The exit status is non-zero only
when a run crashed; a missed target is reported, not failed: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mlpscan.content import load_content
from mlpscan.engine import evaluate
from mlpscan.snapshot import Snapshot, read_snapshot
from mlpscan.writers import render_json, render_sarif

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from synthetic_checks import build_content, features  # noqa: E402

TARGET_RESOURCES = 100_000
TARGET_SECONDS = 20.0
TARGET_MB = 1536.0  # 1.5 GiB, in MiB (ru_maxrss is in KiB on Linux)
PHASES = ("load_content", "read_snapshot", "digest", "evaluate", "render_json", "render_sarif", "write")

# Runs a command as its only child and reports wall time and that child's peak RSS.
WRAPPER = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": proc.returncode, "wall": wall, "maxrss_kb": usage.ru_maxrss,
                  "user": usage.ru_utime, "sys": usage.ru_stime,
                  "stderr": proc.stderr.decode("utf-8", "replace")[-4000:]}))
"""


def phases_worker(snapshot_path: Path, content_dir: Path, out_dir: Path) -> None:
    """In-process breakdown of the evaluate command; prints one JSON line.

    The snapshot digest, which `evaluate` computes first, is timed as its own phase: it is
    computed once here and `evaluate` is handed the same value, so the phases add up to the
    work the command does. After each phase the process's peak RSS so far is recorded, which
    tells which phase sets the peak.
    """
    gc_time = [0.0]
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_time[0] += time.perf_counter() - gc_started[0]

    gc.callbacks.append(on_gc)
    times: dict[str, float] = {}
    gc_in: dict[str, float] = {}
    peak_after: dict[str, float] = {}
    total_started = time.perf_counter()

    def timed(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        started, gc_before = time.perf_counter(), gc_time[0]
        result = fn(*args, **kwargs)
        times[name] = time.perf_counter() - started
        gc_in[name] = gc_time[0] - gc_before
        peak_after[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return result


    content = timed("load_content", load_content, content_dir)
    profile = content.level_profile(3)
    snapshot = timed("read_snapshot", read_snapshot, snapshot_path)
    digest = timed("digest", snapshot.compute_digest)
    original = Snapshot.compute_digest
    Snapshot.compute_digest = lambda self: digest  # type: ignore[method-assign]  # timed above
    try:
        report = timed("evaluate", evaluate, snapshot, content, profile)
    finally:
        Snapshot.compute_digest = original  # type: ignore[method-assign]
    json_bytes = timed("render_json", render_json, report)
    selected = {c.id: c for c in content.checks_for(profile)}
    sarif_bytes = timed("render_sarif", render_sarif, report, selected, content.catalog)

    def write() -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "mlpscan-report.json").write_bytes(json_bytes)
        (out_dir / "mlpscan.sarif").write_bytes(sarif_bytes)

    timed("write", write)
    print(json.dumps({
        "phases": times, "gc_in": gc_in, "peak_after": peak_after,
        "total": time.perf_counter() - total_started, "gc": gc_time[0],
        "findings": len(report.findings), "checks": len(selected),
        "by_status": {k.value: v for k, v in report.summary.by_status.items()},
        "json_mb": len(json_bytes) / 1e6, "sarif_mb": len(sarif_bytes) / 1e6,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


def run_json(cmd: list[str], what: str) -> dict[str, Any]:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def generate(size: int, seed: int, path: Path) -> float:
    if path.exists():
        print(f"  reusing {path}", file=sys.stderr)
        return 0.0
    started = time.perf_counter()
    subprocess.run([sys.executable, str(BENCH / "generate.py"), "--resources", str(size), "--seed", str(seed),
                    "-o", str(path)], check=True)
    return time.perf_counter() - started


def cli_run(snapshot: Path, content_dir: Path, out_dir: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "mlpscan", "evaluate", str(snapshot),
           "--level", "3", "--format", "json,sarif", "--output-dir", str(out_dir), "--content",
           str(content_dir), "--fail-on", "none"]
    result = run_json(cmd, "wrapper")
    if result["returncode"] != 0:
        raise RuntimeError(f"mlpscan evaluate exited {result['returncode']}:\n{result['stderr']}")
    return result


def profile_run(snapshot: Path, content_dir: Path, out_dir: Path, pstats_path: Path, top: int) -> None:
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(pstats_path), "-m", "mlpscan", "evaluate",
                    str(snapshot), "--level", "3", "--format", "json,sarif", "--output-dir", str(out_dir),
                    "--content", str(content_dir), "--fail-on", "none"], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"\ncProfile of the CLI run written to {pstats_path} (timings inflated by the profiler)")
    stats = pstats.Stats(str(pstats_path))
    stats.strip_dirs()
    for key, label in (("tottime", "own time"), ("cumulative", "cumulative time")):
        print(f"\n--- top {top} functions by {label} ---")
        stats.sort_stats(key).print_stats(top)


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25000,50000,100000", help="comma list of resource counts")
    parser.add_argument("--checks", type=int, default=30, help="synthetic checks added to the shipped ones")
    parser.add_argument("--shipped-only", action="store_true", help="measure with the shipped content only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep snapshots, content and outputs here (and reuse "
                        "snapshots already generated there); default: a temporary directory, removed")
    parser.add_argument("--repeat", type=int, default=1, help="CLI runs per size; the table shows the median "
                        "wall time and the highest peak (default 1)")
    parser.add_argument("--profile", action="store_true", help="also cProfile the CLI on the largest size")
    parser.add_argument("--top", type=int, default=15, help="functions listed by --profile")
    parser.add_argument("--_phases", nargs=3, metavar=("SNAP", "CONTENT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._phases:
        phases_worker(*map(Path, args._phases))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    checks = 0 if args.shipped_only else args.checks
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mlpscan-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return _bench(sizes, checks, args, workdir)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"\nbench: crashed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _bench(sizes: list[int], checks: int, args: argparse.Namespace, workdir: Path) -> int:
    content_dir = build_content(workdir / ("content-shipped" if checks == 0 else f"content-{checks}"), checks)
    print(f"mlpscan benchmark, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"content: shipped checks + {checks} synthetic ({content_dir})")
    if checks:
        used = features(checks)
        print("  constructs: " + ", ".join(f"{k} {v}" for k, v in used.items() if not k.startswith("param:")))
        print("  params: " + ", ".join(k.split(":", 1)[1] for k in used if k.startswith("param:")))
    rows: list[dict[str, Any]] = []
    for size in sizes:
        snapshot = workdir / f"snapshot-{size}-seed{args.seed}.json"
        print(f"\n[{size} resources] generating snapshot ...", file=sys.stderr)
        gen = generate(size, args.seed, snapshot)
        runs = []
        for n in range(max(1, args.repeat)):
            print(f"[{size} resources] CLI run {n + 1}/{max(1, args.repeat)} ...", file=sys.stderr)
            runs.append(cli_run(snapshot, content_dir, workdir / f"out-cli-{size}"))
            print(f"[{size} resources]   {runs[-1]['wall']:.1f} s, {runs[-1]['maxrss_kb'] / 1024:.0f} MiB",
                  file=sys.stderr)
        print(f"[{size} resources] phase breakdown ...", file=sys.stderr)
        phases = run_json([sys.executable, str(Path(__file__).resolve()), "--_phases", str(snapshot),
                           str(content_dir), str(workdir / f"out-phases-{size}")], "phase worker")
        walls = sorted(r["wall"] for r in runs)
        cli = dict(sorted(runs, key=lambda r: r["wall"])[len(runs) // 2])  # the median run
        cli["walls"] = [r["wall"] for r in runs]
        cli["maxrss_kb"] = max(r["maxrss_kb"] for r in runs)
        rows.append({"size": size, "gen": gen, "snapshot_mb": snapshot.stat().st_size / 1e6, "cli": cli,
                     "phases": phases, "wall_min": walls[0], "wall_max": walls[-1]})
    report(rows)
    if args.profile:
        largest = rows[-1]["size"]
        snapshot = workdir / f"snapshot-{largest}-seed{args.seed}.json"
        profile_run(snapshot, content_dir, workdir / f"out-profile-{largest}",
                    workdir / f"profile-{largest}.pstats", args.top)
    if args.workdir is not None:
        (workdir / f"results-{checks}.json").write_text(json.dumps(rows, indent=2))
    return 0


def report(rows: list[dict[str, Any]]) -> None:
    print("\nsnapshots: " + ", ".join(f"{r['size']:,} resources = {r['snapshot_mb']:.0f} MB" for r in rows))
    print("\nIn-process phases, seconds (fresh process per size; gc = time spent in the cyclic garbage "
          "collector, already inside the phases):")
    short = {"load_content": "content", "read_snapshot": "read", "render_json": "json",
             "render_sarif": "sarif"}
    print(f"{'resources':>10} {'findings':>9} " + " ".join(f"{short.get(p, p):>8}" for p in PHASES)
          + f" {'total':>7} {'gc':>6} {'peak MiB':>9}")
    for r in rows:
        ph = r["phases"]
        print(f"{r['size']:>10,} {ph['findings']:>9,} " + " ".join(f"{ph['phases'][p]:>8.2f}" for p in PHASES)
              + f" {ph['total']:>7.2f} {ph['gc']:>6.2f} {ph['maxrss_kb'] / 1024:>9.0f}")
    print("of which in the cyclic GC, seconds:")
    for r in rows:
        gc_in = r["phases"]["gc_in"]
        print(f"{r['size']:>10,}  " + ", ".join(f"{short.get(p, p)} {gc_in[p]:.2f}" for p in PHASES))
    print("peak RSS reached by the end of each phase, MiB:")
    for r in rows:
        after = r["phases"]["peak_after"]
        print(f"{r['size']:>10,}  " + ", ".join(f"{short.get(p, p)} {after[p]:.0f}" for p in PHASES))
    repeat = len(rows[0]["cli"]["walls"])
    print("\nFull CLI (`python -m mlpscan evaluate SNAP --level 3 --format json,sarif ...`, fresh process, "
          "start-up and imports included" + (f"; median of {repeat} runs, highest peak" if repeat > 1 else "")
          + "):")
    print(f"{'resources':>10} {'findings':>9} {'wall s':>7} {'user s':>7} {'sys s':>6} {'peak MiB':>9} "
          f"{'µs/res':>7} {'time growth':>24} {'memory growth':>14}")
    prev: dict[str, Any] | None = None
    for r in rows:
        cli = r["cli"]
        growth = mem_growth = ""
        if prev is not None:
            size_ratio = r["size"] / prev["size"]
            t_ratio = cli["wall"] / prev["cli"]["wall"]
            m_ratio = cli["maxrss_kb"] / prev["cli"]["maxrss_kb"]
            growth = f"x{t_ratio:.2f} for x{size_ratio:.2f} ({t_ratio / size_ratio:.2f})"
            mem_growth = f"x{m_ratio:.2f}"
        spread = f"  (runs {r['wall_min']:.1f}-{r['wall_max']:.1f} s)" if repeat > 1 else ""
        print(f"{r['size']:>10,} {r['phases']['findings']:>9,} {cli['wall']:>7.2f} {cli['user']:>7.2f} "
              f"{cli['sys']:>6.2f} {cli['maxrss_kb'] / 1024:>9.0f} {cli['wall'] / r['size'] * 1e6:>7.1f} "
              f"{growth:>24} {mem_growth:>14}{spread}")
        prev = r
    last = rows[-1]
    statuses = last["phases"]["by_status"]
    print(f"\nfindings at {last['size']:,}: " + ", ".join(f"{k} {v:,}" for k, v in statuses.items())
          + f"; report {last['phases']['json_mb']:.0f} MB JSON, {last['phases']['sarif_mb']:.0f} MB SARIF")
    at_target = [r for r in rows if r["size"] >= TARGET_RESOURCES]
    if at_target:
        r = at_target[0]
        wall, mib = r["cli"]["wall"], r["cli"]["maxrss_kb"] / 1024
        verdict = "MEETS" if wall < TARGET_SECONDS and mib < TARGET_MB else "MISSES"
        print(f"target at {r['size']:,} resources (< {TARGET_SECONDS:.0f} s, "
              f"< 1.5 GiB = {TARGET_MB:.0f} MiB): "
              f"{verdict} ({wall:.1f} s, {mib:.0f} MiB)")


if __name__ == "__main__":
    sys.exit(main())
