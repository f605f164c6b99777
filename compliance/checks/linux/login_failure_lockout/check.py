"""linux.login_failure_lockout, 8.1.4.1 b): Lockout after failed logins (pam_faillock).

登录失败锁定（pam_faillock）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, failed
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.text import as_int


@check(
    id="linux.login_failure_lockout",
    clauses=("8.1.4.1 b)",),
    policies=("accounts",),
    zh="登录失败锁定（pam_faillock）",
    en="Lockout after failed logins (pam_faillock)",
    high_risk=False,
    remediation=("accounts:pam",),
)
def login_failure_lockout(facts: HostFacts, policy: Settings) -> Outcome:
    accounts = policy["accounts"]
    expected = {
        "deny": f"1..{accounts['lockout_deny']}",
        "unlock_time": f">= {accounts['lockout_unlock_seconds']} (0 = until an administrator unlocks)",
        "even_deny_root": accounts["lockout_include_root"],
    }
    lines = facts.pam_modules("auth", "pam_faillock.so")
    if not lines:
        return failed(
            {"pam_faillock": None},
            {"pam_faillock": "in the auth stack", **expected},
            "pam_faillock is not in the PAM auth stack",
            "PAM 认证栈未启用 pam_faillock",
        )
    settings = dict(facts.faillock_conf)
    for line in lines:
        for argument in line.arguments:
            key, _, value = argument.partition("=")
            settings[key] = value
    deny = as_int(settings.get("deny"))
    deny = 3 if deny is None else deny  # pam_faillock's built-in default; an explicit 0 never locks
    unlock = as_int(settings.get("unlock_time"))
    unlock = 600 if unlock is None else unlock
    even_root = "even_deny_root" in settings
    has_preauth = any("preauth" in line.arguments for line in lines)
    has_authfail = any("authfail" in line.arguments for line in lines)
    observed = {
        "deny": deny,
        "unlock_time": unlock,
        "even_deny_root": even_root,
        "preauth": has_preauth,
        "authfail": has_authfail,
    }
    problems = Problems()
    if not (has_preauth and has_authfail):
        problems.add("pam_faillock must run both preauth and authfail", "pam_faillock 须同时配置 preauth 与 authfail")
    if deny == 0:
        problems.add("deny=0: failed logins never lock the account", "deny=0：登录失败从不锁定账户")
    elif deny > accounts["lockout_deny"]:
        problems.add(f"deny={deny} > {accounts['lockout_deny']}", f"deny={deny} 大于 {accounts['lockout_deny']}")
    if unlock != 0 and unlock < accounts["lockout_unlock_seconds"]:
        problems.add(f"unlock_time={unlock}s", f"unlock_time={unlock} 秒")
    if accounts["lockout_include_root"] and not even_root:
        problems.add(
            "root is never locked out (even_deny_root missing)", "root 账户不受锁定限制（缺少 even_deny_root）"
        )
    return problems.outcome(observed, expected, "failed logins lock the account", "登录失败锁定符合策略")
