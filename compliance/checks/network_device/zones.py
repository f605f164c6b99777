"""What the zone checks of a device share: the zone interfaces the model names, and finding each in the running
configuration."""

from __future__ import annotations

from compliance.checks import Problems, Settings
from compliance.kinds.network_device.config import ConfigLine
from compliance.kinds.network_device.facts import DeviceFacts
from compliance.model.zone_filters import ZONE_FILTERS, ZoneFilter


def zone_interfaces(policy: Settings) -> list[ZoneFilter]:
    """The device's zone interfaces with their filters (`dengbao_zone_interfaces`, through its settings)."""
    return [ZoneFilter.from_dict(value) for value in policy.get(ZONE_FILTERS, [])]


def where(zone_filter: ZoneFilter) -> str:
    return f"{zone_filter.interface} ({zone_filter.zone})"


def found_interface(facts: DeviceFacts, zone_filter: ZoneFilter, problems: Problems) -> ConfigLine | None:
    """The zone's interface section; None, with the problem said, where the running configuration lacks it."""
    interface = facts.interface(zone_filter.interface)
    if interface is None:
        problems.add(
            f"interface {where(zone_filter)} is not in the running configuration",
            f"运行配置中没有区域 {zone_filter.zone} 的接口 {zone_filter.interface}",
        )
    return interface
