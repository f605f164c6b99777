"""linux.inactive_accounts, 8.1.4.2 c): Unused accounts are disabled automatically.

长期未用账户自动停用。
"""

from __future__ import annotations

import re

from compliance.checks import Outcome, Problems, Settings, check, shown
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.accounts import FIRST_REGULAR_UID


@check(
    id="linux.inactive_accounts",
    clauses=("8.1.4.2 c)",),
    policies=("accounts",),
    zh="长期未用账户自动停用",
    en="Unused accounts are disabled automatically",
    high_risk=False,
    remediation=("accounts:ageing",),
)
def inactive_accounts(facts: HostFacts, policy: Settings) -> Outcome:
    limit = policy["accounts"]["inactive_account_days"]
    default = facts.useradd_defaults.get("INACTIVE")
    default_days = int(default) if default and re.fullmatch(r"-?\d+", default) else None
    loose = sorted(
        entry.name
        for account in facts.accounts
        if account.uid >= FIRST_REGULAR_UID and account.interactive
        for entry in [facts.shadow.get(account.name)]
        if entry is not None
        and entry.state == "hash"
        and (entry.inactive_days is None or not 0 <= entry.inactive_days <= limit)
    )
    observed = {"useradd_INACTIVE": default_days, "accounts_never_disabled": loose}
    expected = {"useradd_INACTIVE": f"0..{limit}", "accounts_never_disabled": []}
    problems = Problems()
    if default_days is None or not 0 <= default_days <= limit:
        problems.add(
            f"new accounts are never disabled when unused (INACTIVE={shown(default)})",
            f"新建账户不会因长期未用而停用（INACTIVE={shown(default, 'zh')}）",
        )
    if loose:
        problems.add(
            f"accounts without an inactivity limit: {', '.join(loose)}", f"未设置停用期限的账户：{', '.join(loose)}"
        )
    return problems.outcome(observed, expected, "unused accounts get disabled", "长期未用账户会被停用")
