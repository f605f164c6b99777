"""linux.backup_retention, 8.1.10.11 b): The backup host keeps the servers' backups as the policy says:
retention at least the policy's years, prune and integrity checks on its schedule and succeeding.

备份主机按策略保存备份：保存期不短于策略规定，清理与完整性校验按计划执行且成功。

8.1.10.11 b) asks that backup method, frequency, media and retention be set. policies/backup.yml
sets them; the backup host shows that the retention it applies is the policy's (the same counts,
and one snapshot a year for retention_years), that its prune and repository check run at the
policy's times, and that each one's last run succeeded for every server it holds. The method and
the frequency each server shows itself (linux.backup_local). What no host can show is the storage
media (存储介质) and the hospital's approval of the rules: that the evaluator must still see, so met
here the item is 部分符合. On the servers that back up there, the item is the backup host's.
"""

from __future__ import annotations

from typing import Any

from compliance.checks import Outcome, Problems, Settings, check, not_applicable
from compliance.checks.linux.backup_local.check import unreadable_records
from compliance.kinds.linux.facts import HostFacts
from compliance.model.schedule import longest_gap_days, oncalendar

ACTIONS = {"prune": "prune_schedule", "check": "repository_check_schedule"}
ACTION_ZH = {"prune": "清理", "check": "完整性校验"}


@check(
    id="linux.backup_retention",
    clauses=("8.1.10.11 b)",),
    policies=("backup",),
    zh="备份主机按策略保存备份：保存期不短于策略规定，清理与完整性校验按计划执行且成功",
    en="The backup host keeps backups as the policy says: its retention, prune and integrity checks",
    high_risk=False,
    remediation=("backup_server:backup",),
    partly={
        "8.1.10.11 b)": (
            "the storage media of the backups and the hospital's approval of the backup rules",
            "备份存储介质，以及医院对备份规定的审批记录",
        )
    },
)
def backup_retention(facts: HostFacts, policy: Settings) -> Outcome:
    backup = policy["backup"]
    state = facts.backups
    if state.unreadable:
        return unreadable_records(state.unreadable)
    server = state.server_settings
    if server is None:
        target = backup["offsite_target_host"]
        return not_applicable(
            {"backup_target": (state.settings or {}).get("target")},
            f"retention is applied on the backup host ({target}); its scan decides this item",
            f"备份保存期由备份主机（{target}）执行，以其检查结果为准",
        )
    observed: dict[str, Any] = {
        "servers": server.get("clients"),
        "keep": server.get("keep"),
        "retention_years": server.get("retention_years"),
        "prune_timer": {"active": state.prune_timer.active, "calendar": state.prune_timer.calendar},
        "check_timer": {"active": state.check_timer.active, "calendar": state.check_timer.calendar},
        "last_runs": {
            action: {
                name: {"finished": record.get("finished"), "succeeded": record.get("succeeded")}
                for name, record in sorted(state.server_records.get(action, {}).items())
            }
            for action in ACTIONS
        },
    }
    expected = {
        "keep": backup["keep"],
        "retention_years": f">= {backup['retention_years']}",
        "prune_timer": {"active": True, "calendar": oncalendar(backup["prune_schedule"])},
        "check_timer": {"active": True, "calendar": oncalendar(backup["repository_check_schedule"])},
        "last_runs": "each server's last prune and check succeeded, none older than its schedule's longest gap",
    }
    problems = Problems()
    if server.get("keep") != backup["keep"]:
        problems.add(
            f"the backup host keeps {server.get('keep')}, the policy {backup['keep']}",
            f"备份主机保留数量为 {server.get('keep')}，策略为 {backup['keep']}",
        )
    years, wanted = server.get("retention_years"), backup["retention_years"]
    if not isinstance(years, int) or years < wanted:
        problems.add(
            f"the backup host keeps yearly snapshots for {years} years, less than the policy's {wanted}",
            f"备份主机按年保留 {years} 年，少于策略规定的 {wanted} 年",
        )
    for action, setting in ACTIONS.items():
        timer = state.prune_timer if action == "prune" else state.check_timer
        calendar = oncalendar(backup[setting])
        if not (timer.active and timer.calendar == calendar):
            problems.add(
                f"the {action} timer is not running at the policy's time ({calendar})",
                f"{ACTION_ZH[action]}定时器未按策略时间（{calendar}）运行",
            )
        _run_problems(
            problems, facts, action, state.server_records.get(action, {}), server, longest_gap_days(backup[setting])
        )
    return problems.outcome(
        observed,
        expected,
        f"the backup host keeps {len(server.get('clients') or [])} servers' backups as the policy says",
        f"备份主机按策略保存 {len(server.get('clients') or [])} 台服务器的备份",
    )


def _run_problems(
    problems: Problems, facts: HostFacts, action: str, records: dict[str, dict[str, Any]], server: dict, gap: int
) -> None:
    for name in server.get("clients") or []:
        record = records.get(name)
        age = None if record is None else facts.days_before_collection_of_stamp(record.get("finished"))
        if record is None or age is None:
            problems.add(
                f"no {action} of {name}'s repository is on record", f"没有 {name} 仓库的{ACTION_ZH[action]}记录"
            )
        elif record.get("succeeded") is not True:
            problems.add(
                f"the last {action} of {name}'s repository failed", f"{name} 仓库最近一次{ACTION_ZH[action]}失败"
            )
        elif age > gap + 1:
            problems.add(
                f"the last {action} of {name}'s repository was {age} days ago (its schedule runs every {gap} days)",
                f"{name} 仓库最近一次{ACTION_ZH[action]}在 {age} 天前（计划每 {gap} 天一次）",
            )
