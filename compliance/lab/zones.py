"""The lab's zones: one subnet and one bridge per zone of the lab's model, routed by the lab's router.

The subnets come from `inventory/lab/group_vars/all/zones.yml` (the model), the zones that
never reach the Internet from policies/access_rules.yml, and the controller's zone (this
machine, where Ansible, the scan and the apt proxy run) is the first management zone of
policies/ssh.yml. One zone more stands for the Internet: a subnet outside every hospital zone
(topology.yml), reachable through the router like any other, so a packet to it really leaves
the hospital's address space and a host firewall or a missing route really stops it.

Inside a zone the router holds the first address; the controller holds the last usable one
of its zone.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from compliance.lab.errors import LabError

INTERNET_ZONE = "internet"


@dataclass(frozen=True)
class LabZone:
    name: str
    subnet: ipaddress.IPv4Network
    bridge: str
    index: int
    internet_denied: bool

    @property
    def router(self) -> str:
        return str(self.subnet.network_address + 1)


@dataclass(frozen=True)
class ZoneLayout:
    zones: tuple[LabZone, ...]
    management: str
    # The hosts the policies name by host name (audit.yml central_log_host, time.yml ntp_servers), which a
    # device's configuration gives by address: read with the policies the layout reads anyway.
    named_hosts: tuple[str, ...] = ()

    def zone(self, name: str) -> LabZone:
        for zone in self.zones:
            if zone.name == name:
                return zone
        raise LabError(
            f"the lab has no zone {name!r}; zones: {', '.join(z.name for z in self.zones)}",
            f"实验环境没有区域 {name!r}；现有区域：{'、'.join(z.name for z in self.zones)}",
        )

    def has_zone(self, name: str) -> bool:
        return any(zone.name == name for zone in self.zones)

    def zone_of(self, address: str) -> LabZone:
        parsed = ipaddress.IPv4Address(address)
        for zone in self.zones:
            if parsed in zone.subnet:
                return zone
        raise LabError(
            f"{address} lies in none of the lab's zone subnets",
            f"{address} 不属于实验环境任何区域的网段",
        )

    @property
    def internal(self) -> list[ipaddress.IPv4Network]:
        """The hospital's address space in the lab: every zone's subnet but the Internet stand-in's."""
        return [zone.subnet for zone in self.zones if zone.name != INTERNET_ZONE]

    @property
    def controller_zone(self) -> LabZone:
        return self.zone(self.management)

    @property
    def controller(self) -> str:
        """This machine's address: the last usable one of the management zone."""
        return str(self.controller_zone.subnet.broadcast_address - 1)

    def address(self, zone: str, offset: int) -> str:
        subnet = self.zone(zone).subnet
        if not 2 <= offset <= subnet.num_addresses - 3:
            raise LabError(
                f"address offset {offset} is outside the usable range of zone {zone} ({subnet}: 2 to "
                f"{subnet.num_addresses - 3}; the router has the first address, the controller the last)",
                f"地址偏移 {offset} 不在区域 {zone}（{subnet}）的可用范围内（2 至 {subnet.num_addresses - 3}）",
            )
        return str(subnet.network_address + offset)

    def routes_of(self, zone: LabZone) -> list[str]:
        """What a host of the zone may route to: every other internal subnet, or everything (a default route)."""
        if not zone.internet_denied:
            return ["0.0.0.0/0"]
        return [str(subnet) for subnet in self.internal if subnet != zone.subnet]


def read_topology() -> dict:
    """compliance/lab/topology.yml: the default hosts and the Internet stand-in."""
    return yaml.safe_load(resources.files("compliance.lab").joinpath("topology.yml").read_text())


def load_layout(root: Path, bridge: str) -> ZoneLayout:
    """The lab's zones from the repository's lab model, bridges named after the lab's bridge prefix."""
    from compliance.model.inventory import read_inventory  # the model is heavy; the lab's pure parts need not load it
    from compliance.model.policies import load_policies
    from compliance.model.zone_filters import service_hosts
    from compliance.model.zones import zone_subnets

    inventory = read_inventory(root / "inventory" / "lab", root)
    policies = load_policies(root / "policies", root).policies
    if "access_rules" not in policies or "ssh" not in policies:
        raise LabError(
            "policies/access_rules.yml and policies/ssh.yml must validate before the lab can lay out its zones",
            "实验环境规划区域前，policies/access_rules.yml 与 policies/ssh.yml 必须通过校验",
        )
    denied = set(policies["access_rules"].settings["internet_denied_zones"])
    management = policies["ssh"].settings["management_zones"][0]
    subnets = zone_subnets(inventory.zones)
    internet = ipaddress.IPv4Network(read_topology()["internet"]["subnet"])
    named = [policies["audit"].settings["central_log_host"]] if "audit" in policies else []
    named += policies["time"].settings["ntp_servers"] if "time" in policies else []
    settings = {topic: policy.settings for topic, policy in policies.items()}
    named += [name for name in service_hosts(settings["access_rules"], settings) if name not in named]
    return layout_from(subnets, denied, management, internet, bridge, tuple(str(name) for name in named))


def layout_from(
    subnets: dict[str, list[ipaddress.IPv4Network]],
    denied: set[str],
    management: str,
    internet: ipaddress.IPv4Network,
    bridge: str,
    named_hosts: tuple[str, ...] = (),
) -> ZoneLayout:
    zones = []
    for index, name in enumerate(sorted(subnets)):
        if not subnets[name]:
            raise LabError(
                f"zone {name} of the lab's model has no subnet (inventory/lab/group_vars/all/zones.yml)",
                f"实验环境模型中的区域 {name} 没有网段（inventory/lab/group_vars/all/zones.yml）",
            )
        zones.append(LabZone(name, subnets[name][0], f"{bridge}-{index}", index, name in denied))
    zones.append(LabZone(INTERNET_ZONE, internet, f"{bridge}-i", len(zones), False))
    if management not in subnets:
        raise LabError(
            f"the management zone {management} has no subnet in the lab's model",
            f"管理区域 {management} 在实验环境模型中没有网段",
        )
    return ZoneLayout(tuple(zones), management, named_hosts)
