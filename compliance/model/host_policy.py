"""The policy settings that apply to one host: what roles enforce and what checks expect.

Both sides call `policy_for_host`, so they cannot disagree: the Ansible vars plugin
(`plugins/vars/dengbao_policy.py`) exposes its result as `dengbao_policy`, and a check
reads its expected values from the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from compliance.cache import cached, files_digest
from compliance.model.access import host_rules
from compliance.model.inventory import NETWORK_DEVICE_TYPES, Inventory
from compliance.model.validate import Repository, load_repository
from compliance.model.zone_filters import ZONE_FILTERS, service_hosts, zone_filters
from compliance.model.zones import zone_of_address, zone_subnets

STRICTEST_LEVEL = 3


class InvalidModel(Exception):
    """The repository's model does not validate; nothing should be enforced or checked from it."""


# The settings key that carries a host's firewall rules, derived from access_rules and its inventory's zones.
HOST_FIREWALL = "host_firewall"
# For a network device: the addresses of the hosts the policies name (log host, NTP servers, the hosts of
# access_rules.yml's services), from its inventory, since a device's configuration names them by address.
NAMED_HOSTS = "named_hosts"
NETWORK_DEVICES = NETWORK_DEVICE_TYPES


@dataclass(frozen=True)
class HostPolicy:
    level: int
    zone: str
    settings: dict[str, dict[str, Any]]


@cache
def _repository(root: Path, fingerprint: tuple[tuple[str, int], ...]) -> Repository:
    """In this process, keyed by time stamps (any edit reloads); on disk, keyed by the files' bytes."""
    files = [Path(name) for name, _ in fingerprint]
    return cached("model", [str(root), files_digest(files, root)], lambda: load_repository(root))


def model_fingerprint(root: Path) -> tuple[tuple[str, int], ...]:
    files = [*root.glob("policies/*.yml"), *root.glob("inventory/**/*.y*ml")]
    return tuple(sorted((str(f), f.stat().st_mtime_ns) for f in files if f.is_file()))


def repository(root: Path) -> Repository:
    loaded = _repository(root, model_fingerprint(root))
    if not loaded.valid:
        raise InvalidModel("\n".join(p.render() for p in loaded.problems))
    return loaded


def policy_for_host(root: Path, host: str, declared: dict[str, Any] | None = None) -> HostPolicy:
    """Level and zone from the inventory that knows the host; else from its own variables
    (`dengbao_level`, `dengbao_zone`), else the strictest level and no zone.

    Two inventories may name the same host (the lab stands in for the hospital under the
    hospital's names): the one whose `ansible_host` is the declared address wins, then one
    whose zones hold that address, then the first that names it. The settings carry
    `host_firewall`, the host's rules from the zone matrix and its inventory's zone subnets
    (absent without a zone those subnets know).
    """
    model = repository(root)
    declared = declared or {}
    address = str(declared.get("ansible_host", ""))
    inventory = _inventory_naming(model, host, address)
    if inventory is not None:
        known = inventory.hosts[host]
        level, zone = known.level, known.zone
    else:
        level = int(declared.get("dengbao_level", STRICTEST_LEVEL))
        zone = str(declared.get("dengbao_zone", ""))
        inventory = _inventory_addressing(model, address)
    settings = model.policies.effective(level, zone)
    if inventory is not None and zone in inventory.zones and "access_rules" in settings:
        rules = host_rules(settings["access_rules"], inventory.zones, zone, host, settings)
        settings = {**settings, HOST_FIREWALL: rules.as_dict()}
    known_host = inventory.hosts.get(host) if inventory is not None else None
    device = str((known_host.variables if known_host else {}).get("dengbao_device", ""))
    if inventory is not None and (device in NETWORK_DEVICES or declared.get("dengbao_device") in NETWORK_DEVICES):
        named = named_addresses(settings, inventory)
        settings = {**settings, NAMED_HOSTS: named}
        interfaces = (known_host.variables if known_host else {}).get("dengbao_zone_interfaces")
        if isinstance(interfaces, dict) and "access_rules" in settings:
            own = (known_host.variables if known_host else {}).get("dengbao_zone_addresses")
            own = own if isinstance(own, dict) else {}
            filters = zone_filters(settings["access_rules"], inventory.zones, interfaces, settings, named, own)
            settings = {**settings, ZONE_FILTERS: [f.as_dict() for f in filters]}
    return HostPolicy(level, zone, settings)


def named_addresses(settings: dict[str, dict[str, Any]], inventory: Inventory) -> dict[str, str]:
    """Name → address of the hosts the settings name (log host, NTP servers, and the other hosts whose services
    every zone reaches: mirrors, backup target): the `ansible_host` of the inventory's host of that name, else its
    `dengbao_addresses` entry."""
    names = [settings.get("audit", {}).get("central_log_host"), *settings.get("time", {}).get("ntp_servers", [])]
    names += service_hosts(settings.get("access_rules", {}), settings)
    found = {}
    for name in names:
        host = inventory.hosts.get(str(name)) if name else None
        if host is not None and host.variables.get("ansible_host"):
            found[str(name)] = str(host.variables["ansible_host"])
        elif name and isinstance(inventory.addresses, dict) and inventory.addresses.get(str(name)):
            found[str(name)] = str(inventory.addresses[str(name)])
    return found


def _inventory_naming(model: Repository, host: str, address: str) -> Inventory | None:
    """Of the inventories naming the host: the one that gives it this address, else one whose zones
    hold the address, else the first."""
    naming = [inventory for inventory in model.inventories.values() if host in inventory.hosts]
    for inventory in naming:
        if address and str(inventory.hosts[host].variables.get("ansible_host", "")) == address:
            return inventory
    for inventory in naming:
        if zone_of_address(address, zone_subnets(inventory.zones)) is not None:
            return inventory
    return naming[0] if naming else None


def _inventory_addressing(model: Repository, address: str) -> Inventory | None:
    """For a host no inventory names: the inventory one of whose zones holds its address."""
    for inventory in model.inventories.values():
        if zone_of_address(address, zone_subnets(inventory.zones)) is not None:
            return inventory
    return None
