"""Database settings given in units the checks cannot compare directly."""

from __future__ import annotations

from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.derive import with_derived
from mlpscan.snapshot import Resource

SECONDS_PER_DAY = 86_400


def cynosdb_backups(context: HookContext) -> list[Resource]:
    """TDSQL-C keeps backups ReserveDuration seconds (DescribeBackupConfig): BackupRetentionDays is
    that in whole days (null when the answer has no number), failing with the call."""
    found = []
    for cluster in context.resources:
        config = cluster.data.get("DescribeBackupConfig")
        seconds = config.get("ReserveDuration") if isinstance(config, dict) else None
        days = None
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            days = seconds // SECONDS_PER_DAY
        found.append(with_derived(cluster, ("DescribeBackupConfig",), BackupRetentionDays=days))
    return found
