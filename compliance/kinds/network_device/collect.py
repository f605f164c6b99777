"""Collecting from network devices: one SSH session each (netmiko), devices in parallel.

A session runs the platform's commands in order (the running configuration, then the clock) and keeps each
output verbatim as a probe, beside a `platform` probe naming the OS the inventory declares. A device that
does not answer (refused, timed out, no route) is unreachable; one that refuses the login or answers a
command with an error is an error: neither is ever judged as compliant.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from compliance.kinds.collection import Collected, Collection, ProbeResult
from compliance.kinds.network_device.config import PLATFORMS
from compliance.kinds.target import Target

# dengbao_os → netmiko's device type
NETMIKO_TYPES = {"huawei_vrp": "huawei", "h3c_comware": "hp_comware", "cisco_ios": "cisco_ios"}
RUNNING_CONFIG = {
    "huawei_vrp": "display current-configuration",
    "h3c_comware": "display current-configuration",
    "cisco_ios": "show running-config",
}
CLOCK = {"huawei_vrp": "display clock", "h3c_comware": "display clock", "cisco_ios": "show clock"}
# How each platform says it did not take a command.
COMMAND_ERRORS = ("Error:", "% Invalid", "% Unrecognized", "% Incomplete", "% Ambiguous", "Unrecognized command")
ERROR_PATTERN = "|".join(re.escape(said) for said in COMMAND_ERRORS)  # the same, anywhere in an answer


class DeviceCommandError(Exception):
    """The device answered a command with an error."""


def platform_of(target: Target) -> str:
    return str(target.data.get("platform", ""))


def commands_for(platform: str) -> dict[str, str]:
    """Probe name → the command that gives it, on this platform."""
    return {"running_config": RUNNING_CONFIG[platform], "clock": CLOCK[platform]}


def saved_collection(platform: str, text: str) -> Collection:
    """A running configuration kept as text (a saved file, an intended or edited one) as a device's collection."""
    probes = {
        "platform": ProbeResult("platform", "dengbao_os (inventory)", platform, 0),
        "running_config": ProbeResult("running_config", RUNNING_CONFIG[platform], text, 0),
    }
    return Collection(0, probes)


def connect(target: Target, timeout: float) -> Any:
    from netmiko import ConnectHandler  # imported only when devices are collected

    # paramiko's transport thread logs a traceback for a peer that never answers; the result says it instead.
    logging.getLogger("paramiko.transport").setLevel(logging.CRITICAL)
    data = target.data
    return ConnectHandler(
        device_type=NETMIKO_TYPES[platform_of(target)],
        host=str(data.get("ssh_hostname") or target.name),
        port=int(data.get("ssh_port", 22)),
        username=str(data.get("ssh_user", "")),
        password=str(data.get("password", "")),
        conn_timeout=timeout,
        auth_timeout=timeout,
        banner_timeout=timeout,
        timeout=timeout,
        fast_cli=True,
    )


def prompt_pattern(session: Any, platform: str) -> str:
    """The device's own prompt, alone on its line: a configuration may hold the device's name followed by `]`
    or `>` (the sysname line, a banner), which netmiko's looser default pattern would take for the prompt."""
    name = re.escape(session.base_prompt)
    return rf"(?m)^{name}[>#]\s*$" if platform == "cisco_ios" else rf"(?m)^<{name}>\s*$"


def close(session: Any, platform: str) -> None:
    """Log out and close the session. netmiko's disconnect() first probes for configuration mode by waiting two
    seconds of silence; a session of ours is always back in the user view here, so it only logs out."""
    try:
        session.write_channel(("exit" if platform == "cisco_ios" else "quit") + session.RETURN)
        session.paramiko_cleanup()
    except (OSError, EOFError, AttributeError):
        pass  # the device closed it first


def _first_line(error: Exception) -> str:
    """An exception's first line that says something (netmiko's may start with a blank one), else its type."""
    return next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)


def collect_one(target: Target, timeout: float) -> Collected:
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

    started = datetime.now(UTC).isoformat(timespec="seconds")
    begin = time.monotonic()
    platform = platform_of(target)

    def ended(status: str, error: str) -> Collected:
        return Collected(target, status, None, error, started, round(time.monotonic() - begin, 3))

    if platform not in PLATFORMS:
        return ended("error", f"no support for platform {platform or 'not declared'!r} (dengbao_os)")
    try:
        session = connect(target, timeout)
    except NetmikoAuthenticationException as error:
        return ended("error", f"login refused: {str(error).splitlines()[0]}")
    except (NetmikoTimeoutException, OSError) as error:
        return ended("unreachable", _first_line(error))
    probes = {"platform": ProbeResult("platform", "dengbao_os (inventory)", platform, 0)}
    try:
        for name, command in commands_for(platform).items():
            output = session.send_command(
                command, expect_string=prompt_pattern(session, platform), read_timeout=timeout
            )
            lines = output.splitlines()
            if lines and lines[0].strip().endswith(command):  # the echo, after a prompt character left unread
                output = "\n".join(lines[1:])
            if any(line.lstrip().startswith(COMMAND_ERRORS) for line in output.splitlines()[:3]):
                raise DeviceCommandError(f"{command}: {output.strip().splitlines()[0]}")
            probes[name] = ProbeResult(name, command, output, 0)
    except DeviceCommandError as error:
        return ended("error", f"the device refused a command: {error}")
    except (NetmikoTimeoutException, OSError) as error:
        return ended("unreachable", f"the session was lost: {error}")
    finally:
        close(session, platform)
    # The control node's clock: the device's own is kept verbatim in the clock probe.
    collection = Collection(int(time.time()), probes)
    return Collected(target, "collected", collection, None, started, round(time.monotonic() - begin, 3))


def collect(
    targets: list[Target],
    workers: int,
    timeout: float,
    on_done: Callable[[Collected], None] | None = None,
    **_: Any,
) -> dict[str, Collected]:
    """Every device, `workers` at a time, each within `timeout` seconds per step."""
    results: dict[str, Collected] = {}

    def one(target: Target) -> Collected:
        collected = collect_one(target, timeout)
        if on_done is not None:
            on_done(collected)
        return collected

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        for collected in pool.map(one, targets):
            results[collected.target.name] = collected
    return results
