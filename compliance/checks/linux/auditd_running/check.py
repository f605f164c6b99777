"""linux.auditd_running, 8.1.4.3 a), 8.1.4.3 d): The audit daemon is installed, enabled at boot and running.

审计服务已安装、开机启用并运行。
"""

from __future__ import annotations

from compliance.checks import Outcome, Settings, check, failed, not_applicable, passed
from compliance.kinds.linux.facts import HostFacts

AUDIT_PACKAGES = ("auditd", "audit")


def _installed_audit(facts: HostFacts) -> str | None:
    return next((name for name in AUDIT_PACKAGES if name in facts.packages), None)


@check(
    id="linux.auditd_running",
    clauses=("8.1.4.3 a)",),
    policies=("audit",),
    zh="审计服务已安装、开机启用并运行",
    en="The audit daemon is installed, enabled at boot and running",
    high_risk=True,
    remediation=("audit:audit",),
)
def auditd_running(facts: HostFacts, policy: Settings) -> Outcome:
    package = _installed_audit(facts)
    enabled = facts.unit_files.get("auditd.service")
    active = "auditd.service" in facts.active_units
    observed = {"package": package, "auditd.service": enabled, "active": active, "container": facts.in_container}
    expected = {"package": " or ".join(AUDIT_PACKAGES), "auditd.service": "enabled", "active": True}
    if not policy["audit"]["auditd_enabled"]:
        return not_applicable(observed, "the audit policy turns auditd off here", "审计策略未要求 auditd")
    if package and enabled == "enabled" and active:
        return passed(observed, expected, "auditd runs", "auditd 正在运行")
    if package and enabled == "enabled" and facts.in_container:
        return not_applicable(
            observed,
            "auditd is installed and enabled; kernel audit belongs to the container's host, judge it there",
            "auditd 已安装并启用；容器内核审计由宿主机承担，应在宿主机上判定",
        )
    return failed(observed, expected, "auditd is not installed, enabled and running", "auditd 未安装、未启用或未运行")
