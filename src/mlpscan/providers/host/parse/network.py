"""`ss -H -tuln`: listening sockets."""

from __future__ import annotations

import ipaddress

from mlpscan.providers.host.parse.text import JSON, content_lines, to_int


def _split_address(local: str) -> tuple[str, str, int | None]:
    address, _, port_text = local.rpartition(":")
    interface = ""
    if "%" in address:
        address, _, interface = address.partition("%")
        interface = interface.rstrip("]")
    return address.strip("[]"), interface, to_int(port_text)


def _loopback(address: str, interface: str) -> bool:
    if interface == "lo":
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def parse_listening(text: str) -> list[JSON]:
    """`ss -H -tuln`: proto, address, port, loopback (a header line is skipped if present)."""
    sockets: list[JSON] = []
    seen: set[tuple[str, str, int]] = set()
    for line in content_lines(text):
        parts = line.split()
        if len(parts) < 5 or parts[0] not in ("tcp", "udp"):
            continue
        address, interface, port = _split_address(parts[4])
        if port is None or (parts[0], address, port) in seen:
            continue
        seen.add((parts[0], address, port))
        sockets.append({"proto": parts[0], "address": address or "*", "port": port,
                        "interface": interface or None, "loopback": _loopback(address, interface)})
    return sockets
