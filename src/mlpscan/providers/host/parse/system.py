"""os-release, uname, hostname and timedatectl: what the host is and what day it thinks it is."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from datetime import date
from typing import Any

from mlpscan.providers.host.parse.text import JSON, content_lines

_DEBIAN_IDS = {"debian", "ubuntu", "linuxmint", "deepin", "uos", "raspbian", "kali", "pop"}

_RHEL_IDS = {"rhel", "centos", "fedora", "rocky", "almalinux", "ol", "openeuler", "kylin", "anolis",
             "alinux", "tencentos", "opencloudos", "euleros", "hce", "amzn", "circle", "virtuozzo",
             "scientific", "cloudlinux", "bclinux", "ctyunos", "nfs"}

_SUSE_IDS = {"suse", "sles", "sled", "opensuse", "opensuse-leap", "opensuse-tumbleweed"}


def parse_os_release(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in content_lines(text):
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
            continue
        try:
            words = shlex.split(value)
            fields[key] = " ".join(words)
        except ValueError:
            fields[key] = value.strip("\"'")
    return fields


def os_family(release: Mapping[str, str]) -> str:
    """debian | rhel | suse | other. ID_LIKE names the lineage, so it is asked before ID."""
    candidates = [*release.get("ID_LIKE", "").lower().split(), release.get("ID", "").lower()]
    for candidate in candidates:
        if candidate in _DEBIAN_IDS:
            return "debian"
        if candidate in _RHEL_IDS:
            return "rhel"
        if candidate in _SUSE_IDS or candidate.startswith("opensuse"):
            return "suse"
    return "other"


def parse_uname(text: str) -> JSON:
    """`uname -srm`: kernel name, release, machine."""
    lines = content_lines(text)
    parts = lines[0].split() if lines else []
    if len(parts) < 3:
        return {"kernel_name": None, "kernel_release": None, "machine": None}
    return {"kernel_name": parts[0], "kernel_release": parts[1], "machine": parts[-1]}


def parse_hostname(text: str) -> str | None:
    lines = content_lines(text)
    return lines[0].split()[0] if lines else None


def parse_timedatectl(text: str) -> JSON:
    """`timedatectl show` KEY=value lines (systemd >= 239; older ones print an error)."""
    values: JSON = {}
    for line in content_lines(text):
        key, sep, value = line.partition("=")
        if sep and re.fullmatch(r"[A-Za-z]+", key):
            values[key] = value
    return values


def timedatectl_date(values: Mapping[str, Any]) -> date | None:
    """The host's own date, from TimeUSec (`Fri 2026-11-20 13:40:12 CST`)."""
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", str(values.get("TimeUSec", "")))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
