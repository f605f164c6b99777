"""network_device.login_failure_lockout, 8.1.4.1 b): Repeated failed logins lock the account for the policy's time.

连续登录失败达到次数后锁定账户。

accounts.yml's `lockout_deny` (attempts) and `lockout_unlock_seconds` (how long the lock lasts) apply to
devices as to hosts. VRP: `local-aaa-user wrong-password retry-interval … retry-time N block-time M` under
`aaa`; Comware: `password-control login-attempt N exceed lock-time M` with `password-control enable`;
IOS: `login block-for S attempts N within W` or `aaa local authentication attempts max-fail N` (locked until
an administrator clears it, which is stricter than the policy). A device that sets nothing fails: the
firmware's defaults differ between releases and are not the hospital's.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DeviceFacts, quote


@check(
    id="network_device.login_failure_lockout",
    kind="network_device",
    clauses=("8.1.4.1 b)",),
    policies=("accounts",),
    zh="连续登录失败达到次数后锁定账户",
    en="Repeated failed logins lock the account for the policy's time",
    high_risk=False,
    remediation=(),
)
def login_failure_lockout(facts: DeviceFacts, policy: Settings) -> Outcome:
    attempts = policy["accounts"]["lockout_deny"]
    unlock = policy["accounts"]["lockout_unlock_seconds"]
    lockout = facts.lockout()
    expected = {"attempts": f"1..{attempts}", "lock_seconds": f">= {unlock}"}
    problems = Problems()
    if lockout is None:
        problems.add("no lockout after failed logins is configured", "未配置登录失败锁定")
        return problems.outcome({"lockout": "not configured"}, expected, "", "")
    observed = {
        "attempts": lockout.attempts,
        "lock_seconds": "until unlocked" if lockout.lock_seconds is None else lockout.lock_seconds,
        "line": quote(lockout.line),
    }
    if lockout.attempts <= 0 or lockout.attempts > attempts:
        problems.add(
            f"locks after {lockout.attempts} failures, more than {attempts}",
            f"失败 {lockout.attempts} 次才锁定，超过 {attempts} 次",
        )
    if lockout.lock_seconds is not None and lockout.lock_seconds < unlock:
        problems.add(
            f"the lock lasts {lockout.lock_seconds}s, less than {unlock}s",
            f"锁定仅 {lockout.lock_seconds} 秒，少于 {unlock} 秒",
        )
    return problems.outcome(
        observed,
        expected,
        f"{lockout.attempts} failures lock the account",
        f"失败 {lockout.attempts} 次锁定账户",
    )
