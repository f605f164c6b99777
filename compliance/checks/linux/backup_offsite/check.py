"""linux.backup_offsite, 8.1.4.9 b): Off-site backup (continuous replication at level 3, periodic transfer at level 2).

异地备份（第三级实时复制，第二级定时批量传送）。
"""

from __future__ import annotations

import re

from compliance.checks import Outcome, Settings, check, failed, partial, passed
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.backup_offsite",
    clauses=("8.1.4.9 b)",),
    policies=("backup",),
    zh="异地备份（第三级实时复制，第二级定时批量传送）",
    en="Off-site backup (continuous replication at level 3, periodic transfer at level 2)",
    high_risk=True,
    remediation=(),
)
def backup_offsite(facts: HostFacts, policy: Settings) -> Outcome:
    backup = policy["backup"]
    target = backup["offsite_target_host"]
    jobs = [job for job in facts.cron_jobs if re.search(rf"\b{re.escape(target)}\b", job)]
    replication = facts.replication
    continuous = replication.running and any(host.split(".")[0] == target for host in replication.targets)
    observed = {
        "periodic_jobs": jobs,
        "replicator_running": replication.running,
        "replication_targets": list(replication.targets),
    }
    if backup["realtime_offsite"]:
        expected = {"replication": f"continuous replication to {target} (lsyncd running and syncing to it)"}
        if continuous:
            return passed(
                observed, expected, f"data is replicated to {target} continuously", f"数据实时复制至 {target}"
            )
        if jobs:
            # A job every few minutes is still a batch: between runs, changes exist in one place only.
            return partial(
                observed,
                expected,
                f"only periodic copies to {target} (a scheduled job is not real-time); the evaluator must see"
                " continuous replication: database or storage replication, or a file replicator",
                f"仅有定时传送至 {target} 的任务（定时任务不是实时备份）；"
                "测评人员还需核查数据库或存储复制等实时复制措施",
            )
        return failed(observed, expected, f"nothing is sent to {target}", f"没有传送至 {target} 的备份")
    expected = {"transfer": f"a scheduled transfer, or replication, to {target}"}
    if jobs or continuous:
        return passed(observed, expected, f"backups reach {target}", f"备份已异地传送至 {target}")
    return failed(observed, expected, f"nothing is sent to {target}", f"没有传送至 {target} 的备份")
