"""What one host's firewall must allow, from the zone matrix (policies/access_rules.yml) and the
zones' subnets (8.1.3.1 c), 8.1.3.2 a)-d), 8.1.4.4 c)).

The firewall role renders its rule set from `host_rules`, and the access checks compare a
host's loaded rule set with the same value, so the two cannot disagree. Everything here is
data: no rule set is written or read.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from compliance.model.policies import INTERNET
from compliance.model.zones import internal_networks, zone_subnets


@dataclass(frozen=True)
class Allowance:
    """One inbound flow a host accepts: from a zone's subnets (or from outside the hospital), by protocol and port."""

    source_zone: str  # a zone of the inventory, or "internet" (any address outside every zone)
    sources: tuple[str, ...]  # the source zone's subnets; empty for the Internet
    protocol: str
    ports: tuple[int, ...]
    purpose: str

    def pair(self, zone: str) -> str:
        return f"{self.source_zone} → {zone}"


@dataclass(frozen=True)
class HostRules:
    zone: str
    inbound: tuple[Allowance, ...]
    internet_denied: bool  # outbound only to the hospital's own subnets
    internal: tuple[str, ...]  # the hospital's address space
    management_ports: tuple[int, ...]
    management_subnets: tuple[str, ...] = ()  # the subnets of policies/ssh.yml's management zones

    def as_dict(self) -> dict[str, Any]:
        """For a Jinja2 template: plain lists and strings."""
        return {
            "zone": self.zone,
            "internet_denied": self.internet_denied,
            "internal": list(self.internal),
            "management_ports": list(self.management_ports),
            "management_subnets": list(self.management_subnets),
            "inbound": [
                {
                    "source_zone": a.source_zone,
                    "sources": list(a.sources),
                    "protocol": a.protocol,
                    "ports": list(a.ports),
                    "purpose": a.purpose,
                    "pair": a.pair(self.zone),
                }
                for a in self.inbound
            ],
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> HostRules:
        """The inverse of `as_dict` (what the vars plugin gave a role)."""
        return cls(
            zone=value["zone"],
            inbound=tuple(
                Allowance(a["source_zone"], tuple(a["sources"]), a["protocol"], tuple(a["ports"]), a["purpose"])
                for a in value["inbound"]
            ),
            internet_denied=bool(value["internet_denied"]),
            internal=tuple(value["internal"]),
            management_ports=tuple(value["management_ports"]),
            management_subnets=tuple(value.get("management_subnets", ())),
        )

    def keeps_management_from(self, address: str) -> bool:
        """Whether a controller at this address still reaches every management port once the rules load
        (never for an address that is not IPv4: the rules open management ports to IPv4 subnets only)."""
        try:
            parsed = ipaddress.IPv4Address(address)
        except ValueError:
            return False
        for port in self.management_ports:
            if not any(
                a.protocol == "tcp" and port in a.ports and any(parsed in ipaddress.IPv4Network(s) for s in a.sources)
                for a in self.inbound
            ):
                return False
        return True


HOSPITAL = "hospital"  # the source of a service: every subnet of the hospital


def setting(settings: dict[str, dict[str, Any]], reference: str) -> Any:
    """The value of `topic.key` in a host's settings (None where there is none)."""
    topic, _, key = reference.partition(".")
    return settings.get(topic, {}).get(key)


def serves(settings: dict[str, dict[str, Any]], service: dict[str, Any], host: str) -> bool:
    named = setting(settings, service["host_from"])
    return bool(host) and (host == named or (isinstance(named, list) and host in named))


def host_rules(
    access: dict[str, Any],
    zones: dict[str, Any],
    zone: str,
    host: str = "",
    settings: dict[str, dict[str, Any]] | None = None,
) -> HostRules:
    """The rules for `host`, of `zone`: every matrix rule that ends in its zone, in the policy's order,
    with the source zone's subnets (an Internet source is any address outside every zone); then every
    service of `access["services"]` that a setting of `settings` (the host's policies) names it for,
    open to the whole hospital. The management subnets are those of the zones `settings["ssh"]` names."""
    subnets = zone_subnets(zones)
    internal = tuple(str(n) for n in internal_networks(subnets))
    inbound: list[Allowance] = []
    for rule in access["rules"]:
        if rule["to"] != zone:
            continue
        source = rule["from"]
        sources = () if source == INTERNET else tuple(str(n) for n in subnets.get(source, []))
        inbound.append(Allowance(source, sources, rule["protocol"], tuple(rule["ports"]), rule["purpose"]))
    for service in access.get("services", []):
        if settings is None or not serves(settings, service, host):
            continue
        ports = tuple(service["ports"]) if "ports" in service else (int(setting(settings, service["port_from"])),)
        inbound.append(Allowance(HOSPITAL, internal, service["protocol"], ports, service["purpose"]))
    return HostRules(
        zone=zone,
        inbound=tuple(inbound),
        internet_denied=zone in access["internet_denied_zones"],
        internal=internal,
        management_ports=tuple(access["management_ports"]),
        management_subnets=tuple(
            str(n) for z in (settings or {}).get("ssh", {}).get("management_zones", []) for n in subnets.get(z, [])
        ),
    )
