"""The device tests' simulated devices: compliance.lab.simulator's FakeNOS devices on this machine's loopback,
one port each, with one test login."""

from __future__ import annotations

import socket
from pathlib import Path

import yaml
from fakenos import FakeNOS

from compliance.kinds.target import Target
from compliance.lab import simulator
from compliance.lab.simulator import ConfigurableShell

__all__ = ["PASSWORD", "USER", "ConfigurableShell", "device_target", "free_ports", "start_devices", "write_inventory"]

USER, PASSWORD = "netadmin", "lab-device-secret"


def start_devices(devices: dict[str, tuple[str, int, Path]], configurable: bool = False) -> FakeNOS:
    """name → (platform, loopback port, running configuration file); stop them with `.stop()`."""
    return simulator.start_devices(devices, USER, PASSWORD, configurable=configurable)


def free_ports(count: int) -> list[int]:
    """Loopback ports nothing listens on now."""
    sockets = [socket.socket() for _ in range(count)]
    for each in sockets:
        each.bind(("127.0.0.1", 0))
    ports = [each.getsockname()[1] for each in sockets]
    for each in sockets:
        each.close()
    return ports


def device_target(name: str, platform: str, port: int, password: str = PASSWORD) -> Target:
    """How the collector and the push reach a simulated device."""
    data = {"ssh_hostname": "127.0.0.1", "ssh_port": port, "ssh_user": USER, "password": password, "platform": platform}
    return Target(name, "network_device", 3, "mgmt", ("infra",), "ssh", data)


def write_inventory(path: Path, devices: dict[str, tuple[str, int]], device: str = "switch") -> Path:
    """An Ansible inventory of simulated devices: name → (platform, loopback port)."""
    hosts = {
        name: {"ansible_host": "127.0.0.1", "ansible_port": port, "ansible_user": USER, "dengbao_os": platform}
        | {"dengbao_device": device}
        for name, (platform, port) in devices.items()
    }
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    return path
