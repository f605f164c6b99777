"""8.1.4.2 访问控制 and 8.1.5 安全管理中心 (administrator roles), on Linux hosts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compliance.checks import Outcome, Problems, Settings, check, failed, passed
from compliance.scan.facts import FIRST_REGULAR_UID, HostFacts

NO_LOGIN_SHELLS = ("/nologin", "/false")


@dataclass(frozen=True)
class SudoGrant:
    file: str
    who: str  # user name, or %group
    commands: tuple[str, ...]
    nopasswd: bool


def sudo_grants(facts: HostFacts) -> list[SudoGrant]:
    """User specifications from sudoers files (aliases are kept as written, not expanded)."""
    grants = []
    for path, text in facts.file_lines("sudoers"):
        text = text.strip()
        if not text or text.startswith(("Defaults", "@include", "#include")) or re.match(r"^\w+_Alias\b", text):
            continue
        match = re.match(r"^(\S+)\s+[^=\s]+\s*=\s*(?:\([^)]*\)\s*)?(.*)$", text)
        if not match:
            continue
        who, rest = match.groups()
        nopasswd = "NOPASSWD:" in rest
        rest = re.sub(r"\b[A-Z_]+:\s*", "", rest)
        commands = tuple(command.strip() for command in rest.split(",") if command.strip())
        grants.append(SudoGrant(path, who, commands, nopasswd))
    return grants


@check(
    id="linux.ssh_root_login",
    clauses=("8.1.4.2 b)",),
    policies=("ssh",),
    zh="禁止 root 远程直接登录",
    en="Root cannot log in directly over SSH",
)
def ssh_root_login(facts: HostFacts, policy: Settings) -> Outcome:
    wanted = policy["ssh"]["permit_root_login"]
    actual = facts.sshd_value("permitrootlogin")
    observed, expected = {"PermitRootLogin": actual}, {"PermitRootLogin": wanted}
    if actual == wanted:
        return passed(observed, expected, f"PermitRootLogin is {wanted}", f"PermitRootLogin 为 {wanted}")
    return failed(
        observed, expected, f"PermitRootLogin is {actual}, not {wanted}", f"PermitRootLogin 为 {actual}，应为 {wanted}"
    )


@check(
    id="linux.default_accounts_locked",
    clauses=("8.1.4.2 b)",),
    policies=("accounts",),
    zh="默认账户已锁定且不能登录",
    en="Default accounts are locked and cannot log in",
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


@check(
    id="linux.inactive_accounts",
    clauses=("8.1.4.2 c)",),
    policies=("accounts",),
    zh="长期未用账户自动停用",
    en="Unused accounts are disabled automatically",
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
            f"new accounts are never disabled when unused (INACTIVE={default})",
            f"新建账户不会因长期未用而停用（INACTIVE={default}）",
        )
    if loose:
        problems.add(
            f"accounts without an inactivity limit: {', '.join(loose)}", f"未设置停用期限的账户：{', '.join(loose)}"
        )
    return problems.outcome(observed, expected, "unused accounts get disabled", "长期未用账户会被停用")


def _role_groups(policy: Settings) -> dict[str, dict]:
    return {role["group"]: {**role, "name": name} for name, role in policy["admin_roles"]["roles"].items()}


@check(
    id="linux.sudo_least_privilege",
    clauses=("8.1.4.2 d)",),
    policies=("admin_roles",),
    zh="sudo 最小权限（仅超级管理员可执行全部命令，禁止免密）",
    en="sudo least privilege (only the super administrator may run everything; no password-less grants)",
)
def sudo_least_privilege(facts: HostFacts, policy: Settings) -> Outcome:
    roles = policy["admin_roles"]["roles"]
    super_group = f"%{roles['super_admin']['group']}"
    allowed_all = {"root", super_group}
    grants = sudo_grants(facts)
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


@check(
    id="linux.admin_roles_separated",
    clauses=("8.1.4.2 d)", "8.1.5.1 a)", "8.1.5.2 a)", "8.1.5.3 a)"),
    policies=("admin_roles",),
    zh="系统、审计、安全管理员分设（三权分立）",
    en="System, audit and security administrators are separate roles",
)
def admin_roles_separated(facts: HostFacts, policy: Settings) -> Outcome:
    roles = _role_groups(policy)
    groups = facts.groups
    missing = sorted(group for group in roles if group not in groups)
    grants = sudo_grants(facts)
    beyond_role = []
    for grant in grants:
        group = grant.who.lstrip("%") if grant.who.startswith("%") else None
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


_SEPARATED = ("system_admin", "security_admin", "audit_admin")
