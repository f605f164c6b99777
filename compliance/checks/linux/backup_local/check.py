"""linux.backup_local, 8.1.4.9 a): Important data is backed up on the policy's schedule and restores.

重要数据按策略计划备份，且经恢复测试验证可恢复。

The host's own records decide it: the backup role's timer runs at the policy's schedule, its last
run succeeded and the last successful one is no older than the policy's max_backup_age (files,
logs and a dump of every PostgreSQL database, docs/backup.md); and restore really works: a restore
test (every unchanged file compared byte for byte with the source, every dump loaded into a
scratch database with its row counts compared) passed within restore_test_interval_days, and its
timer runs at restore_test_schedule. A backup never restored is not evidence of recovery.
"""

from __future__ import annotations

from typing import Any

from compliance.checks import Outcome, Problems, Settings, check, not_applicable, undecided
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.backups import Backups
from compliance.model.schedule import oncalendar
from compliance.yamldoc.formats import duration_minutes


def shown_run(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    keys = ("started", "finished", "succeeded", "passed", "snapshot", "target", "files", "errors")
    shown = {key: run[key] for key in keys if key in run}
    if "databases" in run:
        shown["databases"] = [
            {k: d.get(k) for k in ("database", "dumped", "rows", "matched", "row_counts") if k in d}
            for d in run["databases"]
        ]
    return shown


def unreadable_records(which: str) -> Outcome:
    """Records on the host that are not JSON: nothing is decided on them (an error, never a fail)."""
    return undecided({}, f"backup records unreadable: {which}", f"备份记录无法读取：{which}")


def backup_host(state: Backups) -> Outcome:
    """The backup host holds the servers' backups: how those are kept is the evaluator's to see."""
    settings = state.server_settings or {}
    observed = {"backup_host_for": settings.get("clients"), "retention": settings.get("keep")}
    return not_applicable(
        observed,
        "this is the backup host (backup_server role): its data are the servers' backups; how they are kept on"
        " unalterable media is in the hospital's records",
        "本机为备份主机（backup_server 角色），其数据即各服务器的备份；备份介质不可篡改的保存方式以医院记录为准",
    )


@check(
    id="linux.backup_local",
    clauses=("8.1.4.9 a)",),
    policies=("backup",),
    zh="重要数据按策略计划备份，且经恢复测试验证可恢复",
    en="Important data is backed up on the policy's schedule, and restore tests prove it restores",
    high_risk=True,
    remediation=("backup:backup",),
)
def backup_local(facts: HostFacts, policy: Settings) -> Outcome:
    backup = policy["backup"]
    state = facts.backups
    if state.unreadable:
        return unreadable_records(state.unreadable)
    if state.is_backup_host:
        return backup_host(state)
    max_minutes = duration_minutes(backup["max_backup_age"])
    interval = backup["restore_test_interval_days"]
    last_ok = state.last_successful_backup
    test = state.last_restore_test
    minutes = None if last_ok is None else facts.minutes_before_collection_of_stamp(last_ok.get("finished"))
    test_age = None if test is None else facts.days_before_collection_of_stamp(test.get("finished"))
    schedules = {
        "backup_timer": (state.backup_timer, oncalendar(backup["schedule"])),
        "restore_test_timer": (state.restore_test_timer, oncalendar(backup["restore_test_schedule"])),
    }
    observed: dict[str, Any] = {
        "configured": state.configured,
        **{name: {"active": timer.active, "calendar": timer.calendar} for name, (timer, _) in schedules.items()},
        "last_backup": shown_run(state.last_backup),
        "last_successful_backup": shown_run(last_ok),
        "last_successful_backup_minutes_ago": minutes,
        "last_restore_test": shown_run(test),
        "last_restore_test_days_ago": test_age,
        "records_kept": {"backups": state.run_records, "restore_tests": state.restore_test_records},
    }
    expected = {
        **{name: {"active": True, "calendar": calendar} for name, (_, calendar) in schedules.items()},
        "last_backup": "succeeded",
        "last_successful_backup_minutes_ago": f"<= {max_minutes} (max_backup_age {backup['max_backup_age']})",
        "last_restore_test": "passed",
        "last_restore_test_days_ago": f"<= {interval}",
    }
    problems = Problems()
    if not state.configured:
        problems.add("no backup job is configured (the backup role)", "未配置备份任务（backup 角色）")
    for name, (timer, calendar) in schedules.items():
        if state.configured and not (timer.active and timer.calendar == calendar):
            problems.add(
                f"the {name.replace('_', ' ')} is not running at the policy's time ({calendar})",
                f"{'备份' if name == 'backup_timer' else '恢复测试'}定时器未按策略时间（{calendar}）运行",
            )
    _backup_problems(problems, state.last_backup, last_ok, minutes, max_minutes, backup["max_backup_age"])
    _restore_problems(problems, test, test_age, interval)
    return problems.outcome(
        observed,
        expected,
        f"backed up {minutes} minutes ago; the last restore test passed {test_age} days ago",
        f"最近一次成功备份在 {minutes} 分钟前；最近一次恢复测试于 {test_age} 天前通过",
    )


def _backup_problems(
    problems: Problems,
    last: dict[str, Any] | None,
    last_ok: dict[str, Any] | None,
    minutes: int | None,
    max_minutes: int,
    max_age: str,
) -> None:
    if last is not None and last.get("succeeded") is not True:
        errors = "; ".join(str(error) for error in last.get("errors", []))[:300]
        problems.add(f"the last backup run failed: {errors}", f"最近一次备份失败：{errors}")
    if last_ok is None:
        problems.add("no successful backup is on record", "没有成功备份的记录")
    elif minutes is None:
        problems.add("the last successful backup's record has no end time", "最近一次成功备份记录没有结束时间")
    elif minutes > max_minutes:
        problems.add(
            f"the last successful backup ended {minutes} minutes ago, more than max_backup_age {max_age}",
            f"最近一次成功备份在 {minutes} 分钟前，超过策略允许的 {max_age}",
        )


def _restore_problems(problems: Problems, test: dict[str, Any] | None, age: float | None, interval: int) -> None:
    if test is None:
        problems.add(
            "no restore test is on record: the backups were never restored", "没有恢复测试记录：备份从未恢复验证"
        )
        return
    if test.get("passed") is not True:
        errors = "; ".join(str(error) for error in test.get("errors", []))[:300]
        problems.add(f"the last restore test failed: {errors}", f"最近一次恢复测试未通过：{errors}")
    if age is None:
        problems.add("the last restore test's record has no end time", "最近一次恢复测试记录没有结束时间")
    elif age > interval:
        problems.add(
            f"the last restore test was {age} days ago, more than the policy's {interval}",
            f"最近一次恢复测试在 {age} 天前，超过策略要求的 {interval} 天",
        )
