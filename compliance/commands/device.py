"""`dengbao device intended NAME`: the configuration a switch, router or firewall of the model should run.

Rendered from the device's effective policy settings (accounts, audit, time, ssh and network_devices, with
its level's and zone's overrides) through the template of its platform (`dengbao_os`: huawei_vrp,
h3c_comware, cisco_ios), then printed, or written with `-o FILE`. Nothing is sent to the device.

Examples:
  dengbao device intended core-sw-01
  dengbao device intended acc-sw-clin-01 -o /tmp/acc-sw-clin-01.cfg

Exit codes: 0 rendered; 2 bad input (unknown device, no template for its platform, a policy value its
platform cannot express), naming the file and field.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from compliance.commands import documented_command, load_model, usage_error
from compliance.project import NO_CHECKOUT, project_root

NETWORK_DEVICES = ("switch", "router", "firewall")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    device = documented_command(subparsers, "device", "network devices / 网络设备", __doc__)
    actions = device.add_subparsers(dest="action", required=True)
    intended = actions.add_parser("intended", help="render a device's intended configuration / 生成设备目标配置")
    intended.add_argument("name", help="the device's inventory name")
    intended.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")


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
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0
