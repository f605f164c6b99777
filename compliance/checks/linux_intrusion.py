"""8.1.4.4 入侵防范 / Intrusion prevention, and 8.1.4.5 恶意代码防范 / malware, on Linux hosts."""

from __future__ import annotations

import re

from compliance.checks import Outcome, Problems, Settings, check, failed, not_applicable, partial, passed
from compliance.scan.facts import HostFacts, parse_clamav_databases, parse_package_updates

SECONDS_PER_DAY = 86400
ANTIVIRUS_PACKAGES = {"clamav": ("clamav", "clamav-daemon", "clamav-freshclam")}
SCAN_COMMANDS = ("clamscan", "clamdscan")


@check(
    id="linux.minimal_installation",
    clauses=("8.1.4.4 a)",),
    policies=("host_hardening",),
    zh="最小安装（无策略禁止的软件包）",
    en="Minimal installation (none of the forbidden packages)",
)
def minimal_installation(facts: HostFacts, policy: Settings) -> Outcome:
    forbidden = policy["host_hardening"]["forbidden_packages"]
    found = sorted(name for name in forbidden if name in facts.packages)
    observed, expected = {"forbidden_installed": found, "packages": len(facts.packages)}, {"forbidden_installed": []}
    if found:
        return failed(
            observed,
            expected,
            f"forbidden packages installed: {', '.join(found)}",
            f"安装了禁止的软件包：{', '.join(found)}",
        )
    return passed(observed, expected, "no forbidden package is installed", "未安装禁止的软件包")


@check(
    id="linux.unneeded_services",
    clauses=("8.1.4.4 b)",),
    policies=("host_hardening",),
    zh="关闭不需要的服务与高危端口",
    en="Unneeded services and high-risk ports are closed",
)
def unneeded_services(facts: HostFacts, policy: Settings) -> Outcome:
    hardening = policy["host_hardening"]
    running = sorted(
        unit
        for unit in hardening["forbidden_services"]
        if unit in facts.active_units or facts.unit_files.get(unit) == "enabled"
    )
    risky = sorted(
        {f"{item.protocol}/{item.port}" for item in facts.listeners if item.port in hardening["high_risk_ports"]}
    )
    observed = {"forbidden_services_on": running, "high_risk_listeners": risky}
    expected = {"forbidden_services_on": [], "high_risk_listeners": []}
    problems = Problems()
    if running:
        problems.add(f"services that should be off: {', '.join(running)}", f"应关闭的服务仍启用：{', '.join(running)}")
    if risky:
        problems.add(f"high-risk ports open: {', '.join(risky)}", f"高危端口开放：{', '.join(risky)}")
    return problems.outcome(observed, expected, "no unneeded service or high-risk port", "无多余服务与高危端口")


def _ssh_ports(facts: HostFacts) -> set[str]:
    return set(facts.sshd.get("port", ["22"]))


def _source_restricted(facts: HostFacts) -> list[str]:
    """Where SSH access is limited by source address: firewall, TCP wrappers or sshd itself."""
    ways = []
    ruleset = facts.text("firewall")
    for port in _ssh_ports(facts):
        nft = re.search(rf"saddr\s+\S+.*dport\s+{port}\b.*accept|dport\s+{port}\b.*saddr\s+\S+.*accept", ruleset)
        iptables = re.search(rf"-s\s+\S+.*--dport\s+{port}\b.*-j ACCEPT", ruleset)
        closed = re.search(r"policy drop|-P INPUT DROP|\bdrop\s*$", ruleset, re.M)
        if (nft or iptables) and closed:
            ways.append("firewall")
    access = facts.file_lines("hosts_access")
    allows = any(path.endswith("hosts.allow") and text.strip().startswith("sshd") for path, text in access)
    denies = any(path.endswith("hosts.deny") and re.match(r"\s*(ALL|sshd)\s*:\s*ALL", text) for path, text in access)
    if allows and denies:
        ways.append("tcp_wrappers")
    if any("@" in user for value in facts.sshd.get("allowusers", []) for user in value.split()):
        ways.append("sshd AllowUsers user@address")
    return ways


@check(
    id="linux.management_access_restricted",
    clauses=("8.1.4.4 c)",),
    policies=("ssh",),
    zh="限制管理终端（登录组与来源地址）",
    en="Management access is restricted (login groups and source addresses)",
)
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


@check(
    id="linux.security_updates",
    clauses=("8.1.4.4 e)",),
    policies=("patching",),
    zh="及时安装安全补丁（补丁源刷新与待装安全更新）",
    en="Security updates are applied promptly (index freshness and pending security updates)",
)
def security_updates(facts: HostFacts, policy: Settings) -> Outcome:
    max_age = policy["patching"]["security_update_max_age_days"]
    index, pending = parse_package_updates(facts.text("package_updates"))
    age_days = None if index is None else round((facts.epoch - index) / SECONDS_PER_DAY, 1)
    security = sorted({line.split()[0] for line in pending if "security" in line.lower()})
    observed = {"index_age_days": age_days, "pending_security_updates": security, "pending_updates": len(pending)}
    expected = {"index_age_days": f"<= {max_age}", "pending_security_updates": []}
    problems = Problems()
    if age_days is None:
        problems.add("the package index was never refreshed from the internal mirror", "补丁源索引从未从内部镜像刷新")
    elif age_days > max_age:
        problems.add(f"the package index is {age_days} days old", f"补丁源索引已 {age_days} 天未刷新")
    if security:
        problems.add(
            f"security updates not installed: {', '.join(security)}", f"未安装的安全更新：{', '.join(security)}"
        )
    return problems.outcome(observed, expected, "security updates are current", "安全补丁及时")


@check(
    id="linux.antivirus",
    clauses=("8.1.4.5 a)",),
    policies=("antivirus",),
    zh="防恶意代码软件已安装、病毒库及时更新、定期扫描",
    en="Anti-malware is installed, its signatures are current and scans are scheduled",
)
def antivirus(facts: HostFacts, policy: Settings) -> Outcome:
    av = policy["antivirus"]
    packages = ANTIVIRUS_PACKAGES.get(av["engine"])
    if packages is None:
        return not_applicable(
            {"engine": av["engine"]},
            f"{av['engine']} is a vendor product; its console's records are the evidence",
            f"{av['engine']} 为商用产品，以其管理控制台记录为证据",
        )
    installed = sorted(name for name in packages if name in facts.packages)
    databases = parse_clamav_databases(facts.text("clamav_databases"))
    signatures = {n: t for n, t in databases.items() if re.search(r"\.(cvd|cld)$", n)}
    newest = max(signatures.values(), default=None)
    age_days = None if newest is None else round((facts.epoch - newest) / SECONDS_PER_DAY, 1)
    schedules = [
        text
        for _path, text in facts.file_lines("crontabs")
        if any(command in text for command in SCAN_COMMANDS) and text.startswith(av["scan_schedule"])
    ]
    observed = {"installed": installed, "signature_age_days": age_days, "scheduled_scans": schedules}
    expected = {
        "installed": packages[0],
        "signature_age_days": f"<= {av['signature_max_age_days']}",
        "scheduled_scans": f"a clamscan job at '{av['scan_schedule']}'",
    }
    problems = Problems()
    if packages[0] not in installed:
        problems.add(f"{packages[0]} is not installed", f"未安装 {packages[0]}")
    if age_days is None:
        problems.add("no signature database", "没有病毒特征库")
    elif age_days > av["signature_max_age_days"]:
        problems.add(f"signatures are {age_days} days old", f"病毒库已 {age_days} 天未更新")
    if not schedules:
        problems.add("no scheduled scan", "没有定期扫描任务")
    return problems.outcome(observed, expected, "anti-malware is current", "防恶意代码措施有效")
