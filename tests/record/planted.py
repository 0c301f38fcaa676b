"""Hand-made reports for the record tests: findings planted on chosen units and assets."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from mlpscan.findings import (
    AppliedWaiver,
    Finding,
    ProfileSummary,
    Report,
    ResourceRef,
    Severity,
    SnapshotRef,
    Status,
    ToolInfo,
    summarize,
)

DIGEST = "sha256:" + "ab" * 32


def asset(name: str, target: str = "host:web-01") -> ResourceRef:
    return ResourceRef(type="host.system", uid=f"{target}/{name}", name=name, target=target)


def finding(
    check: str,
    status: Status,
    units: list[str],
    resource: ResourceRef,
    *,
    severity: Severity = Severity.HIGH,
    waived: Status | None = None,
    message: str = "planted",
    observed: Any = None,
) -> Finding:
    waiver = None
    if waived is not None:
        waiver = AppliedWaiver(
            status=waived,
            justification="accepted until the move",
            approver="ciso@example.cn",
            expires=date(2027, 6, 30),
        )
    return Finding(
        check=check,
        title=check,
        status=Status.WAIVED if waived else status,
        severity=severity,
        clauses=[],
        units=units,
        resource=resource,
        message=message,
        observed=observed,
        remediation=f"fix {check}",
        waiver=waiver,
    )


def report(
    findings: list[Finding],
    *,
    level: int = 3,
    verified: bool | None = True,
    generated: datetime | None = None,
) -> Report:
    return Report(
        tool=ToolInfo(version="0.1.0"),
        generated_at=generated or datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc),
        profile=ProfileSummary(id=f"level{level}", level=level, params={}),
        snapshot=SnapshotRef(
            digest=DIGEST, started_at=datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc), verified=verified
        ),
        summary=summarize(findings),
        findings=findings,
    )
