"""Inventories: standard Ansible YAML inventories, read with positions and checked as a model.

Conventions (see docs/model.md):
- `group_vars/all/` declares the hospital, its systems (`dengbao_systems`, each with a
  level) and zones (`dengbao_zones`);
- a host's zone is its `zone_<zone>` group (exactly one), its systems are its
  `system_<system>` groups (at least one); its level is the highest of its systems';
- host variables are set in one place only, and only known variables are allowed.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.model.policies import INTERNET
from compliance.model.schema_files import load_schema
from compliance.model.zones import is_ipv4, overlaps, zone_of_address, zone_subnets
from compliance.yamldoc.problems import ModelError, Problem, display_path
from compliance.yamldoc.schema import check
from compliance.yamldoc.yamlpos import FieldPath, Positioned, Vaulted, load

GROUP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
GROUP_KEYS = {"hosts", "children", "vars"}
ZONE_PREFIX, SYSTEM_PREFIX = "zone_", "system_"
NETWORK_DEVICE_TYPES = ("switch", "router", "firewall")


@dataclass
class Place:
    """Where something was declared: a document and a field path in it."""

    document: Positioned
    path: FieldPath

    def problem(self, english: str, chinese: str) -> Problem:
        return self.document.problem(self.path, english, chinese)


@dataclass
class Host:
    name: str
    zone: str
    systems: list[str]
    level: int
    variables: dict[str, Any]


@dataclass
class Inventory:
    """A checked inventory: the model it declares and the problems found on the way."""

    directory: Path
    hospital: dict[str, str] = field(default_factory=dict)
    systems: dict[str, dict[str, Any]] = field(default_factory=dict)
    zones: dict[str, dict[str, str]] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)  # dengbao_addresses: named hosts it does not list
    hosts: dict[str, Host] = field(default_factory=dict)
    is_lab: bool = False
    complete: bool = True  # false when a hosts file could not be read: membership checks would only add noise
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Raw:
    groups: dict[str, Place] = field(default_factory=dict)
    memberships: dict[str, set[str]] = field(default_factory=dict)
    children: dict[str, set[str]] = field(default_factory=dict)
    host_places: dict[str, Place] = field(default_factory=dict)
    host_vars: dict[str, tuple[Place, dict[str, Any]]] = field(default_factory=dict)
    group_vars: dict[str, list[tuple[Place, dict[str, Any]]]] = field(default_factory=dict)


def read_inventory(directory: Path, root: Path | None) -> Inventory:
    result = Inventory(directory)
    raw = _Raw()
    for path in sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")]):
        document = _load(path, root, result)
        if document is None:
            result.complete = False
        else:
            _read_hosts_file(document, raw, result)
    _read_vars_files(directory, root, raw, result)
    _check_variables(raw, result)
    _build_model(raw, result)
    result.problems.sort()
    return result


def _load(path: Path, root: Path | None, result: Inventory) -> Positioned | None:
    try:
        return load(path, display_path(path, root))
    except ModelError as error:
        result.problems.append(error.problem)
        return None


def _read_hosts_file(document: Positioned, raw: _Raw, result: Inventory) -> None:
    if document.data is None:
        return
    if isinstance(document.data, Vaulted):
        result.problems.append(
            document.problem(
                (),
                "a hosts file cannot be vaulted: vault only the secret variables (group_vars, host_vars or !vault)",
                "主机清单文件不能整体加密：只加密含密码的变量文件（group_vars、host_vars 或 !vault）",
            )
        )
        return
    if not isinstance(document.data, dict):
        result.problems.append(document.problem((), "an inventory is a mapping of groups", "清单文件应为分组的映射"))
        return
    for name, body in document.data.items():
        _read_group(document, (name,), name, body, raw, result)


def _read_group(document: Positioned, path: FieldPath, name: Any, body: Any, raw: _Raw, result: Inventory) -> None:
    place = Place(document, path)
    if not isinstance(name, str) or not GROUP_NAME.match(name):
        result.problems.append(
            place.problem(
                f"group name {name!r} must be lower-case letters, digits and '_'",
                f"分组名 {name!r} 只能包含小写字母、数字和“_”",
            )
        )
        return
    raw.groups.setdefault(name, place)
    if body is None:
        return
    if not isinstance(body, dict):
        result.problems.append(
            place.problem("a group is a mapping (hosts, children, vars)", "分组应为映射（hosts、children、vars）")
        )
        return
    for key in body:
        if key not in GROUP_KEYS:
            result.problems.append(
                Place(document, (*path, key)).problem(
                    f"unknown group field {key!r}; expected one of: children, hosts, vars",
                    f"未知的分组字段 {key!r}；允许的字段：children、hosts、vars",
                )
            )
    for host, variables in _mapping(document, (*path, "hosts"), body.get("hosts"), result).items():
        host_path = (*path, "hosts", host)
        if not isinstance(host, str) or not HOST_NAME.match(host):
            result.problems.append(
                Place(document, host_path).problem(
                    f"host name {host!r} is not a valid hostname (lower-case letters, digits, '-')",
                    f"主机名 {host!r} 不合法（仅限小写字母、数字和“-”）",
                )
            )
            continue
        raw.memberships.setdefault(host, set()).add(name)
        raw.host_places.setdefault(host, Place(document, host_path))
        if variables is not None:
            _add_host_vars(raw, result, host, Place(document, host_path), variables)
    if body.get("vars") is not None:
        raw.group_vars.setdefault(name, []).append((Place(document, (*path, "vars")), body["vars"]))
    for child, child_body in _mapping(document, (*path, "children"), body.get("children"), result).items():
        raw.children.setdefault(name, set()).add(child)
        _read_group(document, (*path, "children", child), child, child_body, raw, result)


def _mapping(document: Positioned, path: FieldPath, value: Any, result: Inventory) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        result.problems.append(document.problem(path, "expected a mapping", "此处应为映射"))
        return {}
    return value


def _add_host_vars(raw: _Raw, result: Inventory, host: str, place: Place, variables: Any) -> None:
    if host in raw.host_vars:
        first = raw.host_vars[host][0]
        line = first.document.where(first.path)[0]
        result.problems.append(
            place.problem(
                f"variables of host {host} are already set in {first.document.file} line {line}; set them in one place",
                f"主机 {host} 的变量已在 {first.document.file} 第 {line} 行设置；同一主机的变量只能在一处设置",
            )
        )
        return
    raw.host_vars[host] = (place, variables)


def _read_vars_files(directory: Path, root: Path | None, raw: _Raw, result: Inventory) -> None:
    for kind in ("group_vars", "host_vars"):
        base = directory / kind
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir()):
            files = sorted(entry.glob("*.y*ml")) if entry.is_dir() else [entry]
            owner = entry.name if entry.is_dir() else entry.stem
            for path in files:
                if path.suffix not in (".yml", ".yaml"):
                    continue
                document = _load(path, root, result)
                if document is None or document.data is None or isinstance(document.data, Vaulted):
                    continue  # a vaulted file (secrets) is Ansible's to decrypt; its variables are not checked here
                place = Place(document, ())
                if kind == "group_vars":
                    if owner != "all" and owner not in raw.groups and result.complete:
                        result.problems.append(
                            place.problem(
                                f"group_vars for unknown group {owner!r}", f"group_vars 对应的分组 {owner!r} 不存在"
                            )
                        )
                        continue
                    raw.group_vars.setdefault(owner, []).append((place, document.data))
                elif owner not in raw.memberships and result.complete:
                    result.problems.append(
                        place.problem(f"host_vars for unknown host {owner!r}", f"host_vars 对应的主机 {owner!r} 不存在")
                    )
                else:
                    _add_host_vars(raw, result, owner, place, document.data)


def _check_variables(raw: _Raw, result: Inventory) -> None:
    host_schema = load_schema("host_vars")
    model_schema = load_schema("model")
    all_schema = {**host_schema, **{k: {**v, "required": False} for k, v in model_schema.items()}}
    for _host, (place, variables) in sorted(raw.host_vars.items()):
        if isinstance(variables, dict):
            result.problems.extend(check(place.document, host_schema, place.path))
        else:
            result.problems.append(place.problem("host variables must be a mapping", "主机变量应为映射"))
    for group, entries in raw.group_vars.items():
        for place, variables in entries:
            if not isinstance(variables, dict):
                result.problems.append(place.problem("group variables must be a mapping", "分组变量应为映射"))
                continue
            result.problems.extend(check(place.document, all_schema if group == "all" else host_schema, place.path))
    model_places = {
        key: place
        for place, variables in raw.group_vars.get("all", [])
        if isinstance(variables, dict)
        for key in variables
        if key in model_schema
    }
    for key, rule in model_schema.items():
        if rule.get("required") and key not in model_places:
            anchor = raw.group_vars["all"][0][0] if raw.group_vars.get("all") else None
            english = f"{key} is not declared in group_vars/all"
            chinese = f"group_vars/all 中未声明 {key}"
            result.problems.append(
                anchor.problem(english, chinese)
                if anchor
                else Problem(display_path(result.directory / "group_vars" / "all", None), 1, 1, key, english, chinese)
            )


def _build_model(raw: _Raw, result: Inventory) -> None:
    for _place, variables in raw.group_vars.get("all", []):
        if isinstance(variables, dict):
            result.hospital = variables.get("dengbao_hospital", result.hospital) or {}
            result.systems = variables.get("dengbao_systems", result.systems) or {}
            result.zones = variables.get("dengbao_zones", result.zones) or {}
            result.addresses = variables.get("dengbao_addresses", result.addresses) or {}
            result.is_lab = result.is_lab or variables.get("dengbao_lab") is True
    if not isinstance(result.systems, dict) or not isinstance(result.zones, dict) or not result.complete:
        return
    for group, place in sorted(raw.groups.items()):
        for prefix, declared, kind_en, kind_zh in (
            (ZONE_PREFIX, result.zones, "zone", "区域"),
            (SYSTEM_PREFIX, result.systems, "system", "定级对象"),
        ):
            if group.startswith(prefix) and group[len(prefix) :] not in declared:
                names = ", ".join(sorted(declared))
                result.problems.append(
                    place.problem(
                        f"group {group}: {kind_en} {group[len(prefix) :]!r} is not declared; declared: {names}",
                        f"分组 {group}：{kind_zh} {group[len(prefix) :]!r} 未声明；已声明：{names}",
                    )
                )
    for host in sorted(raw.memberships):
        groups = _all_groups(host, raw)
        place = raw.host_places[host]
        zones = sorted(g[len(ZONE_PREFIX) :] for g in groups if g.startswith(ZONE_PREFIX))
        systems = sorted(g[len(SYSTEM_PREFIX) :] for g in groups if g.startswith(SYSTEM_PREFIX))
        if len(zones) != 1:
            result.problems.append(
                place.problem(
                    f"host {host} must be in exactly one zone_* group; it is in: {', '.join(zones) or 'none'}",
                    f"主机 {host} 必须且只能属于一个 zone_* 分组；当前：{', '.join(zones) or '无'}",
                )
            )
        if not systems:
            result.problems.append(
                place.problem(
                    f"host {host} belongs to no system_* group (each host serves at least one system)",
                    f"主机 {host} 不属于任何 system_* 分组（每台主机至少属于一个定级对象）",
                )
            )
        levels = [result.systems[s].get("level") for s in systems if isinstance(result.systems.get(s), dict)]
        variables = raw.host_vars.get(host, (None, {}))[1]
        result.hosts[host] = Host(
            host,
            zones[0] if len(zones) == 1 else "",
            systems,
            max((lv for lv in levels if isinstance(lv, int)), default=0),
            variables if isinstance(variables, dict) else {},
        )
    _check_addressing(raw, result)


def _zones_place(raw: _Raw) -> Place | None:
    for place, variables in raw.group_vars.get("all", []):
        if isinstance(variables, dict) and "dengbao_zones" in variables:
            return Place(place.document, (*place.path, "dengbao_zones"))
    return None


def _check_addressing(raw: _Raw, result: Inventory) -> None:
    """No two zones share an address; a host's IPv4 address lies in its zone's subnets (8.1.2.1 c))."""
    subnets = zone_subnets(result.zones)
    zones_place = _zones_place(raw)
    if zones_place is not None:
        for zone, index, other, other_index in overlaps(subnets):
            mine, theirs = subnets[zone][index], subnets[other][other_index]
            result.problems.append(
                Place(zones_place.document, (*zones_place.path, zone, "subnets", index)).problem(
                    f"subnet {mine} of zone {zone} overlaps {theirs} of zone {other}",
                    f"区域 {zone} 的网段 {mine} 与区域 {other} 的网段 {theirs} 重叠",
                )
            )
    _check_zone_interfaces(raw, result)
    for name, host in sorted(result.hosts.items()):
        address = host.variables.get("ansible_host")
        if not host.zone or not subnets.get(host.zone) or not is_ipv4(address):
            continue
        if zone_of_address(str(address), {host.zone: subnets[host.zone]}) is None:
            place = raw.host_vars[name][0]
            allowed = ", ".join(str(n) for n in subnets[host.zone])
            result.problems.append(
                Place(place.document, (*place.path, "ansible_host")).problem(
                    f"host {name} is in zone {host.zone} but its address {address} "
                    f"is outside the zone's subnets ({allowed})",
                    f"主机 {name} 属于区域 {host.zone}，但其地址 {address} 不在该区域的网段内（{allowed}）",
                )
            )


def _check_zone_interfaces(raw: _Raw, result: Inventory) -> None:
    """`dengbao_zone_interfaces` only on network devices, keyed by zones the inventory declares (or `internet`)."""
    for name, host in sorted(result.hosts.items()):
        interfaces = host.variables.get("dengbao_zone_interfaces")
        if name not in raw.host_vars:
            continue
        place = raw.host_vars[name][0]
        _check_zone_addresses(result, name, place, interfaces if isinstance(interfaces, dict) else {})
        if not isinstance(interfaces, dict):
            continue
        if host.variables.get("dengbao_device") not in NETWORK_DEVICE_TYPES:
            result.problems.append(
                Place(place.document, (*place.path, "dengbao_zone_interfaces")).problem(
                    f"host {name}: dengbao_zone_interfaces is for switches, routers and firewalls "
                    f"(dengbao_device is {host.variables.get('dengbao_device', 'not set')})",
                    f"主机 {name}：dengbao_zone_interfaces 仅用于交换机、路由器和防火墙"
                    f"（dengbao_device 为 {host.variables.get('dengbao_device', '未设置')}）",
                )
            )
        known = [*result.zones, INTERNET]
        for zone in interfaces:
            if zone not in known:
                result.problems.append(
                    Place(place.document, (*place.path, "dengbao_zone_interfaces", zone)).problem(
                        f"host {name}: zone {zone!r} is not declared in dengbao_zones; declared: {', '.join(known)}",
                        f"主机 {name}：区域 {zone!r} 未在 dengbao_zones 中声明；已声明：{'、'.join(known)}",
                    )
                )


def _check_zone_addresses(result: Inventory, name: str, place: Place, interfaces: dict[str, Any]) -> None:
    """`dengbao_zone_addresses`: for zones the device has an interface in, each an address/prefix whose network is
    one of the zone's subnets."""
    addresses = result.hosts[name].variables.get("dengbao_zone_addresses")
    if not isinstance(addresses, dict):
        return
    subnets = zone_subnets(result.zones)
    for zone, value in addresses.items():
        where = Place(place.document, (*place.path, "dengbao_zone_addresses", zone))
        if zone not in interfaces or zone == INTERNET:
            result.problems.append(
                where.problem(
                    f"host {name}: zone {zone!r} has no interface in dengbao_zone_interfaces to carry this address",
                    f"主机 {name}：区域 {zone!r} 在 dengbao_zone_interfaces 中没有接口，无法配置该地址",
                )
            )
            continue
        try:
            interface = ipaddress.IPv4Interface(str(value))
        except ValueError:
            continue  # the schema names the form
        allowed = subnets.get(zone, [])
        if interface.network not in allowed or interface.ip in (
            interface.network.network_address,
            interface.network.broadcast_address,
        ):
            result.problems.append(
                where.problem(
                    f"host {name}: {value} is not a host address of a subnet of zone {zone} "
                    f"({', '.join(str(n) for n in allowed) or 'none'})",
                    f"主机 {name}：{value} 不是区域 {zone} 网段（{'、'.join(str(n) for n in allowed) or '无'}）"
                    "内的主机地址",
                )
            )


def _all_groups(host: str, raw: _Raw) -> set[str]:
    """The host's groups, including every group above them through `children`."""
    found = set(raw.memberships.get(host, set()))
    changed = True
    while changed:
        changed = False
        for parent, children in raw.children.items():
            if parent not in found and children & found:
                found.add(parent)
                changed = True
    return found
