"""network_device.acl_minimal, 8.1.3.2 b): No access list holds a rule that can never match, and none lies unused.

访问控制列表无冗余：无重复或被前序规则完全覆盖的规则，无未被引用的列表。

For every IPv4 access list of the running configuration: a rule whose every packet an earlier rule of the same list
already matches is never reached (a duplicate, or shadowed by a wider rule), and is named with the rule that hides
it. A list no line of the configuration refers to (no interface, terminal, SNMP, routing or QoS line names it) is
dead weight. A rule with conditions this reader does not decode (VPN instance, time range, ICMP type) is never
taken to hide another, so the check errs towards passing; a rule that cannot be read at all is skipped and listed.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DeviceFacts, quote


def _referenced(facts: DeviceFacts, name: str, definition_numbers: set[int]) -> bool:
    """Whether some line outside the access list definitions names the list (as a whole word)."""
    for line in facts.config.lines:
        if line.number in definition_numbers:
            continue
        for part in (line, *line.children):
            if name in part.words[1:]:
                return True
    return False


@check(
    id="network_device.acl_minimal",
    kind="network_device",
    clauses=("8.1.3.2 b)",),
    policies=("access_rules",),
    zh="访问控制列表无冗余或无效规则",
    en="Access lists hold no redundant or unreachable rules, and none lies unused",
    high_risk=False,
    remediation=(),
)
def acl_minimal(facts: DeviceFacts, policy: Settings) -> Outcome:
    lists = facts.access_list_names()
    definitions = {line.number for line in lists.values()}
    if facts.ios:
        definitions |= {line.number for line in facts.config.starting("access-list")}
    problems = Problems()
    hidden: list[str] = []
    unused: list[str] = []
    unread: list[str] = []
    for name in lists:
        listed = facts.access_list(name) or []
        seen = []
        for entry in listed:
            if entry.rule is None:
                unread.append(f"{name}: {quote(entry.line)}")
                continue
            cover = next((earlier for earlier in seen if earlier.rule.covers(entry.rule)), None)
            if cover is not None:
                hidden.append(f"{name}: {quote(entry.line)} (covered by {quote(cover.line)})")
            seen.append(entry)
        if not _referenced(facts, name, definitions):
            unused.append(name)
    for text in hidden:
        problems.add(f"rule never reached, {text}", f"规则永不生效（被前序规则覆盖）：{text}")
    if unused:
        problems.add(
            f"access lists defined but used nowhere: {', '.join(unused)}",
            f"已定义但未被引用的访问控制列表：{'、'.join(unused)}",
        )
    observed = {"access_lists": sorted(lists), "unreachable_rules": hidden, "unused_lists": unused}
    if unread:
        observed["rules_not_read"] = unread
    return problems.outcome(
        observed,
        {"every rule": "reachable (not covered by an earlier rule)", "every list": "referenced"},
        f"the {len(lists)} access lists hold no unreachable rule and all are in use",
        f"{len(lists)} 个访问控制列表均无被覆盖的规则，且均被引用",
    )
