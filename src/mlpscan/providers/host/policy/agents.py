"""Whether AIDE counts as intrusion detection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlpscan.providers.host.parse.text import JSON


def aide_monitoring(aide: Mapping[str, Any], *, session_is_root: bool) -> JSON:
    """Whether AIDE counts as intrusion detection (file-integrity monitoring).

    It counts when the binary is installed, a cron job or an active systemd timer runs it, and
    its database is not known to be missing (`aide --check` without one only fails). Whether
    its reports reach someone (cron mail, MAILTO, a log forwarder) is not verified here.
    """
    if not aide["installed"]:
        return {"counts": False, "evidence": "AIDE is not installed"}
    where = ", ".join([*aide["cron"], *(t["unit"] for t in aide["timers"] if t["active"])])
    if not aide["scheduled"]:
        spool = "" if session_is_root else " (root's crontab is read only with --sudo)"
        return {"counts": False, "evidence": f"AIDE installed at {aide['binary']} but no cron job or "
                                             f"active systemd timer runs it{spool}"}
    if aide["database"] == "missing":
        return {"counts": False, "evidence": f"AIDE scheduled ({where}) but it has no database: "
                                             "run `aide --init` and move the new database in place"}
    database = "database present" if aide["database"] == "present" else "database not readable without --sudo"
    return {"counts": True, "evidence": f"AIDE scheduled ({where}), {database}; alert routing not verified"}
