"""linux.time_sync, 8.1.4.3 b): Time synchronisation and time zone (accurate audit timestamps).

时间同步与时区（审计记录时间准确）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, shown
from compliance.kinds.linux.facts import HostFacts

TIME_CLIENTS = ("chrony", "systemd-timesyncd", "ntp", "ntpsec")


@check(
    id="linux.time_sync",
    clauses=("8.1.4.3 b)",),
    policies=("time",),
    zh="时间同步与时区（审计记录时间准确）",
    en="Time synchronisation and time zone (accurate audit timestamps)",
    high_risk=False,
    remediation=("baseline:timezone", "timesync:timesync"),
)
def time_sync(facts: HostFacts, policy: Settings) -> Outcome:
    time = policy["time"]
    zone = facts.timezone
    sources = facts.time_sources
    servers, local_clock = sources.servers, sources.local_clock
    # One of the hospital's time servers does not take time from itself: its sources are upstream
    # clocks, or its own clock (chrony `local`).
    own_name = (facts.identity.hostname or "").split(".")[0]
    time_server = own_name in time["ntp_servers"]
    missing = sorted(set(time["ntp_servers"]) - servers - {own_name})
    clients = sorted(name for name in TIME_CLIENTS if name in facts.packages)
    observed = {"timezone": zone, "ntp_servers": sorted(servers), "client": clients, "time_server": time_server}
    expected = {
        "timezone": time["timezone"],
        "ntp_servers": f"includes {', '.join(time['ntp_servers'])}",
        "client": f"one of {', '.join(TIME_CLIENTS)}",
    }
    problems = Problems()
    if not clients:
        problems.add("no time synchronisation client is installed", "未安装时间同步客户端")
    if zone != time["timezone"]:
        problems.add(f"time zone is {shown(zone)}", f"时区为 {shown(zone, 'zh')}")
    if missing:
        problems.add(f"not synchronised with {', '.join(missing)}", f"未与 {', '.join(missing)} 同步")
    if time_server and not servers and not local_clock:
        problems.add("this time server has no time source", "本时间服务器没有时间源")
    return problems.outcome(observed, expected, "time is synchronised", "时间同步符合策略")
