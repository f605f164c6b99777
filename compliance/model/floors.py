"""Floors a policy may not go below, beyond what a field's range can say: rules across fields.

- access rules: a zone that must never reach the Internet has no rule that lets it; each service
  names existing settings for its hosts and port;
- backups: a host is not reported stale between two scheduled runs (max_backup_age covers the
  schedule's longest gap), and restore tests are scheduled at least as often as the interval asks;
- inspection: each threshold turns amber before it turns red (for days left, amber above red);
- admin roles (三权分立, 8.1.4.2 d), 8.1.5.1-3): no blanket `NOPASSWD: ALL`; only the
  break-glass super administrator holds `ALL`; system, security and audit administrators
  exist, each with a group of its own; only the audit administrator reads the audit logs,
  and it shares no command with the administrators it audits.
"""

from __future__ import annotations

from compliance.model.policies import INTERNET, Policy, PolicySet
from compliance.model.schedule import longest_gap_minutes
from compliance.records.store import record_types
from compliance.yamldoc.formats import duration_minutes
from compliance.yamldoc.problems import Problem

REQUIRED_ROLES = ("system_admin", "security_admin", "audit_admin")
MAY_HOLD_ALL = "super_admin"
AUDITOR = "audit_admin"
AUDITED = ("system_admin", "security_admin", "operator")
FEWER_IS_WORSE = frozenset({"certificate_days_left"})  # inspection thresholds where a lower value is worse


def floor_problems(policies: PolicySet) -> list[Problem]:
    return [
        *access_rule_problems(policies),
        *service_problems(policies),
        *admin_role_problems(policies),
        *backup_problems(policies),
        *inspection_problems(policies),
        *assessment_problems(policies),
    ]


def service_problems(policies: PolicySet) -> list[Problem]:
    """Each service of access_rules names, by `topic.key`, a setting that holds host names (host_from)
    and, where it takes its port from a policy, one that holds a port (port_from)."""
    return reference_problems(policies, "access_rules", "services", ("host_from", "port_from"))


def reference_problems(policies: PolicySet, topic: str, entries: str, fields: tuple[str, ...]) -> list[Problem]:
    """Each entry of the policy's list setting `entries` whose `fields` name another setting by `topic.key`
    names one holding the right kind of value (REFERENCES)."""
    policy = policies.policies.get(topic)
    if policy is None:
        return []
    problems = []
    for index, entry in enumerate(policy.settings.get(entries, [])):
        for field in fields:
            if field not in entry:
                continue
            wanted_en, wanted_zh, fits = REFERENCES[field]
            named, _, key = entry[field].partition(".")
            found = policies.policies.get(named)
            value = None if found is None else found.settings.get(key)
            if not fits(value):
                problems.append(
                    policy.document.problem(
                        ("settings", entries, index, field),
                        f"{entry[field]} is not a setting of policies/{named}.yml holding {wanted_en}",
                        f"{entry[field]} 不是 policies/{named}.yml 中取值为{wanted_zh}的设置",
                    )
                )
    return problems


def _names_hosts(value: object) -> bool:
    return (isinstance(value, str) and bool(value)) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
    )


def _is_port(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


# A field that names another policy's setting: what that setting must hold (English, Chinese, test).
REFERENCES = {
    "host_from": ("a host name or a list of host names", "主机名或主机名列表", _names_hosts),
    "port_from": ("a port number", "端口号", _is_port),
}


def access_rule_problems(policies: PolicySet) -> list[Problem]:
    """Zones that must never reach the Internet have no rule that lets them."""
    policy = policies.policies.get("access_rules")
    if policy is None:
        return []
    denied = set(policy.settings["internet_denied_zones"])
    problems = []
    for index, rule in enumerate(policy.settings["rules"]):
        if rule["to"] == INTERNET and rule["from"] in denied:
            problems.append(
                policy.document.problem(
                    ("settings", "rules", index, "to"),
                    f"zone {rule['from']} is in internet_denied_zones and may not reach the Internet",
                    f"区域 {rule['from']} 属于禁止访问互联网的区域（internet_denied_zones），不得放行到互联网",
                )
            )
    return problems


def _where(policy: Policy, level: int, key: str) -> tuple[object, ...]:
    """The field that gives a level its value: the last level override setting it, else the base setting."""
    at: tuple[object, ...] = ("settings", key)
    for index, override in enumerate(policy.overrides):
        when = override["when"]
        if when.get("level", level) == level and "zone" not in when and key in override["settings"]:
            at = ("overrides", index, "settings", key)
    return at


def backup_problems(policies: PolicySet) -> list[Problem]:
    """At each level: max_backup_age at least the schedule's longest gap; restore tests no rarer than the interval."""
    policy = policies.policies.get("backup")
    if policy is None:
        return []
    problems: dict[tuple[object, ...], Problem] = {}
    for level in (2, 3):
        settings = policy.effective(level, "")
        gap = longest_gap_minutes(settings["schedule"])
        if duration_minutes(settings["max_backup_age"]) < gap:
            at = _where(policy, level, "max_backup_age")
            problems.setdefault(
                at,
                policy.document.problem(
                    at,
                    f"level {level}: max_backup_age {settings['max_backup_age']} is shorter than the {gap} minutes"
                    f" that can pass between two runs of schedule '{settings['schedule']}'",
                    f"第{level}级：max_backup_age（{settings['max_backup_age']}）短于备份计划"
                    f"“{settings['schedule']}”两次运行之间最长的 {gap} 分钟",
                ),
            )
        test_gap = longest_gap_minutes(settings["restore_test_schedule"]) / 1440
        tests, interval = settings["restore_test_schedule"], settings["restore_test_interval_days"]
        if test_gap > interval:
            at = _where(policy, level, "restore_test_schedule")
            problems.setdefault(
                at,
                policy.document.problem(
                    at,
                    f"level {level}: up to {test_gap:g} days pass between two restore tests of schedule"
                    f" '{tests}'; the interval is {interval} days",
                    f"第{level}级：按恢复测试计划“{tests}”两次测试最长相隔 {test_gap:g} 天，超过要求的 {interval} 天",
                ),
            )
    return list(problems.values())


def _holds_all(commands: list[str]) -> bool:
    return any(command.split()[0] == "ALL" or command.rstrip().endswith(" ALL") for command in commands)


def admin_role_problems(policies: PolicySet) -> list[Problem]:
    policy = policies.policies.get("admin_roles")
    if policy is None:
        return []
    roles = policy.settings["roles"]
    problems = [*_missing_roles(policy, roles), *_shared_groups(policy, roles)]
    for name, role in roles.items():
        at = ("settings", "roles", name)
        commands = role["sudo_commands"]
        if _holds_all(commands) and role["nopasswd"] and policy.settings["forbid_nopasswd_all"]:
            problems.append(
                policy.document.problem(
                    (*at, "nopasswd"),
                    f"role {name} would get a blanket NOPASSWD: ALL; a password is required for ALL",
                    f"角色 {name} 将获得 NOPASSWD: ALL；执行全部命令必须输入密码",
                )
            )
        if _holds_all(commands) and name != MAY_HOLD_ALL:
            problems.append(
                policy.document.problem(
                    (*at, "sudo_commands"),
                    f"only {MAY_HOLD_ALL} may run ALL commands; give {name} the commands its duty needs",
                    f"只有 {MAY_HOLD_ALL} 可执行全部命令（ALL）；请只授予 {name} 履职所需的命令",
                )
            )
        if role["read_audit_logs"] and name != AUDITOR:
            problems.append(
                policy.document.problem(
                    (*at, "read_audit_logs"),
                    f"only {AUDITOR} reads the audit logs; {name} would read the record of its own actions",
                    f"只有 {AUDITOR} 可读取审计日志；{name} 不应查看记录其自身操作的日志",
                )
            )
    auditor = roles.get(AUDITOR)
    if auditor is not None:
        problems.extend(_auditor_problems(policy, roles, auditor))
    return problems


def _missing_roles(policy: Policy, roles: dict) -> list[Problem]:
    missing = [name for name in REQUIRED_ROLES if name not in roles]
    if not missing:
        return []
    return [
        policy.document.problem(
            ("settings", "roles"),
            f"separation of duties needs the roles {', '.join(REQUIRED_ROLES)}; missing: {', '.join(missing)}",
            f"三权分立需要系统管理员、安全管理员、审计管理员角色；缺少：{', '.join(missing)}",
        )
    ]


def _shared_groups(policy: Policy, roles: dict) -> list[Problem]:
    problems = []
    first: dict[str, str] = {}
    for name, role in roles.items():
        group = role["group"]
        if group in first:
            problems.append(
                policy.document.problem(
                    ("settings", "roles", name, "group"),
                    f"roles {first[group]} and {name} share the group {group}; each role needs its own group",
                    f"角色 {first[group]} 与 {name} 共用用户组 {group}；每个角色须有独立的用户组",
                )
            )
        first.setdefault(group, name)
    return problems


def _auditor_problems(policy: Policy, roles: dict, auditor: dict) -> list[Problem]:
    problems = []
    if not auditor["read_audit_logs"]:
        problems.append(
            policy.document.problem(
                ("settings", "roles", AUDITOR, "read_audit_logs"),
                f"{AUDITOR} must read the audit logs (read_audit_logs: true)",
                f"{AUDITOR} 须能读取审计日志（read_audit_logs: true）",
            )
        )
    for index, command in enumerate(auditor["sudo_commands"]):
        holders = [name for name in AUDITED if command in roles.get(name, {}).get("sudo_commands", [])]
        if holders:
            problems.append(
                policy.document.problem(
                    ("settings", "roles", AUDITOR, "sudo_commands", index),
                    f"{command} is granted to {AUDITOR} and to {', '.join(holders)}, whom it audits",
                    f"命令 {command} 同时授予了 {AUDITOR} 和被审计的 {', '.join(holders)}",
                )
            )
    return problems


def inspection_problems(policies: PolicySet) -> list[Problem]:
    """Each required service's host_from names a setting holding host names; each of the inspection's
    thresholds, in the base settings and in every override, turns amber before red."""
    policy = policies.policies.get("inspection")
    if policy is None:
        return []
    problems = reference_problems(policies, "inspection", "required_services", ("host_from",))
    places: list[tuple[tuple[object, ...], dict]] = [(("settings",), policy.settings)]
    places += [(("overrides", i, "settings"), o["settings"]) for i, o in enumerate(policy.overrides)]
    for prefix, settings in places:
        for key, value in settings.items():
            if not (isinstance(value, dict) and {"amber", "red"} <= set(value)):
                continue
            if key in FEWER_IS_WORSE and value["amber"] <= value["red"]:
                problems.append(
                    policy.document.problem(
                        (*prefix, key, "amber"),
                        f"{key}: amber ({value['amber']}) must be above red ({value['red']}): fewer is worse",
                        f"{key}：黄色阈值（{value['amber']}）须高于红色阈值（{value['red']}）：数值越小越严重",
                    )
                )
            elif key not in FEWER_IS_WORSE and value["amber"] >= value["red"]:
                problems.append(
                    policy.document.problem(
                        (*prefix, key, "amber"),
                        f"{key}: amber ({value['amber']}) must be below red ({value['red']})",
                        f"{key}：黄色阈值（{value['amber']}）须低于红色阈值（{value['red']}）",
                    )
                )
    return problems


def assessment_problems(policies: PolicySet) -> list[Problem]:
    """Each freshness limit names a record type (or type:category) that exists; the conclusion bands
    descend: 优 above 良 above 中."""
    policy = policies.policies.get("assessment")
    if policy is None:
        return []
    types = record_types()
    problems = []
    for key in policy.settings["max_age_days"]:
        kind, _, category = key.partition(":")
        if kind not in types or (category and category not in types[kind].categories):
            known = ", ".join(f"{name}:{c}" if c else name for name in types for c in ("", *types[name].categories))
            problems.append(
                policy.document.problem(
                    ("settings", "max_age_days", key),
                    f"{key} is not a record type or type:category; known: {known}",
                    f"{key} 不是记录类型或“类型:分类”",
                )
            )
    bands = policy.settings["conclusion_bands"]
    if not bands["excellent"] > bands["good"] > bands["fair"]:
        problems.append(
            policy.document.problem(
                ("settings", "conclusion_bands"),
                f"the bands must descend: excellent ({bands['excellent']}) > good ({bands['good']}) > fair"
                f" ({bands['fair']})",
                f"结论分数线须递减：优（{bands['excellent']}）> 良（{bands['good']}）> 中（{bands['fair']}）",
            )
        )
    return problems
