"""linux.log_retention, 8.1.4.3 c): Local log retention (logrotate).

本地日志留存期限（logrotate）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Settings, check, failed, passed
from compliance.kinds.linux.facts import HostFacts

SYSLOG_FILES = ("/var/log/syslog", "/var/log/messages", "/var/log/secure", "/var/log/auth.log")


@check(
    id="linux.log_retention",
    clauses=("8.1.4.3 c)",),
    policies=("audit",),
    zh="本地日志留存期限（logrotate）",
    en="Local log retention (logrotate)",
    high_risk=False,
    remediation=("logging:log_retention",),
    partly={
        "8.1.4.3 c)": (
            "how long audit records (auditd keeps max_log_file × num_logs by size, not by days) and the journal are"
            " kept, or that the central log host keeps them for the required days",
            "审计记录（auditd 按大小保留 max_log_file × num_logs，而非按天）与 journal 的留存期限，"
            "或集中日志服务器按要求天数留存",
        )
    },
)
def log_retention(facts: HostFacts, policy: Settings) -> Outcome:
    required = policy["audit"]["log_retention_days"]
    rotate = facts.logrotate
    kept = {name: days for name in SYSLOG_FILES if (days := rotate.days_kept(name)) is not None}
    observed = {"days_kept": kept}
    expected = {"days_kept": f">= {required} for each system log"}
    if not kept:
        return failed(observed, expected, "no logrotate rule for the system logs", "系统日志没有 logrotate 规则")
    short = {name: days for name, days in kept.items() if days < required}
    if short:
        return failed(
            observed,
            expected,
            f"logs kept fewer than {required} days: {short}",
            f"日志留存不足 {required} 天：{short}",
        )
    return passed(observed, expected, f"system logs are kept {min(kept.values())} days or more", "日志留存期限符合要求")
