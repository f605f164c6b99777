"""linux.firewall_rules_match_policy, 8.1.3.2 a) b) c) (partly): the host's loaded firewall is the zone matrix's.

主机防火墙与区域访问控制矩阵一致：默认拒绝入站，仅按矩阵放行（来源区域、协议、端口），无多余规则。

The expected rules are the ones the firewall role renders (`host_firewall`, from policies/access_rules.yml
and the inventory's zone subnets through compliance.model.access); the loaded ones are read from
`nft -j list ruleset`. Sources are compared as addresses, not set names, so a renamed set hides nothing
and a widened one shows. A host firewall is one side of 8.1.3.2: the boundary devices' rules are the other.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, failed, partial, undecided
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.nftables import PROJECT_TABLE, NftRule, NftTable
from compliance.model.host_policy import HOST_FIREWALL

OUTSIDE = "outside the hospital"  # an Internet source: any address outside every zone
BOUNDARY_DEVICES = (
    "the boundary devices' access rules between the zones (network devices) and the approved matrix",
    "区域边界设备（网络设备）的访问控制规则及经审批的访问控制矩阵",
)


def ruleset_or_error(facts: HostFacts) -> tuple[NftTable | None, Outcome | None]:
    """The project's table (None when it is not loaded), or the error that the rule set could not be read."""
    ruleset = facts.nftables
    if ruleset.state == "unreadable":
        return None, undecided(
            {"nft": ruleset.error},
            "the loaded rule set could not be read (nft -j list ruleset failed)",
            "无法读取已加载的防火墙规则（nft -j list ruleset 失败）",
        )
    return ruleset.table(*PROJECT_TABLE), None


def without_zone(facts: HostFacts) -> Outcome:
    """A host the model places in no zone (this machine, scanned without an inventory): only default deny
    can be judged; which allowances it should have is the evaluator's to see."""
    ruleset = facts.nftables
    inputs = [chain for table in ruleset.tables.values() for chain in table.hooked("input")]
    denying = [
        f"{table.family} {table.name}"
        for table in ruleset.tables.values()
        if any(chain.policy == "drop" for chain in table.hooked("input"))
    ]
    observed = {"zone": "none in the model", "input_chains": len(inputs), "default_deny_in": denying or ["none"]}
    expected = {"input": "policy drop, then the zone matrix's allowances for the host's zone"}
    if not denying:
        return failed(
            observed,
            expected,
            "inbound is not denied by default (no input chain with policy drop); the host is in no zone of the model,"
            " so its allowances cannot be compared with the matrix either",
            "入站未默认拒绝（无 policy drop 的 input 链）；且该主机不属于模型中的任何区域，无法与访问控制矩阵比对",
        )
    return partial(
        observed,
        expected,
        "inbound is denied by default, but the host is in no zone of the model: which flows it should allow"
        " (the zone matrix) is the evaluator's to compare",
        "入站已默认拒绝，但该主机不属于模型中的任何区域：其放行规则是否符合访问控制矩阵需人工比对",
    )


def sources_of(rule_address: str | None, table: NftTable) -> str:
    """A rule's source as addresses: a set's prefixes, or `outside the hospital` for `!= @internal`."""
    if rule_address is None:
        return "any address"
    negated = rule_address.startswith("!= ")
    if negated and rule_address == "!= @internal":
        return OUTSIDE
    shown = ", ".join(sorted(table.prefixes(rule_address)))
    return f"not {shown}" if negated else shown


def allowance(sources: str, protocol: str, ports: tuple[int, ...]) -> str:
    return f"{protocol} {', '.join(str(p) for p in ports)} from {sources}"


@check(
    id="linux.firewall_rules_match_policy",
    clauses=("8.1.3.2 a)", "8.1.3.2 b)", "8.1.3.2 c)"),
    policies=("access_rules",),
    zh="主机防火墙与区域访问控制矩阵一致（默认拒绝、按区域与端口放行、无多余规则）",
    en="The host firewall is the zone matrix: default deny, allowed by zone and port, nothing extra",
    high_risk=False,
    remediation=("firewall:firewall",),
    partly={clause: BOUNDARY_DEVICES for clause in ("8.1.3.2 a)", "8.1.3.2 b)", "8.1.3.2 c)")},
)
def firewall_rules_match_policy(facts: HostFacts, policy: Settings) -> Outcome:
    table, error = ruleset_or_error(facts)
    if error is not None:
        return error
    rules = policy.get(HOST_FIREWALL)
    if rules is None:
        return without_zone(facts)
    zone = rules["zone"]
    wanted = {
        allowance(", ".join(sorted(a["sources"])) or OUTSIDE, a["protocol"], tuple(sorted(a["ports"]))): a["pair"]
        for a in rules["inbound"]
    }
    expected = {
        "table": "inet dengbao, inbound policy drop",
        "allowed": [f"{pair}: {flow}" for flow, pair in wanted.items()],
    }
    if table is None:
        return Problems(
            [f"table inet dengbao is not loaded: nothing enforces the matrix for zone {zone}"],
            [f"未加载 inet dengbao 表：区域 {zone} 的访问控制矩阵未被执行"],
        ).outcome({"table": "not loaded"}, expected, "", "")
    problems = Problems()
    inputs = table.hooked("input")
    policies = sorted({str(chain.policy) for chain in inputs})
    if not inputs or any(chain.policy != "drop" for chain in inputs):
        problems.add(
            f"inbound is not denied by default (input chain policy: {', '.join(policies) or 'no input chain'})",
            f"入站未默认拒绝（input 链策略：{', '.join(policies) or '无 input 链'}）",
        )
    loaded: dict[str, NftRule] = {}  # what each accept rule lets in → the rule
    for rule in (rule for chain in inputs for rule in chain.rules if rule.verdict == "accept"):
        if rule.protocol is not None:
            loaded[allowance(sources_of(rule.saddr, table), rule.protocol, rule.dports)] = rule
        elif not rule.is_generic or rule.other:
            loaded[f"every port from {sources_of(rule.saddr, table)}"] = rule
    internal = sorted(rules["internal"])
    if "internal" in table.sets and sorted(table.sets["internal"]) != internal:
        problems.add(
            f"the hospital's address set differs: {', '.join(table.sets['internal'])} instead of {', '.join(internal)}",
            f"医院内部地址集合不一致：{', '.join(table.sets['internal'])}，应为 {', '.join(internal)}",
        )
    for flow, pair in wanted.items():
        if flow not in loaded:
            problems.add(f"missing {pair}: {flow}", f"缺少 {pair} 的放行规则：{flow}")
    management = set(rules["management_ports"])
    for flow, rule in loaded.items():
        if flow in wanted:
            continue
        label_en, label_zh = (rule.comment, rule.comment) if rule.comment else (f"? → {zone}", f"? → {zone}，无注释")
        if rule.protocol is None or management & set(rule.dports):
            problems.add(
                f"management port opened beyond the matrix ({label_en}): {flow}",
                f"管理端口被矩阵以外的规则放开（{label_zh}）：{flow}",
            )
        else:
            problems.add(f"rule not in the matrix ({label_en}): {flow}", f"矩阵以外的放行规则（{label_zh}）：{flow}")
    observed = {"zone": zone, "input_policy": policies, "allowed": sorted(loaded)}
    return problems.outcome(
        observed,
        expected,
        f"the loaded table is zone {zone}'s part of the matrix: inbound denied by default, "
        f"{len(wanted)} allowance(s) by zone pair and nothing else",
        f"已加载的规则与区域 {zone} 的访问控制矩阵一致：入站默认拒绝，仅 {len(wanted)} 条按区域放行的规则",
    )
