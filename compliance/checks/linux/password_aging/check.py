"""linux.password_aging, 8.1.4.1 a): Password ageing and reuse.

口令定期更换与历史口令。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, shown
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.text import as_int


@check(
    id="linux.password_aging",
    clauses=("8.1.4.1 a)",),
    policies=("accounts",),
    zh="口令定期更换与历史口令",
    en="Password ageing and reuse",
    high_risk=False,
    remediation=("accounts:ageing",),
)
def password_aging(facts: HostFacts, policy: Settings) -> Outcome:
    accounts = policy["accounts"]
    defs = facts.login_defs
    max_days = as_int(defs.get("PASS_MAX_DAYS"))
    min_days = as_int(defs.get("PASS_MIN_DAYS"))
    warn_days = as_int(defs.get("PASS_WARN_AGE"))
    history_lines = facts.pam_modules("password", "pam_pwhistory.so") + facts.pam_modules("password", "pam_unix.so")
    remembered = max((as_int(line.argument("remember")) or 0 for line in history_lines), default=0)
    stale = sorted(
        entry.name
        for entry in facts.shadow.values()
        if entry.state == "hash" and (entry.max_days is None or entry.max_days > accounts["password_max_age_days"])
    )
    observed = {
        "PASS_MAX_DAYS": max_days,
        "PASS_MIN_DAYS": min_days,
        "PASS_WARN_AGE": warn_days,
        "remember": remembered,
        "accounts_without_expiry": stale,
    }
    expected = {
        "PASS_MAX_DAYS": f"<= {accounts['password_max_age_days']}",
        "PASS_MIN_DAYS": f">= {accounts['password_min_age_days']}",
        "PASS_WARN_AGE": f">= {accounts['password_warn_age_days']}",
        "remember": f">= {accounts['password_history']}",
        "accounts_without_expiry": [],
    }
    problems = Problems()
    if max_days is None or max_days > accounts["password_max_age_days"]:
        problems.add(f"PASS_MAX_DAYS is {shown(max_days)}", f"PASS_MAX_DAYS 为 {shown(max_days, 'zh')}")
    if min_days is None or min_days < accounts["password_min_age_days"]:
        problems.add(f"PASS_MIN_DAYS is {shown(min_days)}", f"PASS_MIN_DAYS 为 {shown(min_days, 'zh')}")
    if warn_days is None or warn_days < accounts["password_warn_age_days"]:
        problems.add(f"PASS_WARN_AGE is {shown(warn_days)}", f"PASS_WARN_AGE 为 {shown(warn_days, 'zh')}")
    if remembered < accounts["password_history"]:
        problems.add(f"only {remembered} previous passwords are refused", f"仅禁止重复使用最近 {remembered} 个口令")
    if stale:
        problems.add(
            f"accounts whose password never has to change: {', '.join(stale)}",
            f"口令未设置有效期的账户：{', '.join(stale)}",
        )
    return problems.outcome(observed, expected, "passwords age as required", "口令定期更换符合策略")
