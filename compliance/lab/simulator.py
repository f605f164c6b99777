"""Simulated network devices: FakeNOS SSH servers with VRP's, Comware's and IOS's prompts and commands.

FakeNOS's own Huawei and H3C profiles print Cisco-style prompts and know neither `display
current-configuration` nor `screen-length`, and its IOS has no configuration mode; these definitions give
each platform its prompt (VRP's and Comware's `<name>`, IOS's privileged `name#`) and the commands netmiko
and the collector send, the running configuration answered from a file. They are real SSH peers: netmiko
logs in with a password and reads the prompts as it would on a device.

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

from compliance.devices.push import negation, setting_key
from compliance.kinds.network_device.collect import CLOCK, RUNNING_CONFIG

# Each platform's user view: its prompt, what it answers a command it does not know, and the commands netmiko
# sends to turn paging off when a session starts.
PROMPT = {"huawei_vrp": "<{base_prompt}>", "h3c_comware": "<{base_prompt}>", "cisco_ios": "{base_prompt}#"}
VRP_ERROR = "              ^\nError: Unrecognized command found at '^' position."
IOS_ERROR = "                ^\n% Invalid input detected at '^' marker."
ERROR = {"huawei_vrp": VRP_ERROR, "h3c_comware": VRP_ERROR, "cisco_ios": IOS_ERROR}
PAGING = {
    "huawei_vrp": ("screen-length 0 temporary",),
    "h3c_comware": ("screen-length disable",),
    "cisco_ios": ("terminal length 0", "terminal width 511"),
}
# Lines that open a section in configuration mode (Comware's `local-user` too; VRP's is a line of `aaa`).
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
    ("ip", "access-list"),
    ("router",),
    ("aaa", "common-criteria", "policy"),
)
# IOS's prompt in a section: `name(config-line)#`, by the words that open it.
IOS_SECTIONS = {"line": "line", "interface": "if", "router": "router", "aaa": "cc-policy"}
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
    """VRP, Comware and IOS with a configuration mode. VRP and Comware: `system-view` enters it (`[name]`),
    section heads enter their section (`[name-aaa]`), `quit` leaves one, `return` goes back to the user view.
    IOS: the session starts privileged (`name#`), `configure terminal` enters it (`name(config)#`), section
    heads enter theirs (`name(config-line)#`), `exit` leaves one, `end` goes back. Every other line changes the
    device's configuration, which `display current-configuration` / `show running-config` prints. A line sets
    what compliance.devices.push says it sets (the same setting is replaced; `undo X` / `no X` removes X),
    which is this simulator's model of the vendors, not the vendors themselves. The configuration outlives
    the session; `REFUSED` lists lines a device answers with an error."""

    CONFIGS: ClassVar[dict[str, list[Node]]] = {}
    PLATFORMS: ClassVar[dict[str, str]] = {}
    REFUSED: ClassVar[dict[str, tuple[str, ...]]] = {}
    LOCK = threading.Lock()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path: list[Node] = []
        self.configuring = False
        self.stopping = False
        if self.base_prompt in self.PLATFORMS:
            self.prompt = self._prompt()

    def stop(self) -> None:
        """FakeNOS stops a closed session's shell by typing `exit`, which IOS reads as leaving a mode: mark it."""
        self.stopping = True
        super().stop()

    @property
    def platform(self) -> str:
        return self.PLATFORMS[self.base_prompt]

    @property
    def config(self) -> list[Node]:
        name = self.base_prompt
        if name not in self.CONFIGS:
            self.CONFIGS[name] = _tree(self.commands[RUNNING_CONFIG[self.platform]]["output"], self.platform)
        return self.CONFIGS[name]

    def _prompt(self) -> str:
        name = self.base_prompt
        if self.platform == "cisco_ios":
            if not self.configuring:
                return f"{name}#"
            if not self.path:
                return f"{name}(config)#"
            words = self.path[-1].text.split()
            kind = "ext-nacl" if words[:2] == ["ip", "access-list"] else IOS_SECTIONS.get(words[0], words[0])
            return f"{name}(config-{kind})#"
        if not self.configuring:
            return f"<{name}>"
        if not self.path:
            return f"[{name}]"
        return f"[{name}-{self.path[-1].text.split()[0][:10]}]"

    def _display(self) -> str:
        lines: list[str] = []
        if self.platform == "cisco_ios":
            for node in self.config:
                lines += ["!", *node.rendered(0)]
            body = "\n".join([*lines, "!", "end"])
            return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}"
        comware = self.platform == "h3c_comware"
        for node in self.config:
            lines.append("#")
            top = node.rendered(0)
            lines += [(" " + top[0] if comware and not node.children else top[0]), *top[1:]]
        return "\n".join([*lines, "#", "return"])

    def default(self, line: str) -> bool:
        if self.base_prompt not in self.PLATFORMS:  # a device started without configuration mode
            return bool(super().default(line))
        line = line.strip()
        if self.stopping:
            return True
        with self.LOCK:
            answer = self._answer(line)
        if answer is True:
            return True
        if answer:
            self.writeline(answer)
        self.prompt = self._prompt()
        return False

    def _answer(self, line: str) -> str | bool:
        ios = self.platform == "cisco_ios"
        enter, leave, up = ("configure terminal", "end", "exit") if ios else ("system-view", "return", "quit")
        if not self.configuring:
            known = {
                **dict.fromkeys(PAGING[self.platform], ""),
                CLOCK[self.platform]: CLOCKS[self.platform],
                RUNNING_CONFIG[self.platform]: None,
            }
            if line == enter:
                self.configuring, self.path = True, []
                if ios:
                    return "Enter configuration commands, one per line.  End with CNTL/Z."
                return "Enter system view, return user view with return command."
            if line in ("quit", "exit", "logout"):
                return True
            if line not in known:
                return ERROR[self.platform]
            return self._display() if known[line] is None else str(known[line])
        if line == "exit" and not ios:  # FakeNOS ends a closed session's shell with it
            return True
        if any(line.startswith(prefix) for prefix in self.REFUSED.get(self.base_prompt, ())):
            return ERROR[self.platform]
        if line == leave:
            self.configuring, self.path = False, []
        elif line == up:
            if self.path:
                self.path.pop()
            else:
                self.configuring = False
        else:
            self._apply(line)
        return ""

    def _apply(self, line: str) -> None:
        platform = self.platform
        section = self.path[-1].children if self.path else self.config
        words = tuple(line.split())
        opens = any(words[: len(head)] == head for head in SECTION_HEADS) or (
            platform == "h3c_comware" and words[:1] == ("local-user",) and not self.path
        )
        negated = negation(platform) + " "
        if line.startswith(negated) and any(n.text == line[len(negated) :] and n.children for n in section):
            section[:] = [n for n in section if n.text != line[len(negated) :]]  # a whole section removed
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
        if self.path and line.startswith(negated):
            return  # inside a section a negation only takes the line out (`no permit ip any any`)
        if key[:1] == ("rule",):
            if not line.startswith(negated):  # `undo rule 5` only removes; a rule goes in by its number
                later = [i for i, n in enumerate(section) if _rule_number(n.text) > _rule_number(line)]
                section.insert(later[0] if later else len(section), Node(line))
            return
        section.append(Node(line))


def _rule_number(text: str) -> int:
    words = text.split()
    return int(words[1]) if words[:1] == ["rule"] and len(words) > 1 and words[1].isdigit() else -1


def _profile(platform: str) -> Nos:
    """A platform's user view for FakeNOS: its prompt, paging off, the clock, the running configuration
    (answered per device from its file) and its error for anything else."""
    shown = [PROMPT[platform]]
    commands: dict[str, Any] = {
        **{paging: {"output": "", "prompt": shown, "help": "no paging"} for paging in PAGING[platform]},
        CLOCK[platform]: {"output": CLOCKS[platform], "prompt": shown, "help": "clock"},
        RUNNING_CONFIG[platform]: {"output": "", "prompt": shown, "help": "running configuration"},
        "_default_": {"output": ERROR[platform], "help": ""},
    }
    name = f"dengbao_{platform}"
    return Nos(
        name=name,
        initial_prompt=PROMPT[platform],
        dict_args={"name": name, "initial_prompt": PROMPT[platform], "commands": commands},
    )


def device_inventory(
    devices: dict[str, tuple[str, int, Path]], address: str, username: str, password: str
) -> dict[str, Any]:
    """FakeNOS inventory: name → (platform, port, running configuration file), all listening on `address`."""
    hosts: dict[str, Any] = {}
    for name, (platform, port, config) in devices.items():
        running = {"output": config.read_text(), "prompt": PROMPT[platform], "help": "running"}
        commands: dict[str, Any] = {RUNNING_CONFIG[platform]: running}
        plugin = f"dengbao_{platform}"
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
    `.stop()`. `configurable`: they take configuration (ConfigurableShell), starting from their file; else they
    only answer their commands, whatever a device of the same name did before."""
    platforms = {platform for platform, _, _ in devices.values()}
    inventory = device_inventory(devices, address, username, password)
    for name, (platform, _, _) in devices.items():
        ConfigurableShell.CONFIGS.pop(name, None)
        ConfigurableShell.PLATFORMS.pop(name, None)
        if configurable:
            ConfigurableShell.PLATFORMS[name] = platform
    fake = FakeNOS(inventory, plugins=[_profile(platform) for platform in sorted(platforms)])
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
    parser.add_argument("--platform", required=True, choices=sorted(PROMPT))
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
