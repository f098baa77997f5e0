"""The client address, read through trusted proxies only.

A proxy appends the address it received the request from to X-Forwarded-For,
so the header is only trustworthy from the right: walking right to left from
the TCP peer, each hop that is a trusted proxy vouches for the hop to its left.
The first untrusted address is the client. Anything further left was written
by the client itself and is ignored, so a spoofed header changes nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """CIDRs (or single addresses) of the proxies in front of the service, e.g. the ALB subnets."""
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


@lru_cache(maxsize=8192)
def _classify(address: str, trusted: tuple[Network, ...]) -> tuple[str | None, bool]:
    """(normalized address or None when invalid, whether it is a trusted proxy); pure, so cached."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None, False
    return str(parsed), any(parsed in network for network in trusted)


def resolve_client_ip(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """`peer` is the TCP peer, `forwarded_for` every X-Forwarded-For header value in order."""
    if not peer:
        return UNKNOWN
    networks = tuple(trusted)
    current, is_trusted = _classify(peer, networks)
    if current is None:
        return UNKNOWN
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()] if is_trusted else []
    while hops and is_trusted:
        candidate, candidate_trusted = _classify(hops.pop(), networks)
        if candidate is None:
            # Proxies we trust only write valid addresses: stop at the last trusted hop.
            break
        current, is_trusted = candidate, candidate_trusted
    return current
