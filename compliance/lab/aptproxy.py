"""The lab's package mirror: Debian's apt-cacher-ng on this machine's management-zone address, run by the lab itself.

It plays the hospital's internal mirror: hosts have no route out, and their apt talks
only to this proxy. Its cache is kept between labs, so a role's second install is local.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from compliance.lab.errors import LabError
from compliance.lab.network import wait_for_port
from compliance.lab.paths import APT_PROXY_PORT, LabPaths
from compliance.lab.process import find_processes, process_alive, stop_process

SUPPORT_DIR = Path("/usr/lib/apt-cacher-ng")


def _config_text(paths: LabPaths, mirror: str) -> str:
    security = mirror.rsplit("/", 1)[0] + "/debian-security"
    return (
        f"CacheDir: {paths.apt_proxy_cache}\n"
        f"LogDir: {paths.apt_proxy_dir}\n"
        f"SupportDir: {SUPPORT_DIR}\n"
        f"PidFile: {paths.apt_proxy_dir / 'pid'}\n"
        f"SocketPath: {paths.apt_proxy_dir / 'socket'}\n"
        f"BindAddress: {paths.controller}\n"
        f"Port: {APT_PROXY_PORT}\n"
        "ForeGround: 1\n"
        "ExThreshold: 4\n"
        # A cold cache filled by several scenarios at once: more tries before a client sees a 503.
        "DlMaxRetries: 6\n"
        # Index files (InRelease) count as fresh for an hour. When several lab hosts ran `apt-get update` in the
        # same second after the default 27 s, apt-cacher-ng refreshed the same file from each request at once,
        # failed to move the old copy aside ("File exists") and left those clients waiting for good (seen in a
        # CI run: a molecule scenario stuck 30 min). Debian's Packages files are fetched by hash, so a held
        # InRelease stays consistent with them.
        "FreshIndexMaxAge: 3600\n"
        f"Remap-debrep: file:deb_mirror*.gz /debian ; {mirror}/\n"
        "Remap-secdeb: security.debian.org security.debian.org/debian-security"
        f" deb.debian.org/debian-security /debian-security ; {security}/\n"
    )


def proxy_pid(paths: LabPaths) -> int | None:
    pid_file = paths.apt_proxy_dir / "lab.pid"
    if not pid_file.is_file():
        return None
    pid = int(pid_file.read_text())
    return pid if process_alive(pid, "apt-cacher-ng") else None


def ensure_proxy(paths: LabPaths, mirror: str) -> int:
    """Start the proxy unless it already runs; return its pid once it accepts connections."""
    running = proxy_pid(paths)
    if running:
        return running
    if not Path("/usr/sbin/apt-cacher-ng").exists():
        raise LabError(
            "apt-cacher-ng is not installed (apt-get install apt-cacher-ng)",
            "未安装 apt-cacher-ng（请执行 apt-get install apt-cacher-ng）",
        )
    paths.apt_proxy_dir.mkdir(parents=True, exist_ok=True)
    paths.apt_proxy_cache.mkdir(parents=True, exist_ok=True)
    conf_dir = paths.apt_proxy_dir / "conf"
    conf_dir.mkdir(exist_ok=True)
    (conf_dir / "acng.conf").write_text(_config_text(paths, mirror))
    log = (paths.apt_proxy_dir / "console.log").open("ab")
    process = subprocess.Popen(
        ["/usr/sbin/apt-cacher-ng", "-c", str(conf_dir)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (paths.apt_proxy_dir / "lab.pid").write_text(str(process.pid))
    if not wait_for_port(paths.controller, APT_PROXY_PORT, time.monotonic() + 10):
        stop_process(process.pid, signal.SIGTERM, "apt-cacher-ng")
        raise LabError(
            f"apt-cacher-ng did not listen on {paths.apt_proxy_url}; see {paths.apt_proxy_dir}",
            f"apt-cacher-ng 未在 {paths.apt_proxy_url} 上监听，见 {paths.apt_proxy_dir}",
        )
    return process.pid


def stop_proxy(paths: LabPaths) -> None:
    pid = proxy_pid(paths)
    if pid:
        stop_process(pid, signal.SIGTERM, "apt-cacher-ng")
    (paths.apt_proxy_dir / "lab.pid").unlink(missing_ok=True)


def stray_proxies(paths: LabPaths) -> list[int]:
    """Pids of apt-cacher-ng run from this lab's state (found by `down` even when the pid file is lost)."""
    marker = str(paths.apt_proxy_dir)
    return find_processes(lambda argv: argv[0].endswith("apt-cacher-ng") and any(marker in a for a in argv))
