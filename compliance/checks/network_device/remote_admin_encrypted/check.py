"""network_device.remote_admin_encrypted, 8.1.4.1 c), 8.1.5.4 b) (in part): Devices are administered
over SSH only (no Telnet, no plain HTTP).

设备仅通过 SSH 远程管理（关闭 Telnet 与明文 HTTP）。

The SSH server must be on (VRP `stelnet server enable`, Comware `ssh server enable`, IOS `ip ssh version 2`)
and SSH version 1 off. Telnet is off where no `telnet server enable` line turns it on (VRP, Comware) and
every VTY block accepts SSH alone (`protocol inbound ssh`, IOS `transport input ssh`): a VTY block that
says nothing falls back to the firmware's default, which older VRP and IOS releases set to Telnet too, so
that is 部分符合 and the evaluator must see `display telnet server status` / `show line vty`. Web
management over plain HTTP is refused; HTTPS web management the policy does not list is
network_device.unneeded_services's finding.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, partial
from compliance.kinds.network_device.facts import DeviceFacts, quote


@check(
    id="network_device.remote_admin_encrypted",
    kind="network_device",
    clauses=("8.1.4.1 c)", "8.1.5.4 b)"),
    policies=("network_devices",),
    zh="设备仅通过 SSH 远程管理（关闭 Telnet 与明文 HTTP）",
    en="Devices are administered over SSH only (no Telnet, no plain HTTP)",
    high_risk=True,
    remediation=(),
    partly={
        "8.1.5.4 b)": (
            "the management path itself (a management network or VPN of its own) in the network diagram",
            "管理通道本身（独立的管理网络或 VPN），见网络拓扑图",
        )
    },
)
def remote_admin_encrypted(facts: DeviceFacts, policy: Settings) -> Outcome:
    vtys = [t for t in facts.terminals() if t.remote]
    ssh = facts.ssh_server()
    telnet = facts.telnet_server()
    web = facts.web_servers()
    observed: dict[str, object] = {
        "ssh_server": [quote(line) for line in ssh] or "off",
        "telnet_server": [quote(line) for line in telnet] or "not turned on",
        "vty_inbound": {t.name: list(t.inbound) if t.inbound is not None else "default" for t in vtys},
        "web_management": {proto: [quote(line) for line in lines] for proto, lines in web.items() if lines},
    }
    expected = {
        "ssh_server": "on, version 2 only",
        "telnet_server": "off",
        "vty_inbound": "ssh only, on every VTY block",
        "web_management": "no plain HTTP",
    }
    problems = Problems()
    if not ssh:
        problems.add("the SSH server is not turned on", "未开启 SSH 服务")
    for line in facts.ssh_v1_allowed() if ssh else []:
        problems.add(f"SSH version 1 is allowed ({quote(line)})", f"允许 SSH 1 版本（{quote(line)}）")
    for line in telnet:
        problems.add(f"the Telnet server is on ({quote(line)})", f"开启了 Telnet 服务（{quote(line)}）")
    for vty in vtys:
        if vty.inbound is not None and set(vty.inbound) - {"ssh"}:
            shown = " ".join(vty.inbound)
            problems.add(f"{vty.name} accepts {shown}", f"{vty.name} 允许 {shown} 接入")
    for line in web["http"]:
        problems.add(f"web management over plain HTTP is on ({quote(line)})", f"开启了明文 HTTP 网管（{quote(line)}）")
    outcome = problems.outcome(observed, expected, "administration is over SSH only", "仅通过 SSH 远程管理")
    silent = [t.name for t in vtys if t.inbound is None]
    if problems.english or not silent:
        return outcome
    return partial(
        observed,
        expected,
        f"SSH is on and Telnet is not turned on, but {', '.join(silent)} do not limit inbound protocols: the "
        "firmware's default decides; the evaluator must still see `display telnet server status` or `show line vty`",
        f"已开启 SSH 且未开启 Telnet，但 {'、'.join(silent)} 未限定接入协议，由固件默认值决定；"
        "测评人员还需查看 display telnet server status 或 show line vty",
    )
