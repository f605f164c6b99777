"""linux.log_forwarding, 8.1.4.3 c), 8.1.5.4 d): Logs are forwarded to the central log server.

日志实时转发至集中日志服务器。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.log_forwarding",
    clauses=("8.1.4.3 c)", "8.1.5.4 d)"),
    policies=("audit",),
    zh="日志实时转发至集中日志服务器",
    en="Logs are forwarded to the central log server",
    high_risk=False,
    remediation=("logging:log_forwarding",),
)
def log_forwarding(facts: HostFacts, policy: Settings) -> Outcome:
    audit = policy["audit"]
    targets = facts.syslog_forward_targets
    wanted = (audit["central_log_host"], audit["central_log_port"], audit["central_log_protocol"])
    daemon = next((name for name in ("rsyslog.service", "syslog-ng.service") if name in facts.active_units), None)
    observed = {"targets": [str(target) for target in targets], "daemon_active": daemon}
    expected = {"targets": f"includes {wanted[0]}:{wanted[1]}/{wanted[2]}", "daemon_active": "rsyslog or syslog-ng"}
    matches = [t for t in targets if (t.host.split(".")[0], t.port, t.protocol) == wanted]
    problems = Problems()
    if not matches:
        problems.add(
            f"no forwarding to {wanted[0]}:{wanted[1]}/{wanted[2]}", f"未转发至 {wanted[0]}:{wanted[1]}/{wanted[2]}"
        )
    if daemon is None:
        problems.add("no syslog daemon is running", "未运行 syslog 服务")
    return problems.outcome(observed, expected, "logs reach the central server", "日志已集中转发")
