"""A cgroup of its own for every lab host.

On a machine whose PID 1 is systemd, systemd-nspawn runs each container in a unit of its
own. Here nothing hands out cgroups, so every nspawn would put its container's systemd in
the same `/payload` group at the root of the hierarchy, and the hosts' systemds would
fight over one subtree (units fail at random with status 219/CGROUP). The lab creates
`<hierarchy>/dengbao-<bridge>/<machine>` in each hierarchy systemd uses and starts nspawn
inside it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

CGROUP_MOUNT = Path("/sys/fs/cgroup")


def hierarchies(mount: Path = CGROUP_MOUNT) -> list[Path]:
    """The hierarchies nspawn places a container in: the unified one, and systemd's named v1 one if mounted."""
    if (mount / "cgroup.controllers").exists():
        return [mount]
    return [mount / name for name in ("unified", "systemd") if (mount / name / "cgroup.procs").exists()]


def lab_groups(bridge: str, mount: Path = CGROUP_MOUNT) -> list[Path]:
    return [root / f"dengbao-{bridge}" for root in hierarchies(mount)]


def host_groups(bridge: str, machine: str, mount: Path = CGROUP_MOUNT) -> list[Path]:
    return [group / machine for group in lab_groups(bridge, mount)]


def create(groups: list[Path]) -> None:
    for group in groups:
        group.mkdir(parents=True, exist_ok=True)


def join(groups: list[Path]) -> None:
    """Move the calling process into the groups (run in the child between fork and exec)."""
    for group in groups:
        (group / "cgroup.procs").write_text(str(os.getpid()))


def members(groups: list[Path]) -> set[int]:
    """Every process in the groups or below them."""
    found: set[int] = set()
    for group in groups:
        for procs in group.rglob("cgroup.procs") if group.is_dir() else []:
            try:
                found.update(int(pid) for pid in procs.read_text().split())
            except OSError:
                continue
    return found


def kill_all(groups: list[Path], timeout: float = 10.0) -> None:
    """SIGKILL whatever still runs in the groups: a host's systemd outlives a killed nspawn otherwise."""
    deadline = time.monotonic() + timeout
    while pids := members(groups):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)


def discard(groups: list[Path]) -> None:
    """Kill whatever still runs in the groups, then remove them and everything below."""
    kill_all(groups)
    remove(groups)


def remove(groups: list[Path]) -> None:
    """Remove the groups and everything nspawn created below them; they must hold no processes."""
    for group in groups:
        if not group.is_dir():
            continue
        directories = [Path(root) for root, _dirs, _files in os.walk(group, topdown=False)]
        for directory in directories:
            _rmdir(directory)


def _rmdir(directory: Path) -> None:
    for _ in range(50):
        try:
            directory.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)  # the last process of the group may still be exiting
    directory.rmdir()
