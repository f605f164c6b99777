"""Where the lab keeps its state and cache, which zones it lays out and what its bridges are called.

Everything the lab writes lives outside the work tree: the cache (golden images, the apt
proxy's packages) survives `down`; the state directory (overlays, keys, logs) belongs to
the running lab. The zones and their subnets come from the lab's model, so every lab on a
machine uses the same addresses and only one runs at a time; the state directory and the
bridge prefix can be moved with environment variables (the test suite keeps its own state,
so its `down` never removes an engineer's hosts).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from compliance.lab.errors import LabError
from compliance.lab.zones import ZoneLayout, load_layout
from compliance.project import project_root

APT_PROXY_PORT = 3142
# The name lab hosts know the bridge's apt proxy by (/etc/hosts): the package_mirror role's lab upstream.
LAB_MIRROR_NAME = "lab-mirror"
BRIDGE_PREFIX_LENGTH = 11  # room for `-N` bridges and `rN` router legs within the kernel's 15 characters


@dataclass(frozen=True)
class LabPaths:
    """The lab's directories and network; `state` is thrown away by `down`, `cache` is kept."""

    state: Path
    cache: Path
    layout: ZoneLayout
    bridge: str = "dgblab0"

    def __post_init__(self) -> None:
        if not 1 <= len(self.bridge) <= BRIDGE_PREFIX_LENGTH:
            raise LabError(
                f"bridge name {self.bridge!r} must have 1 to {BRIDGE_PREFIX_LENGTH} characters",
                f"网桥名称 {self.bridge!r} 长度须为 1 至 {BRIDGE_PREFIX_LENGTH} 个字符",
            )

    @classmethod
    def from_environment(cls) -> LabPaths:
        root = project_root()
        if root is None:
            raise LabError(
                "the lab lays out its zones from a repository checkout: run it inside one (or set DENGBAO_REPO)",
                "实验环境依据仓库中的模型规划区域：请在仓库目录内运行（或设置 DENGBAO_REPO）",
            )
        bridge = os.environ.get("DENGBAO_LAB_BRIDGE", "dgblab0")
        return cls(
            state=Path(os.environ.get("DENGBAO_LAB_STATE", "/var/lib/dengbao-lab")),
            cache=Path(os.environ.get("DENGBAO_LAB_CACHE", "/var/cache/dengbao-lab")),
            layout=load_layout(root, bridge),
            bridge=bridge,
        )

    @property
    def controller(self) -> str:
        """This machine's address in the management zone: Ansible connects from it, the apt proxy listens on it."""
        return self.layout.controller

    @property
    def apt_proxy_url(self) -> str:
        return f"http://{self.controller}:{APT_PROXY_PORT}"

    @property
    def router_namespace(self) -> str:
        return f"{self.bridge}-router"

    @property
    def machine_prefix(self) -> str:
        """Machine names are `d<4 hex of the bridge prefix>-<6 hex of the host name>` (12 characters).

        Distinct per lab, so two labs' machines never share a name, and short enough that
        nspawn's host-side veth `vb-<machine>` fits the kernel's 15-character limit.
        """
        return "d" + hashlib.sha256(self.bridge.encode()).hexdigest()[:4] + "-"

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
    def device_password_file(self) -> Path:
        """The simulated devices' login password (random per lab; compliance.lab.access)."""
        return self.ssh_dir / "device-password"

    @property
    def device_password_vaulted(self) -> Path:
        """The same password as an ansible-vault value, as the lab inventory carries it."""
        return self.ssh_dir / "device-password.vault"

    @property
    def vault_password_file(self) -> Path:
        """The lab's vault password: ANSIBLE_VAULT_PASSWORD_FILE for a scan of a lab with devices."""
        return self.ssh_dir / "vault-password"

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

    def machine_name(self, host: str) -> str:
        return self.machine_prefix + hashlib.sha256(host.encode()).hexdigest()[:6]
