"""linux.patch_records, 8.1.10.5 a): Patching is on record: the maintenance window's runs happen and
succeed, and each run records what it changed.

补丁管理留存记录：维护窗口的补丁运行按时执行并成功，每次运行记录变更内容。

The host shows half of 8.1.10.5 a): that vulnerabilities are found (the security-update check) and
fixed by runs on record, each listing the packages it upgraded from which version to which, under
a run id. The other half is in the hospital's records: how updates were tested before production
and the impact assessment of each package the policy holds. That half the evaluator must still see,
so met here the item is 部分符合.
"""

from __future__ import annotations

from typing import Any

from compliance.checks import Outcome, Problems, Settings, check, undecided
from compliance.kinds.linux.facts import HostFacts
from compliance.model.schedule import longest_gap_days, window_cron

SHOWN_CHANGES = 20


def _shown(run: dict[str, Any]) -> dict[str, Any]:
    upgraded = list(run.get("upgraded", []))
    return {
        "run_id": run.get("run_id"),
        "reason": run.get("reason"),
        "started": run.get("started"),
        "finished": run.get("finished"),
        "in_window": run.get("in_window"),
        "succeeded": run.get("succeeded"),
        "upgraded": upgraded[:SHOWN_CHANGES],
        "upgraded_count": len(upgraded),
        "pending_security_after": run.get("pending_security_after"),
        "reboot": run.get("reboot"),
    }


@check(
    id="linux.patch_records",
    clauses=("8.1.10.5 a)",),
    policies=("patching",),
    zh="补丁管理留存记录：维护窗口的补丁运行按时执行并成功，每次运行记录变更内容",
    en="Patching is on record: the maintenance window's runs happen and succeed, each recording what it changed",
    high_risk=False,
    remediation=("patching:patching",),
    partly={
        "8.1.10.5 a)": (
            "how updates were tested before production, and the impact assessment of each package the policy holds",
            "补丁上线前的测试记录，以及策略保持版本的软件包的影响评估",
        )
    },
)
def patch_records(facts: HostFacts, policy: Settings) -> Outcome:
    patching = policy["patching"]
    window = patching["maintenance_window"]
    gap = longest_gap_days(window_cron(window))
    updates = facts.package_updates
    if updates.unreadable:
        return undecided({}, f"{updates.unreadable}; nothing is decided", "补丁运行记录无法读取，未作判定")
    run = updates.last_run
    observed: dict[str, Any] = {
        "last_run": None if run is None else _shown(run),
        "records_kept": updates.run_records,
        "held_packages": patching["held_packages"],
    }
    expected = {
        "last_run": f"succeeded, at most {gap + 1} days ago (the window opens every {gap} days)",
        "records_kept": ">= 1",
    }
    problems = Problems()
    if run is None or updates.run_records == 0:
        problems.add(
            "no patch run is on record (the patching role keeps one per run)",
            "没有补丁运行记录（补丁角色为每次运行留存记录）",
        )
    else:
        age = facts.days_before_collection_of_stamp(run.get("finished"))
        if age is None:
            problems.add("the last patch run's record has no end time", "最近一次补丁运行记录没有结束时间")
        elif age > gap + 1:
            problems.add(
                f"the last patch run on record ended {age} days ago: the maintenance window's run is missing",
                f"最近一次补丁运行在 {age} 天前结束：维护窗口的补丁运行缺失",
            )
        if run.get("succeeded") is not True:
            problems.add(
                f"the last patch run ({run.get('run_id')}) failed", f"最近一次补丁运行（{run.get('run_id')}）失败"
            )
    return problems.outcome(observed, expected, "every patch run is on record", "补丁运行均有记录")
