"""Kernel limits a lab of many systemd hosts needs on this machine.

Every container's systemd (and each `systemd --user` a login starts) takes inotify
instances from one per-user pool whose Debian default (128) runs out at around
fifteen hosts; logins then hang waiting for user@0.service. The lab raises the limits
when they are lower than it needs, never lowers them, and says what it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

INOTIFY_LIMITS = {
    "fs/inotify/max_user_instances": 8192,
    "fs/inotify/max_user_watches": 1048576,
}


def raise_kernel_limits(log: Callable[[str], None], proc_sys: Path = Path("/proc/sys")) -> list[str]:
    """Raise each limit below its floor; return the names of those changed."""
    changed = []
    for name, floor in INOTIFY_LIMITS.items():
        setting = proc_sys / name
        current = int(setting.read_text())
        if current < floor:
            setting.write_text(f"{floor}\n")
            log(f"raised {name.replace('/', '.')} from {current} to {floor} for the lab's systemd hosts")
            changed.append(name)
    return changed
