"""linux.ssh_login_limits, 8.1.4.1 b): SSH limits login attempts and refuses empty passwords.

SSH 登录尝试次数限制与空口令禁止。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, failed, requires_ssh_server, shown
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.text import as_int


@check(
    id="linux.ssh_login_limits",
    clauses=("8.1.4.1 b)",),
    policies=("ssh",),
    zh="SSH 登录尝试次数限制与空口令禁止",
    en="SSH limits login attempts and refuses empty passwords",
    high_risk=False,
    remediation=("sshd:sshd",),
)
@requires_ssh_server
def ssh_login_limits(facts: HostFacts, policy: Settings) -> Outcome:
    ssh = policy["ssh"]
    tries = as_int(facts.sshd_value("maxauthtries"))
    empty = facts.sshd_value("permitemptypasswords")
    observed = {"MaxAuthTries": tries, "PermitEmptyPasswords": empty}
    expected = {"MaxAuthTries": f"1..{ssh['max_auth_tries']}", "PermitEmptyPasswords": "no"}
    if tries is None:
        return failed(observed, expected, "sshd configuration could not be read", "无法读取 sshd 配置")
    problems = Problems()
    if not 0 < tries <= ssh["max_auth_tries"]:
        problems.add(f"MaxAuthTries is {shown(tries)}", f"MaxAuthTries 为 {shown(tries, 'zh')}")
    if empty != "no":
        problems.add(f"PermitEmptyPasswords is {shown(empty)}", f"PermitEmptyPasswords 为 {shown(empty, 'zh')}")
    return problems.outcome(observed, expected, "SSH login attempts are limited", "SSH 登录尝试受限")
