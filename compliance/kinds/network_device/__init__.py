"""Switches, routers and firewalls (Huawei VRP, H3C Comware, Cisco IOS): listed, not collected yet."""

from __future__ import annotations

from compliance.kinds import Kind, register

NETWORK_DEVICE = register(
    Kind(
        name="network_device",
        evidence="network_device",
        title_zh="网络与安全设备",
        title_en="network or security device",
        guidance_zh="核查网络与安全设备的配置",
        guidance_en="inspect the network and security device configuration",
        not_collected_zh="网络设备暂无自动采集",
        not_collected_en="no automated collection for network devices yet",
    )
)
