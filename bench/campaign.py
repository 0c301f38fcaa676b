"""The hardening campaign of issue 17, run against the current code: bad inputs, faults, secrets, read-only.

    python bench/campaign.py                      # everything, seed 17 (a few minutes on 2 cores)
    python bench/campaign.py --areas inputs --scale 0.1
    python bench/campaign.py --areas faults --only-scenario aliyun.truncated_without_marker

It reuses the suite's real parts: the signature-verifying Alibaba and Tencent fakes with their
fault injection, moto's server behind the suite's fault proxy, the suite's real sshd and scripted
SSH servers, and the suite's fuzz mutators. It prints one row per area with the figures the issue
asks for (tracebacks, hangs, crashes, targets lost, false passes, leaks, mutating calls), writes
every defect found, one line each, to WORKDIR/campaign.json, and exits 1 when any figure is not
zero. It is not a test: nothing here is collected by pytest. See bench/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

# this checkout: its harness and the mlpscan it measures (whatever else is installed)
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from bench.campaign.main import main  # noqa: E402  (after the path setup)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
