"""Which hosts a lab should run: from the default topology, from an Ansible inventory, or named ad hoc.

A plan is pure data (`PlannedHost`); nothing here touches the machine.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from compliance.lab.control import CONTROL_GROUP
from compliance.lab.errors import LabError
from compliance.lab.paths import LabPaths
from compliance.lab.zones import INTERNET_ZONE, read_topology

HOSTNAME_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
ADHOC_POOL_START = 100
INTERNET_GROUP = "lab_internet"
NON_SSH_CONNECTIONS = {"network_cli", "netconf", "httpapi", "winrm", "psrp", "local"}


DEBIAN = "debian"


@dataclass(frozen=True)
class PlannedHost:
    """One lab host: its inventory name (also its hostname), address and inventory groups; a simulated network
    device has its platform as `os` (huawei_vrp, h3c_comware, cisco_ios) and its `device` type."""

    name: str
    address: str
    groups: tuple[str, ...] = field(default_factory=tuple)
    os: str = DEBIAN
    device: str = "server"

    @property
    def is_device(self) -> bool:
        """A simulated switch or router (compliance.lab.devices), not a Debian host under systemd-nspawn."""
        return self.os != DEBIAN


def _check_name(name: str, origin: str) -> None:
    if not HOSTNAME_PATTERN.match(name):
        raise LabError(
            f"{origin}: host name {name!r} is not a valid hostname (lower-case letters, digits, '-', at most 63)",
            f"{origin}：主机名 {name!r} 不合法（仅限小写字母、数字和“-”，最长 63 个字符）",
        )


def default_topology(paths: LabPaths) -> list[PlannedHost]:
    """The twenty-host hospital lab shipped with the package, in start order."""
    return [_from_topology(paths, entry) for entry in read_topology()["hosts"]]


def topology_devices(paths: LabPaths) -> list[PlannedHost]:
    """The simulated switches and routers of the default lab (`dengbao lab up --devices`)."""
    return [_from_topology(paths, entry) for entry in read_topology()["devices"]]


def _from_topology(paths: LabPaths, entry: dict) -> PlannedHost:
    _check_name(entry["name"], "topology.yml")
    groups = [f"zone_{entry['zone']}"] + [f"system_{s}" for s in entry["systems"]]
    address = paths.layout.address(entry["zone"], entry["address"])
    return PlannedHost(entry["name"], address, tuple(groups), entry.get("os", DEBIAN), entry.get("device", "server"))


def internet_hosts(paths: LabPaths) -> list[PlannedHost]:
    """The Internet stand-in(s): lab hosts outside the hospital, in no inventory group but `lab_internet`."""
    return [
        PlannedHost(entry["name"], paths.layout.address(INTERNET_ZONE, entry["address"]), (INTERNET_GROUP,))
        for entry in read_topology()["internet"]["hosts"]
    ]


def named_hosts_elsewhere(paths: LabPaths, hosts: list[PlannedHost]) -> dict[str, str]:
    """Topology addresses of the hosts the policies name for devices (audit.yml central_log_host, time.yml
    ntp_servers) that are not among `hosts`: a device's configuration names them by address even when the lab
    does not run them (the inventory's `dengbao_addresses`)."""
    present = {host.name for host in hosts}
    named = set(paths.layout.named_hosts) - present
    return {h.name: h.address for h in default_topology(paths) if h.name in named}


def first_hosts(paths: LabPaths, count: int) -> list[PlannedHost]:
    topology = default_topology(paths)
    if not 1 <= count <= len(topology):
        raise LabError(
            f"the default lab has 1 to {len(topology)} hosts; asked for {count}",
            f"默认实验环境可启动 1 至 {len(topology)} 台主机，请求了 {count} 台",
        )
    return topology[:count]


def hosts_from_inventory(paths: LabPaths, inventory: Path, taken: set[str]) -> list[PlannedHost]:
    """Lab hosts standing in for the SSH-managed hosts of an Ansible inventory, groups kept.

    Network devices and Windows hosts (non-SSH connections) are left out: a Debian
    container cannot stand in for them. Addresses come from the ad-hoc pool.
    """
    listed = _ansible_inventory_list(inventory)
    hostvars: dict[str, dict] = listed.get("_meta", {}).get("hostvars", {})
    memberships: dict[str, set[str]] = {}
    for group, body in listed.items():
        if group in ("_meta", "all", "ungrouped") or not isinstance(body, dict):
            continue
        for host in body.get("hosts", []):
            memberships.setdefault(host, set()).add(group)
    for group in _groups_by_depth(listed):
        for child in listed[group].get("children", []):
            for groups in memberships.values():
                if child in groups:
                    groups.add(group)
    planned = []
    used = set(taken)
    for name in sorted(set(hostvars) | set(memberships)):
        variables = hostvars.get(name, {})
        connection = str(variables.get("ansible_connection", "ssh")).rsplit(".", 1)[-1]
        if connection in NON_SSH_CONNECTIONS or "ansible_network_os" in variables:
            continue
        _check_name(name, str(inventory))
        groups = tuple(sorted(memberships.get(name, set())))
        zones = [g.removeprefix("zone_") for g in groups if g.startswith("zone_")]
        zone = zones[0] if zones and paths.layout.has_zone(zones[0]) else paths.layout.management
        address = next(_free_addresses(paths, zone, used))
        used.add(address)
        planned.append(PlannedHost(name, address, groups))
    if not planned:
        raise LabError(
            f"{inventory}: no SSH-managed hosts to stand up in the lab",
            f"{inventory}：清单中没有可在实验环境中启动的 SSH 主机",
        )
    return planned


def adhoc_hosts(
    paths: LabPaths, names: list[str], taken: set[str], control_nodes: tuple[str, ...] = ()
) -> list[PlannedHost]:
    """Hosts named on the command line (molecule scenarios): topology names (its devices and the Internet
    stand-in too) keep their place; other names join the management zone, beside the controller.
    Those in `control_nodes` are also lab control nodes (compliance.lab.control)."""
    known = {host.name: host for host in [*default_topology(paths), *topology_devices(paths), *internet_hosts(paths)]}
    addresses = _free_addresses(paths, paths.layout.management, taken | {h.address for h in known.values()})
    planned = []
    for name in names:
        _check_name(name, "--host")
        host = known.get(name) or PlannedHost(name, next(addresses), ("adhoc",))
        if name in control_nodes and CONTROL_GROUP not in host.groups:
            host = PlannedHost(host.name, host.address, (*host.groups, CONTROL_GROUP))
        planned.append(host)
    return planned


def _free_addresses(paths: LabPaths, zone: str, taken: set[str]) -> Iterator[str]:
    subnet = paths.layout.zone(zone).subnet
    for offset in range(ADHOC_POOL_START, subnet.num_addresses - 2):
        address = str(subnet.network_address + offset)
        if address not in taken:
            yield address
    raise LabError(
        f"no free address left in zone {zone} ({subnet})",
        f"区域 {zone}（{subnet}）中已无可用地址",
    )


def _groups_by_depth(listed: dict) -> list[str]:
    """Groups ordered children-first, so membership propagates up nested groups in one pass."""
    order: list[str] = []

    def visit(group: str, seen: frozenset[str]) -> None:
        if group in order or group in seen or group not in listed:
            return
        for child in listed[group].get("children", []):
            visit(child, seen | {group})
        order.append(group)

    for group in listed:
        if group != "_meta":
            visit(group, frozenset())
    return [g for g in order if g not in ("all",)]


def _ansible_inventory_list(inventory: Path) -> dict:
    result = subprocess.run(
        ["ansible-inventory", "-i", str(inventory), "--list"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise LabError(
            f"{inventory}: ansible-inventory could not read it: {result.stderr.strip()}",
            f"{inventory}：ansible-inventory 无法读取该清单：{result.stderr.strip()}",
        )
    return json.loads(result.stdout)
