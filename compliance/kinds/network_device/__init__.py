"""Switches, routers and firewalls (Huawei VRP, H3C Comware, Cisco IOS): their running configurations.

A device's collection holds three probes: `platform` (the vendor's OS, as the inventory declares it in
`dengbao_os`), `running_config` (`display current-configuration` or `show running-config`, verbatim) and
`clock` (the device's clock as it printed it). Sessions are netmiko's (compliance.kinds.network_device.collect).
The checks of `compliance/checks/network_device/` read it through `DeviceFacts`, so they judge a live
device and a saved configuration alike.
"""

from __future__ import annotations

from typing import Any

from compliance.kinds import Kind, register
from compliance.kinds.collection import Collected, Collection


def _collect(targets: list[Any], **options: Any) -> dict[str, Collected]:
    from compliance.kinds.network_device.collect import collect  # netmiko only when devices are collected

    return collect(targets, **options)


def _supported(target: Any) -> bool:
    from compliance.kinds.network_device.collect import platform_of
    from compliance.kinds.network_device.config import PLATFORMS

    return platform_of(target) in PLATFORMS


def _facts(collection: Collection) -> Any:
    from compliance.kinds.network_device.facts import DeviceFacts

    return DeviceFacts(collection)


def _identity(collection: Collection) -> dict[str, Any]:
    """The device's own name (`sysname` / `hostname`) and platform, as it answered. The configuration is
    parsed once per collection: the checks' facts read the same parse."""
    from compliance.kinds.collection import MissingProbe
    from compliance.kinds.network_device.facts import DeviceFacts

    facts = DeviceFacts(collection)
    try:
        config = facts.config
    except (MissingProbe, ValueError):  # no configuration, or a platform without a parser
        return {}
    named = config.first("hostname") or config.first("sysname")
    return {"platform": facts.platform, "name": named.words[1] if named and len(named.words) > 1 else ""}


NETWORK_DEVICE = register(
    Kind(
        name="network_device",
        evidence="network_device",
        title_zh="网络与安全设备",
        title_en="network or security device",
        guidance_zh="核查网络与安全设备的配置",
        guidance_en="inspect the network and security device configuration",
        collect=_collect,
        facts=_facts,
        identity=_identity,
        supports=_supported,
        not_collected_zh="该平台暂无自动采集（支持华为 VRP、H3C Comware、Cisco IOS）",
        not_collected_en="no automated collection for this platform (Huawei VRP, H3C Comware and Cisco IOS are)",
    )
)
