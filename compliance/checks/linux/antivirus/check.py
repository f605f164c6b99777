"""linux.antivirus, 8.1.4.5 a): Anti-malware runs, its signatures are current and the scheduled scan runs.

防恶意代码软件运行、病毒库及时更新、定期扫描按时执行。

What the antivirus role sets up is what is judged: ClamAV installed, clamd running, the newest
signature database built within the policy's maximum age (the build time a ClamAV container
declares, read with `sigtool --info`, not the file's date), the scan timer on the policy's
schedule, and the last scheduled scan finished recently and without error.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, not_applicable
from compliance.kinds.linux.facts import HostFacts
from compliance.model.schedule import longest_gap_days, oncalendar

ENGINES = {"clamav": ("clamav", "clamav-daemon.service")}


@check(
    id="linux.antivirus",
    clauses=("8.1.4.5 a)",),
    policies=("antivirus",),
    zh="防恶意代码软件运行、病毒库及时更新、定期扫描按时执行",
    en="Anti-malware runs, its signatures are current and the scheduled scan runs",
    high_risk=True,
    remediation=("antivirus:antivirus",),
)
def antivirus(facts: HostFacts, policy: Settings) -> Outcome:
    av = policy["antivirus"]
    engine = ENGINES.get(av["engine"])
    if engine is None:
        return not_applicable(
            {"engine": av["engine"]},
            f"{av['engine']} is a vendor product; its console's records are the evidence",
            f"{av['engine']} 为商用产品，以其管理控制台记录为证据",
        )
    package, daemon = engine
    state = facts.antivirus
    newest = state.newest()
    age_days = None if newest is None else facts.days_before_collection(newest.age_from)
    schedule = oncalendar(av["scan_schedule"])
    gap = longest_gap_days(av["scan_schedule"])
    last = state.last_scan
    last_age = facts.days_before_collection_of_stamp(last.get("finished"))
    observed = {
        "installed": package in facts.packages,
        "daemon_running": daemon in facts.active_units,
        "newest_signatures": None if newest is None else newest.name,
        "signature_age_days": age_days,
        "scan_timer": {"active": state.timer_active, "calendar": state.timer_calendar},
        "last_scan": last or None,
        "last_scan_days_ago": last_age,
    }
    expected = {
        "installed": True,
        "daemon_running": True,
        "signature_age_days": f"<= {av['signature_max_age_days']}",
        "scan_timer": {"active": True, "calendar": schedule},
        "or_cron_scan": f"a clamscan or clamdscan job at '{av['scan_schedule']}'",
        "last_scan_days_ago": f"<= {gap + 1} (the schedule runs at least every {gap} day(s)), exit 0 or 1",
    }
    problems = Problems()
    if package not in facts.packages:
        problems.add(f"{package} is not installed", f"未安装 {package}")
    if daemon not in facts.active_units:
        problems.add(f"{daemon} is not running", f"{daemon} 未运行")
    if age_days is None:
        problems.add("no signature database", "没有病毒特征库")
    elif age_days > av["signature_max_age_days"]:
        problems.add(
            f"the newest signatures ({newest.name}) were built {age_days} days ago",
            f"最新的特征库（{newest.name}）已是 {age_days} 天前构建",
        )
    timer_on_schedule = state.timer_active and state.timer_calendar == schedule
    cron_on_schedule = [
        job
        for job in facts.cron_jobs
        if job.startswith(av["scan_schedule"]) and any(tool in job for tool in ("clamscan", "clamdscan"))
    ]
    observed["cron_scans"] = cron_on_schedule
    if not timer_on_schedule and not cron_on_schedule:
        problems.add(
            f"no active scan timer on the policy's schedule ({schedule})",
            f"没有按策略时间（{schedule}）运行的扫描定时器",
        )
    if last_age is None:
        problems.add("the scheduled scan has never run", "定期扫描从未执行")
    elif last_age > gap + 1:
        problems.add(f"the last scheduled scan ran {last_age} days ago", f"最近一次定期扫描在 {last_age} 天前")
    elif last.get("exit") not in ("0", "1"):
        problems.add(f"the last scheduled scan failed (exit {last.get('exit')})", "最近一次定期扫描执行失败")
    return problems.outcome(observed, expected, "anti-malware is current and scans on schedule", "防恶意代码措施有效")
