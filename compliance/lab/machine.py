"""One lab host's life: overlay root, identity files, systemd-nspawn boot, shutdown and clean-up."""

from __future__ import annotations

import secrets
import signal
import subprocess
from pathlib import Path

from compliance.lab import cgroups
from compliance.lab.access import close_connections
from compliance.lab.control import CONTROL_GROUP, control_binds
from compliance.lab.errors import LabError
from compliance.lab.network import remove_veth
from compliance.lab.paths import LAB_MIRROR_NAME, LabPaths
from compliance.lab.plan import PlannedHost
from compliance.lab.process import find_processes, process_alive, stop_process

NSPAWN = "systemd-nspawn"


def root_dir(paths: LabPaths, host: PlannedHost) -> Path:
    return paths.host_dir(host.name) / "root"


def is_mounted(path: Path) -> bool:
    target = str(path)
    return any(line.split()[1] == target for line in Path("/proc/self/mounts").read_text().splitlines())


def lab_mounts(paths: LabPaths) -> list[Path]:
    """Every mount point below the lab's state directory, deepest first."""
    prefix = str(paths.hosts_dir) + "/"
    points = [Path(line.split()[1]) for line in Path("/proc/self/mounts").read_text().splitlines()]
    return sorted((p for p in points if str(p).startswith(prefix)), key=lambda p: len(p.parts), reverse=True)


def prepare_root(paths: LabPaths, host: PlannedHost, image: Path, public_key: str) -> str:
    """Mount a fresh overlay for the host and write its identity; return its ed25519 host public key."""
    host_dir = paths.host_dir(host.name)
    discard_root(paths, host)
    upper, work, root = host_dir / "upper", host_dir / "work", host_dir / "root"
    for directory in (upper, work, root):
        directory.mkdir(parents=True)
    mount = subprocess.run(
        ["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={image},upperdir={upper},workdir={work}", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mount.returncode != 0:
        raise LabError(
            f"{host.name}: overlay mount failed: {mount.stderr.strip()}",
            f"{host.name}：挂载 overlay 文件系统失败：{mount.stderr.strip()}",
        )
    _write_identity(paths, root, host, public_key)
    return (root / "etc/ssh/ssh_host_ed25519_key.pub").read_text().split()[1]


def _write_identity(paths: LabPaths, root: Path, host: PlannedHost, public_key: str) -> None:
    (root / "etc/hostname").write_text(host.name + "\n")
    (root / "etc/hosts").write_text(
        f"127.0.0.1\tlocalhost\n127.0.1.1\t{host.name}\n{host.address}\t{host.name}\n"
        f"{paths.controller}\t{LAB_MIRROR_NAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n"
    )
    (root / "etc/machine-id").write_text(secrets.token_hex(16) + "\n")
    (root / "etc/systemd/network/10-lab-host0.network").write_text(network_file_text(paths, host))
    # A download the proxy stalls on is abandoned after 20 s and retried, instead of hanging apt for minutes.
    (root / "etc/apt/apt.conf.d/80dengbao-lab-proxy").write_text(
        f'Acquire::http::Proxy "{paths.apt_proxy_url}";\nAcquire::http::Timeout "20";\nAcquire::Retries "5";\n'
    )
    ssh_dir = root / "root/.ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    keys = ssh_dir / "authorized_keys"
    keys.write_text(public_key.strip() + "\n")
    keys.chmod(0o600)
    key_file = root / "etc/ssh/ssh_host_ed25519_key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"root@{host.name}", "-f", str(key_file)],
        check=True,
        capture_output=True,
    )


def network_file_text(paths: LabPaths, host: PlannedHost) -> str:
    """systemd-networkd's file for the host: its address in its zone, and routes through the lab's router.

    A zone that never reaches the Internet gets a route to each other zone and no default
    route, as the information center routes a HIS subnet; the others get a default route.
    """
    zone = paths.layout.zone_of(host.address)
    routes = "".join(
        f"\n[Route]\nDestination={destination}\nGateway={zone.router}\n" for destination in paths.layout.routes_of(zone)
    )
    return (
        "[Match]\nName=host0\n\n[Network]\n"
        f"Address={host.address}/{zone.subnet.prefixlen}\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n{routes}"
    )


def boot(paths: LabPaths, host: PlannedHost) -> int:
    """Start the host's systemd under systemd-nspawn, in a cgroup of its own, detached; return the pid."""
    groups = _cgroups(paths, host)
    cgroups.discard(groups)
    cgroups.create(groups)
    console = (paths.host_dir(host.name) / "console.log").open("ab")
    process = subprocess.Popen(
        [
            NSPAWN,
            "--quiet",
            "--register=no",
            "--keep-unit",
            "--boot",
            "--console=passive",
            f"--network-bridge={paths.layout.zone_of(host.address).bridge}",
            f"--machine={paths.machine_name(host.name)}",
            f"--hostname={host.name}",
            f"--directory={root_dir(paths, host)}",
            *(control_binds(paths) if CONTROL_GROUP in host.groups else []),
        ],
        stdin=subprocess.DEVNULL,
        stdout=console,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=lambda: cgroups.join(groups),
    )
    return process.pid


def _cgroups(paths: LabPaths, host: PlannedHost) -> list[Path]:
    return cgroups.host_groups(paths.bridge, paths.machine_name(host.name))


def _nspawn_marker(paths: LabPaths, host: PlannedHost) -> str:
    return f"--machine={paths.machine_name(host.name)}"


def machine_running(paths: LabPaths, host: PlannedHost, pid: int | None) -> bool:
    return pid is not None and process_alive(pid, _nspawn_marker(paths, host))


def shut_down(paths: LabPaths, host: PlannedHost, pid: int | None) -> None:
    """Power the host off (SIGTERM makes nspawn ask systemd for a clean poweroff), then discard it."""
    close_connections(paths, host)
    marker = _nspawn_marker(paths, host)
    pids = {pid} if pid else set()
    pids |= set(find_processes(lambda argv: argv[0].endswith(NSPAWN) and marker in argv))
    for each in pids:
        stop_process(each, signal.SIGTERM, marker, timeout=15)
    cgroups.discard(_cgroups(paths, host))
    remove_veth(paths.machine_name(host.name))
    discard_root(paths, host)


def discard_root(paths: LabPaths, host: PlannedHost) -> None:
    """Unmount the host's overlay (after its processes are gone) and delete its writable layer."""
    host_dir = paths.host_dir(host.name)
    for mount_point in lab_mounts(paths):
        if mount_point.is_relative_to(host_dir):
            unmount(mount_point)
    if host_dir.exists():
        subprocess.run(["rm", "-rf", "--one-file-system", str(host_dir)], check=True)


def unmount(mount_point: Path) -> None:
    result = subprocess.run(["umount", str(mount_point)], capture_output=True, text=True, check=False)
    if result.returncode != 0 and is_mounted(mount_point):
        raise LabError(
            f"cannot unmount {mount_point}: {result.stderr.strip()}",
            f"无法卸载 {mount_point}：{result.stderr.strip()}",
        )
