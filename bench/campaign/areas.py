"""The scanning areas (faults, leaks, read-only) share their stages: servers start once."""

from __future__ import annotations

import logging
import socketserver
from contextlib import ExitStack
from pathlib import Path

from bench.campaign.common import Figures, base_env

PROVIDERS = ("aliyun", "tencent", "aws", "host")


def run_scans(root: Path, areas: list[str], *, jobs: int, guard: Path, net_log: Path,
              only: str | None) -> list[Figures]:
    from bench.campaign.faults import run_faults, start_stages  # noqa: PLC0415
    from bench.campaign.hosts import HOSTS  # noqa: PLC0415
    from bench.campaign.scenarios import SCENARIOS  # noqa: PLC0415

    root.mkdir(parents=True, exist_ok=True)
    # the fakes' servers print a traceback whenever a client hangs up mid-answer, which the faults
    # provoke on purpose: keep the campaign's own output readable
    socketserver.BaseServer.handle_error = lambda self, request, address: None  # type: ignore[method-assign]
    logging.getLogger("paramiko").addHandler(logging.NullHandler())   # the scripted servers' side, likewise
    env = base_env(root / "home", guard, net_log)
    scenarios = [s for group in (*SCENARIOS.values(), HOSTS) for s in group if not only or only in s.name]
    wanted = [p for p in PROVIDERS if "leaks" in areas or "readonly" in areas
              or any(s.provider == p for s in scenarios)]
    rows: list[Figures] = []
    full = None
    with ExitStack() as stack:
        stages = start_stages(stack, root, env, wanted)
        if "faults" in areas:
            rows += run_faults(stages, scenarios, root / "faults", jobs)
        if "leaks" in areas or "readonly" in areas:
            from bench.campaign.leaks import full_scans, judge_leaks  # noqa: PLC0415

            full = full_scans(stages, root / "full")
            if "leaks" in areas:
                rows.append(judge_leaks(full))
    if "readonly" in areas and full is not None:
        from bench.campaign.readonly import judge_readonly  # noqa: PLC0415

        rows.append(judge_readonly(stages, full))
    return rows
