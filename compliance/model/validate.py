"""Validating the whole model: every policy, every inventory, and the references between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from compliance.model.floors import floor_problems
from compliance.model.inventory import Host, Inventory, read_inventory
from compliance.model.policies import PolicySet, load_policies, read_policy
from compliance.model.waivers import load_waivers
from compliance.model.zones import is_ipv4, zone_of_address, zone_subnets
from compliance.records.store import load_records, records_directory
from compliance.yamldoc.problems import Problem, display_path


@dataclass
class Repository:
    """A checked model: policies and inventories, and every problem found."""

    root: Path
    policies: PolicySet
    inventories: dict[str, Inventory] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def hosts(self) -> dict[str, Host]:
        """Every host the model's inventories name, by name."""
        return {name: host for inventory in self.inventories.values() for name, host in inventory.hosts.items()}


def inventory_dirs(root: Path) -> list[Path]:
    base = root / "inventory"
    if not base.is_dir():
        return []
    return sorted(d for d in base.iterdir() if d.is_dir() and ((d / "group_vars").is_dir() or any(d.glob("*.y*ml"))))


def load_repository(root: Path) -> Repository:
    policies = load_policies(root / "policies", root)
    repository = Repository(root, policies, problems=list(policies.problems))
    for directory in inventory_dirs(root):
        inventory = read_inventory(directory, root)
        repository.inventories[directory.name] = inventory
        repository.problems.extend(inventory.problems)
        repository.problems.extend(cross_references(policies, inventory))
        repository.problems.extend(record_problems(root, policies, inventory))
    repository.problems.extend(floor_problems(policies))
    repository.problems = sorted(set(repository.problems))
    return repository


def record_problems(root: Path, policies: PolicySet, inventory: Inventory) -> list[Problem]:
    """The inventory's management records (records/<inventory>/, compliance.records), each checked."""
    assessment = policies.policies.get("assessment")
    if assessment is None:
        return []
    directory = records_directory(root, assessment.settings["records_directory"], inventory.directory.name)
    systems = set(inventory.systems) if inventory.complete else None
    return load_records(directory, root, systems).problems


def cross_references(policies: PolicySet, inventory: Inventory) -> list[Problem]:
    """Zones and hosts that policies name must exist in the inventory (hosts: not checked for the lab)."""
    problems = []
    if not inventory.zones or not inventory.complete:
        return problems
    where = display_path(inventory.directory, None)
    declared = ", ".join(sorted(inventory.zones))
    for policy, path, zone in policies.zone_references():
        if zone not in inventory.zones:
            problems.append(
                policy.document.problem(
                    path,
                    f"zone {zone!r} is not declared in inventory {inventory.directory.name} ({where}); "
                    f"declared: {declared}",
                    f"区域 {zone!r} 未在清单 {inventory.directory.name} 中声明；已声明：{declared}",
                )
            )
    problems.extend(management_path_problems(policies, inventory))
    if inventory.is_lab:
        return problems
    problems.extend(mirror_upstream_problems(policies, inventory))
    for policy, path, host in policies.host_references():
        if host not in inventory.hosts:
            problems.append(
                policy.document.problem(
                    path,
                    f"host {host!r} is not in inventory {inventory.directory.name}",
                    f"主机 {host!r} 不在清单 {inventory.directory.name} 中",
                )
            )
    return problems


def management_path_problems(policies: PolicySet, inventory: Inventory) -> list[Problem]:
    """Every zone holding hosts keeps a way in for administration: a rule from a management zone
    (policies/ssh.yml) for each management port. A matrix without one would lock the hosts out."""
    access, ssh = policies.policies.get("access_rules"), policies.policies.get("ssh")
    if access is None or ssh is None:
        return []
    management_zones = set(ssh.settings["management_zones"])
    ports = access.settings["management_ports"]
    rules = access.settings["rules"]
    problems = []
    for zone in sorted({host.zone for host in inventory.hosts.values() if host.zone}):
        opened = {
            port
            for rule in rules
            if rule["from"] in management_zones and rule["to"] == zone and rule["protocol"] == "tcp"
            for port in rule["ports"]
        }
        missing = [port for port in ports if port not in opened]
        if missing:
            shown = ", ".join(str(p) for p in missing)
            problems.append(
                access.document.problem(
                    ("settings", "rules"),
                    f"zone {zone} of inventory {inventory.directory.name} has hosts but no rule opens management "
                    f"port(s) {shown} to it from a management zone ({', '.join(sorted(management_zones))}): "
                    "its firewalls would cut administration off",
                    f"清单 {inventory.directory.name} 的区域 {zone} 有主机，但没有规则允许管理区域"
                    f"（{'、'.join(sorted(management_zones))}）访问其管理端口 {shown}：主机防火墙将切断运维通道",
                )
            )
    return problems


def mirror_upstream_problems(policies: PolicySet, inventory: Inventory) -> list[Problem]:
    """A package mirror in a zone that never reaches the Internet fetches through an upstream proxy in a
    zone that does (patching.mirror_upstream_proxy); without one, its host firewall would cut it off from
    the distribution on the first converge. A proxy given by name cannot be placed in a zone and is left."""
    access, patching = policies.policies.get("access_rules"), policies.policies.get("patching")
    if access is None or patching is None:
        return []
    denied = set(access.settings["internet_denied_zones"])
    mirror = inventory.hosts.get(patching.settings["mirror_host"])
    if mirror is None or mirror.zone not in denied:
        return []
    proxy = str(patching.settings.get("mirror_upstream_proxy", ""))
    inventory_name = inventory.directory.name
    where = f"{mirror.name} (inventory {inventory_name}) is in zone {mirror.zone}, which never reaches the Internet"
    where_zh = f"{mirror.name}（清单 {inventory_name}）位于禁止访问互联网的区域 {mirror.zone}"
    if not proxy:
        return [
            patching.document.problem(
                ("settings", "mirror_upstream_proxy"),
                f"the package mirror {where}, and no upstream proxy is set: it could not fetch once its firewall loads",
                f"软件包镜像 {where_zh}，且未设置上游代理：主机防火墙加载后将无法从发行版源获取软件包",
            )
        ]
    address = urlsplit(proxy).hostname or ""
    zone = zone_of_address(address, zone_subnets(inventory.zones))
    if is_ipv4(address) and (zone is None or zone in denied):
        placed_en = f"in zone {zone}, which never reaches the Internet" if zone else "in no zone of the inventory"
        placed_zh = f"位于禁止访问互联网的区域 {zone}" if zone else "不属于清单中的任何区域"
        return [
            patching.document.problem(
                ("settings", "mirror_upstream_proxy"),
                f"the package mirror {where}; its upstream proxy {address} is {placed_en}",
                f"软件包镜像 {where_zh}；其上游代理 {address} {placed_zh}",
            )
        ]
    return []


def validate_paths(paths: list[Path], root: Path | None) -> list[Problem]:
    """Validate what the paths name: a repository, a policies folder or file, or an inventory."""
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            problems.append(Problem(str(path), 1, 1, "", "no such file or directory", "文件或目录不存在"))
        elif path.is_dir() and ((path / "policies").is_dir() or (path / "inventory").is_dir()):
            repository = load_repository(path)
            problems.extend(repository.problems)
            problems.extend(waiver_problems(repository))
        elif path.is_file() and path.parent.name == "waivers" and root is not None:
            problems.extend(p for p in waiver_problems(load_repository(root)) if p.file == display_path(path, root))
        elif path.is_dir() and path.name == "policies":
            problems.extend(load_policies(path, root).problems)
        elif path.is_file() and path.parent.name == "policies":
            problems.extend(read_policy(path, path.stem, display_path(path, root))[1])
        else:
            inventory = _inventory_of(path)
            if inventory is None:
                problems.append(
                    Problem(
                        display_path(path, root),
                        1,
                        1,
                        "",
                        "not a repository, policy or inventory path",
                        "不是仓库、策略或清单路径",
                    )
                )
            else:
                problems.extend(read_inventory(inventory, root).problems)
    return sorted(set(problems))


def known_names(repository: Repository) -> dict[str, set[str]]:
    """Every host, system and zone that some inventory of the repository declares."""
    known: dict[str, set[str]] = {"hosts": set(), "systems": set(), "zones": set()}
    for inventory in repository.inventories.values():
        known["hosts"].update(inventory.hosts)
        known["systems"].update(inventory.systems)
        known["zones"].update(inventory.zones)
    return known


def waiver_problems(repository: Repository) -> list[Problem]:
    """Malformed waivers, references to unknown names, and expired waivers (an error here; the scan ignores them)."""
    waivers = load_waivers(repository.root, known_names(repository))
    return [*waivers.problems, *waivers.expiry_problems()]


def _inventory_of(path: Path) -> Path | None:
    for candidate in (path, *path.parents) if path.is_dir() else path.parents:
        if (candidate / "group_vars").is_dir() or any(candidate.glob("hosts.y*ml")):
            return candidate
    return None
