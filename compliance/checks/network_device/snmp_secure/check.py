"""network_device.snmp_secure, 8.1.4.1 c), 8.1.5.4 b) (in part): SNMP is off or v3 with
encryption; no community strings.

SNMP 关闭或仅用加密的 v3；不配置团体字。

SNMP v1 and v2c authenticate with a community string sent in clear: a management credential that anyone
on the path reads. A community line of any kind (read or write, even stored as cipher text) fails, as do
the v1/v2c versions turned on and v3 groups without privacy. With `snmp_version: none` in the policy the
agent must be off altogether.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DeviceFacts, quote


@check(
    id="network_device.snmp_secure",
    kind="network_device",
    clauses=("8.1.4.1 c)", "8.1.5.4 b)"),
    policies=("network_devices",),
    zh="SNMP 关闭或仅用加密的 v3；不配置团体字",
    en="SNMP is off or v3 with encryption; no community strings",
    high_risk=False,
    remediation=(),
    partly={
        "8.1.5.4 b)": (
            "the management path itself (a management network or VPN of its own) in the network diagram",
            "管理通道本身（独立的管理网络或 VPN），见网络拓扑图",
        )
    },
)
def snmp_secure(facts: DeviceFacts, policy: Settings) -> Outcome:
    wanted = policy["network_devices"]["snmp_version"]
    communities = facts.snmp_communities()
    versions, version_lines = facts.snmp_versions()
    weak_groups = facts.snmp_v3_without_privacy()
    agent = facts.snmp_agent_on()
    observed = {
        "agent": "on" if agent else "off",
        "versions": sorted(versions),
        "communities": len(communities),
        "lines": [quote(line) for line in version_lines],
        "v3_groups_without_privacy": [quote(line) for line in weak_groups],
    }
    expected = {"agent": "off" if wanted == "none" else "off, or v3 only", "communities": 0, "v3 groups": "privacy"}
    problems = Problems()
    if wanted == "none" and agent:
        problems.add("the SNMP agent is on but the policy wants none", "SNMP 代理已开启，但策略要求关闭")
    for line in communities:
        problems.add(f"a community string is configured ({quote(line)})", f"配置了团体字（{quote(line)}）")
    old = sorted(versions & {"v1", "v2c"})
    if agent and old:
        problems.add(f"SNMP {', '.join(old)} is answered", f"开启了 SNMP {', '.join(old)}")
    for line in weak_groups:
        problems.add(f"a v3 group does not encrypt ({quote(line)})", f"v3 组未启用加密（{quote(line)}）")
    return problems.outcome(
        observed,
        expected,
        "SNMP is off or v3 with privacy" if agent else "the SNMP agent is off",
        "SNMP 仅用加密的 v3" if agent else "SNMP 代理已关闭",
    )
