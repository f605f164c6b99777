"""Windows workstations and servers: listed, not collected yet."""

from __future__ import annotations

from compliance.kinds import Kind, register

WINDOWS = register(
    Kind(
        name="windows",
        evidence="windows",
        title_zh="Windows 主机",
        title_en="Windows host",
        guidance_zh="核查 Windows 本地安全策略与组策略",
        guidance_en="inspect the Windows local and group security policy",
        not_collected_zh="Windows 主机暂无自动采集",
        not_collected_en="no automated collection for Windows hosts yet",
    )
)
