"""The lab as a whole: bring hosts up, take them down, say what runs.

`up` is additive and idempotent: hosts already running are kept, stale ones (their
nspawn process gone) are cleaned and restarted. If anything fails, the hosts this call
started are taken down again, and the network and proxy too when nothing else runs.
`down` finds the lab's processes, mounts and links from the machine itself as well as
from the state file, so it cleans up even after a crash.
"""

from __future__ import annotations

import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from compliance.lab import access, aptproxy, cgroups, devices, machine, network
from compliance.lab.errors import LabError
from compliance.lab.image import ImageRecipe, configured_mirror, ensure_image
from compliance.lab.limits import raise_kernel_limits
from compliance.lab.paths import LabPaths
from compliance.lab.plan import PlannedHost, named_hosts_elsewhere
from compliance.lab.process import find_processes, process_exited, stop_process
from compliance.lab.state import RunningHost, load, locked, save
from compliance.project import project_root

Log = Callable[[str], None]


@dataclass(frozen=True)
class HostStatus:
    host: PlannedHost
    machine_running: bool
    ssh_answers: bool


# Plans hosts given the addresses running hosts hold.
Planner = Callable[[set[str]], list[PlannedHost]]


class Lab:
    def __init__(self, paths: LabPaths, inventory_file: Path | None, log: Log = print) -> None:
        self.paths = paths
        self.inventory_file = inventory_file
        self.log = log

    def up(self, planned: list[PlannedHost] | Planner, timeout: float = 120.0) -> list[RunningHost]:
        """Ensure every planned host runs and answers SSH; return them.

        A planner is called under the lab's lock with the addresses already taken, so two `up`s at
        once (molecule scenarios side by side) never hand out the same address.
        """
        with locked(self.paths):
            running = self._live_hosts()
            if callable(planned):
                planned = planned({r.host.address for r in running.values()})
            self._refuse_conflicts(planned, running)
            to_start = [p for p in planned if p.name not in running]
            started: list[RunningHost] = []
            try:
                if to_start:
                    mirror = configured_mirror()
                    raise_kernel_limits(self.log)
                    network.ensure_network(self.paths, urlsplit(mirror).hostname or "")
                    self.log(f"starting {len(to_start)} host(s): {', '.join(p.name for p in to_start)}")
                    self._boot_hosts([p for p in to_start if not p.is_device], mirror, running, started)
                    self._start_devices([p for p in to_start if p.is_device], running, started)
                    self._publish(running)
                    self._wait_for_ssh(started, time.monotonic() + timeout)
                else:
                    self._publish(running)
            except BaseException:
                self.log("start failed; removing the hosts this run started")
                for each in started:
                    _shut_down(self.paths, each.host, each.pid)
                    running.pop(each.host.name, None)
                self._settle(running)
                raise
            return [running[p.name] for p in planned]

    def _boot_hosts(
        self, hosts: list[PlannedHost], mirror: str, running: dict[str, RunningHost], started: list[RunningHost]
    ) -> None:
        if not hosts:
            return
        image = ensure_image(self.paths, ImageRecipe(mirror=mirror), self.log)
        public_key = access.ensure_key(self.paths)
        aptproxy.ensure_proxy(self.paths, mirror)
        for host in hosts:
            host_key = machine.prepare_root(self.paths, host, image, public_key)
            started.append(RunningHost(host, machine.boot(self.paths, host), host_key))
            running[host.name] = started[-1]
            save(self.paths, running)

    def _start_devices(
        self, planned: list[PlannedHost], running: dict[str, RunningHost], started: list[RunningHost]
    ) -> None:
        """Simulated devices start from their intended configuration, rendered from the lab's model: the
        inventory names them at their lab addresses first."""
        if not planned:
            return
        root = project_root()
        if root is None or self.inventory_file is None or not self.inventory_file.is_relative_to(root / "inventory"):
            raise LabError(
                "simulated devices run their intended configuration, rendered from the lab inventory in this "
                f"checkout; the lab writes its inventory to {self.inventory_file} (DENGBAO_LAB_INVENTORY)",
                "模拟网络设备运行其目标配置，目标配置依据本仓库中的实验环境清单生成；"
                f"实验环境清单当前写入 {self.inventory_file}（DENGBAO_LAB_INVENTORY）",
            )
        password_file = access.ensure_device_login(self.paths)
        self._publish(running, also=planned)
        for host in planned:
            configuration = devices.intended_configuration(root, host)
            started.append(RunningHost(host, devices.start(self.paths, host, configuration, password_file), ""))
            running[host.name] = started[-1]
            save(self.paths, running)

    def down(self, names: list[str] | None = None) -> list[str]:
        """Stop the named hosts (all when none are named); return the names stopped."""
        with locked(self.paths):
            recorded = load(self.paths)
            for name in sorted(set(names or []) - set(recorded)):
                self.log(f"{name}: not running; nothing to stop")
            chosen = [recorded[n] for n in names if n in recorded] if names else list(recorded.values())
            for each in chosen:
                self.log(f"stopping {each.host.name}")
                _shut_down(self.paths, each.host, each.pid)
                recorded.pop(each.host.name)
            self._settle(recorded)
            return [each.host.name for each in chosen]

    def status(self) -> list[HostStatus]:
        with locked(self.paths):
            recorded = load(self.paths)
        return [
            HostStatus(
                r.host,
                _running(self.paths, r.host, r.pid),
                network.ssh_banner(r.host.address),
            )
            for r in sorted(recorded.values(), key=lambda r: r.host.address)
        ]

    def _live_hosts(self) -> dict[str, RunningHost]:
        """Recorded hosts whose machine still runs; stale records are cleaned up on the way."""
        live = {}
        for name, each in load(self.paths).items():
            if _running(self.paths, each.host, each.pid):
                live[name] = each
            else:
                self.log(f"{name}: recorded but not running; cleaning up")
                _shut_down(self.paths, each.host, None)
        return live

    def _refuse_conflicts(self, planned: list[PlannedHost], running: dict[str, RunningHost]) -> None:
        by_address = {r.host.address: r.host.name for r in running.values()}
        seen: dict[str, str] = {}
        for host in planned:
            current = running.get(host.name)
            if current and current.host.address != host.address:
                raise LabError(
                    f"{host.name} already runs at {current.host.address}, not {host.address}; "
                    f"run `down {host.name}` first",
                    f"{host.name} 已在 {current.host.address} 运行（而非 {host.address}），请先执行 `down {host.name}`",
                )
            owner = by_address.get(host.address) or seen.get(host.address)
            if owner and owner != host.name:
                raise LabError(
                    f"{host.name} and {owner} both want address {host.address}",
                    f"{host.name} 与 {owner} 使用了相同的地址 {host.address}",
                )
            seen[host.address] = host.name

    def _wait_for_ssh(self, started: list[RunningHost], deadline: float) -> None:
        waiting = {each.host.name: each for each in started}
        while waiting:
            for name, each in list(waiting.items()):
                if process_exited(each.pid):
                    console = self.paths.host_dir(name) / "console.log"
                    tail = console.read_text(errors="replace")[-2000:] if console.exists() else ""
                    what = "the device simulator" if each.host.is_device else "systemd-nspawn"
                    raise LabError(
                        f"{name}: {what} exited during start-up; console:\n{tail}",
                        f"{name}：{what} 在启动过程中退出，控制台输出见上",
                    )
                if network.ssh_banner(each.host.address):
                    del waiting[name]
            if waiting and time.monotonic() > deadline:
                raise LabError(
                    f"SSH did not come up in time on: {', '.join(sorted(waiting))}",
                    f"以下主机的 SSH 未能在规定时间内就绪：{', '.join(sorted(waiting))}",
                )
            if waiting:
                time.sleep(0.1)

    def _publish(self, running: dict[str, RunningHost], also: list[PlannedHost] | None = None) -> None:
        """Write the ssh_config, known_hosts and Ansible inventory of what runs now (and of the devices `also`
        about to start)."""
        hosts = [r.host for r in running.values()] + list(also or [])
        if self.paths.ssh_dir.exists():
            access.write_ssh_config(self.paths, hosts)
            access.write_known_hosts(self.paths, running.values())
        if self.inventory_file is not None:
            addresses = named_hosts_elsewhere(self.paths, hosts) if any(h.is_device for h in hosts) else {}
            access.write_inventory(self.inventory_file, self.paths, hosts, addresses)

    def _settle(self, running: dict[str, RunningHost]) -> None:
        """Record what still runs; with nothing left, remove every trace of the lab."""
        if running:
            save(self.paths, running)
            self._publish(running)
            return
        self._remove_strays()
        masters = str(self.paths.ssh_dir / "cm-")
        for pid in find_processes(lambda argv: any(masters in a for a in argv)):
            stop_process(pid, signal.SIGTERM, masters, timeout=5)
        aptproxy.stop_proxy(self.paths)
        for pid in aptproxy.stray_proxies(self.paths):
            stop_process(pid, signal.SIGTERM, "apt-cacher-ng")
        network.remove_network(self.paths)
        self._publish({})
        for leftover in (self.paths.hosts_dir, self.paths.ssh_dir, self.paths.apt_proxy_dir):
            shutil.rmtree(leftover, ignore_errors=True)
        self.paths.state_file.unlink(missing_ok=True)

    def _remove_strays(self) -> None:
        """Processes, veths and mounts of this lab that no record names (after a crash)."""
        marker = "--machine=" + self.paths.machine_prefix
        for pid in find_processes(lambda argv: argv[0].endswith(machine.NSPAWN) and any(marker in a for a in argv)):
            self.log(f"stopping unrecorded lab machine (pid {pid})")
            stop_process(pid, signal.SIGTERM, marker, timeout=15)
        for pid in devices.stray_simulators(self.paths):
            self.log(f"stopping unrecorded lab device (pid {pid})")
            stop_process(pid, signal.SIGTERM, devices.SIMULATOR, timeout=5)
        for namespace in devices.stray_namespaces(self.paths):
            devices.remove_namespace(namespace)
        for veth in network.lab_veths(self.paths):
            network.remove_veth(veth.removeprefix("vb-"))
        for mount_point in machine.lab_mounts(self.paths):
            machine.unmount(mount_point)
        cgroups.discard(cgroups.lab_groups(self.paths.bridge))


def _running(paths: LabPaths, host: PlannedHost, pid: int | None) -> bool:
    if host.is_device:
        return devices.device_running(paths, host, pid)
    return machine.machine_running(paths, host, pid)


def _shut_down(paths: LabPaths, host: PlannedHost, pid: int | None) -> None:
    if host.is_device:
        devices.stop(paths, host, pid)
    else:
        machine.shut_down(paths, host, pid)
