"""network_device.time_sync, 8.1.4.3 b): The device takes its time from the hospital's NTP servers.

设备从医院时间服务器同步时间。

Audit records carry a trustworthy date and time only if the clock follows the hospital's time source
(time.yml `ntp_servers`, by inventory address or name): VRP `ntp-service unicast-server`, Comware the
same with `ntp-service enable`, IOS `ntp server`. The configuration shows the device is told to follow
them; whether it is synchronised now is in `display ntp-service status` / `show ntp status`, which the
evaluator must still see.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DeviceFacts, as_dict, quote
from compliance.model.host_policy import NAMED_HOSTS


@check(
    id="network_device.time_sync",
    kind="network_device",
    clauses=("8.1.4.3 b)",),
    policies=("time",),
    zh="设备从医院时间服务器同步时间",
    en="The device takes its time from the hospital's NTP servers",
    high_risk=False,
    remediation=(),
    partly={"8.1.4.3 b)": ("that the clock is synchronised now (ntp status)", "设备当前时钟同步状态（NTP 状态）")},
)
def time_sync(facts: DeviceFacts, policy: Settings) -> Outcome:
    named = policy.get(NAMED_HOSTS, {})
    wanted = {server: {server, named.get(server)} - {None} for server in policy["time"]["ntp_servers"]}
    servers = facts.ntp_servers()
    disabled = facts.ntp_disabled()
    observed = {"ntp_servers": as_dict(servers), "client_off": [quote(line) for line in disabled]}
    expected = {"ntp_servers": "includes " + ", ".join(f"{s} ({named[s]})" if s in named else s for s in wanted)}
    problems = Problems()
    missing = [server for server, forms in wanted.items() if not forms & set(servers)]
    if missing:
        problems.add(f"the device does not follow {', '.join(missing)}", f"设备未从 {'、'.join(missing)} 同步时间")
    if disabled:
        problems.add(f"the NTP client is off ({quote(disabled[0])})", f"NTP 客户端未开启（{quote(disabled[0])}）")
    return problems.outcome(observed, expected, "the device follows the hospital's time", "设备与医院时间源同步")
