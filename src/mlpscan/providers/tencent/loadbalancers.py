"""Which TLS versions a CLB instance's HTTPS listeners accept.

CLB sets them per instance in a layer-7 customized configuration (`ssl_protocols`, nginx
syntax) bound by the instance's ConfigId; without one, or without that directive, CLB uses its
documented default, TLSv1 TLSv1.1 TLSv1.2 (CLB "Layer-7 Custom Configuration" reference). The
hook adds SslProtocols (the versions) and SslProtocolsSource (which configuration said so, or
that the default applies); both fail with DescribeCustomizedConfigList.
"""

from __future__ import annotations

import re
from typing import Any

from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.derive import with_derived, with_failure
from mlpscan.snapshot import Resource

DEFAULT_SSL_PROTOCOLS = ["TLSv1", "TLSv1.1", "TLSv1.2"]
FIELDS = ("SslProtocols", "SslProtocolsSource")
_DIRECTIVE = re.compile(r"(?:^|[;\s])ssl_protocols\s+([^;]*)")


def ssl_protocols(content: str) -> list[str] | None:
    """The versions of the last `ssl_protocols` directive of a configuration; None if it has none."""
    found = _DIRECTIVE.findall(content)
    return found[-1].split() if found else None


def clb_tls(context: HookContext) -> list[Resource]:
    found = []
    for balancer in context.resources:
        config_id = str(balancer.data.get("ConfigId") or "")
        answer = balancer.data.get("DescribeCustomizedConfigList")
        if not config_id:
            fields: dict[str, Any] = {"SslProtocols": DEFAULT_SSL_PROTOCOLS,
                                      "SslProtocolsSource": "no customized configuration: CLB's default"}
            found.append(with_derived(balancer, ("DescribeCustomizedConfigList",), **fields))
            continue
        configs = (answer or {}).get("ConfigList") if isinstance(answer, dict) else None
        config = next((c for c in configs or []
                       if isinstance(c, dict) and c.get("UconfigId") == config_id), None)
        if config is None:
            derived = with_derived(balancer, ("DescribeCustomizedConfigList",), **dict.fromkeys(FIELDS))
            if "DescribeCustomizedConfigList" in balancer.data:   # answered without the bound one
                reason = f"clb:DescribeCustomizedConfigList did not return configuration {config_id}"
                for key in FIELDS:
                    derived = with_failure(derived, key, reason)
            found.append(derived)
            continue
        versions = ssl_protocols(str(config.get("ConfigContent") or ""))
        name = f"customized configuration {config_id} ({config.get('ConfigName') or ''})"
        fields = ({"SslProtocols": versions, "SslProtocolsSource": f"{name} sets ssl_protocols"}
                  if versions is not None else
                  {"SslProtocols": DEFAULT_SSL_PROTOCOLS,
                   "SslProtocolsSource": f"{name} sets no ssl_protocols: CLB's default"})
        found.append(with_derived(balancer, ("DescribeCustomizedConfigList",), **fields))
    return found
