"""linux.security_updates, 8.1.4.4 e): Security updates are applied promptly (index freshness and pending security
updates).

及时安装安全补丁（补丁源刷新与待装安全更新）。
"""

from __future__ import annotations

from compliance.checks import (
    Outcome,
    Problems,
    Settings,
    check,
)
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.security_updates",
    clauses=("8.1.4.4 e)",),
    policies=("patching",),
    zh="及时安装安全补丁（补丁源刷新与待装安全更新）",
    en="Security updates are applied promptly (index freshness and pending security updates)",
    high_risk=True,
    remediation=(),
)
def security_updates(facts: HostFacts, policy: Settings) -> Outcome:
    max_age = policy["patching"]["security_update_max_age_days"]
    updates = facts.package_updates
    index = updates.index_refreshed
    age_days = None if index is None else facts.days_before_collection(index)
    security = updates.security
    observed = {
        "index_age_days": age_days,
        "pending_security_updates": security,
        "pending_updates": len(updates.pending),
    }
    expected = {"index_age_days": f"<= {max_age}", "pending_security_updates": []}
    problems = Problems()
    if age_days is None:
        problems.add("the package index was never refreshed from the internal mirror", "补丁源索引从未从内部镜像刷新")
    elif age_days > max_age:
        problems.add(f"the package index is {age_days} days old", f"补丁源索引已 {age_days} 天未刷新")
    if security:
        problems.add(
            f"security updates not installed: {', '.join(security)}", f"未安装的安全更新：{', '.join(security)}"
        )
    return problems.outcome(observed, expected, "security updates are current", "安全补丁及时")
