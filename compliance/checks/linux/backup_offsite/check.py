"""linux.backup_offsite, 8.1.4.9 b): Important data reaches the off-site backup host within the policy's
recovery point, into a repository this host cannot alter.

重要数据在策略规定的恢复点时限内备份至异地备份主机，且本机无法删改备份。

What the host shows: its backups go to the policy's offsite_target_host, the last successful one
is no older than max_backup_age, and the repository there refused this host's attempt to forget a
snapshot (the restore test's canary, within restore_test_interval_days), so ransomware on this
host cannot take its history with it. 实时 at level 3 is the policy's max_backup_age (docs/backup.md
says which recovery point the hospital accepts as real time and why). What the host cannot show is
where the backup host stands: that it is at a separate backup site (备份场地) the evaluator must see
in the hospital's records, so met here the item is 部分符合.
"""

from __future__ import annotations

from typing import Any

from compliance.checks import Outcome, Problems, Settings, check
from compliance.checks.linux.backup_local.check import backup_host, unreadable_records
from compliance.kinds.linux.facts import HostFacts
from compliance.yamldoc.formats import duration_minutes


@check(
    id="linux.backup_offsite",
    clauses=("8.1.4.9 b)",),
    policies=("backup",),
    zh="重要数据在策略恢复点时限内备份至异地备份主机，且本机无法删改备份",
    en="Important data reaches the off-site backup host within the policy's recovery point, unalterable by the host",
    high_risk=True,
    remediation=("backup:backup",),
    partly={
        "8.1.4.9 b)": (
            "that the backup host stands at a separate backup site (异地备份场地), in the hospital's site records",
            "备份主机位于独立的异地备份场地（以医院机房与场地记录为准）",
        )
    },
)
def backup_offsite(facts: HostFacts, policy: Settings) -> Outcome:
    backup = policy["backup"]
    target = backup["offsite_target_host"]
    state = facts.backups
    if state.unreadable:
        return unreadable_records(state.unreadable)
    if state.is_backup_host:
        return backup_host(state)
    max_minutes = duration_minutes(backup["max_backup_age"])
    interval = backup["restore_test_interval_days"]
    settings = state.settings or {}
    last_ok = state.last_successful_backup
    minutes = None if last_ok is None else facts.minutes_before_collection_of_stamp(last_ok.get("finished"))
    test = state.last_restore_test or {}
    proof: dict[str, Any] = test.get("append_only") or {}
    proof_age = facts.days_before_collection_of_stamp(test.get("finished")) if test else None
    observed = {
        "backup_target": settings.get("target"),
        "repository": settings.get("repository_display"),
        "last_successful_backup": None
        if last_ok is None
        else {k: last_ok.get(k) for k in ("finished", "snapshot", "target")},
        "last_successful_backup_minutes_ago": minutes,
        "append_only_proof": proof or None,
        "append_only_proof_days_ago": proof_age,
    }
    expected = {
        "backup_target": target,
        "last_successful_backup_minutes_ago": f"<= {max_minutes} (max_backup_age {backup['max_backup_age']})",
        "append_only_proof": "the backup host refused to forget a snapshot",
        "append_only_proof_days_ago": f"<= {interval}",
    }
    problems = Problems()
    if not state.configured:
        problems.add(f"nothing is backed up to {target} (the backup role)", f"没有备份至 {target}（backup 角色）")
    elif settings.get("target") != target:
        problems.add(
            f"backups go to {settings.get('target')}, not to the policy's off-site host {target}",
            f"备份目标为 {settings.get('target')}，而非策略规定的异地备份主机 {target}",
        )
    if state.configured and (last_ok is None or minutes is None or minutes > max_minutes):
        when_en, when_zh = ("never", "无") if minutes is None else (f"{minutes} minutes ago", f"{minutes} 分钟前")
        point = backup["max_backup_age"]
        problems.add(
            f"the last successful backup to {target}: {when_en}; the policy's recovery point is {point}",
            f"最近一次成功异地备份：{when_zh}；策略恢复点为 {point}",
        )
    if proof.get("refused") is False:
        problems.add(
            f"{target} let this host forget a snapshot: its repository is not append-only",
            f"{target} 允许本机删除备份快照：备份仓库并非仅可追加",
        )
    elif state.configured and (proof.get("refused") is not True or proof_age is None or proof_age > interval):
        problems.add(
            f"no refused delete within {interval} days proves the repository append-only (the restore test makes one)",
            f"{interval} 天内没有“删除被拒绝”的记录证明备份仓库仅可追加（恢复测试会验证）",
        )
    return problems.outcome(
        observed,
        expected,
        f"the newest copy on {target} is {minutes} minutes old (recovery point {backup['max_backup_age']}),"
        " and the repository refuses deletes",
        f"{target} 上最新备份为 {minutes} 分钟前（恢复点 {backup['max_backup_age']}），备份仓库拒绝删除",
    )
