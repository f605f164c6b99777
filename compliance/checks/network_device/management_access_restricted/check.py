"""network_device.management_access_restricted, 8.1.4.4 c), 8.1.5.4 a) (in part): Only the management
zone may reach a device's VTYs.

设备远程管理仅允许安全管理区地址接入（VTY 访问控制列表）。

Every VTY block must apply an inbound access list (VRP and Comware `acl N inbound`, IOS `access-class N in`),
or, on VRP and Comware, `ssh server acl N` must limit the SSH server as a whole. The list must exist, hold
rules, and permit only sources inside the management zones' subnets (ssh.yml `management_zones`, their
subnets from the inventory's zones). A list that is missing or empty lets everyone in; `permit any` too.
Rules are read for standard/basic lists (source addresses); a rule that is not a source match is named.
"""

from __future__ import annotations

import ipaddress

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import AclRule, DeviceFacts, quote
from compliance.model.host_policy import HOST_FIREWALL


def _outside(rule: AclRule, subnets: list[str]) -> bool:
    if rule.source == "any":
        return True
    if not subnets:
        return False
    try:
        network = ipaddress.ip_network(rule.source, strict=False)
    except ValueError:
        return True
    return not any(
        network.version == ipaddress.ip_network(s).version and network.subnet_of(ipaddress.ip_network(s))  # type: ignore[arg-type]
        for s in subnets
    )


@check(
    id="network_device.management_access_restricted",
    kind="network_device",
    clauses=("8.1.4.4 c)", "8.1.5.4 a)"),
    policies=("ssh", "access_rules"),
    zh="设备远程管理仅允许安全管理区地址接入（VTY 访问控制列表）",
    en="Only the management zone may reach a device's VTYs (access lists)",
    high_risk=False,
    remediation=(),
    partly={
        "8.1.5.4 a)": (
            "that the management zone is the one place the security devices and components are managed from, "
            "in the network diagram",
            "安全管理区为管控各安全设备与组件的唯一区域（见网络拓扑图）",
        )
    },
)
def management_access_restricted(facts: DeviceFacts, policy: Settings) -> Outcome:
    subnets = list(policy.get(HOST_FIREWALL, {}).get("management_subnets", []))
    zones = ", ".join(policy["ssh"]["management_zones"])
    vtys = [t for t in facts.terminals() if t.remote]
    server_acls = [line.words[-1] for line in facts.ssh_server_acl()]
    lists = {t.name: t.acl for t in vtys}
    observed: dict[str, object] = {
        "vty_acls": {k: v or "none" for k, v in lists.items()},
        "ssh_server_acl": server_acls,
    }
    expected = {
        "every VTY block": "an inbound access list (or the SSH server's)",
        "permitted sources": f"inside {', '.join(subnets)} ({zones})" if subnets else f"the management zones ({zones})",
    }
    problems = Problems()
    if not vtys:
        problems.add("no VTY block is configured", "未配置 VTY")
    unguarded = [name for name, acl in lists.items() if acl is None]
    if unguarded and not server_acls:
        problems.add(
            f"{', '.join(unguarded)} accept any source (no inbound access list)",
            f"{'、'.join(unguarded)} 未绑定访问控制列表，任意地址均可接入",
        )
    rules_seen: dict[str, list[str]] = {}
    for name in sorted({acl for acl in lists.values() if acl} | set(server_acls)):
        rules = facts.acl_rules(name)
        if rules is None:
            problems.add(f"access list {name} is applied but not defined", f"访问控制列表 {name} 已引用但未定义")
            continue
        rules_seen[name] = [f"{r.action} {r.source}" for r in rules]
        permits = [r for r in rules if r.action == "permit"]
        if not permits:
            problems.add(f"access list {name} permits nothing or is empty", f"访问控制列表 {name} 为空或无允许规则")
        for rule in permits:
            if _outside(rule, subnets):
                problems.add(
                    f"access list {name} lets in {rule.source}, outside the management zones ({quote(rule.line)})",
                    f"访问控制列表 {name} 允许安全管理区以外的 {rule.source}（{quote(rule.line)}）",
                )
    observed["rules"] = rules_seen
    if not subnets:
        observed["management_subnets"] = "not known for this device's inventory"
    return problems.outcome(
        observed,
        expected,
        "remote management is limited to the management zones",
        "远程管理仅限安全管理区",
    )
