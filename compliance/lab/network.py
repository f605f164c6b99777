"""The lab bridge: one Linux bridge holding the gateway address, with no forwarding and no NAT.

Lab hosts get an on-link route to the lab network and nothing else, so the only thing
they can reach outside the lab is the apt proxy on the bridge address, as a hospital's
HIS hosts reach only the internal mirror.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from compliance.lab.errors import LabError
from compliance.lab.paths import LabPaths


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise LabError(
            f"'ip {' '.join(args)}' failed: {result.stderr.strip()}",
            f"网络配置命令 'ip {' '.join(args)}' 失败：{result.stderr.strip()}",
        )
    return result


def link_exists(name: str) -> bool:
    return Path("/sys/class/net", name).exists()


def ensure_bridge(paths: LabPaths) -> None:
    if not link_exists(paths.bridge):
        _ip("link", "add", paths.bridge, "type", "bridge")
    cidr = f"{paths.gateway}/{paths.network.prefixlen}"
    if cidr not in _ip("-4", "-o", "addr", "show", "dev", paths.bridge).stdout:
        _ip("addr", "add", cidr, "dev", paths.bridge)
    _ip("link", "set", paths.bridge, "up")


def remove_bridge(paths: LabPaths) -> None:
    if link_exists(paths.bridge):
        _ip("link", "del", paths.bridge)


def lab_veths(paths: LabPaths) -> list[str]:
    """Host-side veth ends systemd-nspawn created for this lab's machines (`vb-dg4d00-NN`)."""
    prefix = "vb-" + paths.machine_prefix
    return sorted(p.name for p in Path("/sys/class/net").iterdir() if p.name.startswith(prefix))


def remove_veth(machine: str) -> None:
    name = "vb-" + machine
    if link_exists(name):
        _ip("link", "del", name, check=False)


def ssh_banner(address: str, timeout: float = 0.5) -> bool:
    """True when sshd answers with its protocol banner (a listening socket alone is not enough)."""
    try:
        with socket.create_connection((address, 22), timeout=timeout) as connection:
            connection.settimeout(timeout)
            return connection.recv(8).startswith(b"SSH-2.0")
    except OSError:
        return False


def wait_for_port(address: str, port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=0.3):
                return True
        except OSError:
            time.sleep(0.1)
    return False
