"""The network devices' side of `dengbao drift`: each device's running configuration against its intended one.

Every switch, router and firewall of the inventory (narrowed by `--limit`) is read over SSH, several at a time,
and compared with the configuration its templates render from the model, as `dengbao device drift` does for one.
A device that cannot be read leaves the check unfinished (its state is unknown, never "no drift"); a device of a
platform without templates (a FortiOS firewall) is listed as not covered, and does not fail the run.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from compliance.devices.drift import device_drift
from compliance.devices.intended import IntendedConfigError, render
from compliance.kinds.network_device.collect import collect
from compliance.kinds.network_device.config import PLATFORMS
from compliance.kinds.target import Target
from compliance.model.host_policy import STRICTEST_LEVEL, policy_for_host
from compliance.scan.targets import TargetError, device_connection, device_kind, limit_patterns, start_listing

CHECKED, UNREACHABLE, NOT_COVERED = "checked", "not_checked", "not_covered"


def device_targets(inventory: Path, limit: str | None) -> tuple[list[Target], dict[str, str]]:
    """The inventory's network devices within `limit`, reachable as the scan reaches them; and, by name, why a
    device cannot be (its vaulted password with no vault password given). Only the devices' secrets are read."""
    hostvars = start_listing(inventory).hostvars()
    patterns = limit_patterns([limit]) if limit else []
    targets, refused = [], {}
    for name in sorted(hostvars):
        variables = hostvars[name]
        if device_kind(variables) != "network_device" or (patterns and not any(fnmatch(name, p) for p in patterns)):
            continue
        try:
            connection, data = device_connection(name, variables)
        except TargetError as error:
            refused[name] = error.english
            data, connection = {"platform": str(variables.get("dengbao_os", "")), "device": ""}, "ssh"
        targets.append(Target(name, "network_device", STRICTEST_LEVEL, "", (), connection, data))
    return targets, refused


def _entry(root: Path, target: Target, running: str | None, error: str | None) -> dict[str, Any]:
    platform = str(target.data.get("platform", ""))
    entry: dict[str, Any] = {"device": target.name, "platform": platform, "address": target.address}
    if platform not in PLATFORMS:
        return entry | {"status": NOT_COVERED, "message": f"no templates or checks for platform {platform!r}"}
    if running is None:
        return entry | {"status": UNREACHABLE, "message": error or "not read"}
    declared = {"ansible_host": target.address, "dengbao_device": target.data.get("device", "")}
    settings = policy_for_host(root, target.name, declared).settings
    try:
        intended = render(target.name, platform, settings)
    except IntendedConfigError as failure:
        return entry | {"status": UNREACHABLE, "message": f"no intended configuration: {failure.english}"}
    found = device_drift(platform, intended, running, settings)
    return entry | {
        "status": CHECKED,
        "differences": [d.as_dict() | {"shown": d.shown()} for d in found],
        "clauses": sorted({c for d in found for c in d.clauses}),
    }


def device_drifts(root: Path, inventory: Path, limit: str | None, timeout: float = 30.0) -> list[dict[str, Any]]:
    """One entry per device: checked (with its differences), not checked (with why), or not covered."""
    targets, refused = device_targets(inventory, limit)
    readable = [t for t in targets if str(t.data.get("platform", "")) in PLATFORMS and t.name not in refused]
    collected = collect(readable, workers=8, timeout=timeout) if readable else {}
    entries = []
    for target in targets:
        got = collected.get(target.name)
        running = None
        if got is not None and got.collection is not None:
            running = got.collection.probes["running_config"].output
        error = refused.get(target.name) or (got.error if got is not None else None)
        entries.append(_entry(root, target, running, error))
    return entries
