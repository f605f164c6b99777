"""linux.antivirus, 8.1.4.5 a): Anti-malware is installed, its signatures are current and scans are scheduled.

防恶意代码软件已安装、病毒库及时更新、定期扫描。
"""

from __future__ import annotations

import re

from compliance.checks import (
    Outcome,
    Problems,
    Settings,
    check,
    not_applicable,
)
from compliance.kinds.linux.facts import HostFacts

ANTIVIRUS_PACKAGES = {"clamav": ("clamav", "clamav-daemon", "clamav-freshclam")}


SCAN_COMMANDS = ("clamscan", "clamdscan")


@check(
    id="linux.antivirus",
    clauses=("8.1.4.5 a)",),
    policies=("antivirus",),
    zh="防恶意代码软件已安装、病毒库及时更新、定期扫描",
    en="Anti-malware is installed, its signatures are current and scans are scheduled",
    high_risk=True,
    remediation=(),
)
def antivirus(facts: HostFacts, policy: Settings) -> Outcome:
    av = policy["antivirus"]
    packages = ANTIVIRUS_PACKAGES.get(av["engine"])
    if packages is None:
        return not_applicable(
            {"engine": av["engine"]},
            f"{av['engine']} is a vendor product; its console's records are the evidence",
            f"{av['engine']} 为商用产品，以其管理控制台记录为证据",
        )
    installed = sorted(name for name in packages if name in facts.packages)
    signatures = {n: t for n, t in facts.clamav_databases.items() if re.search(r"\.(cvd|cld)$", n)}
    newest = max(signatures.values(), default=None)
    age_days = None if newest is None else facts.days_before_collection(newest)
    schedules = [
        job
        for job in facts.cron_jobs
        if any(command in job for command in SCAN_COMMANDS) and job.startswith(av["scan_schedule"])
    ]
    observed = {"installed": installed, "signature_age_days": age_days, "scheduled_scans": schedules}
    expected = {
        "installed": packages[0],
        "signature_age_days": f"<= {av['signature_max_age_days']}",
        "scheduled_scans": f"a clamscan job at '{av['scan_schedule']}'",
    }
    problems = Problems()
    if packages[0] not in installed:
        problems.add(f"{packages[0]} is not installed", f"未安装 {packages[0]}")
    if age_days is None:
        problems.add("no signature database", "没有病毒特征库")
    elif age_days > av["signature_max_age_days"]:
        problems.add(f"signatures are {age_days} days old", f"病毒库已 {age_days} 天未更新")
    if not schedules:
        problems.add("no scheduled scan", "没有定期扫描任务")
    return problems.outcome(observed, expected, "anti-malware is current", "防恶意代码措施有效")
