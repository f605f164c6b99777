"""`dengbao lab …`: up, down, status and ssh for the lab of Debian hosts."""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

from compliance.lab.errors import LabError
from compliance.lab.lab import Lab, Planner
from compliance.lab.paths import LabPaths
from compliance.lab.plan import PlannedHost, adhoc_hosts, first_hosts, hosts_from_inventory, topology_devices
from compliance.lab.state import load
from compliance.project import project_root

DEFAULT_HOSTS = 5


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    lab = subparsers.add_parser("lab", help="run lab hosts (systemd-nspawn) / 管理实验环境主机")
    actions = lab.add_subparsers(dest="lab_action", required=True)

    up = actions.add_parser("up", help="start lab hosts / 启动实验主机")
    up.add_argument("count", nargs="?", type=int, help=f"first N hosts of the default lab (default {DEFAULT_HOSTS})")
    up.add_argument("--inventory", type=Path, help="stand up the SSH hosts of this Ansible inventory")
    up.add_argument(
        "--devices",
        action="store_true",
        help="also start the simulated switches and router of the default lab (compliance/lab/topology.yml)",
    )
    up.add_argument(
        "--host", action="append", default=[], help="start this named host or simulated device (repeatable)"
    )
    up.add_argument(
        "--control-node",
        action="append",
        default=[],
        help="start this named host as a control node, running this checkout's dengbao (repeatable)",
    )
    up.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for SSH (default 120)")
    up.add_argument("--json", action="store_true", help="print the started hosts as JSON")

    down = actions.add_parser("down", help="stop lab hosts and clean up / 停止实验主机并清理")
    down.add_argument("hosts", nargs="*", help="hosts to stop (default: all, and the lab network)")

    status = actions.add_parser("status", help="show lab hosts / 显示实验主机状态")
    status.add_argument("--json", action="store_true")

    ssh = actions.add_parser("ssh", help="open a shell on a lab host / 登录实验主机")
    ssh.add_argument("host")
    ssh.add_argument("remote_command", nargs=argparse.REMAINDER, help="command to run instead of a shell")


def lab_inventory_file() -> Path | None:
    """Where `up` writes the running lab's inventory: `inventory/lab/hosts.yml` of the checkout."""
    override = os.environ.get("DENGBAO_LAB_INVENTORY")
    if override:
        return Path(override)
    root = project_root()
    return root / "inventory" / "lab" / "hosts.yml" if root else None


def run(args: argparse.Namespace) -> int:
    if os.geteuid() != 0:
        raise LabError(
            "the lab needs root (mounts, bridges, systemd-nspawn)",
            "实验环境需要 root 权限（挂载、网桥、systemd-nspawn）",
        )
    paths = LabPaths.from_environment()
    lab = Lab(paths, lab_inventory_file(), log=lambda line: print(f"[lab] {line}", file=sys.stderr))
    if args.lab_action == "up":
        return _up(lab, paths, args)
    if args.lab_action == "down":
        stopped = lab.down(args.hosts or None)
        print(f"已停止 stopped: {len(stopped)} host(s)")
        return 0
    if args.lab_action == "status":
        return _status(lab, args.json)
    return _ssh(paths, args.host, args.remote_command)


def _up(lab: Lab, paths: LabPaths, args: argparse.Namespace) -> int:
    # Inventory and ad-hoc hosts get their addresses under the lab's lock (Lab.up calls the planner).
    planned: list[PlannedHost] | Planner
    if args.inventory:
        planned = functools.partial(hosts_from_inventory, paths, args.inventory)
    elif args.host or args.control_node:
        names = list(dict.fromkeys([*args.host, *args.control_node]))
        planned = functools.partial(adhoc_hosts, paths, names, control_nodes=tuple(args.control_node))
    else:
        planned = first_hosts(paths, args.count or DEFAULT_HOSTS)
    if args.devices:
        if callable(planned):
            raise LabError(
                "--devices goes with the default lab (a count), not with --inventory or --host; name devices "
                "with --host",
                "--devices 仅用于默认实验环境（指定数量），不能与 --inventory 或 --host 同用；可用 --host 指定设备",
            )
        planned = [*planned, *topology_devices(paths)]
    began = time.monotonic()
    running = lab.up(planned, timeout=args.timeout)
    elapsed = time.monotonic() - began
    if args.json:
        # Also molecule's instance_config fields (instance, address, user, port, identity_file).
        print(
            json.dumps(
                [
                    {
                        "instance": r.host.name,
                        "address": r.host.address,
                        "os": r.host.os,
                        "device": r.host.device,
                        "user": "root",
                        "port": 22,
                        "identity_file": str(paths.ssh_key),
                        "ssh_config": str(paths.ssh_config),
                        "groups": list(r.host.groups),
                    }
                    for r in running
                ],
                indent=2,
            )
        )
    else:
        for r in running:
            print(f"{r.host.name:<16} {r.host.address:<14} {' '.join(r.host.groups)}")
        print(f"{len(running)} 台主机就绪 host(s) up in {elapsed:.1f} s; ssh config: {paths.ssh_config}")
        if any(r.host.is_device for r in running):
            print(
                "设备口令已用 ansible-vault 加密写入实验清单 the devices' password is vaulted in the lab inventory; "
                f"scan with ANSIBLE_VAULT_PASSWORD_FILE={paths.vault_password_file}"
            )
    return 0


def _status(lab: Lab, as_json: bool) -> int:
    rows = lab.status()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "name": s.host.name,
                        "address": s.host.address,
                        "groups": list(s.host.groups),
                        "running": s.machine_running,
                        "ssh": s.ssh_answers,
                    }
                    for s in rows
                ],
                indent=2,
            )
        )
        return 0
    if not rows:
        print("实验环境未运行 the lab is not running")
        return 0
    print(f"{'host 主机':<18} {'address 地址':<16} {'running 运行':<12} {'ssh':<5} groups 分组")
    for s in rows:
        print(
            f"{s.host.name:<18} {s.host.address:<16} {'yes' if s.machine_running else 'NO':<12} "
            f"{'yes' if s.ssh_answers else 'NO':<5} {' '.join(s.host.groups)}"
        )
    return 0 if all(s.machine_running and s.ssh_answers for s in rows) else 1


def _ssh(paths: LabPaths, host: str, command: list[str]) -> int:
    running = load(paths)
    if host not in running:
        raise LabError(f"{host} is not a running lab host", f"{host} 不是正在运行的实验主机")
    if running[host].host.is_device:
        from compliance.lab.devices import DEVICE_USER

        print(f"[lab] {host}: password in {paths.device_password_file} / 口令见该文件", file=sys.stderr)
        # The simulators share FakeNOS's bundled host key: nothing to pin it against.
        options = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]
        address = running[host].host.address
        os.execvp("ssh", ["ssh", *options, f"{DEVICE_USER}@{address}", *command])
    os.execvp("ssh", ["ssh", "-F", str(paths.ssh_config), host, *command])
    return 127
