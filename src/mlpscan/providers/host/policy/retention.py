"""How long a logrotate stanza keeps what is written to its file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlpscan.providers.host.parse.logrotate import PERIODS
from mlpscan.providers.host.parse.text import JSON, to_int


def stanza_retention(stanza: Mapping[str, Any]) -> JSON:
    """The shortest time a line written to the file is kept: `days`, or `unlimited`.

    Right after a rotation the rotated files cover rotate × period days, so that is the
    guarantee. A month counts 30 days (6 × monthly = 180 d, the usual six-month setting) and a
    year 365. Size-triggered rotation (`size`, or `maxsize` with a period), or no criterion at
    all, can rotate at every daily logrotate run, so its period is one day. `rotate -1` keeps
    rotated files forever. `maxage N` deletes rotated files older than N days, so it caps the
    result.
    """
    rotate = to_int(stanza.get("rotate"))
    rotate = 0 if rotate is None else rotate
    period = stanza.get("period_days") if stanza.get("criterion") in PERIODS else 1.0
    if stanza.get("maxsize"):
        period = min(period or 1.0, 1.0)
    period = float(period or 1.0)
    maxage = to_int(stanza.get("maxage"))
    how = _period_words(stanza, period)
    if rotate < 0:
        if maxage is None:
            return {"days": None, "unlimited": True, "basis": "rotate -1 (rotated logs never removed)"}
        return {"days": maxage, "unlimited": False, "basis": f"rotate -1, maxage {maxage}"}
    days = int(rotate * period)
    basis = f"rotate {rotate} × {how} = {days} d"
    if maxage is not None and maxage < days:
        return {"days": maxage, "unlimited": False, "basis": f"{basis}, capped by maxage {maxage}"}
    return {"days": days, "unlimited": False, "basis": basis}


def _period_words(stanza: Mapping[str, Any], period: float) -> str:
    criterion = stanza.get("criterion")
    if criterion in PERIODS and not stanza.get("maxsize"):
        return f"{criterion} ({period:g} d)"
    return "size-triggered (at most one rotation a day)"
