"""8.1.4.7/8.1.4.8 数据完整性与保密性 (in transit, over SSH) and 8.1.4.9 数据备份恢复, on Linux hosts."""

from __future__ import annotations

import re

from compliance.checks import Outcome, Problems, Settings, check
from compliance.scan.facts import HostFacts

FREQUENT_MINUTES = 15  # a job at least this often counts as (near) real-time replication


@check(
    id="linux.ssh_crypto",
    clauses=("8.1.4.1 c)", "8.1.4.7 a)", "8.1.4.8 a)"),
    policies=("ssh",),
    zh="SSH 仅使用策略允许的加密、完整性与密钥交换算法",
    en="SSH uses only the ciphers, MACs and key exchanges the policy allows",
)
def ssh_crypto(facts: HostFacts, policy: Settings) -> Outcome:
    ssh = policy["ssh"]
    observed: dict[str, list[str]] = {}
    expected: dict[str, list[str]] = {}
    problems = Problems()
    for keyword, allowed in (
        ("ciphers", ssh["ciphers"]),
        ("macs", ssh["macs"]),
        ("kexalgorithms", ssh["kex_algorithms"]),
    ):
        offered = [name for value in facts.sshd.get(keyword, []) for name in value.split(",")]
        observed[keyword] = offered
        expected[keyword] = allowed
        extra = [name for name in offered if name not in allowed]
        if not offered:
            problems.add(f"{keyword}: not readable", f"{keyword}：无法读取")
        elif extra:
            problems.add(
                f"{keyword} outside the policy: {', '.join(extra)}", f"{keyword} 含策略外算法：{', '.join(extra)}"
            )
    return problems.outcome(observed, expected, "SSH algorithms match the policy", "SSH 算法符合策略")


def _jobs(facts: HostFacts) -> list[str]:
    return [text.strip() for _path, text in facts.file_lines("crontabs") if not re.match(r"^\s*\w+=", text)]


@check(
    id="linux.backup_local",
    clauses=("8.1.4.9 a)",),
    policies=("backup",),
    zh="本地数据备份任务（全量与增量）",
    en="Local backup jobs (full and incremental)",
)
def backup_local(facts: HostFacts, policy: Settings) -> Outcome:
    backup = policy["backup"]
    jobs = _jobs(facts)
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
)
def backup_offsite(facts: HostFacts, policy: Settings) -> Outcome:
    backup = policy["backup"]
    target = backup["offsite_target_host"]
    jobs = [job for job in _jobs(facts) if re.search(rf"\b{re.escape(target)}\b", job)]
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
