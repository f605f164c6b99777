"""linux.unneeded_services, 8.1.4.4 b): Unneeded services and high-risk ports are closed.

关闭不需要的服务与高危端口。
"""

from __future__ import annotations

from compliance.checks import (
    Outcome,
    Problems,
    Settings,
    check,
    undecided,
)
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.unneeded_services",
    clauses=("8.1.4.4 b)",),
    policies=("host_hardening",),
    zh="关闭不需要的服务与高危端口",
    en="Unneeded services and high-risk ports are closed",
    high_risk=True,
    remediation=("hardening:unneeded_services",),
)
def unneeded_services(facts: HostFacts, policy: Settings) -> Outcome:
    hardening = policy["host_hardening"]
    asked = facts.unit_files_asked
    unasked = sorted(unit for unit in hardening["forbidden_services"] if asked is not None and unit not in asked)
    if unasked:
        return undecided(
            {"not_collected": unasked},
            f"the enablement of {', '.join(unasked)} was not collected (the policy forbade them after this evidence"
            " was collected): scan the host again",
            f"未采集 {', '.join(unasked)} 的启用状态（证据采集后策略才禁止这些服务）：请重新扫描该主机",
        )
    running = sorted(
        unit
        for unit in hardening["forbidden_services"]
        if unit in facts.active_units or facts.unit_files.get(unit) == "enabled"
    )
    risky = sorted(
        {f"{item.protocol}/{item.port}" for item in facts.listeners if item.port in hardening["high_risk_ports"]}
    )
    observed = {"forbidden_services_on": running, "high_risk_listeners": risky}
    expected = {"forbidden_services_on": [], "high_risk_listeners": []}
    problems = Problems()
    if running:
        problems.add(f"services that should be off: {', '.join(running)}", f"应关闭的服务仍启用：{', '.join(running)}")
    if risky:
        problems.add(f"high-risk ports open: {', '.join(risky)}", f"高危端口开放：{', '.join(risky)}")
    return problems.outcome(observed, expected, "no unneeded service or high-risk port", "无多余服务与高危端口")
