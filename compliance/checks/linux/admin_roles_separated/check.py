"""linux.admin_roles_separated, 8.1.4.2 d), 8.1.5.1 a), 8.1.5.2 a), 8.1.5.3 a): System, audit and security
administrators are separate roles.

系统、审计、安全管理员分设（三权分立）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts


def _role_groups(policy: Settings) -> dict[str, dict]:
    return {role["group"]: {**role, "name": name} for name, role in policy["admin_roles"]["roles"].items()}


_SEPARATED = ("system_admin", "security_admin", "audit_admin")


@check(
    id="linux.admin_roles_separated",
    clauses=("8.1.4.2 d)", "8.1.5.1 a)", "8.1.5.2 a)", "8.1.5.3 a)"),
    policies=("admin_roles",),
    zh="系统、审计、安全管理员分设（三权分立）",
    en="System, audit and security administrators are separate roles",
    high_risk=False,
    remediation=("admin_roles:admin_roles",),
)
def admin_roles_separated(facts: HostFacts, policy: Settings) -> Outcome:
    roles = _role_groups(policy)
    groups = facts.groups
    missing = sorted(group for group in roles if group not in groups)
    grants = facts.sudo_grants
    beyond_role = []
    for grant in grants:
        group = grant.group
        if group in roles and roles[group]["sudo_commands"] != ["ALL"]:
            extra = [c for c in grant.commands if c not in roles[group]["sudo_commands"]]
            if extra:
                beyond_role.append(f"{grant.who}: {', '.join(extra)}")
    duty_groups = [roles_group for roles_group, role in roles.items() if role["name"] in _SEPARATED]
    members: dict[str, list[str]] = {}
    for group in duty_groups:
        for member in groups.get(group, []):
            members.setdefault(member, []).append(group)
    doubled = sorted(f"{member} ({', '.join(sorted(held))})" for member, held in members.items() if len(held) > 1)
    observed = {"missing_role_groups": missing, "grants_beyond_role": beyond_role, "members_of_several_roles": doubled}
    expected = {
        "role_groups": sorted(roles),
        "grants_beyond_role": [],
        "members_of_several_roles": [],
    }
    problems = Problems()
    if missing:
        problems.add(f"role groups missing: {', '.join(missing)}", f"缺少角色组：{', '.join(missing)}")
    if beyond_role:
        problems.add(
            f"sudo grants beyond the role: {'; '.join(beyond_role)}", f"sudo 授权超出角色范围：{'；'.join(beyond_role)}"
        )
    if doubled:
        problems.add(
            f"one person holds several administrator roles: {', '.join(doubled)}",
            f"同一人兼任多个管理员角色：{', '.join(doubled)}",
        )
    return problems.outcome(observed, expected, "administrator duties are separated", "管理员权限分离符合策略")
