"""Target specifications as users write them: `local`, `ssh://[user@]host[:port]`, `aws[:PROFILE]`..."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mlpscan.errors import InputError
from mlpscan.providers.cloud.source import CloudSource, parse_cloud_target
from mlpscan.providers.host.spec import HostSpec

__all__ = ["HostSpec", "parse_target", "redact_target"]

# the password part of `scheme://user:password@host`: everything up to the last @
_URL_PASSWORD = re.compile(r"^(?P<head>[a-z][a-z0-9+.-]*://[^/@:]*):.*@", re.IGNORECASE | re.DOTALL)


def redact_target(text: str) -> str:
    """A target as it may be printed: a password in it becomes ***."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}:***@", text, count=1)


def parse_target(text: str, declared_in: str | None = None) -> HostSpec | CloudSource:
    """Parse one command-line target; raises InputError for anything else (never echoing a
    password written into the target)."""
    shown = redact_target(text)
    try:
        return _parse(text, shown, declared_in)
    except InputError as exc:
        if shown != text:
            raise InputError(exc.message.replace(text, shown), path=exc.path, line=exc.line) from None
        raise


def _parse(text: str, shown: str, declared_in: str | None) -> HostSpec | CloudSource:
    cloud = parse_cloud_target(text, declared_in)
    if cloud is not None:
        return cloud
    if text == "local":
        return HostSpec(transport="local", declared_in=declared_in)
    if text.startswith("ssh://"):
        parts = urlsplit(text)
        try:
            port = parts.port
        except ValueError:
            raise InputError(f"target {shown!r}: the port is not a number") from None
        if not parts.hostname or parts.path not in ("", "/") or parts.password is not None:
            raise InputError(f"target {shown!r}: expected ssh://[user@]host[:port] "
                             "(passwords go in MLPSCAN_SSH_PASSWORD or --ask-password, never in a target)")
        return HostSpec(transport="ssh", host=parts.hostname, port=port, user=parts.username,
                        declared_in=declared_in)
    raise InputError(f"unknown target {shown!r}: use local, ssh://[user@]host[:port], aws[:PROFILE], "
                     "aliyun[:PROFILE] or tencent[:PROFILE]")
