"""The host itself: identity, distribution, container, packages, systemd units, listening sockets."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

CONTAINER_TYPES = frozenset(
    {"systemd-nspawn", "docker", "podman", "lxc", "lxc-libvirt", "openvz", "wsl", "container-other"}
)


@dataclass(frozen=True)
class Identity:
    hostname: str | None
    machine_id: str | None
    addresses: tuple[str, ...]  # "10.0.0.5/24 (eth0)"
    host_keys: tuple[str, ...]  # "ED25519 SHA256:…"

    def as_dict(self) -> dict[str, object]:
        return {
            "hostname": self.hostname,
            "machine_id": self.machine_id,
            "addresses": list(self.addresses),
            "host_keys": list(self.host_keys),
        }


@dataclass(frozen=True)
class Listener:
    protocol: str
    address: str
    port: int


def parse_host_identity(output: str) -> Identity:
    """The `host_identity` probe: host name, machine-id, addresses, SSH host key fingerprints."""
    names: dict[str, str] = {}
    addresses, keys = [], []
    for line in output.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in ("hostname", "machine_id"):
            names[words[0]] = words[1]
        elif len(words) == 3 and words[0] == "address":
            addresses.append(f"{words[2]} ({words[1]})")
        elif len(words) == 3 and words[0] == "host_key":  # runs before 2026-12: ssh-keygen's `(TYPE) SHA256:…`
            keys.append(f"{words[1].strip('()')} {words[2]}")
        elif len(words) == 3 and words[0] == "host_key_pub":
            keys.append(_fingerprint(words[1], words[2]))
    return Identity(names.get("hostname"), names.get("machine_id"), tuple(addresses), tuple(keys))


# OpenSSH's short names for its key algorithms, as `ssh-keygen -l` shows them.
KEY_TYPES = {
    "ssh-rsa": "RSA",
    "ssh-dss": "DSA",
    "ssh-ed25519": "ED25519",
    "sk-ssh-ed25519@openssh.com": "ED25519-SK",
    "sk-ecdsa-sha2-nistp256@openssh.com": "ECDSA-SK",
}


def _fingerprint(algorithm: str, key: str) -> str:
    """`TYPE SHA256:…` of a public host key, as `ssh-keygen -lf` names it."""
    kind = KEY_TYPES.get(algorithm, "ECDSA" if algorithm.startswith("ecdsa-sha2-") else algorithm.upper())
    try:
        digest = hashlib.sha256(base64.b64decode(key, validate=True)).digest()
    except (binascii.Error, ValueError):
        return f"{kind} unreadable"
    return f"{kind} SHA256:{base64.b64encode(digest).decode().rstrip('=')}"


def parse_os_release(output: str) -> dict[str, str]:
    values = {}
    for line in output.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip('"')
    return values


def parse_virtualization(output: str) -> str:
    """What `systemd-detect-virt` named: `none`, a hypervisor, or a container type."""
    return output.strip().splitlines()[0] if output.strip() else "none"


def parse_packages(output: str) -> dict[str, str]:
    """Installed package → version."""
    packages = {}
    for line in output.splitlines():
        name, sep, version = line.partition("\t")
        if sep and name:
            packages[name] = version
    return packages


def parse_unit_files(output: str) -> dict[str, str]:
    """unit name → enablement state (enabled, disabled, static, masked, …)."""
    units = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            units[parts[0]] = parts[1]
    return units


def parse_active_units(output: str) -> set[str]:
    return {line.split()[0] for line in output.splitlines() if line.split()}


def parse_listeners(output: str) -> list[Listener]:
    """`ss -Hlntu` lines: protocol, local address and port of every listening socket."""
    listeners = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 5:
            address, _, port = parts[4].rpartition(":")
            if port.isdigit():
                listeners.append(Listener(parts[0], address, int(port)))
    return listeners
