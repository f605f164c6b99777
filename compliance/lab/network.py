"""The lab network: a Linux bridge per zone, joined by the lab's router (a network namespace
forwarding between its legs, with no route out of the machine), and this machine in the
management zone, where Ansible connects from and the apt proxy listens.

Nothing leaves the machine: the router knows only the zones' subnets and the Internet
stand-in's, and this machine does not forward for them. Hosts reach the apt proxy as a
hospital's HIS hosts reach only the internal mirror.
"""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import time
from pathlib import Path

from compliance.lab.errors import LabError
from compliance.lab.paths import LabPaths


def run_ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`ip ARGS`; a failure is a LabError naming the command, unless `check` is off."""
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise LabError(
            f"'ip {' '.join(args)}' failed: {result.stderr.strip()}",
            f"网络配置命令 'ip {' '.join(args)}' 失败：{result.stderr.strip()}",
        )
    return result


def link_exists(name: str) -> bool:
    return Path("/sys/class/net", name).exists()


def _netns(paths: LabPaths, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run_ip("-n", paths.router_namespace, *args, check=check)


def _refuse_other_labs(paths: LabPaths) -> None:
    """Two labs on one machine would hold the same zone addresses: refuse rather than break the running one."""
    controller = paths.layout.controller
    ours = paths.layout.controller_zone.bridge
    for line in run_ip("-4", "-o", "addr", "show").stdout.splitlines():
        fields = line.split()
        if len(fields) > 3 and fields[3].split("/")[0] == controller and fields[1] != ours:
            raise LabError(
                f"{controller} is already held by {fields[1]}: another lab runs on this machine "
                f"(take it down with its own `dengbao lab down` first)",
                f"{controller} 已被 {fields[1]} 占用：本机已有另一个实验环境在运行（请先将其 `dengbao lab down`）",
            )


def refuse_taken_addresses(paths: LabPaths, mirror_host: str) -> None:
    """The lab's subnets must be free on this machine: no route of another link into them, and
    not the address of the mirror the apt proxy fetches from (routing it into the lab would cut it off)."""
    own = {zone.bridge for zone in paths.layout.zones}
    subnets = [zone.subnet for zone in paths.layout.zones]
    for line in run_ip("-4", "route", "show").stdout.splitlines():
        fields = line.split()
        if not fields or fields[0] == "default" or "dev" not in fields:
            continue
        device = fields[fields.index("dev") + 1]
        try:
            routed = ipaddress.IPv4Network(fields[0], strict=False)
        except ValueError:
            continue
        if device not in own and any(routed.overlaps(s) for s in subnets):
            raise LabError(
                f"this machine already routes {routed} over {device}, which overlaps the lab's zones: "
                "move the lab's subnets (inventory/lab/group_vars/all/zones.yml, compliance/lab/topology.yml)",
                f"本机已通过 {device} 路由 {routed}，与实验环境的区域网段重叠：请调整实验环境网段",
            )
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(mirror_host, None, socket.AF_INET)}
    except OSError:
        return
    for address in sorted(addresses):
        if any(ipaddress.IPv4Address(address) in s for s in subnets):
            raise LabError(
                f"the package mirror {mirror_host} ({address}) lies in one of the lab's subnets: "
                "move the lab's subnets (inventory/lab/group_vars/all/zones.yml, compliance/lab/topology.yml)",
                f"软件源 {mirror_host}（{address}）位于实验环境的网段内：请调整实验环境网段",
            )


def ensure_network(paths: LabPaths, mirror_host: str) -> None:
    """A bridge per zone, the router's namespace with a leg in each, and this machine in the management zone.

    Before the first zone is added, addresses the lab would take from this machine are refused."""
    layout = paths.layout
    if not link_exists(layout.controller_zone.bridge):
        _refuse_other_labs(paths)
        refuse_taken_addresses(paths, mirror_host)
    if paths.router_namespace not in run_ip("netns", "list").stdout.split():
        run_ip("netns", "add", paths.router_namespace)
    _netns(paths, "link", "set", "lo", "up")
    for zone in layout.zones:
        if not link_exists(zone.bridge):
            run_ip("link", "add", zone.bridge, "type", "bridge")
        run_ip("link", "set", zone.bridge, "up")
        outer, inner = f"{paths.bridge}r{zone.index}", f"z{zone.index}"
        if not link_exists(outer):
            run_ip("link", "add", outer, "type", "veth", "peer", "name", inner, "netns", paths.router_namespace)
            run_ip("link", "set", outer, "master", zone.bridge, "up")
            _netns(paths, "addr", "add", f"{zone.router}/{zone.subnet.prefixlen}", "dev", inner)
            _netns(paths, "link", "set", inner, "up")
    run_ip("netns", "exec", paths.router_namespace, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    management = layout.controller_zone
    cidr = f"{layout.controller}/{management.subnet.prefixlen}"
    if cidr not in run_ip("-4", "-o", "addr", "show", "dev", management.bridge).stdout:
        run_ip("addr", "add", cidr, "dev", management.bridge)
    for zone in layout.zones:
        if zone is not management:
            run_ip("route", "replace", str(zone.subnet), "via", management.router, "dev", management.bridge)


def remove_network(paths: LabPaths) -> None:
    """Bridges (their routes go with them), the router's namespace (its veth legs go with it)."""
    if paths.router_namespace in run_ip("netns", "list", check=False).stdout.split():
        run_ip("netns", "del", paths.router_namespace, check=False)
    for zone in paths.layout.zones:
        for name in (f"{paths.bridge}r{zone.index}", zone.bridge):
            if link_exists(name):
                run_ip("link", "del", name, check=False)


def lab_veths(paths: LabPaths) -> list[str]:
    """Host-side veth ends systemd-nspawn created for this lab's machines (`vb-dg4d00-NN`)."""
    prefix = "vb-" + paths.machine_prefix
    return sorted(p.name for p in Path("/sys/class/net").iterdir() if p.name.startswith(prefix))


def remove_veth(machine: str) -> None:
    name = "vb-" + machine
    if link_exists(name):
        run_ip("link", "del", name, check=False)


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
