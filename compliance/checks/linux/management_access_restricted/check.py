"""linux.management_access_restricted, 8.1.4.4 c): Management access is restricted (login groups and source addresses).

限制管理终端（登录组与来源地址）。

Source addresses count as restricted in either of two ways: an input chain that denies by default
and opens every SSH port only to named sources (read from `nft -j list ruleset`), or sshd's
`AllowUsers user@address` on every entry. Where the model places the host in a zone, the sources must
also lie in the management zones' subnets (policies/ssh.yml); a way that opens SSH further, as the
backup host's firewall does for its forced-command account, does not count and is named.

TCP wrappers do not count: Debian's and the RHEL family's OpenSSH are built without libwrap, so
hosts.allow and hosts.deny do not reach sshd. A firewall of legacy iptables (without nftables) is
not read.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from compliance.checks import (
    Outcome,
    Settings,
    check,
    failed,
    partial,
    passed,
    requires_ssh_server,
    undecided,
)
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.nftables import NftRuleset
from compliance.model.host_policy import HOST_FIREWALL


@dataclass(frozen=True)
class SourceLimit:
    """One way SSH is limited by source address, with the sources it lets in."""

    way: str
    sources: tuple[str, ...]
    beyond: tuple[str, ...]  # sources outside the management subnets (empty where those are unknown)

    def shown(self) -> str:
        return f"{self.way}: {', '.join(self.sources)}"


def outside_of(sources: list[str], management: list[str]) -> tuple[str, ...]:
    """The sources not inside any management subnet (none when the model gives no management subnets);
    a pattern that is no address or prefix cannot be shown inside, so it is outside."""
    if not management:
        return ()
    subnets = [ipaddress.ip_network(m) for m in management]
    found = []
    for source in sources:
        try:
            network = ipaddress.ip_network(source, strict=False)
        except ValueError:
            found.append(source)
            continue
        if not any(network.version == s.version and network.subnet_of(s) for s in subnets):  # type: ignore[arg-type]
            found.append(source)
    return tuple(found)


def firewall_limits(ruleset: NftRuleset, ports: list[int], management: list[str]) -> list[SourceLimit]:
    """Each input chain that denies by default and opens every SSH port only to named sources. A chain
    that jumps elsewhere is not followed, so it does not count."""
    found = []
    for table in ruleset.tables.values():
        for chain in table.hooked("input"):
            if not chain.denies_by_default or any(rule.jumps for rule in chain.rules):
                continue
            opening = [rule for rule in chain.rules for port in ports if rule.opens("tcp", port)]
            if any(rule.saddr is None or rule.saddr.startswith("!= ") for rule in opening):
                continue
            sources = list(dict.fromkeys(p for rule in opening if rule.saddr for p in table.prefixes(rule.saddr)))
            way = f"firewall {table.family} {table.name} {chain.name}"
            found.append(SourceLimit(way, tuple(sources) or ("nowhere",), outside_of(sources, management)))
    return found


def sshd_limit(allow_users: list[str], management: list[str]) -> SourceLimit | None:
    """sshd's AllowUsers, when every entry names the addresses it may come from."""
    entries = [user for value in allow_users for user in value.split()]
    if not entries or not all("@" in entry for entry in entries):
        return None
    addresses = list(dict.fromkeys(entry.partition("@")[2] for entry in entries))
    if any(address in ("*", "*.*.*.*") for address in addresses):
        return None
    return SourceLimit("sshd AllowUsers", tuple(addresses), outside_of(addresses, management))


@check(
    id="linux.management_access_restricted",
    clauses=("8.1.4.4 c)",),
    policies=("ssh",),
    zh="限制管理终端（登录组与来源地址）",
    en="Management access is restricted (login groups and source addresses)",
    high_risk=True,
    remediation=("sshd:sshd", "firewall:firewall"),
)
@requires_ssh_server
def management_access_restricted(facts: HostFacts, policy: Settings) -> Outcome:
    ssh = policy["ssh"]
    zone_rules = policy.get(HOST_FIREWALL)
    management = list(zone_rules["management_subnets"]) if zone_rules else []
    groups = [group for value in facts.sshd.get("allowgroups", []) for group in value.split()]
    extra_groups = sorted(set(groups) - set(ssh["allow_groups"]))
    ports = [int(port) for port in facts.sshd.get("port", ["22"])]
    limits = firewall_limits(facts.nftables, ports, management)
    by_sshd = sshd_limit(facts.sshd.get("allowusers", []), management)
    limits += [by_sshd] if by_sshd else []
    within = [limit for limit in limits if not limit.beyond]
    wider = [limit for limit in limits if limit.beyond]
    observed = {
        "AllowGroups": groups,
        "source_limits": [limit.shown() for limit in limits] or ["none"],
    }
    where = f"the management zone's subnets ({', '.join(management)})" if management else "named management sources"
    where_zh = f"管理区网段（{', '.join(management)}）" if management else "指定的管理地址"
    expected = {
        "AllowGroups": f"a subset of {', '.join(ssh['allow_groups'])}",
        "source_limits": f"SSH reachable only from {where} ({', '.join(ssh['management_zones'])})",
    }
    if not within and facts.nftables.state == "unreadable":
        return undecided(
            {**observed, "nft": facts.nftables.error},
            "the loaded rule set could not be read (nft -j list ruleset failed), and sshd does not limit sources",
            "无法读取已加载的防火墙规则（nft -j list ruleset 失败），且 sshd 未限制来源地址",
        )
    groups_ok = bool(groups) and not extra_groups
    if groups_ok and within:
        ways = ", ".join(limit.way for limit in within)
        en, zh = f"SSH is limited by group and by source ({ways})", f"SSH 登录已按用户组与来源地址（{ways}）限制"
        return passed(observed, expected, en, zh)
    beyond_en = "".join(f"; {limit.way} also lets in {', '.join(limit.beyond)}" for limit in wider)
    beyond_zh = "".join(f"；{limit.way} 还放行 {', '.join(limit.beyond)}" for limit in wider)
    if groups_ok or within:
        if groups_ok:
            missing_en = f"source addresses are not restricted to {where}{beyond_en}"
            missing_zh = f"未将来源地址限制在{where_zh}内{beyond_zh}"
        else:
            extra = ", ".join(extra_groups)
            missing_en = "login groups are not restricted" + (f" (extra: {extra})" if extra else "")
            missing_zh = "未限制登录用户组" + (f"（多余：{extra}）" if extra else "")
        return partial(observed, expected, missing_en, missing_zh)
    if wider:
        return failed(
            observed,
            expected,
            f"any account may log in over SSH from beyond the management zone{beyond_en}",
            f"任何账户可从管理区以外 SSH 登录{beyond_zh}",
        )
    return failed(
        observed, expected, "anyone with an account may log in over SSH from anywhere", "任何账户可从任意地址 SSH 登录"
    )
