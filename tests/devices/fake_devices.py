"""Simulated network devices for the tests: FakeNOS SSH servers on this machine's loopback, one per platform.

FakeNOS's own Huawei and H3C profiles print Cisco-style prompts and know neither `display
current-configuration` nor `screen-length`; these definitions give VRP's and Comware's `<name>` prompts and
the commands netmiko and the collector send, each answering with a configuration file as its running
configuration. Its Cisco IOS profile is used as it ships, with `show running-config` answered from the file.
They are real SSH peers: netmiko logs in with a password and reads the prompts as it would on a device.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakenos import FakeNOS
from fakenos.core.nos import Nos

USER, PASSWORD = "netadmin", "lab-device-secret"
CLOCKS = {
    "huawei_vrp": "2026-12-03 10:00:00+08:00\nThursday\nTime Zone(BJ) : UTC+08:00",
    "h3c_comware": "10:00:00.000 BJ Thu 12/03/2026\nTime Zone : BJ add 08:00:00",
    "cisco_ios": "*10:00:00.000 CST Thu Dec 3 2026",
}


def _vrp_like(platform: str, paging: str) -> Nos:
    """A VRP or Comware profile: `<name>` in user view, the paging and display commands."""
    shown = ["<{base_prompt}>"]
    commands: dict[str, Any] = {
        paging: {"output": "", "prompt": shown, "help": "no paging"},
        "display clock": {"output": CLOCKS[platform], "prompt": shown, "help": "clock"},
        "display current-configuration": {"output": "", "prompt": shown, "help": "running configuration"},
        "_default_": {"output": "              ^\nError: Unrecognized command found at '^' position.", "help": ""},
    }
    return Nos(
        name=f"dengbao_{platform}",
        initial_prompt="<{base_prompt}>",
        dict_args={"name": f"dengbao_{platform}", "initial_prompt": "<{base_prompt}>", "commands": commands},
    )


PLUGINS = {
    "huawei_vrp": lambda: _vrp_like("huawei_vrp", "screen-length 0 temporary"),
    "h3c_comware": lambda: _vrp_like("h3c_comware", "screen-length disable"),
}


def device_inventory(devices: dict[str, tuple[str, int, Path]]) -> dict[str, Any]:
    """FakeNOS inventory: name → (platform, port, running configuration file)."""
    hosts: dict[str, Any] = {}
    for name, (platform, port, config) in devices.items():
        shown = "<{base_prompt}>" if platform != "cisco_ios" else ["{base_prompt}>", "{base_prompt}#"]
        command = "show running-config" if platform == "cisco_ios" else "display current-configuration"
        commands: dict[str, Any] = {command: {"output": config.read_text(), "prompt": shown, "help": "running"}}
        if platform == "cisco_ios":
            commands["show clock"] = {"output": CLOCKS[platform], "prompt": shown, "help": "clock"}
        plugin = f"dengbao_{platform}" if platform in PLUGINS else platform
        hosts[name] = {"port": port, "nos": {"plugin": plugin, "configuration": {"commands": commands}}}
    return {
        "default": {
            "username": USER,
            "password": PASSWORD,
            "server": {"configuration": {"address": "127.0.0.1", "timeout": 1}},
        },
        "hosts": hosts,
    }


def start_devices(devices: dict[str, tuple[str, int, Path]]) -> FakeNOS:
    """Start one simulated device per entry; stop them with `.stop()`."""
    platforms = {platform for platform, _, _ in devices.values()}
    fake = FakeNOS(device_inventory(devices), plugins=[PLUGINS[p]() for p in sorted(platforms) if p in PLUGINS])
    fake.start()
    return fake
