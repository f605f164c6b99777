"""linux.backup_offsite, 8.1.4.9 b): Off-site backup (real-time or periodic transfer to the off-site host).

异地备份（实时或定期传送至异地备份主机）。
"""

from __future__ import annotations

import re

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts

FREQUENT_MINUTES = 15  # a job at least this often counts as (near) real-time replication


def _every_few_minutes(job: str) -> bool:
    minute = job.split()[0] if job.split() else ""
    step = re.fullmatch(r"\*/(\d+)", minute)
    return minute == "*" or (step is not None and int(step.group(1)) <= FREQUENT_MINUTES)


@check(
    id="linux.backup_offsite",
    clauses=("8.1.4.9 b)",),
    policies=("backup",),
    zh="异地备份（实时或定期传送至异地备份主机）",
    en="Off-site backup (real-time or periodic transfer to the off-site host)",
    high_risk=True,
    remediation=(),
)
def backup_offsite(facts: HostFacts, policy: Settings) -> Outcome:
    backup = policy["backup"]
    target = backup["offsite_target_host"]
    jobs = [job for job in facts.cron_jobs if re.search(rf"\b{re.escape(target)}\b", job)]
    realtime = [job for job in jobs if _every_few_minutes(job)]
    observed = {"offsite_jobs": jobs, "frequent_jobs": realtime}
    expected = {
        "offsite_jobs": f"a job sending to {target}",
        "frequent_jobs": f"every {FREQUENT_MINUTES} minutes or more often"
        if backup["realtime_offsite"]
        else "not required",
    }
    problems = Problems()
    if not jobs:
        problems.add(f"nothing is sent to {target}", f"没有传送至 {target} 的备份任务")
    elif backup["realtime_offsite"] and not realtime:
        problems.add("off-site copies are not (near) real-time", "异地备份非实时")
    return problems.outcome(observed, expected, f"backups reach {target}", f"备份已异地传送至 {target}")
