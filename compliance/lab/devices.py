"""One simulated network device's life in the lab: a network namespace on its zone's bridge, routed through
the lab's router like a host, running compliance.lab.simulator with the device's intended configuration.

A device is a real SSH peer at its zone address: the scan, `dengbao device push` and `dengbao device drift`
reach it as they would reach a switch, with the lab's device login (`netadmin` and a random password, kept
vault-encrypted in the lab inventory; compliance.lab.access). It starts in about a second and holds no disk
state: configuration pushed to it lives until it stops, and it starts again from the intended configuration.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

from compliance.lab.network import link_exists, run_ip
from compliance.lab.paths import LabPaths
from compliance.lab.plan import PlannedHost
from compliance.lab.process import find_processes, process_alive, stop_process

DEVICE_USER = "netadmin"
SIMULATOR = "compliance.lab.simulator"
INSIDE_LINK = "eth0"


def config_file(paths: LabPaths, host: PlannedHost) -> Path:
    """The configuration the device starts with (its marker too: the path is unique to this lab and device)."""
    return paths.host_dir(host.name) / "running.cfg"


def _namespace(paths: LabPaths, host: PlannedHost) -> str:
    return paths.machine_name(host.name)


def _outer_link(paths: LabPaths, host: PlannedHost) -> str:
    return "vd-" + paths.machine_name(host.name)


def intended_configuration(root: Path, host: PlannedHost) -> str:
    """What the device runs when it starts: its intended configuration, from the lab's model, which must
    already name it at its lab address (Lab.up publishes the inventory first)."""
    from compliance.devices.intended import render  # the model and templates: loaded only when a device starts
    from compliance.model.host_policy import policy_for_host

    declared = {"ansible_host": host.address, "dengbao_device": host.device}
    return render(host.name, host.os, policy_for_host(root, host.name, declared).settings)


def start(paths: LabPaths, host: PlannedHost, configuration: str, password_file: Path) -> int:
    """Lay the device's namespace on its zone's bridge and start its simulator, detached; return the pid."""
    stop(paths, host, None)
    zone = paths.layout.zone_of(host.address)
    host_dir = paths.host_dir(host.name)
    host_dir.mkdir(parents=True)
    config = config_file(paths, host)
    config.write_text(configuration)
    namespace, outer = _namespace(paths, host), _outer_link(paths, host)
    run_ip("netns", "add", namespace)
    run_ip("-n", namespace, "link", "set", "lo", "up")
    run_ip("link", "add", outer, "type", "veth", "peer", "name", INSIDE_LINK, "netns", namespace)
    run_ip("link", "set", outer, "master", zone.bridge, "up")
    run_ip("-n", namespace, "addr", "add", f"{host.address}/{zone.subnet.prefixlen}", "dev", INSIDE_LINK)
    run_ip("-n", namespace, "link", "set", INSIDE_LINK, "up")
    for destination in paths.layout.routes_of(zone):
        run_ip("-n", namespace, "route", "add", destination, "via", zone.router)
    # A device started again at its address has a new link: the router and this machine forget the old one,
    # or they keep sending to it until their neighbour entries go stale (about half a minute).
    run_ip("-n", paths.router_namespace, "neigh", "flush", "to", host.address, check=False)
    run_ip("neigh", "flush", "to", host.address, check=False)
    console = (host_dir / "console.log").open("ab")
    process = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            namespace,
            sys.executable,
            "-m",
            SIMULATOR,
            f"--name={host.name}",
            f"--platform={host.os}",
            f"--config={config}",
            f"--address={host.address}",
            f"--user={DEVICE_USER}",
            f"--password-file={password_file}",
        ],
        stdin=subprocess.DEVNULL,
        stdout=console,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process.pid


def device_running(paths: LabPaths, host: PlannedHost, pid: int | None) -> bool:
    return pid is not None and process_alive(pid, str(config_file(paths, host)))


def stop(paths: LabPaths, host: PlannedHost, pid: int | None) -> None:
    """Stop the simulator, then remove its namespace, its bridge link and its files."""
    marker = str(config_file(paths, host))
    pids = {pid} if pid else set()
    pids |= set(find_processes(lambda argv: any(marker in part for part in argv)))
    for each in pids:
        stop_process(each, signal.SIGTERM, marker, timeout=5)
    run_ip("netns", "del", _namespace(paths, host), check=False)
    if link_exists(_outer_link(paths, host)):
        run_ip("link", "del", _outer_link(paths, host), check=False)
    shutil.rmtree(paths.host_dir(host.name), ignore_errors=True)


def stray_simulators(paths: LabPaths) -> list[int]:
    """Simulators of this lab that no record names (after a crash)."""
    marker = str(paths.hosts_dir) + "/"
    return find_processes(
        lambda argv: SIMULATOR in argv and any(part.startswith(f"--config={marker}") for part in argv)
    )


def stray_namespaces(paths: LabPaths) -> list[str]:
    listed = run_ip("netns", "list", check=False).stdout
    return [line.split()[0] for line in listed.splitlines() if line.startswith(paths.machine_prefix)]


def remove_namespace(name: str) -> None:
    run_ip("netns", "del", name, check=False)
