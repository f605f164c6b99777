"""linux.backup_local, 8.1.4.9 a): Local backup jobs (full and incremental).

本地数据备份任务（全量与增量）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.backup_local",
    clauses=("8.1.4.9 a)",),
    policies=("backup",),
    zh="本地数据备份任务（全量与增量）",
    en="Local backup jobs (full and incremental)",
    high_risk=True,
    remediation=(),
)
def backup_local(facts: HostFacts, policy: Settings) -> Outcome:
    backup = policy["backup"]
    jobs = facts.cron_jobs
    full = [job for job in jobs if job.startswith(backup["full_schedule"] + " ")]
    incremental = [job for job in jobs if job.startswith(backup["incremental_schedule"] + " ")]
    observed = {"full_jobs": full, "incremental_jobs": incremental}
    expected = {
        "full_jobs": f"a job at '{backup['full_schedule']}'",
        "incremental_jobs": f"a job at '{backup['incremental_schedule']}'",
    }
    problems = Problems()
    if not full:
        problems.add("no full backup job on the policy's schedule", "没有按策略时间运行的全量备份任务")
    if not incremental:
        problems.add("no incremental backup job on the policy's schedule", "没有按策略时间运行的增量备份任务")
    return problems.outcome(observed, expected, "backup jobs are scheduled", "备份任务已按策略配置")
