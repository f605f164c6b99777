"""linux.sudo_least_privilege, 8.1.4.2 d): sudo least privilege (only the super administrator may run everything; no
password-less grants).

sudo 最小权限（仅超级管理员可执行全部命令，禁止免密）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.sudo_least_privilege",
    clauses=("8.1.4.2 d)",),
    policies=("admin_roles",),
    zh="sudo 最小权限（仅超级管理员可执行全部命令，禁止免密）",
    en="sudo least privilege (only the super administrator may run everything; no password-less grants)",
    high_risk=False,
    remediation=("admin_roles:admin_roles",),
)
def sudo_least_privilege(facts: HostFacts, policy: Settings) -> Outcome:
    roles = policy["admin_roles"]["roles"]
    super_group = f"%{roles['super_admin']['group']}"
    allowed_all = {"root", super_group}
    grants = facts.sudo_grants
    too_broad = sorted({f"{g.who} ({g.file})" for g in grants if "ALL" in g.commands and g.who not in allowed_all})
    passwordless = sorted({f"{g.who} ({g.file})" for g in grants if g.nopasswd})
    observed = {"grants_of_ALL": too_broad, "NOPASSWD": passwordless}
    expected = {"grants_of_ALL": f"only root and {super_group}", "NOPASSWD": []}
    problems = Problems()
    if too_broad:
        problems.add(
            f"unrestricted sudo for {', '.join(too_broad)}", f"以下主体拥有不受限的 sudo 权限：{', '.join(too_broad)}"
        )
    if passwordless and policy["admin_roles"]["forbid_nopasswd_all"]:
        problems.add(
            f"password-less sudo for {', '.join(passwordless)}", f"以下主体可免密 sudo：{', '.join(passwordless)}"
        )
    return problems.outcome(observed, expected, "sudo grants are least privilege", "sudo 授权符合最小权限")
