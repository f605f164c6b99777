"""linux.ssh_root_login, 8.1.4.2 b): Root cannot log in directly over SSH.

禁止 root 远程直接登录。
"""

from __future__ import annotations

from compliance.checks import Outcome, Settings, check, failed, passed, requires_ssh_server, shown
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.ssh_root_login",
    clauses=("8.1.4.2 b)",),
    policies=("ssh",),
    zh="禁止 root 远程直接登录",
    en="Root cannot log in directly over SSH",
    high_risk=False,
    remediation=("sshd:sshd",),
)
@requires_ssh_server
def ssh_root_login(facts: HostFacts, policy: Settings) -> Outcome:
    wanted = policy["ssh"]["permit_root_login"]
    actual = facts.sshd_value("permitrootlogin")
    observed, expected = {"PermitRootLogin": actual}, {"PermitRootLogin": wanted}
    if actual == wanted:
        return passed(observed, expected, f"PermitRootLogin is {wanted}", f"PermitRootLogin 为 {wanted}")
    return failed(
        observed,
        expected,
        f"PermitRootLogin is {shown(actual)}, not {wanted}",
        f"PermitRootLogin 为 {shown(actual, 'zh')}，应为 {wanted}",
    )
