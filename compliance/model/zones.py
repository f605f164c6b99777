"""Zone addressing (8.1.2.1 c)): every zone's subnets, no two zones sharing an address, and
every host's address inside its own zone's subnets.

Read by the inventory model (problems for `dengbao validate`), by the lab (which builds one
bridge per zone from them) and by the firewall role and access checks (which turn the zone
matrix into addresses).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from compliance.yamldoc.formats import ipv4_network_problem


def zone_subnets(zones: dict[str, Any]) -> dict[str, list[ipaddress.IPv4Network]]:
    """Each zone's well-formed subnets (malformed ones are the schema's to report)."""
    found: dict[str, list[ipaddress.IPv4Network]] = {}
    for name, body in zones.items():
        subnets = body.get("subnets") if isinstance(body, dict) else None
        found[name] = [
            ipaddress.IPv4Network(s) for s in subnets or [] if isinstance(s, str) and ipv4_network_problem(s) is None
        ]
    return found


def overlaps(subnets: dict[str, list[ipaddress.IPv4Network]]) -> list[tuple[str, int, str, int]]:
    """(zone, index, other zone, other index) for each subnet that shares addresses with an earlier one."""
    seen: list[tuple[str, int, ipaddress.IPv4Network]] = []
    found = []
    for zone, networks in subnets.items():
        for index, network in enumerate(networks):
            for other_zone, other_index, other in seen:
                if network.overlaps(other):
                    found.append((zone, index, other_zone, other_index))
                    break
            seen.append((zone, index, network))
    return found


def zone_of_address(address: str, subnets: dict[str, list[ipaddress.IPv4Network]]) -> str | None:
    """The zone whose subnets hold the address, or None (also for a host name or an IPv6 address)."""
    try:
        parsed = ipaddress.IPv4Address(address)
    except ValueError:
        return None
    for zone, networks in subnets.items():
        if any(parsed in network for network in networks):
            return zone
    return None


def is_ipv4(address: object) -> bool:
    try:
        ipaddress.IPv4Address(str(address))
    except ValueError:
        return False
    return True


def internal_networks(subnets: dict[str, list[ipaddress.IPv4Network]]) -> list[ipaddress.IPv4Network]:
    """The hospital's own address space: every zone's subnets, merged where they touch."""
    return list(ipaddress.collapse_addresses(n for networks in subnets.values() for n in networks))


def networks_text(networks: Iterable[ipaddress.IPv4Network]) -> str:
    return ", ".join(str(n) for n in networks) or "-"
