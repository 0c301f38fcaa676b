"""Pending security updates from apt or dnf/yum's local cache."""

from __future__ import annotations

import re

from mlpscan.providers.host.parse.text import JSON, content_lines

_APT_UPGRADABLE = re.compile(r"^(?P<package>[^/\s]+)/(?P<suites>\S+) (?P<candidate>\S+) (?P<arch>\S+) "
                             r"\[upgradable from: (?P<current>[^\]]+)\]$")

_APT_SECURITY_SUITE = re.compile(r"-security$")

_RPM_ADVISORY = re.compile(r"^(?P<advisory>\S+)\s+(?P<severity>\S*Sec\.?|\S*[Ss]ecurity\S*)\s+"
                           r"(?P<package>\S+)$")


def parse_security_updates(text: str) -> JSON:
    """Pending security updates from the package manager's local cache.

    apt: `apt list --upgradable` lines `pkg/suite[,suite] version arch [upgradable from: old]`,
    counted when a suite of the candidate version is a security suite (`bookworm-security`,
    `oldstable-security`, `jammy-security`; Ubuntu lists `jammy-updates,jammy-security`).
    dnf/yum: `updateinfo list --security` lines (advisory, severity/Sec., package).
    `pending` is None when the cache could not answer.
    """
    lines = content_lines(text)
    problem = next((line for line in lines
                    if line.startswith(("E:", "Error:", "no supported package manager"))), None)
    is_apt = any(line.startswith(("Listing...", "WARNING: apt does not have a stable CLI"))
                 or _APT_UPGRADABLE.match(line) for line in lines)
    manager = "apt" if is_apt else ("none" if problem == "no supported package manager" else "dnf/yum")
    if problem is not None:
        return {"package_manager": manager, "pending": None, "packages": [], "advisories": [],
                "problem": problem}
    if is_apt:
        packages = sorted({m["package"] for m in map(_APT_UPGRADABLE.match, lines)
                           if m and any(_APT_SECURITY_SUITE.search(s) for s in m["suites"].split(","))})
        return {"package_manager": manager, "pending": len(packages), "packages": packages,
                "advisories": [], "problem": None}
    matches = [m for m in map(_RPM_ADVISORY.match, lines) if m]
    packages = sorted({m["package"] for m in matches})
    return {"package_manager": manager, "pending": len(packages), "packages": packages,
            "advisories": sorted({m["advisory"] for m in matches}), "problem": None}
