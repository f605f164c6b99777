"""linux.no_internet_egress, 8.1.3.1 c) (partly): a host of a zone that must never reach the Internet cannot.

禁止访问互联网的区域（HIS、EMR、PACS、LIS 等）主机：无通往院外地址的路由，且主机防火墙拒绝向院外地址发起连接。

Two locks, both required: the routing table has no default route and no route to an address outside
the hospital's subnets (IPv6 link-local and multicast aside), and the firewall's output chain lets
out only the hospital's own addresses and rejects the rest. A route added by mistake, or a rule
removed, is then still caught by the other, and either one missing fails the host.
"""

from __future__ import annotations

import ipaddress

from compliance.checks import Outcome, Problems, Settings, check, not_applicable, undecided
from compliance.checks.linux.firewall_rules_match_policy.check import ruleset_or_error, sources_of
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.nftables import NftTable, Route
from compliance.model.host_policy import HOST_FIREWALL

# IPv6 that never leaves the link, or the host: not a way out.
LOCAL_ONLY = tuple(ipaddress.ip_network(n) for n in ("fe80::/10", "ff00::/8", "::1/128", "127.0.0.0/8"))


def inside(destination: str, internal: list[str]) -> bool:
    """Whether an address, prefix or `default` lies inside the hospital's subnets (or never leaves the host or link)."""
    if destination == "default":
        return False
    try:
        network = ipaddress.ip_network(destination, strict=False)
    except ValueError:
        return False
    known = [*(ipaddress.ip_network(n) for n in internal), *LOCAL_ONLY]
    return any(network.version == n.version and network.subnet_of(n) for n in known)  # type: ignore[arg-type]


def routes_out(routes: tuple[Route, ...], internal: list[str]) -> list[str]:
    """Routes that lead outside the hospital: default routes, and any to a network not inside its subnets."""
    return [f"{r.destination} via {r.gateway or r.device}" for r in routes if not inside(r.destination, internal)]


def egress_locked(table: NftTable | None, internal: list[str]) -> tuple[str, str] | None:
    """None when an output chain lets out only the hospital's addresses and refuses the rest; else what is
    wrong with it, in English and Chinese."""
    outputs = [] if table is None else table.hooked("output")
    if table is None or not outputs:
        return "no output chain in table inet dengbao", "inet dengbao 表中没有 output 链"
    for chain in outputs:
        for rule in chain.rules:
            if rule.verdict == "accept" and rule.daddr is not None:
                shown = sources_of(rule.daddr, table)
                if shown.startswith("not ") or not all(inside(d, internal) for d in shown.split(", ")):
                    return f"the output chain lets out {shown}", f"output 链放行了 {shown}"
            elif rule.verdict == "accept" and not rule.is_generic:
                what = rule.protocol or "everything"
                return f"the output chain lets out {what} to any address", f"output 链放行了发往任意地址的 {what}"
            elif rule.verdict in ("drop", "reject") and not rule.conditions and rule.daddr is None:
                return None
        if chain.policy == "drop":
            return None
    return "the output chain does not refuse addresses outside the hospital", "output 链未拒绝院外地址"


@check(
    id="linux.no_internet_egress",
    clauses=("8.1.3.1 c)",),
    policies=("access_rules",),
    zh="禁止访问互联网区域的主机无院外路由，且防火墙拒绝外联",
    en="Hosts of zones that never reach the Internet have no route out and a firewall that refuses outside addresses",
    high_risk=True,
    remediation=("firewall:firewall",),
    partly={
        "8.1.3.1 c)": (
            "the boundary devices' outbound rules and the records of unauthorised outbound connections (非法外联监测)",
            "边界设备的出站控制规则及非法外联监测记录",
        )
    },
)
def no_internet_egress(facts: HostFacts, policy: Settings) -> Outcome:
    rules = policy.get(HOST_FIREWALL)
    if rules is None:
        shown = [f"{r.destination} via {r.gateway or r.device}" for r in facts.routes.routes]
        return not_applicable(
            {"zone": "none in the model", "routes": shown},
            "the host is in no zone of the model, so no zone's ban on the Internet applies to it"
            " (put it in its zone_* group to have it judged)",
            "该主机不属于模型中的任何区域，禁止访问互联网的区域策略不适用（将其加入对应 zone_* 分组后方可评判）",
        )
    zone, internal = rules["zone"], rules["internal"]
    if not rules["internet_denied"]:
        return not_applicable(
            {"zone": zone},
            f"zone {zone} may reach the Internet by policy (not in access_rules.internet_denied_zones)",
            f"按策略区域 {zone} 允许访问互联网（不在 internet_denied_zones 中）",
        )
    routes = facts.routes
    if not routes.readable:
        return undecided(
            {"routes": facts.probe("routes").output[-300:]}, "the routing table could not be read", "无法读取路由表"
        )
    table, error = ruleset_or_error(facts)
    if error is not None:
        return error
    out = routes_out(routes.routes, internal)
    lock = egress_locked(table, internal)
    problems = Problems()
    if out:
        problems.add(
            f"{zone} → internet: route(s) out of the hospital: {'; '.join(out)}",
            f"{zone} → internet：存在通往院外的路由：{'；'.join(out)}",
        )
    if lock is not None:
        problems.add(
            f"{zone} → internet: the firewall does not keep the host in ({lock[0]})",
            f"{zone} → internet：主机防火墙未禁止外联（{lock[1]}）",
        )
    egress = lock[0] if lock else "only the hospital's subnets"
    observed = {"zone": zone, "routes_out": out or ["none"], "firewall_egress": egress}
    expected = {
        "routes_out": "none: no default route, none outside the hospital's subnets",
        "firewall_egress": f"only to {', '.join(internal)}",
    }
    return problems.outcome(
        observed,
        expected,
        f"{zone} → internet: no route out, and the firewall refuses every address outside the hospital",
        f"{zone} → internet：无院外路由，主机防火墙拒绝访问院外地址",
    )
