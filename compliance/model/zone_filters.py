"""What a device that routes between zones must filter, from the zone matrix (policies/access_rules.yml)
(8.1.3.2 a)-c)).

A device's inventory entry names, in `dengbao_zone_interfaces`, each zone (or `internet`) whose traffic enters
it and the interface it enters on. Every such interface filters what comes in with one ordered list of plain
rules (`FilterRule`: one source prefix, one destination prefix, at most one port range each side), built here
in this order:

1. each matrix rule leaving the zone for another zone of the hospital;
2. each service of `services` the zone's hosts use (log host, NTP, mirrors, backups), on the named host;
3. replies: TCP with ACK or RST (`established`) from the zone to the hospital, or anywhere where the Internet
   may open connections into the zone, and UDP answers of the services hosted in the zone;
4. where the zone may reach the Internet: a deny of the hospital's own networks, then the matrix's Internet rules
   to any destination;
5. a final deny of everything.

The Internet interface is the mirror: addresses of the hospital arriving from outside are denied first
(spoofed), then the matrix rules from the Internet and the replies to the zones that may reach it.
A switch or router filters without session state: replies are let through by their TCP flags and UDP source
ports, which is why session state (8.1.3.2 d)) stays with the firewall. A rule already covered by an earlier one
is left out, so the list is minimal (8.1.3.2 b)). The device templates render these rules and the boundary
checks judge a running list against them: both read the same value.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from compliance.model.access import setting
from compliance.model.policies import INTERNET
from compliance.model.zones import internal_networks, zone_subnets

ANY = "0.0.0.0/0"
ALL_PORTS = (0, 65535)
# The key of a device's settings that carries its zone filters (`policy_for_host`).
ZONE_FILTERS = "zone_filters"


@dataclass(frozen=True)
class FilterRule:
    """One line of an access list: the packets it matches and what it does with them."""

    action: str  # permit | deny
    protocol: str  # ip | tcp | udp | icmp | a number
    source: str = ANY  # a prefix
    destination: str = ANY
    ports: tuple[int, int] | None = None  # destination ports, inclusive; None: any
    source_ports: tuple[int, int] | None = None
    established: bool = False  # TCP with ACK or RST only
    purpose: str = ""
    qualified: bool = False  # the line has further conditions not read here (it matches less than shown)

    def covers(self, other: FilterRule) -> bool:
        """Whether every packet `other` matches is matched by this rule too."""
        if self.qualified:
            return False
        return (
            self.protocol in ("ip", other.protocol)
            and _within(other.source, self.source)
            and _within(other.destination, self.destination)
            and _ports_within(other.ports, self.ports)
            and _ports_within(other.source_ports, self.source_ports)
            and (not self.established or other.established)
        )

    def overlaps(self, other: FilterRule) -> bool:
        """Whether some packet matches both."""
        return (
            (self.protocol == "ip" or other.protocol == "ip" or self.protocol == other.protocol)
            and _prefix(self.source).overlaps(_prefix(other.source))
            and _prefix(self.destination).overlaps(_prefix(other.destination))
            and _ports_overlap(self.ports, other.ports)
            and _ports_overlap(self.source_ports, other.source_ports)
        )

    @property
    def matches_everything(self) -> bool:
        return self.covers(FilterRule("deny", "ip"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "protocol": self.protocol,
            "source": self.source,
            "destination": self.destination,
            "ports": list(self.ports) if self.ports else None,
            "source_ports": list(self.source_ports) if self.source_ports else None,
            "established": self.established,
            "purpose": self.purpose,
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> FilterRule:
        ports, source_ports = value.get("ports"), value.get("source_ports")
        return cls(
            value["action"],
            value["protocol"],
            value["source"],
            value["destination"],
            (ports[0], ports[1]) if ports else None,
            (source_ports[0], source_ports[1]) if source_ports else None,
            bool(value.get("established")),
            str(value.get("purpose", "")),
        )


@dataclass(frozen=True)
class ZoneFilter:
    """The inbound filter of one interface: traffic from `zone` (or the Internet) entering the device there."""

    zone: str
    interface: str
    index: int  # the zone's position in the inventory's dengbao_zones (the Internet after every zone)
    rules: tuple[FilterRule, ...]
    address: str = ""  # the interface's address/prefix in the zone (dengbao_zone_addresses); "" where not modelled
    subnets: tuple[str, ...] = ()  # the zone's subnets (none for the Internet)

    def as_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "interface": self.interface,
            "index": self.index,
            "rules": [r.as_dict() for r in self.rules],
            "address": self.address,
            "subnets": list(self.subnets),
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> ZoneFilter:
        return cls(
            value["zone"],
            value["interface"],
            int(value["index"]),
            tuple(FilterRule.from_dict(r) for r in value["rules"]),
            str(value.get("address", "")),
            tuple(value.get("subnets", ())),
        )


def _prefix(value: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(value, strict=False)


def _within(inner: str, outer: str) -> bool:
    return _prefix(inner).subnet_of(_prefix(outer))


def _ports_within(inner: tuple[int, int] | None, outer: tuple[int, int] | None) -> bool:
    low, high = outer or ALL_PORTS
    first, last = inner or ALL_PORTS
    return low <= first and last <= high


def _ports_overlap(one: tuple[int, int] | None, other: tuple[int, int] | None) -> bool:
    low, high = one or ALL_PORTS
    first, last = other or ALL_PORTS
    return first <= high and low <= last


def _port(value: int) -> tuple[int, int]:
    return (value, value)


def service_hosts(access: dict[str, Any], settings: dict[str, dict[str, Any]]) -> list[str]:
    """The hosts the access policy's services name (log host, NTP servers, mirrors, backup target), in order."""
    found: list[str] = []
    for service in access.get("services", []):
        named = setting(settings, service["host_from"])
        for name in named if isinstance(named, list) else [named]:
            if name and str(name) not in found:
                found.append(str(name))
    return found


@dataclass(frozen=True)
class _Service:
    address: str
    protocol: str
    ports: tuple[int, ...]
    purpose: str


def _services(access: dict[str, Any], settings: dict[str, dict[str, Any]], addresses: dict[str, str]) -> list[_Service]:
    found = []
    for service in access.get("services", []):
        named = setting(settings, service["host_from"])
        ports = tuple(service["ports"]) if "ports" in service else (int(setting(settings, service["port_from"])),)
        for name in named if isinstance(named, list) else [named]:
            if name and str(name) in addresses:
                found.append(_Service(addresses[str(name)], service["protocol"], ports, service["purpose"]))
    return found


def unresolved_services(
    access: dict[str, Any], settings: dict[str, dict[str, Any]], addresses: dict[str, str]
) -> list[str]:
    """The service hosts with no known address: a device's filters cannot name them."""
    return [name for name in service_hosts(access, settings) if name not in addresses]


def _inside(address: str, networks: list[ipaddress.IPv4Network]) -> bool:
    return any(_prefix(address).subnet_of(n) for n in networks)


def _replies(
    zone: str,
    matrix: list[dict[str, Any]],
    subnets: dict[str, list[ipaddress.IPv4Network]],
    services: list[_Service],
    internal: list[str],
) -> list[FilterRule]:
    """What the zone's hosts answer: TCP with ACK or RST to the zones that may open connections to it (anywhere
    for the Internet, the whole hospital where the zone hosts a service), UDP from its service ports."""
    own = subnets.get(zone, [])
    hosted = [s for s in services if _inside(s.address, own)]
    openers: list[str] = []
    for rule in matrix:
        if rule["to"] == zone and rule["from"] != zone:
            openers += [ANY] if rule["from"] == INTERNET else [str(n) for n in subnets.get(rule["from"], [])]
    if any(s.protocol == "tcp" for s in hosted):
        openers += [d for d in internal if not _inside(d, own)]
    rules = [
        FilterRule("permit", "tcp", str(source), d, None, None, True, "回应流量 / replies")
        for source in own
        for d in dict.fromkeys(openers)
    ]
    for service in hosted:
        if service.protocol == "udp":
            rules += [
                FilterRule(
                    "permit",
                    "udp",
                    f"{service.address}/32",
                    d,
                    None,
                    _port(p),
                    False,
                    f"{service.purpose}（回应 / replies）",
                )
                for p in service.ports
                for d in internal
                if not _inside(d, own)
            ]
    return rules


def _zone_rules(
    zone: str,
    access: dict[str, Any],
    subnets: dict[str, list[ipaddress.IPv4Network]],
    services: list[_Service],
) -> list[FilterRule]:
    own = subnets.get(zone, [])
    internal = [str(n) for n in internal_networks(subnets)]
    rules: list[FilterRule] = []
    matrix = access["rules"]
    for rule in matrix:
        if rule["from"] != zone or rule["to"] in (zone, INTERNET):
            continue
        for source in own:
            for destination in subnets.get(rule["to"], []):
                rules += [
                    FilterRule(
                        "permit",
                        rule["protocol"],
                        str(source),
                        str(destination),
                        _port(p),
                        None,
                        False,
                        rule["purpose"],
                    )
                    for p in rule["ports"]
                ]
    for service in services:
        if _inside(service.address, own):
            continue  # the zone's own host: its traffic does not cross this device
        for source in own:
            rules += [
                FilterRule(
                    "permit",
                    service.protocol,
                    str(source),
                    f"{service.address}/32",
                    _port(p),
                    None,
                    False,
                    service.purpose,
                )
                for p in service.ports
            ]
    rules += _replies(zone, matrix, subnets, services, internal)
    outward = [r for r in matrix if r["from"] == zone and r["to"] == INTERNET]
    if outward and zone not in access["internet_denied_zones"]:
        inward = [d for d in internal if not _inside(d, own)]
        for source in own:
            rules += [
                FilterRule("deny", "ip", str(source), d, purpose="不得经此访问院内 / not inward this way")
                for d in inward
            ]
        for rule in outward:
            for source in own:
                rules += [
                    FilterRule("permit", rule["protocol"], str(source), ANY, _port(p), None, False, rule["purpose"])
                    for p in rule["ports"]
                ]
    return rules


def _internet_rules(access: dict[str, Any], subnets: dict[str, list[ipaddress.IPv4Network]]) -> list[FilterRule]:
    internal = [str(n) for n in internal_networks(subnets)]
    rules = [
        FilterRule("deny", "ip", source, ANY, purpose="伪造的院内地址 / spoofed hospital addresses")
        for source in internal
    ]
    matrix = access["rules"]
    for rule in matrix:
        if rule["from"] != INTERNET or rule["to"] == INTERNET:
            continue
        for destination in subnets.get(rule["to"], []):
            rules += [
                FilterRule("permit", rule["protocol"], ANY, str(destination), _port(p), None, False, rule["purpose"])
                for p in rule["ports"]
            ]
    reaching = [r["from"] for r in matrix if r["to"] == INTERNET and r["from"] not in access["internet_denied_zones"]]
    for zone in dict.fromkeys(reaching):
        for destination in subnets.get(zone, []):
            rules.append(FilterRule("permit", "tcp", ANY, str(destination), None, None, True, "回应流量 / replies"))
    return rules


def _minimal(rules: list[FilterRule]) -> tuple[FilterRule, ...]:
    """Without the rules an earlier one already covers, and ending in a deny of everything."""
    kept: list[FilterRule] = []
    for rule in [*rules, FilterRule("deny", "ip", purpose="默认拒绝 / deny everything else")]:
        if not any(earlier.covers(rule) for earlier in kept):
            kept.append(rule)
    return tuple(kept)


def zone_filters(
    access: dict[str, Any],
    zones: dict[str, Any],
    interfaces: dict[str, str],
    settings: dict[str, dict[str, Any]],
    addresses: dict[str, str],
    interface_addresses: dict[str, str] | None = None,
) -> list[ZoneFilter]:
    """The inbound filter of each interface of `interfaces` (zone → interface, from `dengbao_zone_interfaces`).
    `addresses`: name → address of the hosts the services name (unknown ones are left out; see
    `unresolved_services`). `interface_addresses`: zone → the interface's own address (`dengbao_zone_addresses`)."""
    subnets = zone_subnets(zones)
    order = {name: index for index, name in enumerate(zones)}
    services = _services(access, settings, addresses)
    found = []
    for zone, interface in interfaces.items():
        rules = _internet_rules(access, subnets) if zone == INTERNET else _zone_rules(zone, access, subnets, services)
        address = str((interface_addresses or {}).get(zone, ""))
        own = tuple(str(n) for n in subnets.get(zone, []))
        found.append(ZoneFilter(zone, str(interface), order.get(zone, len(order)), _minimal(rules), address, own))
    return found


def policy_permits(intended: tuple[FilterRule, ...], running: list[FilterRule], index: int) -> bool:
    """Whether the policy lets through everything the permit at `running[index]` lets through: walking the intended
    rules in order, the first that covers all of it permits, and no deny before it takes a part of it, unless
    the running list denies that part before this permit too (an Internet rule after the deny of the hospital's
    own networks)."""
    rule = running[index]
    earlier_denies = [r for r in running[:index] if r.action == "deny"]
    for intended_rule in intended:
        if intended_rule.covers(rule):
            return intended_rule.action == "permit"
        taken = intended_rule.action == "deny" and intended_rule.overlaps(rule)
        if taken and not any(d.covers(intended_rule) for d in earlier_denies):
            return False
    return False
