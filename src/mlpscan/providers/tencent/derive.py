"""Small helpers the hooks share: adding derived fields to a resource, reading Tencent dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from mlpscan.providers.cloud.runner import with_failed_calls
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource

# CAM and CBS print local times of the Beijing region without a zone: "2024-02-01 16:21:13".
CHINA = timezone(timedelta(hours=8))


def with_fields(resource: Resource, **fields: Any) -> Resource:
    return resource.model_copy(update={"data": {**resource.data, **fields}})


def with_derived(resource: Resource, sources: tuple[str, ...], **fields: Any) -> Resource:
    """Add fields computed from the answers under `sources`; if one of those calls failed, the
    fields fail with it, so a check reading them reports that call's failure as `error`."""
    failed = resource.data.get(FAILED_CALLS_KEY) or {}
    reasons = "; ".join(failed[source] for source in sources if source in failed)
    derived = with_fields(resource, **fields)
    return with_failed_calls(derived, dict.fromkeys(fields, reasons)) if reasons else derived


def with_failure(resource: Resource, key: str, reason: str) -> Resource:
    """Record a failed hook call like a failed detail call, so checks reading `key` say `error`."""
    return with_failed_calls(resource, {key: reason[:500]})


def parse_time(value: Any) -> datetime | None:
    """'2024-02-01 16:21:13' (Beijing time), '2024-02-01T08:21:13Z', '2022-12-19', or epoch ms."""
    if isinstance(value, bool) or value in (None, "", 0):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):  # not a time at all
            return None
    text = str(value).strip()
    if text.startswith("0000"):
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed.replace(tzinfo=timezone.utc if text.endswith("Z") else CHINA)
    return None


def days_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max((now - moment).days, 0)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_statements(document: Any) -> list[dict[str, Any]] | None:
    """The statements of a CAM or COS policy document; None if there is none to read.

    Keys are lower-cased: CAM writes `effect`, COS bucket policies `Effect`.
    """
    if not isinstance(document, dict):
        return None
    lowered = {str(k).lower(): v for k, v in document.items()}
    return [{str(k).lower(): v for k, v in statement.items()}
            for statement in as_list(lowered.get("statement") or []) if isinstance(statement, dict)]
