"""linux.admin_two_factor, 8.1.4.1 d): Two-factor authentication for administrators.

管理员双因素鉴别。
"""

from __future__ import annotations

from compliance.checks import Outcome, Settings, check, failed, not_applicable, passed, requires_ssh_server
from compliance.kinds.linux.facts import HostFacts

SECOND_FACTOR_MODULES = ("pam_google_authenticator.so", "pam_oath.so", "pam_u2f.so", "pam_radius_auth.so")


@check(
    id="linux.admin_two_factor",
    clauses=("8.1.4.1 d)",),
    policies=("accounts",),
    zh="管理员双因素鉴别",
    en="Two-factor authentication for administrators",
    high_risk=True,
    remediation=("sshd:sshd",),
)
@requires_ssh_server
def admin_two_factor(facts: HostFacts, policy: Settings) -> Outcome:
    methods = facts.sshd.get("authenticationmethods", [])
    combined = [m for value in methods for m in value.split() if "," in m]
    modules = sorted(
        {line.module for line in facts.pam if line.kind == "auth" and line.module in SECOND_FACTOR_MODULES}
    )
    observed = {"AuthenticationMethods": methods, "second_factor_pam_modules": modules}
    if not policy["accounts"]["two_factor_for_admins"]:
        return not_applicable(observed, "the policy does not require two factors here", "策略未要求此处使用双因素")
    expected = {
        "AuthenticationMethods": "every method list combines two methods, e.g. publickey,keyboard-interactive",
        "second_factor_pam_modules": f"one of {', '.join(SECOND_FACTOR_MODULES)} when keyboard-interactive is used",
    }
    every_list_combined = bool(methods) and all("," in m for value in methods for m in value.split())
    if every_list_combined and (modules or any(m.startswith("publickey,") for m in combined)):
        return passed(observed, expected, "SSH logins need two factors", "SSH 登录需两种鉴别因素（其一为密码技术）")
    return failed(
        observed,
        expected,
        "SSH accepts a single factor (AuthenticationMethods does not require two)",
        "SSH 仅需单一鉴别因素（AuthenticationMethods 未要求两种方式组合）",
    )
