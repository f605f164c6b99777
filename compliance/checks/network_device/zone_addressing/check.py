"""network_device.zone_addressing, 8.1.2.1 c) (in part): Each zone a device routes has its own segment there.

区域网段划分：设备上每个区域接口的地址位于该区域分配的网段内（与模型一致）。

Every interface the model names for a zone (`dengbao_zone_interfaces`, the Internet uplink aside) must exist and
carry a primary address (`ip address A M`) inside one of the zone's subnets (`dengbao_zones`); where the model gives
the address (`dengbao_zone_addresses`) it must be that one. An interface on another zone's addresses, or on none,
means the zone is not the unit the network is managed and filtered by. The address plan itself and the network
diagram are documents the evaluator must still see, so a device that meets all this is 部分符合 for the item.
"""

from __future__ import annotations

import ipaddress

from compliance.checks import Outcome, Problems, Settings, check, not_applicable
from compliance.checks.network_device.zones import found_interface, where, zone_interfaces
from compliance.kinds.network_device.facts import DeviceFacts, quote
from compliance.model.policies import INTERNET
from compliance.model.zone_filters import ZoneFilter


def _judge(facts: DeviceFacts, zone_filter: ZoneFilter, problems: Problems) -> str:
    interface = found_interface(facts, zone_filter, problems)
    if interface is None:
        return "absent"
    at = where(zone_filter)
    found = facts.interface_address(interface)
    if found is None:
        problems.add(f"{at} has no address", f"{zone_filter.interface}（{zone_filter.zone}）未配置地址")
        return "no address"
    address, line = found
    subnets = [ipaddress.IPv4Network(s) for s in zone_filter.subnets]
    if not any(address.ip in subnet for subnet in subnets):
        problems.add(
            f"{at} is addressed {address}, outside the zone's subnets {', '.join(zone_filter.subnets)} ({quote(line)})",
            f"{zone_filter.interface} 的地址 {address} 不在区域 {zone_filter.zone} 的网段"
            f"（{'、'.join(zone_filter.subnets)}）内（{quote(line)}）",
        )
    elif zone_filter.address and address != ipaddress.IPv4Interface(zone_filter.address):
        problems.add(
            f"{at} is addressed {address}, the model says {zone_filter.address} ({quote(line)})",
            f"{zone_filter.interface} 的地址为 {address}，模型规定为 {zone_filter.address}（{quote(line)}）",
        )
    return str(address)


@check(
    id="network_device.zone_addressing",
    kind="network_device",
    clauses=("8.1.2.1 c)",),
    policies=("access_rules",),
    zh="设备各区域接口地址位于该区域分配的网段内",
    en="Each zone interface of a device is addressed inside the zone's own subnets",
    high_risk=False,
    remediation=(),
    partly={
        "8.1.2.1 c)": (
            "the hospital's address plan and network diagram, with the zones drawn for ease of management and control",
            "医院的地址规划与网络拓扑图（区域按便于管理和控制的原则划分）",
        )
    },
)
def zone_addressing(facts: DeviceFacts, policy: Settings) -> Outcome:
    zones = [f for f in zone_interfaces(policy) if f.zone != INTERNET]
    if not zones:
        return not_applicable(
            {"dengbao_zone_interfaces": "no zone in the model"},
            "the model names no zone interface for this device (dengbao_zone_interfaces): it carries no zone's segment",
            "模型未为该设备指定区域接口（dengbao_zone_interfaces）：其不承载任何区域网段",
        )
    problems = Problems()
    observed = {where(f): _judge(facts, f, problems) for f in zones}
    expected = {where(f): f.address or f"inside {', '.join(f.subnets)}" for f in zones}
    return problems.outcome(
        observed,
        expected,
        "every zone interface is addressed inside its zone's subnets",
        "各区域接口地址均位于本区域网段内",
    )
