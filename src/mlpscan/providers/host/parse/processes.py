"""The process list, known security agents by process name, and AIDE's footprint."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mlpscan.providers.host.parse.text import DENIAL, JSON, content_lines, headed_sections

# Process names as `ps -o comm=` prints them: at most 15 characters (the kernel's comm field).
SECURITY_AGENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "clamd": ("ClamAV", ("anti_malware",)),
    "freshclam": ("ClamAV signature updater", ("anti_malware",)),
    "clamonacc": ("ClamAV on-access scanner", ("anti_malware",)),
    "AliYunDun": ("Alibaba Cloud Security Center", ("anti_malware", "intrusion_detection")),
    "AliYunDunUpdate": ("Alibaba Cloud Security Center", ("anti_malware", "intrusion_detection")),
    "AliYunDunMonitor": ("Alibaba Cloud Security Center", ("anti_malware", "intrusion_detection")),
    "YDService": ("Tencent Cloud Workload Protection", ("anti_malware", "intrusion_detection")),
    "YDLive": ("Tencent Cloud Workload Protection", ("anti_malware", "intrusion_detection")),
    "hostguard": ("Huawei Cloud Host Security Service", ("anti_malware", "intrusion_detection")),
    "falcon-sensor": ("CrowdStrike Falcon", ("anti_malware", "intrusion_detection")),
    "wdavdaemon": ("Microsoft Defender for Endpoint", ("anti_malware", "intrusion_detection")),
    "ds_agent": ("Trend Micro Deep Security", ("anti_malware", "intrusion_detection")),
    "ds_am": ("Trend Micro Deep Security", ("anti_malware",)),
    "s1-agent": ("SentinelOne", ("anti_malware", "intrusion_detection")),
    "elastic-endpoint": ("Elastic Defend", ("anti_malware", "intrusion_detection")),
    "cbagentd": ("VMware Carbon Black", ("anti_malware", "intrusion_detection")),
    "savd": ("Sophos Anti-Virus", ("anti_malware",)),
    "savscand": ("Sophos Anti-Virus", ("anti_malware",)),
    "sophos_threat_detector": ("Sophos Protection for Linux", ("anti_malware",)),
    "kesl": ("Kaspersky Endpoint Security", ("anti_malware",)),
    "mfetpd": ("Trellix (McAfee) Endpoint Security", ("anti_malware",)),
    "wazuh-agentd": ("Wazuh agent", ("intrusion_detection",)),
    "wazuh-syscheckd": ("Wazuh agent", ("intrusion_detection",)),
    "ossec-agentd": ("OSSEC agent", ("intrusion_detection",)),
    "ossec-syscheckd": ("OSSEC agent", ("intrusion_detection",)),
    "falco": ("Falco", ("intrusion_detection",)),
    "auditbeat": ("Elastic Auditbeat", ("intrusion_detection",)),
    "tetragon": ("Tetragon", ("intrusion_detection",)),
}

_AGENT_BY_COMM = {name[:15]: (name, product, roles) for name, (product, roles) in SECURITY_AGENTS.items()}


def parse_processes(text: str) -> list[str]:
    """Distinct process names; kernel threads (`kworker/0:1`) are left out."""
    return sorted({line for line in content_lines(text) if "/" not in line})


def security_agents(process_names: Iterable[str]) -> list[JSON]:
    found: dict[str, JSON] = {}
    for comm in process_names:
        known = _AGENT_BY_COMM.get(comm[:15])
        if known is not None:
            name, product, roles = known
            found.setdefault(name, {"process": name, "product": product, "roles": list(roles)})
    return sorted(found.values(), key=lambda agent: str(agent["process"]))


_AIDE_DATABASE = re.compile(r"^/\S*/aide\.db(?:\.gz)?$")


def parse_aide(text: str) -> JSON:
    """The `aide` command: binary, database, cron files/entries and systemd timers naming AIDE.

    database: `present` (aide.db or aide.db.gz; an aide.db.new* alone means `aide --init` ran
    but its output was never put in place), `missing`, `unreadable` (/var/lib/aide is 0700 on
    RHEL: readable with --sudo), or None when AIDE is not installed. A timer whose NEXT column
    is `n/a` or `-` is inactive and does not count as a schedule.
    """
    sections = dict(headed_sections(text))
    binary = next((line for line in content_lines(sections.get("binary", "")) if line.startswith("/")), None)
    if binary is None:
        return {"installed": False, "binary": None, "database": None, "cron": [], "timers": [],
                "scheduled": False}
    database_text = sections.get("database", "")
    database_lines = [line.strip() for line in database_text.splitlines() if line.strip()]
    if any(_AIDE_DATABASE.match(line) for line in database_lines):
        database = "present"
    elif DENIAL.search(database_text):
        database = "unreadable"
    else:
        database = "missing"
    cron = sorted({line for line in content_lines(sections.get("cron", "")) if line.startswith("/")})
    timers = []
    for line in content_lines(sections.get("timers", "")):
        unit = next((word for word in line.split() if word.endswith(".timer")), None)
        if unit is not None:
            timers.append({"unit": unit, "active": line.split()[0] not in ("n/a", "-")})
    return {"installed": True, "binary": binary, "database": database, "cron": cron, "timers": timers,
            "scheduled": bool(cron) or any(t["active"] for t in timers)}
