"""What a scan looks at: the local machine, or the hosts of an Ansible inventory.

Inventory hosts are read through `ansible-inventory --list`, so the scan reaches each host
with the same address, port, user, key, ssh_config file and privilege escalation that
Ansible uses. Level, zone and systems come from the validated model when the inventory is
one of the repository's, else from the host's `dengbao_*` variables.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from compliance import cache
from compliance.errors import BilingualError
from compliance.kinds.target import Target
from compliance.model.host_policy import NETWORK_DEVICES, STRICTEST_LEVEL
from compliance.project import project_root
from compliance.scan.vault import VaultError, reveal

WINDOWS_OSES = {"windows", "windows_server"}
LOCAL_SYSTEM = "local"


class TargetError(BilingualError):
    """The inventory cannot be listed or does not give usable targets."""


def local_target(level: int | None) -> Target:
    """This machine, scanned without SSH; not part of any inventory."""
    return Target(
        name=socket.gethostname() or "localhost",
        kind="linux",
        level=level or STRICTEST_LEVEL,
        zone="",
        systems=(LOCAL_SYSTEM,),
        connection="@local",
    )


def device_kind(variables: dict[str, Any]) -> str:
    os_name = str(variables.get("dengbao_os", "debian"))
    device = str(variables.get("dengbao_device", "server"))
    if device in NETWORK_DEVICES:
        return "network_device"
    if os_name in WINDOWS_OSES or variables.get("ansible_connection") in ("winrm", "psrp"):
        return "windows"
    return "linux"


def _ssh_config_file(variables: dict[str, Any]) -> str | None:
    for key in ("ansible_ssh_args", "ansible_ssh_common_args", "ansible_ssh_extra_args"):
        words = shlex.split(str(variables.get(key, "")))
        for index, word in enumerate(words):
            if word == "-F" and index + 1 < len(words):
                return words[index + 1]
            if word.startswith("-F") and len(word) > 2:
                return word[2:]
    return None


def connection_data(name: str, variables: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Ansible connection variables → pyinfra SSH connector data."""
    if variables.get("ansible_connection") == "local":
        return "@local", {}
    data: dict[str, Any] = {"ssh_hostname": str(variables.get("ansible_host", name))}
    config = _ssh_config_file(variables)
    if config:
        data["ssh_config_file"] = config
        if "ansible_host" not in variables:
            data["ssh_hostname"] = name  # let the ssh_config's Host block resolve it
    for ansible_key, pyinfra_key in (
        ("ansible_port", "ssh_port"),
        ("ansible_user", "ssh_user"),
        ("ansible_ssh_private_key_file", "ssh_key"),
    ):
        if ansible_key in variables:
            data[pyinfra_key] = (
                int(variables[ansible_key]) if pyinfra_key == "ssh_port" else str(variables[ansible_key])
            )
    user = str(variables.get("ansible_user", "root"))
    if variables.get("ansible_become") or user != "root":
        data["_sudo"] = True
        password = revealed_password(name, variables, BECOME_PASSWORDS)
        if password is not None:
            data["_sudo_password"] = password
    return "ssh", data


def revealed_password(name: str, variables: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of these password variables the host has, decrypted where it is a vault value."""
    for key in keys:
        if key in variables:
            try:
                return reveal(name, key, variables[key])
            except VaultError as error:
                raise TargetError(error.english, error.chinese) from error
    return None


def device_connection(name: str, variables: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Ansible connection variables of a switch, router or firewall → what the device collector needs. The
    password is `ansible_password` (vault-encrypted in the inventory), else `DENGBAO_DEVICE_PASSWORD`."""
    data: dict[str, Any] = {
        "ssh_hostname": str(variables.get("ansible_host", name)),
        "ssh_port": int(variables.get("ansible_port", 22)),
        "ssh_user": str(variables.get("ansible_user", "")),
        "platform": str(variables.get("dengbao_os", "")),
        "device": str(variables.get("dengbao_device", "")),
    }
    password = revealed_password(name, variables, DEVICE_PASSWORDS)
    data["password"] = password if password is not None else os.environ.get("DENGBAO_DEVICE_PASSWORD", "")
    return "ssh", data


def inventory_targets(
    inventory: Path, model_hosts: dict[str, Any] | None = None, started: Listing | None = None
) -> list[Target]:
    """Every host of the inventory, in name order. `model_hosts` (name → model Host) supplies
    level, zone and systems for hosts the repository's model knows. `started` is a listing
    begun earlier with `start_listing`, so it can run while the model loads."""
    hostvars = (started or start_listing(inventory)).hostvars()
    targets = []
    for name in sorted(hostvars):
        variables = hostvars[name]
        known = (model_hosts or {}).get(name)
        if known is not None:
            level, zone, systems = known.level, known.zone, tuple(known.systems)
        else:
            level = int(variables.get("dengbao_level", STRICTEST_LEVEL))
            zone = str(variables.get("dengbao_zone", ""))
            systems = tuple(variables.get("dengbao_systems", ())) or (LOCAL_SYSTEM,)
        kind = device_kind(variables)
        connection, data = (
            device_connection(name, variables) if kind == "network_device" else connection_data(name, variables)
        )
        targets.append(Target(name, kind, level, zone, systems, connection, data))
    return targets


# The only host variables a scan reads: how to reach the host, and where it sits in the model.
# Nothing else of the listing (vault-decrypted secrets included) is kept or cached.
SCAN_VARIABLES = (
    "ansible_connection",
    "ansible_host",
    "ansible_port",
    "ansible_user",
    "ansible_ssh_private_key_file",
    "ansible_ssh_args",
    "ansible_ssh_common_args",
    "ansible_ssh_extra_args",
    "ansible_become",
    "ansible_become_password",
    "ansible_become_pass",
    "ansible_password",
    "ansible_ssh_pass",
    "dengbao_level",
    "dengbao_zone",
    "dengbao_systems",
    "dengbao_os",
    "dengbao_device",
)
BECOME_PASSWORDS = ("ansible_become_password", "ansible_become_pass")  # never cached: see Listing
DEVICE_PASSWORDS = ("ansible_password", "ansible_ssh_pass")  # a device's login; never cached either
DYNAMIC_INVENTORY = re.compile(rb"^plugin\s*:", re.MULTILINE)


def ansible_tool(name: str) -> str:
    """An Ansible command of the environment running this one (its venv's bin/), else from PATH."""
    beside = shutil.which(name, path=str(Path(sys.executable).parent))
    found = beside or shutil.which(name)
    if found is None:
        raise TargetError(
            f"{name} is not installed beside {sys.executable} nor on PATH; install ansible-core",
            f"找不到 {name}（既不在 {Path(sys.executable).parent} 也不在 PATH 中）；请安装 ansible-core",
        )
    return found


class Listing:
    """`ansible-inventory --list` for one inventory: started in the background, or served
    from the cache when the inventory is static files whose bytes (with `ansible.cfg`, the
    vars plugins, the policies and `ANSIBLE_*` settings) are unchanged since it last ran."""

    def __init__(self, inventory: Path) -> None:
        self.inventory = inventory
        self.process: subprocess.Popen[str] | None = None
        self.cached: dict[str, dict[str, Any]] | None = None
        self.key = _listing_key(inventory)
        if self.key is not None:
            found = cache.lookup("inventory", self.key)
            self.cached = None if found is cache.MISSING else found
        if self.cached is None:
            self.process = subprocess.Popen(
                [ansible_tool("ansible-inventory"), "-i", str(inventory), "--list"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

    def hostvars(self) -> dict[str, dict[str, Any]]:
        """Host name → the variables in SCAN_VARIABLES that it has."""
        if self.cached is not None:
            return self.cached
        assert self.process is not None
        stdout, stderr = self.process.communicate()
        if self.process.returncode != 0 or not stdout.strip():
            message = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
            raise TargetError(
                f"{self.inventory}: ansible-inventory could not read it: {message}",
                f"{self.inventory}：ansible-inventory 无法读取该清单：{message}",
            )
        reduced = _reduce(json.loads(stdout))
        secrets = BECOME_PASSWORDS + DEVICE_PASSWORDS
        holds_secrets = any(key in variables for variables in reduced.values() for key in secrets)
        if not reduced:
            raise TargetError(
                f"{self.inventory}: no hosts in it; is it an Ansible inventory (YAML or INI, or a folder of them)?",
                f"{self.inventory}：其中没有主机；这是 Ansible 清单吗（YAML、INI 或其目录）？",
            )
        if self.key is not None and not holds_secrets:  # a password, even encrypted, is never written to the cache
            cache.store("inventory", self.key, reduced)
        return reduced


def _reduce(listing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    hostvars: dict[str, dict[str, Any]] = listing.get("_meta", {}).get("hostvars", {})
    names = set(hostvars)
    for group, body in listing.items():
        if group != "_meta" and isinstance(body, dict):
            names.update(body.get("hosts", []))
    return {name: _scan_variables(hostvars.get(name, {})) for name in names}


def _scan_variables(variables: dict[str, Any]) -> dict[str, Any]:
    """The variables a scan reads of one host; a login password only for a network device, which has no keys."""
    device = variables.get("dengbao_device") in NETWORK_DEVICES
    return {
        key: _plain(value)
        for key, value in variables.items()
        if key in SCAN_VARIABLES and (device or key not in DEVICE_PASSWORDS)
    }


def _plain(value: Any) -> Any:
    """ansible-inventory marks strings from plugins as `{"__ansible_unsafe": "…"}`: the string itself."""
    if isinstance(value, dict) and set(value) == {"__ansible_unsafe"}:
        return value["__ansible_unsafe"]
    if isinstance(value, list):
        return [_plain(entry) for entry in value]
    return value


def _listing_key(inventory: Path) -> list[str] | None:
    """What a static inventory's listing depends on; None for a script or an inventory plugin."""
    inventory = inventory.resolve()
    base = inventory if inventory.is_dir() else inventory.parent
    files = [inventory] if inventory.is_file() else []
    for folder in (
        (inventory, base / "group_vars", base / "host_vars")
        if inventory.is_dir()
        else (
            base / "group_vars",
            base / "host_vars",
        )
    ):
        if folder.is_dir():
            files.extend(path for path in folder.rglob("*") if path.is_file())
    for path in files:
        if os.access(path, os.X_OK) or DYNAMIC_INVENTORY.search(path.read_bytes()):
            return None
    root = project_root() or base
    ansible = importlib.util.find_spec("ansible")
    release = [Path(ansible.origin).with_name("release.py")] if ansible and ansible.origin else []
    context = [
        *release,
        root / "ansible.cfg",
        *sorted((root / "plugins").rglob("*.py")),
        *sorted(root.glob("policies/*.yml")),
    ]
    settings = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("ANSIBLE_"))
    return [
        str(inventory),
        cache.files_digest(sorted(set(files))),
        cache.files_digest(context),
        *settings,
    ]


def start_listing(inventory: Path) -> Listing:
    """Start reading the inventory (in the background when ansible-inventory has to run)."""
    if not inventory.exists():
        raise TargetError(f"{inventory}: no such inventory", f"{inventory}：清单不存在")
    return Listing(inventory)


def limit_patterns(limit: list[str]) -> list[str]:
    return [pattern.strip() for option in limit for pattern in option.split(",") if pattern.strip()]


def unmatched_names(targets: list[Target], limit: list[str] | None) -> list[str]:
    """Host names (not patterns) in `--limit` that no target has."""
    names = {t.name for t in targets}
    return [p for p in limit_patterns(limit or []) if not any(c in p for c in "*?[") and p not in names]


def select(targets: list[Target], limit: list[str] | None, system: str | None, level: int | None) -> list[Target]:
    """Narrow the targets: `--limit` names (or shell-style patterns; one option may hold several, comma-separated,
    as Ansible's does), `--system`, `--level`."""
    chosen = targets
    if limit:
        patterns = limit_patterns(limit)
        chosen = [t for t in chosen if any(fnmatch(t.name, pattern) for pattern in patterns)]
    if system:
        chosen = [t for t in chosen if system in t.systems]
    if level:
        chosen = [t for t in chosen if t.level == level]
    return chosen
