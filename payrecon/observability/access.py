"""Who may read /metrics: the peer and every forwarded-for address must be in the allow list.

PAYRECON_METRICS_ALLOW is a comma-separated list of networks (CIDR; a bare address is one host).
Behind a reverse proxy on the same host the peer is 127.0.0.1 for everybody, so a request that
came through a proxy (X-Forwarded-For, X-Real-IP or Forwarded present) is allowed only if the
addresses the proxy names are allowed too. Anything unparseable is refused: fail closed.

Pure: stdlib only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_METRICS_ALLOW = "127.0.0.0/8,::1"


def parse_allow_list(text: str) -> tuple[IPNetwork, ...]:
    """'127.0.0.0/8, ::1, 10.1.2.3' -> networks. Raises ValueError naming the bad entry.

    An empty list allows nobody; '0.0.0.0/0,::/0' allows everybody.
    """
    networks: list[IPNetwork] = []
    for position, entry in enumerate(text.split(","), start=1):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"entry {position} {entry!r} is not an IP network: {exc}") from None
    return tuple(networks)


def parse_address(text: str) -> IPAddress | None:
    """An address as written in REMOTE_ADDR or a forwarding header, or None if unreadable.

    Accepts '203.0.113.7', '203.0.113.7:5120', '[2001:db8::1]:443', '"[2001:db8::1]"';
    an IPv4-mapped IPv6 address counts as its IPv4 address.
    """
    value = text.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port; bare IPv6 has two colons or more
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forwarded_addresses(headers: Mapping[str, str]) -> list[str]:
    """Every client address a proxy claims in X-Forwarded-For, X-Real-IP or Forwarded."""
    found: list[str] = []
    for name in ("X-Forwarded-For", "X-Real-IP"):
        if value := headers.get(name):
            found += [part for part in value.split(",")]
    if value := headers.get("Forwarded"):
        for element in value.split(","):
            for pair in element.split(";"):
                key, _, item = pair.partition("=")
                if key.strip().lower() == "for":
                    found.append(item)
    return found


def is_allowed(addresses: Iterable[str | None], networks: Iterable[IPNetwork]) -> bool:
    """True only if there is at least one address and every one lies in some network."""
    allowed = tuple(networks)
    seen = False
    for text in addresses:
        address = parse_address(text) if text else None
        if address is None or not any(address in network for network in allowed):
            return False
        seen = True
    return seen
