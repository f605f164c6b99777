"""network_device.session_timeout, 8.1.4.1 b): Idle console and VTY sessions end within the policy's timeout.

设备控制台与 VTY 空闲会话在策略时限内自动退出。

Every terminal block (console, AUX, VTYs) must log an idle session out within accounts.yml's
`idle_timeout_seconds` (600, 300 in the DMZ). A block without a timeout keeps the vendors' default of
10 minutes (VRP and Comware `idle-timeout`, IOS `exec-timeout`), which is named as such; `0 0` never logs out.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DEFAULT_IDLE_SECONDS, DeviceFacts


@check(
    id="network_device.session_timeout",
    kind="network_device",
    clauses=("8.1.4.1 b)",),
    policies=("accounts",),
    zh="设备控制台与 VTY 空闲会话在策略时限内自动退出",
    en="Idle console and VTY sessions end within the policy's timeout",
    high_risk=False,
    remediation=(),
)
def session_timeout(facts: DeviceFacts, policy: Settings) -> Outcome:
    limit = policy["accounts"]["idle_timeout_seconds"]
    terminals = facts.terminals()
    observed: dict[str, object] = {
        t.name: f"{t.idle_seconds}s" if t.idle_seconds is not None else f"not set (default {DEFAULT_IDLE_SECONDS}s)"
        for t in terminals
    }
    expected = {"every terminal block": f"1..{limit} seconds"}
    problems = Problems()
    if not any(t.remote for t in terminals):
        problems.add("no VTY block is configured: remote sessions are not limited", "未配置 VTY：远程会话未加限制")
    for terminal in terminals:
        seconds = DEFAULT_IDLE_SECONDS if terminal.idle_seconds is None else terminal.idle_seconds
        if seconds == 0:
            problems.add(f"{terminal.name} never logs an idle session out", f"{terminal.name} 空闲会话永不退出")
        elif seconds > limit:
            default_en, default_zh = (" (the default)", "（默认值）") if terminal.idle_seconds is None else ("", "")
            problems.add(
                f"{terminal.name} logs idle sessions out after {seconds}s{default_en} > {limit}s",
                f"{terminal.name} 空闲 {seconds} 秒后才退出{default_zh}，超过 {limit} 秒",
            )
    return problems.outcome(observed, expected, f"idle sessions end within {limit}s", f"空闲会话在 {limit} 秒内退出")
