"""network_device.unneeded_services, 8.1.4.4 b): No file servers, unlisted web management or IOS legacy services.

关闭设备上不需要的服务（FTP/TFTP 服务、策略未允许的网管、IOS 遗留小服务）。

A switch or router serves its administrators over SSH (network_devices.yml `management_protocols`).
An FTP or TFTP server on the device, HTTPS web management the policy does not list, and IOS's small
TCP/UDP servers and finger are services nobody needs that open ports. Plain HTTP is
network_device.remote_admin_encrypted's finding.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DeviceFacts, quote


@check(
    id="network_device.unneeded_services",
    kind="network_device",
    clauses=("8.1.4.4 b)",),
    policies=("network_devices",),
    zh="关闭设备上不需要的服务（FTP/TFTP 服务、策略未允许的网管、IOS 遗留小服务）",
    en="File servers, web management the policy does not allow, and IOS's legacy services are off",
    high_risk=False,
    remediation=(),
)
def unneeded_services(facts: DeviceFacts, policy: Settings) -> Outcome:
    allowed = set(policy["network_devices"]["management_protocols"])
    found = {name: lines for name, lines in facts.file_servers().items() if lines}
    if "https" not in allowed and facts.web_servers()["https"]:
        found["https"] = facts.web_servers()["https"]
    legacy = facts.small_servers()
    if legacy:
        found["legacy"] = legacy
    observed = {"on": {name: [quote(line) for line in lines] for name, lines in found.items()}}
    expected = {"on": "none of ftp, tftp, " + ("legacy services" if "https" in allowed else "https, legacy services")}
    problems = Problems()
    for name, lines in found.items():
        problems.add(f"{name} is on ({quote(lines[0])})", f"开启了 {name} 服务（{quote(lines[0])}）")
    return problems.outcome(observed, expected, "no unneeded service is on", "未开启不需要的服务")
