"""network_device.zone_filtering, 8.1.3.2 a) c) (8.1.3.1 a) in part): Traffic between zones is filtered by the matrix.

区域边界按访问控制矩阵过滤：区域接口绑定入方向访问控制列表，仅允许策略允许的流量，默认拒绝。

Each interface the model names for the device (`dengbao_zone_interfaces`) must exist, apply an inbound access list
that is defined, and end in a deny of everything (IOS denies what no rule matches by itself; VRP lets it through,
and so does Comware unless `packet-filter default deny`). Every permit of the list must let through only what the
zone's rules from policies/access_rules.yml let through (compliance.model.zone_filters): a `permit ip any` or a port
the matrix does not open fails, naming its line. Rules of the policy the device lacks are listed but do not fail:
they block allowed traffic, which breaks a service but opens nothing. A rule the reader cannot decode leaves the
check undecided rather than guessing. A device for which the model names no zone interface filters nothing between
zones by design: not applicable.
"""

from __future__ import annotations

from typing import Any

from compliance.checks import Outcome, Problems, Settings, check, not_applicable, undecided
from compliance.checks.network_device.zones import found_interface, where, zone_interfaces
from compliance.kinds.network_device.facts import DeviceFacts, quote
from compliance.model.zone_filters import FilterRule, ZoneFilter, policy_permits


def _shown(rule: FilterRule) -> str:
    ports = (
        f" port {rule.ports[0]}" + (f"-{rule.ports[1]}" if rule.ports[1] != rule.ports[0] else "") if rule.ports else ""
    )
    flags = " established" if rule.established else ""
    return f"{rule.action} {rule.protocol} {rule.source} → {rule.destination}{ports}{flags}"


def _judge_filter(facts: DeviceFacts, zone_filter: ZoneFilter, problems: Problems, unread: list[str]) -> dict[str, Any]:
    interface = found_interface(facts, zone_filter, problems)
    if interface is None:
        return {"interface": "absent"}
    at = where(zone_filter)
    applied = facts.inbound_filter(interface)
    if applied is None:
        problems.add(
            f"{at} applies no inbound access list: everything from the zone passes",
            f"{zone_filter.interface}（{zone_filter.zone}）未绑定入方向访问控制列表，该区域流量全部放行",
        )
        return {"inbound_acl": "none"}
    name, line = applied
    listed = facts.access_list(name)
    if listed is None:
        problems.add(
            f"{at} applies access list {name}, which is not defined ({quote(line)})",
            f"{zone_filter.interface} 绑定的访问控制列表 {name} 未定义（{quote(line)}）",
        )
        return {"inbound_acl": name, "defined": False}
    unread += [f"{name}: {quote(r.line)} ({r.problem})" for r in listed if r.rule is None and "permit" in r.line.words]
    rules = [r for r in listed if r.rule is not None]
    running = [r.rule for r in rules if r.rule is not None]
    outside = []
    for index, entry in enumerate(rules):
        if running[index].action == "permit" and not policy_permits(zone_filter.rules, running, index):
            outside.append(quote(entry.line))
    for text in outside:
        problems.add(
            f"access list {name} on {at} permits what the zone's rules do not ({text})",
            f"{zone_filter.interface} 上的访问控制列表 {name} 允许了访问控制矩阵未允许的流量（{text}）",
        )
    ends_in_deny = bool(running) and running[-1].action == "deny" and running[-1].matches_everything
    if not (ends_in_deny or facts.ios or facts.filters_deny_by_default()):
        problems.add(
            f"access list {name} on {at} does not end in a deny of everything: unmatched packets pass",
            f"{zone_filter.interface} 上的访问控制列表 {name} 末尾没有拒绝全部的规则，未匹配的报文被放行",
        )
    missing = [
        _shown(wanted)
        for wanted in zone_filter.rules
        if wanted.action == "permit" and not any(r.action == "permit" and r.covers(wanted) for r in running)
    ]
    return {
        "inbound_acl": name,
        "applied": quote(line),
        "rules": len(listed),
        "permits_outside_policy": outside,
        "policy_rules_not_configured": missing,
    }


@check(
    id="network_device.zone_filtering",
    kind="network_device",
    clauses=("8.1.3.1 a)", "8.1.3.2 a)", "8.1.3.2 c)"),
    policies=("access_rules",),
    zh="区域接口按访问控制矩阵过滤入方向流量，默认拒绝",
    en="Zone interfaces filter incoming traffic by the zone matrix, denying by default",
    high_risk=True,
    remediation=(),
    partly={
        "8.1.3.1 a)": (
            "that no other path crosses the boundary (the network diagram, and the evaluator's look on site)",
            "不存在绕过边界设备的其他通路（网络拓扑图及现场核查）",
        )
    },
)
def zone_filtering(facts: DeviceFacts, policy: Settings) -> Outcome:
    filters = zone_interfaces(policy)
    if not filters:
        return not_applicable(
            {"dengbao_zone_interfaces": "none in the model"},
            "the model names no zone interface for this device (dengbao_zone_interfaces): "
            "it routes no traffic between zones",
            "模型未为该设备指定区域接口（dengbao_zone_interfaces）：其不在区域之间转发流量",
        )
    problems = Problems()
    unread: list[str] = []
    observed = {where(f): _judge_filter(facts, f, problems, unread) for f in filters}
    expected = {
        where(f): f"an inbound list of {len(f.rules)} rules from access_rules.yml, ending in deny" for f in filters
    }
    if unread and not problems.english:
        return undecided(
            {**observed, "unreadable_rules": unread},
            f"permit rules that could not be read: {'; '.join(unread)}",
            f"无法解析的允许规则：{'；'.join(unread)}",
        )
    return problems.outcome(
        observed,
        expected,
        "every zone interface filters incoming traffic by the zone matrix and denies the rest",
        "各区域接口均按访问控制矩阵过滤入方向流量并默认拒绝",
    )
