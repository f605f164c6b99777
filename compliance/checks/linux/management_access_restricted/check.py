"""linux.management_access_restricted, 8.1.4.4 c): Management access is restricted (login groups and source addresses).

限制管理终端（登录组与来源地址）。
"""

from __future__ import annotations

from compliance.checks import (
    Outcome,
    Settings,
    check,
    failed,
    partial,
    passed,
    requires_ssh_server,
)
from compliance.kinds.linux.facts import HostFacts


def _source_restricted(facts: HostFacts) -> list[str]:
    """How SSH is limited by source address: the host firewall (every SSH port), or sshd's own user@address rules.

    TCP wrappers do not count: Debian's and the RHEL family's OpenSSH are built without libwrap, so
    hosts.allow and hosts.deny do not reach sshd.
    """
    ways = []
    ports = facts.sshd.get("port", ["22"])
    if all(facts.firewall.accepts_only_from_sources(port) for port in ports):
        ways.append("firewall")
    if any("@" in user for value in facts.sshd.get("allowusers", []) for user in value.split()):
        ways.append("sshd AllowUsers user@address")
    return ways


@check(
    id="linux.management_access_restricted",
    clauses=("8.1.4.4 c)",),
    policies=("ssh",),
    zh="限制管理终端（登录组与来源地址）",
    en="Management access is restricted (login groups and source addresses)",
    high_risk=True,
    remediation=("sshd:sshd",),
)
@requires_ssh_server
def management_access_restricted(facts: HostFacts, policy: Settings) -> Outcome:
    ssh = policy["ssh"]
    groups = [group for value in facts.sshd.get("allowgroups", []) for group in value.split()]
    extra_groups = sorted(set(groups) - set(ssh["allow_groups"]))
    sources = _source_restricted(facts)
    observed = {"AllowGroups": groups, "source_restrictions": sources}
    expected = {
        "AllowGroups": f"a subset of {', '.join(ssh['allow_groups'])}",
        "source_restrictions": f"SSH reachable only from the management zone ({', '.join(ssh['management_zones'])})",
    }
    groups_ok = bool(groups) and not extra_groups
    if groups_ok and sources:
        return passed(observed, expected, "SSH is limited by group and source", "SSH 登录已按用户组与来源地址限制")
    if groups_ok or sources:
        missing_en = "source addresses are not restricted" if groups_ok else "login groups are not restricted"
        missing_zh = "未限制来源地址" if groups_ok else "未限制登录用户组"
        return partial(observed, expected, missing_en, missing_zh)
    return failed(
        observed, expected, "anyone with an account may log in over SSH from anywhere", "任何账户可从任意地址 SSH 登录"
    )
