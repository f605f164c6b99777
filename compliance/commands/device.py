"""`dengbao device`: the configuration a switch, router or firewall should run, and pushing it safely.

`intended NAME` renders the device's configuration from its effective policy settings (accounts, audit,
time, ssh and network_devices, with its level's and zone's overrides) through the template of its platform
(`dengbao_os`: huawei_vrp, h3c_comware, cisco_ios), and prints it or writes it with `-o FILE`.

`push NAME -i INVENTORY` brings the device to that configuration over SSH, reaching it as the inventory
says (`ansible_host`, `ansible_port`, `ansible_user`, `ansible_password` from the vault, else
$DENGBAO_DEVICE_PASSWORD). It saves the running configuration first, shows the change set and the rollback
plan, sends the change set, reads the configuration again in a new session and judges it with every device
check; a refused command, a lost session or a failing check rolls it back, and the configuration after the
rollback is compared with the saved one. `--dry-run` shows the change set and sends nothing. Evidence
(before.cfg, changes.txt, rollback.txt, after.cfg, push.json) goes to
reports/device-pushes/<device>/<UTC time>/ or `-o DIR`.

Examples:
  dengbao device intended core-sw-01
  dengbao device intended acc-sw-clin-01 -o /tmp/acc-sw-clin-01.cfg
  dengbao device push core-sw-01 -i example-hospital --dry-run

Exit codes: 0 rendered, pushed, or nothing to change (a dry run too); 1 rolled back, or not pushed (the
device could not be read); 2 bad input (unknown device, no template for its platform, a policy value its
platform cannot express), naming the file and field.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.commands import documented_command, load_model, usage_error
from compliance.project import NO_CHECKOUT, project_root

NETWORK_DEVICES = ("switch", "router", "firewall")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    device = documented_command(subparsers, "device", "network devices / 网络设备", __doc__)
    actions = device.add_subparsers(dest="action", required=True)
    intended = actions.add_parser("intended", help="render a device's intended configuration / 生成设备目标配置")
    intended.add_argument("name", help="the device's inventory name")
    intended.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    push = actions.add_parser("push", help="push the intended configuration, with rollback / 下发目标配置（可回退）")
    push.add_argument("name", help="the device's inventory name")
    push.add_argument("-i", "--inventory", required=True, help="inventory path, or a name under inventory/")
    push.add_argument("--dry-run", action="store_true", help="show the change set and send nothing")
    push.add_argument("-o", "--output", type=Path, help="evidence directory (default: reports/device-pushes/…)")
    push.add_argument("--timeout", type=float, default=30.0, help="seconds per step, connect included")


def run(args: argparse.Namespace) -> int:
    from compliance.devices.intended import render
    from compliance.model.host_policy import policy_for_host

    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    model = load_model(root)
    if model is None:
        return 2
    hosts = {name: host for inventory in model.inventories.values() for name, host in inventory.hosts.items()}
    host = hosts.get(args.name)
    if host is None or host.variables.get("dengbao_device") not in NETWORK_DEVICES:
        devices = sorted(n for n, h in hosts.items() if h.variables.get("dengbao_device") in NETWORK_DEVICES)
        return usage_error(
            f"{args.name}: no such network device in the inventories; have: {', '.join(devices)}",
            f"{args.name}：清单中没有该网络设备；现有：{'、'.join(devices)}",
        )
    settings = policy_for_host(root, args.name).settings
    text = render(args.name, str(host.variables.get("dengbao_os", "")), settings)
    if args.action == "push":
        return _push(root, args, text, settings)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


def _push(root: Path, args: argparse.Namespace, intended: str, settings: dict[str, Any]) -> int:
    from compliance.commands import inventory_path
    from compliance.devices.push import push
    from compliance.scan.targets import TargetError, inventory_targets

    try:
        targets = inventory_targets(inventory_path(root, args.inventory))
    except TargetError as error:
        return usage_error(error.english, error.chinese)
    target = next((t for t in targets if t.name == args.name), None)
    if target is None:
        return usage_error(
            f"{args.name}: not in the inventory {args.inventory}", f"{args.name}：不在清单 {args.inventory} 中"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    evidence = args.output or root / "reports" / "device-pushes" / args.name / stamp
    result = push(target, intended, settings, evidence, dry_run=args.dry_run, timeout=args.timeout)
    for change in result.changes:
        print(f"  {change}")
    if result.changes and args.dry_run:
        print("回退计划 rollback plan:")
        for step in result.rollback_plan:
            print(f"  {step}")
    for line in result.left_over:
        print(f"  未恢复 not restored: {line}")
    said = OUTCOMES.get(result.outcome, result.outcome)
    print(f"{args.name}: {said} / {result.outcome}: {result.reason}\n证据 evidence: {evidence}")
    return result.exit_code


OUTCOMES = {
    "dry-run": "试运行，未下发",
    "unchanged": "无需变更",
    "applied": "已下发并通过核查",
    "rolled-back": "已回退并恢复原配置",
    "rollback-incomplete": "回退未能完全恢复原配置",
    "not-started": "未下发",
}
