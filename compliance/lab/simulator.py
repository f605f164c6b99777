"""Simulated network devices: FakeNOS SSH servers with VRP's, Comware's and IOS's prompts and commands.

FakeNOS's own Huawei and H3C profiles print Cisco-style prompts and know neither `display
current-configuration` nor `screen-length`; these definitions give VRP's and Comware's `<name>` prompts and
the commands netmiko and the collector send, each answering with a configuration file as its running
configuration. Its Cisco IOS profile is used as it ships, with `show running-config` answered from the file.
They are real SSH peers: netmiko logs in with a password and reads the prompts as it would on a device.

The lab runs one per network namespace (`python -m compliance.lab.simulator …`, see compliance.lab.devices);
the device tests run them on this machine's loopback.
"""

from __future__ import annotations

import argparse
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from fakenos import FakeNOS
from fakenos.core.nos import Nos
from fakenos.plugins.shell.cmd_shell import CMDShell

from compliance.devices.push import setting_key

ERROR = "              ^\nError: Unrecognized command found at '^' position."
# Lines that open a section in VRP and Comware system view (Comware's `local-user` too; VRP's is a line of `aaa`).
SECTION_HEADS = (
    ("aaa",),
    ("user-interface",),
    ("line",),
    ("acl",),
    ("interface",),
    ("local-aaa-user", "password", "policy"),
    ("authentication-scheme",),
    ("authorization-scheme",),
    ("accounting-scheme",),
    ("domain",),
)
CLOCKS = {
    "huawei_vrp": "2026-12-03 10:00:00+08:00\nThursday\nTime Zone(BJ) : UTC+08:00",
    "h3c_comware": "10:00:00.000 BJ Thu 12/03/2026\nTime Zone : BJ add 08:00:00",
    "cisco_ios": "*10:00:00.000 CST Thu Dec 3 2026",
}


class Node:
    """One line of a simulated device's configuration, with its section's lines."""

    def __init__(self, text: str, children: list[Node] | None = None) -> None:
        self.text = text
        self.children = children or []

    def rendered(self, depth: int) -> list[str]:
        return [" " * depth + self.text, *(line for child in self.children for line in child.rendered(depth + 1))]


def _tree(text: str, platform: str) -> list[Node]:
    from compliance.kinds.network_device.config import parse_config

    def grow(lines: Any) -> list[Node]:
        return [Node(line.text, grow(line.children)) for line in lines]

    return grow(parse_config(platform, text).lines)


class ConfigurableShell(CMDShell):
    """VRP and Comware with a configuration mode: `system-view` enters it (`[name]`), section heads enter their
    section (`[name-aaa]`), `quit` leaves one, `return` goes back to the user view, and every other line
    changes the device's configuration, which `display current-configuration` prints. A line sets what
    compliance.devices.push says it sets (the same setting is replaced; `undo X` removes X), which is this
    simulator's model of the vendors, not the vendors themselves. The configuration outlives the session;
    `REFUSED` lists lines a device answers with an error."""

    CONFIGS: ClassVar[dict[str, list[Node]]] = {}
    PLATFORMS: ClassVar[dict[str, str]] = {}
    REFUSED: ClassVar[dict[str, tuple[str, ...]]] = {}
    LOCK = threading.Lock()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path: list[Node] = []
        self.system_view = False
        if self.base_prompt in self.PLATFORMS:
            self.prompt = self._prompt()

    @property
    def config(self) -> list[Node]:
        name = self.base_prompt
        if name not in self.CONFIGS:
            self.CONFIGS[name] = _tree(self.commands["display current-configuration"]["output"], self.PLATFORMS[name])
        return self.CONFIGS[name]

    def _prompt(self) -> str:
        if not self.system_view:
            return f"<{self.base_prompt}>"
        if not self.path:
            return f"[{self.base_prompt}]"
        return f"[{self.base_prompt}-{self.path[-1].text.split()[0][:10]}]"

    def _display(self) -> str:
        lines: list[str] = []
        comware = self.PLATFORMS[self.base_prompt] == "h3c_comware"
        for node in self.config:
            lines.append("#")
            top = node.rendered(0)
            lines += [(" " + top[0] if comware and not node.children else top[0]), *top[1:]]
        return "\n".join([*lines, "#", "return"])

    def default(self, line: str) -> bool:
        if self.base_prompt not in self.PLATFORMS:  # a device started without configuration mode
            return bool(super().default(line))
        line = line.strip()
        with self.LOCK:
            answer = self._answer(line)
        if answer is True:
            return True
        if answer:
            self.writeline(answer)
        self.prompt = self._prompt()
        return False

    def _answer(self, line: str) -> str | bool:
        platform = self.PLATFORMS[self.base_prompt]
        if not self.system_view:
            known = {
                "screen-length 0 temporary": "",
                "screen-length disable": "",
                "display clock": CLOCKS[platform],
                "display current-configuration": None,
            }
            if line == "system-view":
                self.system_view, self.path = True, []
                return "Enter system view, return user view with return command."
            if line in ("quit", "exit"):
                return True
            if line not in known:
                return ERROR
            return self._display() if known[line] is None else str(known[line])
        if line == "exit":  # FakeNOS ends a closed session's shell with it
            return True
        if any(line.startswith(prefix) for prefix in self.REFUSED.get(self.base_prompt, ())):
            return ERROR
        if line == "return":
            self.system_view, self.path = False, []
        elif line == "quit":
            if self.path:
                self.path.pop()
            else:
                self.system_view = False
        else:
            self._apply(line, platform)
        return ""

    def _apply(self, line: str, platform: str) -> None:
        section = self.path[-1].children if self.path else self.config
        words = tuple(line.split())
        opens = any(words[: len(head)] == head for head in SECTION_HEADS) or (
            platform == "h3c_comware" and words[:1] == ("local-user",) and not self.path
        )
        if words[:1] == ("undo",) and any(n.text == line[5:] and n.children for n in section):
            section[:] = [n for n in section if n.text != line[5:]]  # a whole section removed
            return
        if opens:
            found = next((n for n in section if n.text == line), None)
            if found is None:
                found = Node(line)
                section.append(found)
            self.path.append(found)
            return
        key = setting_key(platform, line)
        for node in [n for n in section if setting_key(platform, n.text) == key and not n.children]:
            section.remove(node)
        section.append(Node(line))


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


def device_inventory(
    devices: dict[str, tuple[str, int, Path]], address: str, username: str, password: str
) -> dict[str, Any]:
    """FakeNOS inventory: name → (platform, port, running configuration file), all listening on `address`."""
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
            "username": username,
            "password": password,
            "server": {"configuration": {"address": address, "timeout": 1}},
        },
        "hosts": hosts,
    }


def start_devices(
    devices: dict[str, tuple[str, int, Path]],
    username: str,
    password: str,
    configurable: bool = False,
    address: str = "127.0.0.1",
) -> FakeNOS:
    """Start one simulated device per entry (name → platform, port, configuration file); stop them with
    `.stop()`. `configurable`: VRP and Comware devices take configuration (ConfigurableShell), starting from
    their file."""
    platforms = {platform for platform, _, _ in devices.values()}
    inventory = device_inventory(devices, address, username, password)
    if configurable:
        for name, (platform, _, _) in devices.items():
            if platform in PLUGINS:
                ConfigurableShell.PLATFORMS[name] = platform
                ConfigurableShell.CONFIGS.pop(name, None)
    fake = FakeNOS(inventory, plugins=[PLUGINS[p]() for p in sorted(platforms) if p in PLUGINS])
    if configurable:  # FakeNOS's inventory names only its own shell: this one stands in for it
        fake.shell_plugins["CMDShell"] = ConfigurableShell
    fake.start()
    for _, port, _ in devices.values():
        _wait_for(address, port)
    return fake


def _wait_for(address: str, port: int, seconds: float = 15.0) -> None:
    """FakeNOS starts its servers in threads: wait until the port takes connections."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    """One configurable device, serving until SIGTERM: what a lab device's namespace runs."""
    parser = argparse.ArgumentParser(prog="python -m compliance.lab.simulator", description=main.__doc__)
    parser.add_argument("--name", required=True)
    parser.add_argument("--platform", required=True, choices=sorted(CLOCKS))
    parser.add_argument("--config", required=True, type=Path, help="the running configuration it starts with")
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, default=22)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-file", required=True, type=Path)
    args = parser.parse_args(argv)
    password = args.password_file.read_text().strip()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    fake = start_devices(
        {args.name: (args.platform, args.port, args.config)},
        args.user,
        password,
        configurable=True,
        address=args.address,
    )
    print(f"{args.name}: {args.platform} listening on {args.address}:{args.port}", flush=True)
    stopping.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
