"""Where the lab keeps its state and cache, and which network and bridge it uses.

Everything the lab writes lives outside the work tree: the cache (golden images, the apt
proxy's packages) survives `down`; the state directory (overlays, keys, logs) belongs to
the running lab. Each setting can be changed with an environment variable, which is how
the test suite runs a lab of its own (its own /24, bridge and state) beside an engineer's.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from compliance.lab.errors import LabError

APT_PROXY_PORT = 3142
# The name lab hosts know the bridge's apt proxy by (/etc/hosts): the package_mirror role's lab upstream.
LAB_MIRROR_NAME = "lab-mirror"
DEFAULT_NETWORK = ipaddress.IPv4Network("10.77.0.0/24")


@dataclass(frozen=True)
class LabPaths:
    """The lab's directories and network; `state` is thrown away by `down`, `cache` is kept."""

    state: Path
    cache: Path
    network: ipaddress.IPv4Network = DEFAULT_NETWORK
    bridge: str = "dgblab0"

    def __post_init__(self) -> None:
        if self.network.prefixlen != 24 or not self.network.is_private:
            raise LabError(
                f"the lab network must be a private /24, not {self.network}",
                f"实验网络必须是私有的 /24 网段，而不是 {self.network}",
            )
        if not 1 <= len(self.bridge) <= 15:
            raise LabError(
                f"bridge name {self.bridge!r} must have 1 to 15 characters",
                f"网桥名称 {self.bridge!r} 长度须为 1 至 15 个字符",
            )

    @classmethod
    def from_environment(cls) -> LabPaths:
        return cls(
            state=Path(os.environ.get("DENGBAO_LAB_STATE", "/var/lib/dengbao-lab")),
            cache=Path(os.environ.get("DENGBAO_LAB_CACHE", "/var/cache/dengbao-lab")),
            network=ipaddress.IPv4Network(os.environ.get("DENGBAO_LAB_NETWORK", str(DEFAULT_NETWORK))),
            bridge=os.environ.get("DENGBAO_LAB_BRIDGE", "dgblab0"),
        )

    @property
    def gateway(self) -> str:
        """The bridge's own address: the apt proxy listens here; nothing is routed through it."""
        return str(self.network.network_address + 1)

    @property
    def apt_proxy_url(self) -> str:
        return f"http://{self.gateway}:{APT_PROXY_PORT}"

    @property
    def machine_prefix(self) -> str:
        """Machine names are `dg<2nd and 3rd octet in hex>-<4th octet>` (`dg4d00-20` for 10.77.0.20).

        Unique per /24, so two labs never share a machine or veth name, and short enough
        that nspawn's host-side veth `vb-<machine>` fits the kernel's 15-character limit.
        """
        second, third = self.network.network_address.packed[1:3]
        return f"dg{second:02x}{third:02x}-"

    @property
    def lock_file(self) -> Path:
        return self.state / "lock"

    @property
    def state_file(self) -> Path:
        return self.state / "state.json"

    @property
    def hosts_dir(self) -> Path:
        return self.state / "hosts"

    @property
    def ssh_dir(self) -> Path:
        return self.state / "ssh"

    @property
    def ssh_key(self) -> Path:
        return self.ssh_dir / "id_ed25519"

    @property
    def ssh_config(self) -> Path:
        return self.ssh_dir / "config"

    @property
    def known_hosts(self) -> Path:
        return self.ssh_dir / "known_hosts"

    @property
    def apt_proxy_dir(self) -> Path:
        return self.state / "apt-proxy"

    @property
    def apt_proxy_cache(self) -> Path:
        return self.cache / "apt-proxy"

    @property
    def images_dir(self) -> Path:
        return self.cache / "images"

    def host_dir(self, name: str) -> Path:
        return self.hosts_dir / name

    def machine_name(self, address: str) -> str:
        return self.machine_prefix + address.rsplit(".", 1)[1]
