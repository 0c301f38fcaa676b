"""The campaign's command line: run the areas asked for, print the table, keep the details."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

from bench.campaign.common import Figures, install_guard, render_table

AREAS = ("inputs", "faults", "leaks", "readonly")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="campaign", description=__doc__)
    parser.add_argument("--areas", default=",".join(AREAS), help=f"comma separated, of {', '.join(AREAS)}")
    parser.add_argument("--seed", type=int, default=17, help="same seed, same cases")
    parser.add_argument("--scale", type=float, default=1.0, help="bad-input cases: this share of 10,000")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the bad inputs")
    parser.add_argument("--scan-jobs", type=int, default=3, help="fault scans run at once (they mostly wait)")
    parser.add_argument("--subprocess-every", type=int, default=200,
                        help="every Nth bad input also runs as `python -m mlpscan` (0: never)")
    parser.add_argument("--only-case", metavar="KIND:N", help="run one bad input (e.g. inventory-ini:57)")
    parser.add_argument("--only-scenario", metavar="NAME",
                        help="run the fault scenarios whose name contains NAME")
    parser.add_argument("--workdir", type=Path, help="keep every file there (default: a temporary directory, "
                                                      "removed unless something was found)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    options = parse(argv)
    areas = [a.strip() for a in options.areas.split(",") if a.strip()]
    unknown = sorted(set(areas) - set(AREAS))
    if unknown:
        raise SystemExit(f"campaign: unknown area(s) {', '.join(unknown)}")
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="mlpscan-campaign-"))
    workdir.mkdir(parents=True, exist_ok=True)
    guard = install_guard(workdir / "guard")
    net_log = workdir / "off-loopback.txt"
    rows: list[Figures] = []
    started = time.monotonic()
    # The scans mostly wait (stalled endpoints, timeouts, backoff) while the bad inputs keep both cores
    # busy: they run side by side.
    scans: list[Figures] = []
    failed: list[BaseException] = []
    scan_areas = [a for a in areas if a != "inputs"]

    def scanning() -> None:
        from bench.campaign.areas import run_scans  # noqa: PLC0415

        try:
            scans.extend(run_scans(workdir / "scans", scan_areas, jobs=options.scan_jobs, guard=guard,
                                   net_log=net_log, only=options.only_scenario))
        except BaseException as exc:   # raised again in the main thread
            failed.append(exc)

    thread = threading.Thread(target=scanning, name="scans") if scan_areas else None
    if thread is not None:
        thread.start()
    if "inputs" in areas:
        from bench.campaign.inputs import InputOptions, run_inputs  # noqa: PLC0415

        rows.append(run_inputs(InputOptions(workdir / "inputs", options.seed, options.scale, options.jobs,
                                            options.subprocess_every, guard, net_log, options.only_case)))
    if thread is not None:
        thread.join()
        if failed:   # what finished is still worth seeing
            print(render_table(rows), flush=True)
            raise failed[0]
    rows += scans
    return _report(rows, areas, options, workdir=workdir, net_log=net_log, elapsed=time.monotonic() - started)


def _report(rows: list[Figures], areas: list[str], options: argparse.Namespace, *, workdir: Path,
            net_log: Path, elapsed: float) -> int:
    print()
    print(render_table(rows))
    off_loopback = net_log.read_text(encoding="utf-8").splitlines() if net_log.exists() else []
    print(f"\nseed {options.seed}, {elapsed:.0f} s; attempts to leave loopback, refused: {len(off_loopback)}")
    found = [f"{row.area}: {note}" for row in rows for note in row.notes if not note.startswith("harness:")]
    harness = [f"{row.area}: {note}" for row in rows for note in row.notes if note.startswith("harness:")]
    for line in found[:60]:
        print("  " + line[:400])
    if len(found) > 60:
        print(f"  ... {len(found) - 60} more in {workdir / 'campaign.json'}")
    if harness:
        print("problems of the campaign itself (they prove nothing either way):")
        for line in harness[:20]:
            print("  " + line[:400])
    record = {"seed": options.seed, "seconds": round(elapsed, 1), "areas": areas,
              "rows": [dict(vars(r)) for r in rows],
              "off_loopback": sorted(set(off_loopback))}
    (workdir / "campaign.json").write_text(json.dumps(record, indent=1, default=str, ensure_ascii=False),
                                           encoding="utf-8")
    if found or harness or options.workdir:
        print(f"details: {workdir / 'campaign.json'}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if found else (3 if harness else 0)
