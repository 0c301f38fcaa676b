"""Faults: each scenario scans a faulty and a healthy target in one run and is judged against a
clean scan of the same worlds (the planted ground truth).

- targets lost: a healthy target missing from the snapshot, with a target-wide error, or (clouds,
  whose fakes answer the same every time) with findings other than in the clean scan; for the
  healthy host, missing resource types (its listening ports change as other tests run).
- false passes: a finding that failed in the clean scan and, in the faulty scan, neither fails nor
  is an error, and is not covered by an error of the same check on that target in its region (or
  account-wide); for a host whose data was never (fully) read, any pass of a check on what was
  not read.
- hangs: the scan still running after SCAN_LIMIT; tracebacks and crashes as for bad inputs.
A scenario whose fault left no trace at all (no error, the same findings) is listed as not biting:
the fault missed, which says nothing either way.
"""

from __future__ import annotations

import fnmatch
import functools
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.campaign.common import Figures
from bench.campaign.scans import Outcome, Stage
from bench.campaign.scenarios import Scenario

FIGURES_HERE = ("tracebacks", "hangs", "crashes", "targets_lost", "false_passes")


def run_scenario(stage: Stage, scenario: Scenario | None, root: Path) -> Outcome:
    name = scenario.name if scenario else f"{stage.provider}.clean"
    workdir = root / name
    workdir.mkdir(parents=True, exist_ok=True)
    with stage.faulty(workdir) as faulty, faulty.stack:
        if scenario is not None:
            scenario.plant(faulty)
        return stage.run(faulty, workdir)


def judge(figures: Figures, stage: Stage, scenario: Scenario, clean: Outcome,
          outcome: Outcome) -> dict[str, Any]:
    name = scenario.name
    run = outcome.run
    summary: dict[str, Any] = {"scenario": name, "fault": scenario.what, "exit": run.code,
                               "seconds": round(run.seconds, 1)}
    if run.hung:
        figures.count("hangs", f"{name}: still running after {run.seconds:.0f} s")
        return summary
    if run.traceback:
        figures.count("tracebacks", f"{name}: {run.stderr[run.stderr.index('Traceback'):][-300:]}")
    if run.code == 4:
        figures.count("crashes", f"{name}: {run.stderr.strip().splitlines()[-1][:300]}")
    elif run.code not in (0, 1):
        summary["unexpected_exit"] = run.stderr.strip()[-300:]
    lost = _lost(stage, clean, outcome)
    for target, why in lost:
        figures.count("targets_lost", f"{name}: healthy {target} {why}")
    passes = _false_passes(stage, scenario, clean, outcome)
    for check, uid, status in passes:
        figures.count("false_passes", f"{name}: {check} on {uid} is {status} (fails when the data is read)")
    faulty_errors = [e for e in outcome.errors() if e["target"] not in stage.healthy_ids]
    failed_calls = sorted({f"{r['type']} {name}" for r in (outcome.snapshot or {}).get("resources", [])
                           if r["target"] not in stage.healthy_ids
                           for name in r["data"].get("_failed_calls", {})})
    summary["faulty_errors"] = sorted({f"{e['operation']} {e['code']}" for e in faulty_errors})[:8]
    summary["failed_detail_calls"] = failed_calls[:8]
    faulty_errors += failed_calls  # type: ignore[arg-type]
    changed = {k: v for k, v in outcome.findings().items() if k[0] not in stage.healthy_ids} != {
        k: v for k, v in clean.findings().items() if k[0] not in stage.healthy_ids}
    summary["bit"] = bool(faulty_errors) or changed or stage.provider == "host"
    return summary


def _lost(stage: Stage, clean: Outcome, outcome: Outcome) -> list[tuple[str, str]]:
    lost = []
    present = outcome.target_ids()
    for target in sorted(stage.healthy_ids):
        wide = [e for e in outcome.errors(target) if e["type"].endswith(".*")]
        if outcome.snapshot is None:
            lost.append((target, f"not collected: no snapshot written (exit {outcome.run.code})"))
        elif target not in present:
            lost.append((target, "missing from the snapshot"))
        elif wide:
            lost.append((target, f"has a target-wide error: {wide[0]['code']} {wide[0]['message'][:120]}"))
        elif stage.provider == "host":
            before = {r["type"] for r in (clean.snapshot or {}).get("resources", []) if r["target"] == target}
            after = {r["type"] for r in outcome.snapshot.get("resources", []) if r["target"] == target}
            if before - after:
                lost.append((target, f"lost resource types {sorted(before - after)}"))
        else:
            before = {k: v for k, v in clean.findings().items() if k[0] == target}
            after = {k: v for k, v in outcome.findings().items() if k[0] == target}
            if before != after:
                differing = sorted(set(before.items()) ^ set(after.items()))[:3]
                lost.append((target, f"findings differ from the clean scan: {differing}"))
    return lost


def _false_passes(stage: Stage, scenario: Scenario, clean: Outcome,
                  outcome: Outcome) -> list[tuple[str, str, str]]:
    faulted = {k: v for k, v in outcome.findings().items() if k[0] not in stage.healthy_ids}
    if stage.provider == "host":
        types = _check_types(outcome)
        return sorted((check, uid, status) for (_, check, uid, _), status in faulted.items()
                      if status == "pass" and ("*" in scenario.affected
                                               or fnmatch.filter(scenario.affected, types.get(check, "*"))))
    # the faulty target may be named otherwise when its account could not be reached: match by check and uid
    by_check_uid = {(check, uid, region): status for (_, check, uid, region), status in faulted.items()}
    errors_by_check: dict[str, set[str | None]] = {}
    for (_, check, _, region), status in faulted.items():
        if status == "error":
            errors_by_check.setdefault(check, set()).add(region)
    passes = []
    for (target, check, uid, region), status in clean.findings().items():
        if target in stage.healthy_ids or status != "fail":
            continue
        now = by_check_uid.get((check, uid, region))
        if now in ("fail", "error"):
            continue
        covering = errors_by_check.get(check, set())
        if now is None and (None in covering or region in covering):
            continue
        passes.append((check, uid, now or "gone without an error"))
    return passes


@functools.cache
def _resource_types() -> dict[str, str]:
    """check id -> the resource type it reads, from the shipped checks."""
    from mlpscan.content import load_content  # noqa: PLC0415

    return {check.id: check.resource for check in load_content().checks.values()}


def _check_types(_outcome: Outcome) -> dict[str, str]:
    return _resource_types()


def run_faults(stages: Sequence[Stage], scenarios: Sequence[Scenario], root: Path,
               jobs: int) -> list[Figures]:
    rows = []
    for stage in stages:
        mine = [s for s in scenarios if s.provider == stage.provider]
        if not mine:
            continue
        started = time.monotonic()
        figures = Figures(f"faults: {stage.provider}", applies=FIGURES_HERE)
        clean = run_scenario(stage, None, root)
        sanity = _sanity(stage, clean)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(lambda s, st=stage: run_scenario(st, s, root), mine))
        summaries = [judge(figures, stage, s, clean, o) for s, o in zip(mine, outcomes, strict=True)]
        figures.cases = len(mine)
        figures.seconds = time.monotonic() - started
        figures.details = {"clean": sanity, "scenarios": summaries,
                           "not_biting": [s["scenario"] for s in summaries if not s.get("bit", True)]}
        rows.append(figures)
    return rows


def _sanity(stage: Stage, clean: Outcome) -> dict[str, Any]:
    """The clean scan must have worked, or nothing can be judged against it."""
    findings = clean.findings()
    faulty_fails = sum(1 for (t, *_), s in findings.items() if t not in stage.healthy_ids and s == "fail")
    problems = [f"exit {clean.run.code}"] if clean.run.code not in (0, 1) else []
    if clean.snapshot is None:
        problems.append("no snapshot")
    if stage.provider != "host" and not faulty_fails:
        problems.append("no planted failure was found")
    errors = [f"{e['target']} {e['operation']} {e['code']}" for e in clean.errors()]
    if problems:
        raise RuntimeError(f"the clean {stage.provider} scan is not a usable ground truth: {problems}; "
                           f"stderr: {clean.run.stderr[-1500:]}")
    return {"exit": clean.run.code, "seconds": round(clean.run.seconds, 1), "faulty_fails": faulty_fails,
            "errors": errors[:10], "targets": sorted(clean.target_ids())}


def start_stages(stack: ExitStack, root: Path, env: dict[str, str], providers: Sequence[str]) -> list[Stage]:
    from bench.campaign.hosts import HostStage  # noqa: PLC0415  (imports the suite's sshd helper)
    from bench.campaign.scans import AliyunStage, AwsStage, TencentStage  # noqa: PLC0415

    classes: dict[str, type[Stage]] = {"aliyun": AliyunStage, "tencent": TencentStage, "aws": AwsStage,
                                       "host": HostStage}
    stages = []
    for provider in providers:
        stage = classes[provider](root, env)
        stage.start(stack)
        stages.append(stage)
    return stages
