"""linux.security_updates, 8.1.4.4 e): Known vulnerabilities are patched in time: no security update waits
longer than the policy allows.

及时修补已知漏洞：安全更新的等待时间不超过策略规定。

What is judged:
- the package index was refreshed within the policy's maximum age (else the host cannot know
  what is pending);
- each pending security update has waited at most `security_update_max_age_days`, counted from
  when the host first saw it (the patching role's apt hook records that). Without the record a
  simulation shows what is pending but not since when, and a pending fix of unknown age fails;
- a security update held back by a hold the policy does not declare fails at once (it would wait
  for ever); one the policy holds, with its reason, is 部分符合: the evaluator must see the risk
  assessment that accepts it;
- a newer kernel installed longer than the maximum age ago while the old one still runs fails
  (a reboot is pending); in a container the kernel is the container host's and is not judged here;
- the last patch run on record must have succeeded.
"""

from __future__ import annotations

from typing import Any

from compliance.checks import Outcome, Problems, Settings, check, partial, undecided
from compliance.kinds.linux.facts import HostFacts, PackageUpdates, PendingUpdate


def _waiting(facts: HostFacts, update: PendingUpdate) -> dict[str, Any]:
    return {
        "package": update.package,
        "installed": update.installed,
        "candidate": update.candidate,
        "held": update.held,
        "waiting_days": None if update.first_seen is None else facts.days_before_collection(update.first_seen),
    }


def _last_run(updates: PackageUpdates) -> dict[str, Any] | None:
    run = updates.last_run
    if run is None:
        return None
    return {
        "run_id": run.get("run_id"),
        "finished": run.get("finished"),
        "succeeded": run.get("succeeded"),
        "upgraded": len(run.get("upgraded", [])),
        "records_kept": updates.run_records,
    }


def _kernel(facts: HostFacts, updates: PackageUpdates, max_age: int, problems: Problems) -> dict[str, Any]:
    newest = updates.newest_kernel()
    state: dict[str, Any] = {"running": updates.kernel_running, "newest_installed": newest and newest.release}
    if facts.in_container:
        state["judged"] = "no: a container runs its host's kernel"
        return state
    if newest is None or newest.release == updates.kernel_running:
        return state
    installed_days = facts.days_before_collection(newest.installed_at)
    state["newest_installed_days_ago"] = installed_days
    if installed_days > max_age:
        problems.add(
            f"kernel {newest.release} was installed {installed_days} days ago but {updates.kernel_running} still runs"
            " (a reboot is pending)",
            f"内核 {newest.release} 已安装 {installed_days} 天，但运行的仍是 {updates.kernel_running}（待重启）",
        )
    return state


@check(
    id="linux.security_updates",
    clauses=("8.1.4.4 e)",),
    policies=("patching",),
    zh="及时修补已知漏洞：安全更新的等待时间不超过策略规定",
    en="Known vulnerabilities are patched in time: no security update waits longer than the policy allows",
    high_risk=True,
    remediation=("patching:patching",),
)
def security_updates(facts: HostFacts, policy: Settings) -> Outcome:
    patching = policy["patching"]
    max_age = patching["security_update_max_age_days"]
    declared = {held["package"]: held["reason"] for held in patching["held_packages"]}
    updates = facts.package_updates
    if updates.unreadable:
        return undecided(
            {"source": updates.source},
            f"{updates.unreadable}; nothing is decided",
            "补丁记录无法读取（不是补丁角色写入的 JSON），未作判定",
        )
    index_age = None if updates.index_refreshed is None else facts.days_before_collection(updates.index_refreshed)
    security = [update for update in updates.updates if update.security]
    waiting = [_waiting(facts, update) for update in security]
    problems = Problems()
    accepted: list[str] = []
    for update, shown in zip(security, waiting, strict=True):
        name, days = update.package, shown["waiting_days"]
        if update.held and name not in declared:
            problems.add(
                f"{name}: its security update is held back by a hold the policy does not declare",
                f"{name}：安全更新被策略未声明的保持（hold）阻止",
            )
        elif update.held:
            accepted.append(f"{name} ({declared[name]})")
        elif days is None:
            problems.add(
                f"{name}: a security update is pending since an unknown date (no pending-update record;"
                " the patching role's apt hook keeps one)",
                f"{name}：安全更新待安装，等待时间未知（没有待装更新记录，由补丁角色的 apt 钩子生成）",
            )
        elif days > max_age:
            problems.add(
                f"{name}: its security update has waited {days} days (at most {max_age})",
                f"{name}：安全更新已等待 {days} 天（不得超过 {max_age} 天）",
            )
    if index_age is None:
        problems.add("the package index was never refreshed from the internal mirror", "补丁源索引从未从内部镜像刷新")
    elif index_age > max_age:
        problems.add(f"the package index is {index_age} days old", f"补丁源索引已 {index_age} 天未刷新")
    kernel = _kernel(facts, updates, max_age, problems)
    last_run = _last_run(updates)
    if last_run is not None and last_run["succeeded"] is not True:
        problems.add(
            f"the last patch run ({last_run['run_id']}, {last_run['finished']}) failed",
            f"最近一次补丁运行（{last_run['run_id']}，{last_run['finished']}）失败",
        )
    observed = {
        "source": updates.source,
        "index_age_days": index_age,
        "pending_security_updates": waiting,
        "pending_updates": len(updates.updates),
        "holds": list(updates.holds),
        "kernel": kernel,
        "last_patch_run": last_run,
    }
    expected = {
        "index_age_days": f"<= {max_age}",
        "pending_security_updates": f"each waiting at most {max_age} days, and none held unless the policy holds it",
        "held_packages": declared,
        "last_patch_run": "succeeded, where the patching role keeps records",
    }
    outcome = problems.outcome(observed, expected, "security updates are installed in time", "安全补丁及时安装")
    if problems.english or not accepted:
        return outcome
    return partial(
        observed,
        expected,
        f"security updates wait on packages the policy holds: {', '.join(accepted)}; the evaluator must see the"
        " risk assessment that accepts each",
        f"策略保持的软件包有待装安全更新：{'、'.join(accepted)}；测评人员还需核查接受该风险的评估记录",
    )
