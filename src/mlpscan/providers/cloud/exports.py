"""The shape every cloud's collection gives each way a resource copies or sends data elsewhere.

A hook writes a resource's paths under `DataExports`, one entry each (mlpscan.data_export judges
them against the provider's region list):

    {"kind": "replication", "via": "rule r1", "destination": "arn:aws-cn:s3:::dst",
     "region": "cn-northwest-1" | null, "partition": "aws-cn" | null, "unknown": "why" | null}
"""

from __future__ import annotations

from typing import Any

KEY = "DataExports"


def export_entry(kind: str, via: str, destination: str, *, region: Any = None, partition: str | None = None,
                 unknown: str | None = None) -> dict[str, Any]:
    """One path; `unknown` says why the destination's region is not known, and is kept only then."""
    known = region if isinstance(region, str) and region else None
    return {"kind": kind, "via": via, "destination": destination, "region": known,
            "partition": partition or None, "unknown": None if known else unknown}
