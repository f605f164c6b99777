"""linux.audit_rules, 8.1.4.3 a), 8.1.4.3 b): Audit rules cover the events the policy lists.

审计规则覆盖策略要求的事件。
"""

from __future__ import annotations

import re

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.audit import rules_locked

# What each policy rule category looks like in audit rules: any pattern found counts.
RULE_PATTERNS = {
    "logins": (r"/var/log/(lastlog|faillog|wtmp|btmp)", r"/var/run/faillock", r"/run/faillock"),
    "identity": (r"/etc/(passwd|shadow|group|gshadow)\b",),
    "privileged_commands": (r"-F\s+perm=x", r"-S\s+execve"),
    "sudo": (r"/etc/sudoers",),
    "time_change": (r"adjtimex|settimeofday|clock_settime", r"/etc/localtime"),
    "audit_config": (r"/etc/audit(/|\s)",),
    "permission_change": (r"chmod|chown|setxattr",),
    "kernel_modules": (r"init_module|delete_module", r"/s?bin/(insmod|rmmod|modprobe)"),
}


@check(
    id="linux.audit_rules",
    clauses=("8.1.4.3 a)", "8.1.4.3 b)", "8.1.4.3 d)"),
    policies=("audit",),
    zh="审计规则覆盖策略要求的事件",
    en="Audit rules cover the events the policy lists",
    high_risk=True,
    remediation=("audit:audit_rules",),
    # Locked rules (-e 2) keep the audit configuration from being changed until reboot.
    partly={
        "8.1.4.3 d)": (
            "that only the audit administrator can stop or reconfigure auditd"
            " (sudo rules, the unit's RefuseManualStop)",
            "仅审计管理员可停止或重新配置 auditd（sudo 规则、服务单元的 RefuseManualStop）",
        )
    },
)
def audit_rules(facts: HostFacts, policy: Settings) -> Outcome:
    audit = policy["audit"]
    rules = facts.audit_rules
    body = "\n".join(rules)
    covered = sorted(name for name in audit["audit_rules"] if any(re.search(p, body) for p in RULE_PATTERNS[name]))
    missing = sorted(set(audit["audit_rules"]) - set(covered))
    immutable = rules_locked(rules)
    observed = {"rule_lines": len(rules), "covered": covered, "immutable": immutable}
    expected = {"covered": sorted(audit["audit_rules"]), "immutable": audit["immutable_rules"]}
    problems = Problems()
    if missing:
        problems.add(f"no audit rules for: {', '.join(missing)}", f"缺少以下事件的审计规则：{', '.join(missing)}")
    if audit["immutable_rules"] and not immutable:
        problems.add("rules are not locked (-e 2)", "审计规则未锁定（-e 2）")
    return problems.outcome(observed, expected, "audit rules cover the policy", "审计规则覆盖策略要求")
