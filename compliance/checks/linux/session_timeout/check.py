"""linux.session_timeout, 8.1.4.1 b): Idle sessions end (shell TMOUT; sshd drops unanswering clients).

登录超时自动退出（Shell TMOUT；SSH 断开无响应客户端）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.text import as_int


@check(
    id="linux.session_timeout",
    clauses=("8.1.4.1 b)",),
    policies=("accounts", "ssh"),
    zh="登录超时自动退出（Shell TMOUT；SSH 断开无响应客户端）",
    en="Idle sessions end (shell TMOUT; sshd drops unanswering clients)",
    high_risk=False,
    remediation=("accounts:idle_timeout",),
)
def session_timeout(facts: HostFacts, policy: Settings) -> Outcome:
    limit = policy["accounts"]["idle_timeout_seconds"]
    timeout = facts.shell_timeout
    settings, readonly = timeout.values, timeout.readonly
    values = sorted(set(settings.values()))
    observed: dict[str, object] = {"TMOUT": settings, "readonly": readonly}
    expected: dict[str, object] = {"TMOUT": f"1..{limit} seconds, in /etc/profile or /etc/profile.d", "readonly": True}
    problems = Problems()
    if facts.ssh_server == "read":
        # OpenSSH >= 8.2: ClientAliveCountMax 0 never ends a connection, whatever the interval.
        interval = as_int(facts.sshd_value("clientaliveinterval")) or 0
        count = as_int(facts.sshd_value("clientalivecountmax")) or 0
        observed |= {"ClientAliveInterval": interval, "ClientAliveCountMax": count}
        expected["ClientAliveInterval × ClientAliveCountMax"] = f"1..{limit} seconds, neither 0"
        if interval <= 0 or count <= 0:
            problems.add(
                f"sshd never drops an unanswering client (ClientAliveInterval {interval}, ClientAliveCountMax {count})",
                f"sshd 从不断开无响应的客户端（ClientAliveInterval {interval}，ClientAliveCountMax {count}）",
            )
        elif interval * count > limit:
            problems.add(
                f"sshd drops an unanswering client only after {interval * count}s > {limit}s",
                f"sshd 在 {interval * count} 秒后才断开无响应客户端，超过 {limit} 秒",
            )
    if not values:
        problems.add("no TMOUT is set for login shells", "登录 Shell 未设置 TMOUT")
    elif any(value <= 0 or value > limit for value in values):
        problems.add(f"TMOUT values {values} exceed {limit}s", f"TMOUT 取值 {values} 超过 {limit} 秒")
    if values and not readonly:
        problems.add("TMOUT is not read-only, users can lift it", "TMOUT 未设为只读，用户可自行取消")
    return problems.outcome(observed, expected, "idle shells log out", "空闲会话自动退出")
