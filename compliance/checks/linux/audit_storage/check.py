"""linux.audit_storage, 8.1.4.3 c), 8.1.4.3 d): Audit records are kept and protected (rotation, low-space action,
permissions).

审计记录存储与保护（轮转、空间告警、权限）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, failed, shown
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.text import as_int


@check(
    id="linux.audit_storage",
    clauses=("8.1.4.3 c)",),
    policies=("audit",),
    zh="审计记录存储与保护（轮转、空间告警、权限）",
    en="Audit records are kept and protected (rotation, low-space action, permissions)",
    high_risk=False,
    remediation=("audit:audit_storage",),
)
def audit_storage(facts: HostFacts, policy: Settings) -> Outcome:
    audit = policy["audit"]
    conf = facts.auditd_conf
    expected = {
        "max_log_file": f">= {audit['max_log_file_mb']}",
        "num_logs": f">= {audit['num_logs']}",
        "space_left_action": audit["space_left_action"],
        "log_dir": "mode 0700 or 0750, owner root",
        "log_files": "mode 0600 or 0640, owner root",
    }
    if not conf:
        return failed({"auditd.conf": "missing"}, expected, "auditd.conf is missing", "缺少 auditd.conf")
    loose = [
        str(entry)
        for entry in facts.audit_log_files
        if entry.owner != "root" or entry.mode & (0o027 if entry.path == "/var/log/audit" else 0o137)
    ]
    max_file = as_int(conf.get("max_log_file"))
    num_logs = as_int(conf.get("num_logs"))
    action = conf.get("space_left_action", "").lower()
    observed = {
        "max_log_file": max_file,
        "num_logs": num_logs,
        "space_left_action": action,
        "too_open": loose,
    }
    problems = Problems()
    if max_file is None or max_file < audit["max_log_file_mb"]:
        problems.add(f"max_log_file={shown(max_file)}", f"max_log_file={shown(max_file, 'zh')}")
    if num_logs is None or num_logs < audit["num_logs"]:
        problems.add(f"num_logs={shown(num_logs)}", f"num_logs={shown(num_logs, 'zh')}")
    if action != audit["space_left_action"]:
        problems.add(f"space_left_action={shown(action)}", f"space_left_action={shown(action, 'zh')}")
    if loose:
        problems.add(f"audit logs readable beyond root: {', '.join(loose)}", f"审计日志权限过宽：{', '.join(loose)}")
    return problems.outcome(observed, expected, "audit records are protected", "审计记录受保护")
