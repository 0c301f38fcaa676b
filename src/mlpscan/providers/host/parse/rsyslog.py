"""rsyslog.conf and rsyslog.d: files written and forwarding targets (with TLS)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from mlpscan.providers.host.parse.text import JSON, content_lines, to_int

_RSYSLOG_REMOTE = re.compile(
    r"(?:^|\s|then\s)(?P<proto>@@?)(?:\([^)]*\))?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)"
    r"(?::(?P<port>\d+))?")

_RSYSLOG_FILE = re.compile(r"(?:^|\s)-?(?P<path>/var/log/[^\s;]+)")

_RAINER_PARAM = re.compile(r'([\w.]+)\s*=\s*"([^"]*)"')


def _rsyslog_statements(text: str) -> list[str]:
    """Comment-free statements, with multi-line `action(...)` joined into one."""
    statements: list[str] = []
    pending = ""
    for raw in content_lines(text):
        line = re.sub(r"\s#.*$", "", raw)
        pending = f"{pending} {line}".strip() if pending else line
        if pending.count("(") > pending.count(")"):
            continue
        statements.append(pending)
        pending = ""
    if pending:
        statements.append(pending)
    return statements


def parse_rsyslog(text: str) -> JSON:
    """rsyslog.conf + rsyslog.d: files written under /var/log and remote forwarding targets
    (`@host` UDP, `@@host` TCP, `action(type="omfwd" target=...)`)."""
    files: set[str] = set()
    remote: list[JSON] = []
    legacy: dict[str, str] = {}   # `$DefaultNetstreamDriver gtls`, `$ActionSendStreamDriverMode 1`, ...
    for statement in _rsyslog_statements(text):
        if statement.startswith("$"):
            key, _, value = statement[1:].partition(" ")
            legacy[key.lower()] = value.strip().lower()
            continue
        if statement.startswith("global("):
            legacy.update({f"global.{k.lower()}": v.lower() for k, v in _RAINER_PARAM.findall(statement)})
            continue
        if statement.startswith(("module(", "input(", "template(", "main_queue(")):
            continue
        for action in re.findall(r"action\s*\((.*?)\)", statement, re.DOTALL):
            params = {k.lower(): v for k, v in _RAINER_PARAM.findall(action)}
            kind = params.get("type", "").lower()
            if kind == "omfwd" and params.get("target"):
                remote.append({"target": params["target"], "port": to_int(params.get("port")) or 514,
                               "protocol": params.get("protocol", "udp").lower(), "rule": statement,
                               "tls": _omfwd_tls(params, legacy)})
            elif kind == "omfile" and params.get("file"):
                files.add(params["file"])
        bare = re.sub(r"action\s*\(.*?\)", " ", statement, flags=re.DOTALL)
        for match in _RSYSLOG_REMOTE.finditer(bare):
            tcp = match["proto"] == "@@"
            remote.append({"target": match["host"].strip("[]"), "port": to_int(match["port"]) or 514,
                           "protocol": "tcp" if tcp else "udp", "rule": statement,
                           "tls": tcp and _legacy_tls(legacy)})
        files.update(m["path"] for m in _RSYSLOG_FILE.finditer(bare))
    return {"files": sorted(files), "remote": remote}


_TLS_DRIVERS = ("gtls", "ossl")


def _omfwd_tls(params: Mapping[str, str], legacy: Mapping[str, str]) -> bool:
    """omfwd over TLS: StreamDriver gtls/ossl (or the global default) with StreamDriverMode 1."""
    driver = params.get("streamdriver", legacy.get("global.defaultnetstreamdriver",
                                                   legacy.get("defaultnetstreamdriver", ""))).lower()
    mode = params.get("streamdrivermode", legacy.get("actionsendstreamdrivermode", "0"))
    return params.get("protocol", "udp").lower() == "tcp" and driver in _TLS_DRIVERS and mode == "1"


def _legacy_tls(legacy: Mapping[str, str]) -> bool:
    """`@@host` over TLS: `$DefaultNetstreamDriver gtls` and `$ActionSendStreamDriverMode 1`."""
    driver = legacy.get("defaultnetstreamdriver", legacy.get("global.defaultnetstreamdriver", ""))
    return driver in _TLS_DRIVERS and legacy.get("actionsendstreamdrivermode") == "1"
