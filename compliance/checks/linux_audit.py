"""8.1.4.3 安全审计 / Security audit, and central log collection (8.1.5.4 d), on Linux hosts."""

from __future__ import annotations

import re

from compliance.checks import Outcome, Problems, Settings, check, failed, not_applicable, passed
from compliance.scan.facts import HostFacts

AUDIT_PACKAGES = ("auditd", "audit")
# What each policy rule category looks like in audit rules: any pattern found counts.
RULE_PATTERNS = {
    "logins": (r"/var/log/(lastlog|faillog|wtmp|btmp)", r"/var/run/faillock", r"/run/faillock"),
    "identity": (r"/etc/(passwd|shadow|group|gshadow)\b",),
    "privileged_commands": (r"-F\s+perm=x", r"-S\s+execve"),
    "sudo": (r"/etc/sudoers",),
    "time_change": (r"adjtimex|settimeofday|clock_settime", r"/etc/localtime"),
    "audit_config": (r"/etc/audit(/|\s)",),
    "permission_change": (r"chmod|chown|setxattr",),
    "kernel_modules": (r"init_module|delete_module", r"/s?bin/(insmod|rmmod|modprobe)"),
}
ROTATE_PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}
TIME_CLIENTS = ("chrony", "systemd-timesyncd", "ntp", "ntpsec")
SYSLOG_FILES = ("/var/log/syslog", "/var/log/messages", "/var/log/secure", "/var/log/auth.log")


def _installed_audit(facts: HostFacts) -> str | None:
    return next((name for name in AUDIT_PACKAGES if name in facts.packages), None)


@check(
    id="linux.auditd_running",
    clauses=("8.1.4.3 a)", "8.1.4.3 d)"),
    policies=("audit",),
    zh="审计服务已安装、开机启用并运行",
    en="The audit daemon is installed, enabled at boot and running",
)
def auditd_running(facts: HostFacts, policy: Settings) -> Outcome:
    package = _installed_audit(facts)
    enabled = facts.unit_files.get("auditd.service")
    active = "auditd.service" in facts.active_units
    observed = {"package": package, "auditd.service": enabled, "active": active, "container": facts.in_container}
    expected = {"package": " or ".join(AUDIT_PACKAGES), "auditd.service": "enabled", "active": True}
    if not policy["audit"]["auditd_enabled"]:
        return not_applicable(observed, "the audit policy turns auditd off here", "审计策略未要求 auditd")
    if package and enabled == "enabled" and active:
        return passed(observed, expected, "auditd runs", "auditd 正在运行")
    if package and enabled == "enabled" and facts.in_container:
        return not_applicable(
            observed,
            "auditd is installed and enabled; kernel audit belongs to the container's host, judge it there",
            "auditd 已安装并启用；容器内核审计由宿主机承担，应在宿主机上判定",
        )
    return failed(observed, expected, "auditd is not installed, enabled and running", "auditd 未安装、未启用或未运行")


@check(
    id="linux.audit_rules",
    clauses=("8.1.4.3 a)", "8.1.4.3 b)"),
    policies=("audit",),
    zh="审计规则覆盖策略要求的事件",
    en="Audit rules cover the events the policy lists",
)
def audit_rules(facts: HostFacts, policy: Settings) -> Outcome:
    audit = policy["audit"]
    rules = [text for _, text in facts.file_lines("audit_rules")]
    body = "\n".join(rules)
    covered = sorted(name for name in audit["audit_rules"] if any(re.search(p, body) for p in RULE_PATTERNS[name]))
    missing = sorted(set(audit["audit_rules"]) - set(covered))
    immutable = any(re.fullmatch(r"-e\s+2", line.strip()) for line in rules)
    observed = {"rule_lines": len(rules), "covered": covered, "immutable": immutable}
    expected = {"covered": sorted(audit["audit_rules"]), "immutable": audit["immutable_rules"]}
    problems = Problems()
    if missing:
        problems.add(f"no audit rules for: {', '.join(missing)}", f"缺少以下事件的审计规则：{', '.join(missing)}")
    if audit["immutable_rules"] and not immutable:
        problems.add("rules are not locked (-e 2)", "审计规则未锁定（-e 2）")
    return problems.outcome(observed, expected, "audit rules cover the policy", "审计规则覆盖策略要求")


@check(
    id="linux.audit_storage",
    clauses=("8.1.4.3 c)", "8.1.4.3 d)"),
    policies=("audit",),
    zh="审计记录存储与保护（轮转、空间告警、权限）",
    en="Audit records are kept and protected (rotation, low-space action, permissions)",
)
def audit_storage(facts: HostFacts, policy: Settings) -> Outcome:
    audit = policy["audit"]
    conf = {key.strip(): value for key, value in (_pair(text) for _, text in facts.file_lines("auditd_conf"))}
    expected = {
        "max_log_file": f">= {audit['max_log_file_mb']}",
        "num_logs": f">= {audit['num_logs']}",
        "space_left_action": audit["space_left_action"],
        "log_dir": "mode 0700 or 0750, owner root",
        "log_files": "mode 0600 or 0640, owner root",
    }
    if not conf:
        return failed({"auditd.conf": None}, expected, "auditd.conf is missing", "缺少 auditd.conf")
    permissions = [line.split() for line in facts.text("audit_log_files").splitlines() if len(line.split()) == 4]
    loose = [
        f"{path} {mode} {owner}"
        for path, mode, owner, _group in permissions
        if owner != "root" or int(mode, 8) & (0o027 if path == "/var/log/audit" else 0o137)
    ]
    max_file = _as_int(conf.get("max_log_file"))
    num_logs = _as_int(conf.get("num_logs"))
    action = conf.get("space_left_action", "").lower()
    observed = {
        "max_log_file": max_file,
        "num_logs": num_logs,
        "space_left_action": action,
        "too_open": loose,
    }
    problems = Problems()
    if max_file is None or max_file < audit["max_log_file_mb"]:
        problems.add(f"max_log_file={max_file}", f"max_log_file={max_file}")
    if num_logs is None or num_logs < audit["num_logs"]:
        problems.add(f"num_logs={num_logs}", f"num_logs={num_logs}")
    if action != audit["space_left_action"]:
        problems.add(f"space_left_action={action}", f"space_left_action={action}")
    if loose:
        problems.add(f"audit logs readable beyond root: {', '.join(loose)}", f"审计日志权限过宽：{', '.join(loose)}")
    return problems.outcome(observed, expected, "audit records are protected", "审计记录受保护")


def parse_logrotate(lines: list[str]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Global directives, and directives per log file (a block may list its files over several lines)."""
    defaults: dict[str, str] = {}
    sections: dict[str, dict[str, str]] = {}
    pending: list[str] = []
    current: list[str] | None = None
    in_script = False
    for raw in lines:
        words = raw.strip().split()
        if not words:
            continue
        if in_script:
            in_script = words[0] != "endscript"
            continue
        if words[0] in ("postrotate", "prerotate", "firstaction", "lastaction", "preremove"):
            in_script = True
            continue
        if words[-1] == "{":
            current, pending = pending + words[:-1], []
            continue
        if words[0] == "}":
            current = None
            continue
        if current is None and words[0].startswith("/"):
            pending.extend(words)
            continue
        key, value = ("period", words[0]) if words[0] in ROTATE_PERIOD_DAYS else (words[0], " ".join(words[1:]))
        if current is None:
            defaults[key] = value
        else:
            for name in current:
                sections.setdefault(name, {})[key] = value
    return defaults, sections


def _pair(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key, value.strip()


def _as_int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _forward_targets(lines: list[str]) -> list[tuple[str, int, str]]:
    """(host, port, protocol) of every rsyslog forwarding action, legacy and RainerScript forms."""
    targets = []
    for line in lines:
        legacy = re.search(r"\s(@@?)(?:\(\S*\))?\[?([\w.:-]+?)\]?(?::(\d+))?\s*$", line)
        if legacy and not line.strip().startswith("$"):
            protocol = "tcp" if legacy.group(1) == "@@" else "udp"
            targets.append((legacy.group(2), int(legacy.group(3) or 514), protocol))
    # RainerScript actions may span lines: read them from the joined text.
    for action in re.findall(r"action\s*\(([^)]*omfwd[^)]*)\)", " ".join(lines)):
        host = re.search(r'target\s*=\s*"([^"]+)"', action)
        port = re.search(r'port\s*=\s*"?(\d+)', action)
        protocol = re.search(r'protocol\s*=\s*"(\w+)"', action)
        if host:
            targets.append(
                (host.group(1), int(port.group(1)) if port else 514, protocol.group(1).lower() if protocol else "udp")
            )
    return targets


@check(
    id="linux.log_forwarding",
    clauses=("8.1.4.3 c)", "8.1.5.4 d)"),
    policies=("audit",),
    zh="日志实时转发至集中日志服务器",
    en="Logs are forwarded to the central log server",
)
def log_forwarding(facts: HostFacts, policy: Settings) -> Outcome:
    audit = policy["audit"]
    lines = [text for _, text in facts.file_lines("syslog_config")]
    targets = _forward_targets(lines)
    wanted = (audit["central_log_host"], audit["central_log_port"], audit["central_log_protocol"])
    daemon = next((name for name in ("rsyslog.service", "syslog-ng.service") if name in facts.active_units), None)
    observed = {"targets": [f"{h}:{p}/{t}" for h, p, t in targets], "daemon_active": daemon}
    expected = {"targets": f"includes {wanted[0]}:{wanted[1]}/{wanted[2]}", "daemon_active": "rsyslog or syslog-ng"}
    matches = [t for t in targets if t[0].split(".")[0] == wanted[0] and t[1] == wanted[1] and t[2] == wanted[2]]
    problems = Problems()
    if not matches:
        problems.add(
            f"no forwarding to {wanted[0]}:{wanted[1]}/{wanted[2]}", f"未转发至 {wanted[0]}:{wanted[1]}/{wanted[2]}"
        )
    if daemon is None:
        problems.add("no syslog daemon is running", "未运行 syslog 服务")
    return problems.outcome(observed, expected, "logs reach the central server", "日志已集中转发")


@check(
    id="linux.log_retention",
    clauses=("8.1.4.3 c)",),
    policies=("audit",),
    zh="本地日志留存期限（logrotate）",
    en="Local log retention (logrotate)",
)
def log_retention(facts: HostFacts, policy: Settings) -> Outcome:
    required = policy["audit"]["log_retention_days"]
    defaults, sections = parse_logrotate([text for _path, text in facts.file_lines("logrotate")])
    kept: dict[str, int] = {}
    for name in SYSLOG_FILES:
        if name in sections:
            settings = {**defaults, **sections[name]}
            rotations = int(settings.get("rotate", "0")) if settings.get("rotate", "0").isdigit() else 0
            kept[name] = rotations * ROTATE_PERIOD_DAYS.get(settings.get("period", "weekly"), 7)
    observed = {"days_kept": kept}
    expected = {"days_kept": f">= {required} for each system log"}
    if not kept:
        return failed(observed, expected, "no logrotate rule for the system logs", "系统日志没有 logrotate 规则")
    short = {name: days for name, days in kept.items() if days < required}
    if short:
        return failed(
            observed,
            expected,
            f"logs kept fewer than {required} days: {short}",
            f"日志留存不足 {required} 天：{short}",
        )
    return passed(observed, expected, f"system logs are kept {min(kept.values())} days or more", "日志留存期限符合要求")


@check(
    id="linux.time_sync",
    clauses=("8.1.4.3 b)",),
    policies=("time",),
    zh="时间同步与时区（审计记录时间准确）",
    en="Time synchronisation and time zone (accurate audit timestamps)",
)
def time_sync(facts: HostFacts, policy: Settings) -> Outcome:
    time = policy["time"]
    zone_lines = facts.text("timezone").splitlines()
    zone = zone_lines[0].split("zoneinfo/", 1)[-1] if zone_lines else None
    servers: set[str] = set()
    local_clock = False
    for _path, text in facts.file_lines("time_sync"):
        words = text.replace("=", " ").split()
        if words and words[0] in ("server", "pool", "NTP", "peer"):
            servers.update(word.split(".")[0] for word in words[1:] if not word.startswith(("iburst", "prefer")))
        local_clock = local_clock or words[:1] == ["local"]
    # One of the hospital's time servers does not take time from itself: its sources are upstream
    # clocks, or its own clock (chrony `local`).
    own_name = str(facts.identity["hostname"] or "").split(".")[0]
    time_server = own_name in time["ntp_servers"]
    missing = sorted(set(time["ntp_servers"]) - servers - {own_name})
    clients = sorted(name for name in TIME_CLIENTS if name in facts.packages)
    observed = {"timezone": zone, "ntp_servers": sorted(servers), "client": clients, "time_server": time_server}
    expected = {
        "timezone": time["timezone"],
        "ntp_servers": f"includes {', '.join(time['ntp_servers'])}",
        "client": f"one of {', '.join(TIME_CLIENTS)}",
    }
    problems = Problems()
    if not clients:
        problems.add("no time synchronisation client is installed", "未安装时间同步客户端")
    if zone != time["timezone"]:
        problems.add(f"time zone is {zone}", f"时区为 {zone}")
    if missing:
        problems.add(f"not synchronised with {', '.join(missing)}", f"未与 {', '.join(missing)} 同步")
    if time_server and not servers and not local_clock:
        problems.add("this time server has no time source", "本时间服务器没有时间源")
    return problems.outcome(observed, expected, "time is synchronised", "时间同步符合策略")
