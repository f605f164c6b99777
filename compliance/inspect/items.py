"""The inspection's items for one Linux host: each reads HostFacts and the host's policies, never a connection.

Every evaluator returns one or more `Item`s. A value the host printed that cannot be read makes the
item an error (never green, never red): the evaluator's group is reported as unreadable, with why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compliance.inspect.status import Status, against, worst
from compliance.kinds.collection import MissingProbe
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.health import FileSystem, HealthOutputError
from compliance.kinds.linux.facts.nftables import PROJECT_TABLE
from compliance.model.access import serves
from compliance.model.schedule import longest_gap_minutes
from compliance.yamldoc.formats import duration_minutes

MIB = 1024 * 1024
GIB = 1024 * MIB
SECONDS_PER_HOUR = 3600
TOP_MESSAGES = 5


@dataclass(frozen=True)
class Item:
    """One thing inspected on one host, with what was seen against what the policy allows."""

    id: str  # stable across runs: "disk:/var", "service:rsyslog"
    zh: str
    en: str
    status: Status
    value: str  # what was seen, short
    limit: str = ""  # what the policy allows
    note_zh: str = ""
    note_en: str = ""
    probes: tuple[str, ...] = ()
    measures: dict[str, float] = field(default_factory=dict)  # numbers the trends draw

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title_zh": self.zh,
            "title_en": self.en,
            "status": self.status.value,
            "value": self.value,
            "limit": self.limit,
            "note_zh": self.note_zh,
            "note_en": self.note_en,
            "probes": list(self.probes),
            "measures": self.measures,
        }


Evaluator = Callable[[HostFacts, dict[str, Any], str], list[Item]]  # facts, the host's policies, its name
EVALUATORS: list[tuple[str, str, str, Evaluator]] = []


def evaluator(group: str, zh: str, en: str) -> Callable[[Evaluator], Evaluator]:
    """Register an evaluator; `group`, `zh` and `en` name the item it reports when its input is unreadable."""

    def register(function: Evaluator) -> Evaluator:
        EVALUATORS.append((group, zh, en, function))
        return function

    return register


def inspect_facts(facts: HostFacts, policy: dict[str, Any], host: str = "") -> list[Item]:
    """Every item of one host that answered (`host`: its inventory name), worst first (then in the order
    they were inspected)."""
    items: list[Item] = []
    for group, zh, en, function in EVALUATORS:
        facts.used.clear()
        try:
            found = function(facts, policy, host)
        except (HealthOutputError, MissingProbe, ValueError, KeyError, TypeError) as error:
            reason = f"missing probe {error.probe}" if isinstance(error, MissingProbe) else " ".join(str(error).split())
            found = [
                Item(
                    group, zh, en, Status.ERROR, "—",
                    note_zh=f"无法读取：{reason}", note_en=f"could not be read: {reason}",
                    probes=tuple(sorted(facts.used)),
                )
            ]  # fmt: skip
        items.extend(found)
    return sorted(items, key=lambda item: item.status.rank)


def _limits(threshold: dict[str, float], unit: str = "") -> str:
    return f"amber ≥ {threshold['amber']:g}{unit}, red ≥ {threshold['red']:g}{unit}"


def _size(count: float) -> str:
    return f"{count / GIB:.1f} GiB" if count >= GIB else f"{count / MIB:.1f} MiB"


@evaluator("load", "系统负载", "Load")
def load(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state = facts.load
    per_core = round(state.one / max(state.cores, 1), 2)
    threshold = policy["inspection"]["load_per_core"]
    note = ("容器共享本机 CPU：负载为宿主机的负载", "a container shares this machine's CPUs: the load is the host's")
    return [
        Item(
            "load", "系统负载", "Load (1 min, per core)", against(per_core, threshold),
            f"{state.one:g} / {state.cores} cores = {per_core:g}", _limits(threshold),
            *(note if facts.in_container else ("", "")), probes=("load",), measures={"load_per_core": per_core},
        )
    ]  # fmt: skip


@evaluator("reboot", "运行时长", "Uptime")
def uptime(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    hours = round(facts.load.uptime_seconds / SECONDS_PER_HOUR, 1)
    recent = policy["inspection"]["recent_reboot_hours"]
    status = Status.AMBER if hours < recent else Status.GREEN
    note = ("近期重启：请确认为计划内重启", "rebooted recently: confirm it was planned") if hours < recent else ("", "")
    return [
        Item(
            "reboot", "运行时长", "Uptime", status, f"{hours:g} h since boot", f"amber < {recent} h", *note,
            probes=("load",),
        )
    ]  # fmt: skip


@evaluator("memory", "内存", "Memory")
def memory(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state, settings = facts.memory, policy["inspection"]
    items = [
        Item(
            "memory", "内存使用率", "Memory used", against(state.used_percent, settings["memory_used_percent"]),
            f"{state.used_percent} % of {_size(state.total_kib * 1024)}",
            _limits(settings["memory_used_percent"], " %"), probes=("memory",),
            measures={"used_percent": state.used_percent},
        )
    ]  # fmt: skip
    swap = state.swap_used_percent
    if swap is not None:
        items.append(
            Item(
                "swap", "交换分区使用率", "Swap used", against(swap, settings["swap_used_percent"]),
                f"{swap} % of {_size(state.swap_total_kib * 1024)}", _limits(settings["swap_used_percent"], " %"),
                probes=("memory",), measures={"used_percent": swap},
            )
        )  # fmt: skip
    return items


@evaluator("disk", "磁盘空间", "Disk space")
def disks(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    settings = policy["inspection"]
    items = []
    for fs in facts.filesystems:
        items.append(_disk_item(fs, settings["disk_used_percent"]))
        percent = fs.inodes_used_percent
        if percent is not None:
            items.append(
                Item(
                    f"inodes:{fs.mount}", f"索引节点 {fs.mount}", f"Inodes {fs.mount}",
                    against(percent, settings["inodes_used_percent"]), f"{percent} % of {fs.inodes}",
                    _limits(settings["inodes_used_percent"], " %"), probes=("filesystems",),
                    measures={"used_percent": percent},
                )
            )  # fmt: skip
    return items


def _disk_item(fs: FileSystem, threshold: dict[str, float], prefix: str = "disk", title: str = "") -> Item:
    return Item(
        f"{prefix}:{fs.mount}", title or f"磁盘空间 {fs.mount}", title or f"Disk space {fs.mount}",
        against(fs.used_percent, threshold),
        f"{fs.used_percent} % ({_size(fs.used_bytes)} used, {_size(fs.available_bytes)} free, {fs.type})",
        _limits(threshold, " %"), probes=("filesystems",), measures={"used_percent": fs.used_percent},
    )  # fmt: skip


@evaluator("services", "服务状态", "Services")
def services(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    units = facts.services.units
    items = []
    exempt = set()  # units a container cannot run, where this host is one
    for required in policy["inspection"]["required_services"]:
        if "host_from" in required and not serves(policy, required, host):
            continue  # a service of another host (the mirror, the backup host)
        not_here = required.get("in_container", True) is False and facts.in_container
        if not_here:
            exempt.update(required["units"])
        role = required["role"]
        names = required["units"]
        present = [units[name] for name in names if name in units and units[name].load == "loaded"]
        running = [unit for unit in present if unit.active == "active"]
        shown = names[0].removesuffix(".service")
        item_id, zh, en = f"service:{shown}", f"服务 {shown}（{role} 角色）", f"Service {shown} (role {role})"
        if running:
            unit = running[0]
            items.append(Item(item_id, zh, en, Status.GREEN, f"{unit.name} {unit.active} ({unit.sub})",
                              "running", probes=("services",)))  # fmt: skip
        elif not_here:
            items.append(Item(item_id, zh, en, Status.NOT_APPLICABLE, " / ".join(names), "running",
                              "容器中无法运行（内核审计或时钟属于宿主机）",
                              "a container cannot run it (kernel audit and the clock are the host's)",
                              probes=("services", "virtualization")))  # fmt: skip
        else:
            seen = ", ".join(f"{u.name} {u.active} ({u.sub})" for u in present) or "not installed"
            items.append(Item(item_id, zh, en, Status.RED, seen, "running",
                              f"未运行：{' / '.join(names)}（{role} 角色）",
                              f"not running: {' / '.join(names)} (role {role})", probes=("services",)))  # fmt: skip
    failed = [unit for unit in facts.services.failed if unit.name not in exempt]
    items.append(
        Item(
            "failed_units", "失败的单元", "Failed units", Status.AMBER if failed else Status.GREEN,
            ", ".join(unit.name for unit in failed) or "none", "none",
            *(("有单元运行失败", "units failed: see systemctl status") if failed else ("", "")),
            probes=("services",), measures={"failed": len(failed)},
        )
    )  # fmt: skip
    return items


@evaluator("log_errors", "系统日志错误", "Errors in the system log")
def log_errors(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state = facts.log_errors
    threshold = policy["inspection"]["log_errors_24h"]
    top = state.groups[:TOP_MESSAGES]
    shown_en = "; ".join(f"{count}× {message}" for count, message in top)
    return [
        Item(
            "log_errors", "系统日志错误（24 小时）", "Errors in the system log (24 h)", against(state.total, threshold),
            f"{state.total} entries", _limits(threshold),
            f"最多的消息：{shown_en}" if top else "", f"most frequent: {shown_en}" if top else "",
            probes=("log_errors",), measures={"errors": state.total},
        )
    ]  # fmt: skip


@evaluator("audit_failures", "审计失败事件", "Failed events in the audit log")
def audit_failures(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state = facts.audit_failures
    zh, en = "审计失败事件（24 小时）", "Failed events in the audit log (24 h)"
    threshold = policy["inspection"]["audit_failures_24h"]
    if not state.present:
        if facts.in_container:
            return [Item("audit_failures", zh, en, Status.NOT_APPLICABLE, "no audit log", _limits(threshold),
                         "容器中内核审计属于宿主机", "in a container kernel audit is the host's",
                         probes=("audit_failures", "virtualization"))]  # fmt: skip
        return [Item("audit_failures", zh, en, Status.RED, "no audit log", _limits(threshold),
                     "无可读的审计日志（/var/log/audit/audit.log）", "no readable audit log (/var/log/audit/audit.log)",
                     probes=("audit_failures",))]  # fmt: skip
    kinds = ", ".join(f"{kind} {count}" for kind, count in state.kinds[:TOP_MESSAGES])
    return [
        Item(
            "audit_failures", zh, en, against(state.failed, threshold), f"{state.failed} failed events",
            _limits(threshold), f"按类型：{kinds}" if kinds else "", f"by type: {kinds}" if kinds else "",
            probes=("audit_failures",), measures={"failed": state.failed},
        )
    ]  # fmt: skip


@evaluator("listening", "监听端口", "Listening ports")
def listening(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    """TCP ports listening beyond loopback against what the host's access rules open to it."""
    rules = policy.get("host_firewall")
    zh, en = "对外监听端口", "Ports listening beyond loopback"
    if not rules:
        return [Item("listening", zh, en, Status.NOT_APPLICABLE, "no zone", "the ports the access rules open",
                     "主机未划入区域，没有访问规则可比对", "the host is in no zone: no access rules to compare with",
                     probes=("listening",))]  # fmt: skip
    expected = set(rules["management_ports"]) | {
        port for rule in rules["inbound"] if rule["protocol"] == "tcp" for port in rule["ports"]
    }
    found = sorted({s.port for s in facts.listeners if s.protocol == "tcp" and not _loopback(s.address)})
    unexpected = [port for port in found if port not in expected]
    shown = ", ".join(str(port) for port in unexpected)
    return [
        Item(
            "listening", zh, en, Status.AMBER if unexpected else Status.GREEN,
            ", ".join(str(port) for port in found) or "none",
            f"tcp {', '.join(str(port) for port in sorted(expected))} (policies/access_rules.yml)",
            f"访问规则未开放的监听端口：{shown}（多余的服务，或缺少规则）" if unexpected else "",
            f"listening on ports no access rule opens: {shown} (an unneeded service, or a missing rule)"
            if unexpected else "",
            probes=("listening",),
        )
    ]  # fmt: skip


@evaluator("certificates", "证书有效期", "Certificate expiry")
def certificates(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    threshold = policy["inspection"]["certificate_days_left"]
    limit = f"amber ≤ {threshold['amber']} days left, red ≤ {threshold['red']}"
    found = facts.certificates
    if not found:
        return [Item("certificates", "证书有效期", "Certificate expiry", Status.NOT_APPLICABLE,
                     "no TLS service listening", limit, probes=("certificates",))]  # fmt: skip
    items = []
    for certificate in found:
        days = round((certificate.not_after - facts.epoch) / 86400, 1)
        status = (
            Status.RED if days <= threshold["red"] else Status.AMBER if days <= threshold["amber"] else Status.GREEN
        )
        note = ("证书即将到期或已过期，请及时更换", "the certificate expires soon or has expired: renew it")
        items.append(
            Item(
                f"certificate:{certificate.port}", f"证书有效期 端口 {certificate.port}",
                f"Certificate expiry, port {certificate.port}", status,
                f"{days:g} days left ({certificate.subject or 'no subject'})", limit,
                *(note if status is not Status.GREEN else ("", "")), probes=("certificates",),
                measures={"days_left": days},
            )
        )  # fmt: skip
    return items


@evaluator("firewall", "主机防火墙", "Host firewall")
def firewall(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    """The firewall role's rule set is in force now: table inet dengbao loaded, inbound policy drop."""
    zh, en, limit = "主机防火墙", "Host firewall", "inet dengbao loaded, inbound policy drop"
    if not policy.get("host_firewall"):
        return [Item("firewall", zh, en, Status.NOT_APPLICABLE, "no zone", limit, probes=("nftables",))]
    ruleset = facts.nftables
    if ruleset.state == "unreadable":
        raise ValueError(f"nft could not list the rule set: {ruleset.error}")
    table = ruleset.table(*PROJECT_TABLE)
    if ruleset.state == "absent" or table is None:
        seen = "nft not installed" if ruleset.state == "absent" else "inet dengbao not loaded"
        note = (
            "主机防火墙规则未生效（firewall 角色）",
            "the host firewall's rule set is not in force (the firewall role)",
        )
        return [Item("firewall", zh, en, Status.RED, seen, limit, *note, probes=("nftables",))]
    inbound = [chain for chain in table.chains.values() if chain.hook == "input"]
    policies = sorted({chain.policy or "accept" for chain in inbound})
    rules = sum(len(chain.rules) for chain in table.chains.values())
    status = Status.GREEN if policies == ["drop"] else Status.RED
    return [Item("firewall", zh, en, status, f"inet dengbao loaded, inbound policy {'/'.join(policies) or 'none'},"
                 f" {rules} rules", limit, probes=("nftables",))]  # fmt: skip


def _loopback(address: str) -> bool:
    host = address.strip("[]").split("%")[0]
    return host.startswith("127.") or host == "::1" or host == "::ffff:127.0.0.1"


@evaluator("clock", "时间同步", "Time synchronisation")
def clock(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state = facts.clock_sync
    max_offset = policy["time"]["max_offset_ms"]
    limit = f"synchronised, offset ≤ {max_offset} ms (policies/time.yml)"
    if state.offset_ms is not None:
        status = Status.RED if abs(state.offset_ms) > max_offset else Status.GREEN
        if status is Status.GREEN and state.leap_status not in (None, "Normal"):
            status = Status.AMBER
        value = f"offset {state.offset_ms:g} ms, source {state.source or '?'}, leap status {state.leap_status or '?'}"
        return [Item("clock", "时间同步", "Time synchronisation", status, value, limit, probes=("clock_sync",),
                     measures={"offset_ms": state.offset_ms})]  # fmt: skip
    if facts.in_container:
        return [Item("clock", "时间同步", "Time synchronisation", Status.NOT_APPLICABLE, "the host's clock", limit,
                     "容器使用宿主机的时钟", "a container keeps its host's clock",
                     probes=("clock_sync", "virtualization"))]  # fmt: skip
    if state.synchronised:
        return [Item("clock", "时间同步", "Time synchronisation", Status.GREEN, "synchronised (timedatectl)", limit,
                     "无 chrony：偏差未知", "no chrony: the offset is not known", probes=("clock_sync",))]  # fmt: skip
    return [Item("clock", "时间同步", "Time synchronisation", Status.RED, "not synchronised", limit,
                 "时钟未与时间服务器同步", "the clock is not synchronised with a time server",
                 probes=("clock_sync",))]  # fmt: skip


@evaluator("backup", "备份", "Backup")
def backup(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state, settings = facts.backups, policy["backup"]
    if state.unreadable:
        raise ValueError(f"backup records unreadable: {state.unreadable}")
    if state.is_backup_host:
        return [Item("backup", "备份", "Backup", Status.NOT_APPLICABLE, "this is the backup host", "",
                     "本机为备份主机：其数据即各服务器的备份", "the backup host holds the servers' backups",
                     probes=("backups",))]  # fmt: skip
    if not state.configured:
        return [Item("backup", "最近成功备份", "Last successful backup", Status.RED, "no backup job", "",
                     "未配置备份任务（backup 角色）", "no backup job is configured (the backup role)",
                     probes=("backups",))]  # fmt: skip
    limit_minutes = duration_minutes(settings["max_backup_age"])
    last_ok = state.last_successful_backup
    minutes = None if last_ok is None else facts.minutes_before_collection_of_stamp(last_ok.get("finished"))
    last_failed = state.last_backup is not None and state.last_backup.get("succeeded") is False
    if minutes is None:
        status, value = Status.RED, "never succeeded"
    else:
        status = Status.RED if minutes > limit_minutes else (Status.AMBER if last_failed else Status.GREEN)
        value = f"{minutes} min ago ({last_ok.get('finished')})" if last_ok else "?"
    if not state.backup_timer.active:
        status = Status.RED
    notes = [
        *(("备份定时器未运行", "the backup timer is not running"),) * (not state.backup_timer.active),
        *(("最近一次备份失败", "the last backup run failed"),) * last_failed,
    ]
    items = [
        Item(
            "backup", "最近成功备份", "Last successful backup", status, value,
            f"≤ {settings['max_backup_age']} (policies/backup.yml max_backup_age)",
            "；".join(zh for zh, _ in notes), "; ".join(en for _, en in notes), probes=("backups",),
            measures={} if minutes is None else {"minutes_ago": minutes},
        )
    ]  # fmt: skip
    test = state.last_restore_test
    days = None if test is None else facts.days_before_collection_of_stamp(test.get("finished"))
    interval = settings["restore_test_interval_days"]
    passed = test is not None and test.get("passed") is True
    if days is None or not passed:
        test_value = "no passed restore test" if test is None else f"failed ({test.get('finished')})"
        test_status = Status.RED
    else:
        test_status, test_value = (Status.RED if days > interval else Status.GREEN), f"passed {days:g} days ago"
    items.append(
        Item(
            "restore_test", "最近恢复测试", "Last restore test", test_status, test_value,
            f"passed within {interval} days (restore_test_interval_days)", probes=("backups",),
        )
    )  # fmt: skip
    return items


@evaluator("antivirus", "防恶意代码", "Anti-malware")
def antivirus(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state, settings = facts.antivirus, policy["antivirus"]
    max_age = settings["signature_max_age_days"]
    newest = state.newest()
    items = []
    if newest is None:
        items.append(Item("antivirus_signatures", "病毒库", "Signatures", Status.RED, "no signature database",
                          f"≤ {max_age} days old", probes=("antivirus",)))  # fmt: skip
    else:
        age = facts.days_before_collection(newest.age_from)
        items.append(
            Item(
                "antivirus_signatures", "病毒库", "Signatures", Status.RED if age > max_age else Status.GREEN,
                f"{newest.name} {age:g} days old", f"≤ {max_age} days old (policies/antivirus.yml)",
                probes=("antivirus",), measures={"age_days": age},
            )
        )  # fmt: skip
    last = state.last_scan
    gap_days = longest_gap_minutes(settings["scan_schedule"]) / 1440
    scan_age = facts.days_before_collection_of_stamp(last.get("finished"))
    detections = int(last.get("detections", "0") or 0) if str(last.get("detections", "0")).isdigit() else None
    limit = f"within {gap_days + 1:g} days, no detection"
    if scan_age is None:
        status, value, note = Status.RED, "no scan on record", ("没有扫描记录", "no scan on record")
    elif detections:
        status, value = Status.RED, f"{detections} detection(s) {scan_age:g} days ago"
        note = ("发现恶意代码：请按应急预案处置", "malware found: handle it under the incident plan")
    elif scan_age > gap_days + 1:
        status, value = Status.AMBER, f"{scan_age:g} days ago"
        note = ("定期扫描未按计划运行", "the scheduled scan is late")
    else:
        status, value, note = Status.GREEN, f"{scan_age:g} days ago, exit {last.get('exit', '?')}", ("", "")
    items.append(Item("antivirus_scan", "最近病毒扫描", "Last anti-malware scan", status, value, limit, *note,
                      probes=("antivirus",)))  # fmt: skip
    return items


@evaluator("security_updates", "安全补丁", "Security updates")
def security_updates(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state = facts.package_updates
    if state.unreadable:
        raise ValueError(f"pending-update record unreadable: {state.unreadable}")
    max_age = policy["patching"]["security_update_max_age_days"]
    security = [update for update in state.updates if update.security]
    ages = [facts.days_before_collection(u.first_seen) for u in security if u.first_seen is not None]
    oldest = max(ages, default=None)
    if not security:
        status, value = Status.GREEN, "none pending"
    else:
        # Pending within the allowed time is amber (the next maintenance window installs it); past it, red.
        status = Status.RED if oldest is not None and oldest > max_age else Status.AMBER
        since = f"oldest {oldest:g} days" if oldest is not None else "since an unknown date"
        value = f"{len(security)} pending, {since}"
    names = ", ".join(sorted(u.package for u in security)[:8])
    return [
        Item(
            "security_updates", "待安装安全补丁", "Pending security updates", status, value,
            f"none waiting more than {max_age} days (policies/patching.yml)",
            f"待安装：{names}" if names else "", f"pending: {names}" if names else "", probes=("package_updates",),
            measures={"pending": len(security)},
        )
    ]  # fmt: skip


@evaluator("database", "数据库", "Database")
def database(facts: HostFacts, policy: dict[str, Any], host: str) -> list[Item]:
    state, settings = facts.postgresql, policy["inspection"]
    if not state.installed:
        return []
    if not state.answering:
        return [Item("db:server", "数据库服务", "Database server", Status.RED, "PostgreSQL does not answer", "answers",
                     note_zh=state.error or "", note_en=state.error or "", probes=("postgresql",))]  # fmt: skip
    items = [
        Item(
            "db:size", "数据库大小", "Database size", Status.GREEN,
            ", ".join(f"{d.name} {_size(d.size_bytes)}" for d in state.databases), "",
            probes=("postgresql",), measures={"bytes": sum(d.size_bytes for d in state.databases)},
        )
    ]  # fmt: skip
    if state.data_filesystem is not None:
        items.append(_disk_item(state.data_filesystem, settings["database_space_used_percent"], "db:space",
                                f"数据目录空间 {state.data_directory} / Data directory space"))  # fmt: skip
    if state.max_connections and state.connections is not None:
        percent = round(state.connections * 100 / state.max_connections)
        items.append(
            Item(
                "db:connections", "数据库连接数", "Database connections",
                against(percent, settings["database_connections_percent"]),
                f"{state.connections} of {state.max_connections} ({percent} %)",
                _limits(settings["database_connections_percent"], " % of max_connections"),
                probes=("postgresql",), measures={"percent": percent},
            )
        )  # fmt: skip
    lags = [lag for _, _, lag in state.replicas] + ([state.replay_lag_seconds or 0.0] if state.in_recovery else [])
    if lags:
        lag = max(lags)
        role = "standby" if state.in_recovery else f"primary of {len(state.replicas)} standby(s)"
        items.append(
            Item(
                "db:replication", "复制延迟", "Replication lag", against(lag, settings["replication_lag_seconds"]),
                f"{lag:g} s ({role})", _limits(settings["replication_lag_seconds"], " s"), probes=("postgresql",),
                measures={"lag_seconds": lag},
            )
        )  # fmt: skip
    return items


def host_status(items: list[Item]) -> Status:
    return worst([item.status for item in items])
