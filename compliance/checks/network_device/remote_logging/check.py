"""network_device.remote_logging, 8.1.4.3 c), 8.1.5.4 d) (in part): The device sends its
logs to the central log host.

设备日志发送至集中日志服务器。

The log host is audit.yml's `central_log_host`, by its inventory address (or its name). A device keeps
only a small log buffer of its own, so records survive deletion and overwriting only on the log host
(VRP and Comware `info-center loghost`, IOS `logging host`). The check sees the sending side only; the
evaluator must still see the log host keep the device's records (its retention is checked on that host).
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DeviceFacts, as_dict
from compliance.model.host_policy import NAMED_HOSTS


@check(
    id="network_device.remote_logging",
    kind="network_device",
    clauses=("8.1.4.3 c)", "8.1.5.4 d)"),
    policies=("audit",),
    zh="设备日志发送至集中日志服务器",
    en="The device sends its logs to the central log host",
    high_risk=False,
    remediation=(),
    partly={
        "8.1.4.3 c)": ("that the log host keeps the device's records", "日志服务器对设备日志的留存"),
        "8.1.5.4 d)": (
            "that the log host's records are analysed centrally (the log audit system's reports)",
            "日志服务器上的审计数据得到集中分析（日志审计系统报告）",
        ),
    },
)
def remote_logging(facts: DeviceFacts, policy: Settings) -> Outcome:
    name = policy["audit"]["central_log_host"]
    address = policy.get(NAMED_HOSTS, {}).get(name)
    wanted = {name, address} - {None}
    targets = facts.log_hosts()
    observed = {"log_hosts": as_dict(targets)}
    expected = {"log_hosts": f"includes {name}" + (f" ({address})" if address else "")}
    problems = Problems()
    if not targets:
        problems.add("the device sends its logs to no log host", "设备日志未发送至任何日志服务器")
    elif not wanted & set(targets):
        problems.add(
            f"the device sends its logs to {', '.join(targets)}, not to {name}",
            f"设备日志发送至 {'、'.join(targets)}，而非 {name}",
        )
    return problems.outcome(observed, expected, f"logs go to {name}", f"日志发送至 {name}")
