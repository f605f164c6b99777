"""One 测评对象 to assess: its name, its kind, where it sits in the model, and how to reach it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Target:
    """One host to scan, with how to reach it (pyinfra connector data) and where it sits in the model."""

    name: str
    kind: str  # a kind of object in compliance.kinds: linux, windows, network_device
    level: int
    zone: str
    systems: tuple[str, ...]
    connection: str  # "@local" or "ssh"
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # may hold a become password

    @property
    def address(self) -> str:
        """The address (or name) the scan reaches it at; empty for this machine."""
        return str(self.data.get("ssh_hostname", ""))

    @property
    def collectable(self) -> bool:
        """Whether its kind has a collector that serves it (Linux hosts; VRP, Comware and IOS devices)."""
        from compliance.kinds import kind_of  # the registry imports this module

        return kind_of(self.kind).serves(self)
