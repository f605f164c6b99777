"""A lab control node: a lab host that runs this project's own `dengbao` under its own systemd.

The hospital's control node holds the repository checkout, its Python environment and the SSH key
that reaches the servers; its scheduled jobs (nightly drift) are systemd timers the control_node role
installs. A lab host in the `dengbao_control` group gets the same by bind mounts from the machine
running the lab, at the same paths: the checkout and its environment read-only (with the Python the
environment was made from), and the lab's SSH directory, whose key and ssh_config reach every lab host.
Nothing is installed into the host, so what runs there is exactly the code under test.
"""

from __future__ import annotations

import sys
from pathlib import Path

from compliance.lab.paths import LabPaths
from compliance.project import project_root

CONTROL_GROUP = "dengbao_control"


def control_binds(paths: LabPaths) -> list[str]:
    """systemd-nspawn options binding what a control node runs: read-only but for the SSH directory
    (ssh writes its control sockets there)."""
    read_only: list[Path] = []
    for path in (project_root(), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()):
        if path is not None and path.is_dir() and not any(path.is_relative_to(p) for p in read_only):
            read_only.append(path)
    return [*(f"--bind-ro={p}" for p in read_only), f"--bind={paths.ssh_dir}"]
