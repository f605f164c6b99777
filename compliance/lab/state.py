"""The running lab's record (`state.json`), read and written under an exclusive lock."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from compliance.lab.paths import LabPaths
from compliance.lab.plan import DEBIAN, PlannedHost


@dataclass(frozen=True)
class RunningHost:
    host: PlannedHost
    pid: int
    host_key: str


@contextmanager
def locked(paths: LabPaths) -> Iterator[None]:
    """Serialise lab commands: two `up`s at once would race for addresses and mounts."""
    paths.state.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load(paths: LabPaths) -> dict[str, RunningHost]:
    if not paths.state_file.is_file():
        return {}
    entries = json.loads(paths.state_file.read_text()).get("hosts", [])
    return {
        e["name"]: RunningHost(
            PlannedHost(e["name"], e["address"], tuple(e["groups"]), e.get("os", DEBIAN), e.get("device", "server")),
            e["pid"],
            e["host_key"],
        )
        for e in entries
    }


def save(paths: LabPaths, hosts: dict[str, RunningHost]) -> None:
    entries = [
        {
            "name": r.host.name,
            "address": r.host.address,
            "groups": list(r.host.groups),
            "os": r.host.os,
            "device": r.host.device,
            "pid": r.pid,
            "host_key": r.host_key,
        }
        for r in sorted(hosts.values(), key=lambda r: r.host.address)
    ]
    temporary = paths.state_file.with_suffix(".tmp")
    temporary.write_text(json.dumps({"hosts": entries}, indent=2) + "\n")
    temporary.replace(paths.state_file)
