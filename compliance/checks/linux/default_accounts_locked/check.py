"""linux.default_accounts_locked, 8.1.4.2 b): Default accounts are locked and cannot log in.

默认账户已锁定且不能登录。
"""

from __future__ import annotations

from compliance.checks import Outcome, Settings, check, failed, passed
from compliance.kinds.linux.facts import HostFacts

NO_LOGIN_SHELLS = ("/nologin", "/false")


@check(
    id="linux.default_accounts_locked",
    clauses=("8.1.4.2 b)",),
    policies=("accounts",),
    zh="默认账户已锁定且不能登录",
    en="Default accounts are locked and cannot log in",
    high_risk=False,
    remediation=("accounts:default_accounts",),
)
def default_accounts_locked(facts: HostFacts, policy: Settings) -> Outcome:
    listed = policy["accounts"]["default_accounts_to_lock"]
    accounts = {account.name: account for account in facts.accounts}
    open_accounts = []
    for name in listed:
        account = accounts.get(name)
        if account is None:
            continue
        shadow = facts.shadow.get(name)
        shell_closed = account.shell.endswith(NO_LOGIN_SHELLS)
        password_closed = shadow is None or shadow.state == "locked"
        if not (shell_closed and password_closed):
            open_accounts.append(f"{name} ({account.shell}, {shadow.state if shadow else 'no shadow entry'})")
    observed = {"present": sorted(n for n in listed if n in accounts), "usable": open_accounts}
    expected = {"usable": [], "each": "locked password and a nologin shell, or removed"}
    if open_accounts:
        return failed(
            observed,
            expected,
            f"default accounts still usable: {', '.join(open_accounts)}",
            f"默认账户仍可使用：{', '.join(open_accounts)}",
        )
    return passed(observed, expected, "default accounts are closed", "默认账户已禁用")
