"""Report metadata: the system, its grading, the scope, whether the snapshot verified, the next assessment."""

from __future__ import annotations

from datetime import timedelta

from mlpscan.config import Config
from mlpscan.findings import GradingInfo, NextAssessment, Report, Scope, ScopeTarget, SystemInfo
from mlpscan.snapshot import Snapshot

INTERVAL_PARAM = "assessment_interval_days"


def with_metadata(report: Report, snapshot: Snapshot, config: Config | None = None) -> Report:
    """``report`` naming the system, its scope and evidence; nothing is re-evaluated."""
    system = config.system if config is not None else None
    grading = None
    if system is not None and system.grading is not None:
        grading = GradingInfo(**system.grading.model_dump())
    info = SystemInfo(
        name=system.name if system else None,
        level=report.profile.level,
        organisation=system.organisation if system else None,
        grading=grading,
    )
    scope = Scope(
        targets=[
            ScopeTarget(
                id=t.id,
                provider=t.provider,
                account=t.account,
                address=t.connection.address if t.connection else None,
                regions=list(t.regions),
            )
            for t in sorted(snapshot.targets, key=lambda t: t.id)
        ]
    )
    verified = snapshot.digest is not None and snapshot.digest == report.snapshot.digest
    evidence = report.snapshot.model_copy(update={"verified": verified, "finished_at": snapshot.finished_at})
    interval = report.profile.params.get(INTERVAL_PARAM)
    next_assessment = None
    if isinstance(interval, int):
        next_assessment = NextAssessment(
            due=report.generated_at.date() + timedelta(days=interval), interval_days=interval
        )
    return report.model_copy(
        update={"system": info, "scope": scope, "snapshot": evidence, "next_assessment": next_assessment}
    )
