"""The loaded nftables rule set (`nft -j list ruleset`) and the routing table (`ip -j route`), as data.

Only what the access checks compare is read from nft's JSON: each table's sets (their prefixes),
each base chain's hook and policy, and each rule reduced to its matches and verdict. A rule with
an expression this reader does not know keeps it in `other`, so a comparison never mistakes an
unknown rule for a known one.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

NOT_INSTALLED = "nft: not installed"
VERDICTS = ("accept", "drop", "reject")


@dataclass(frozen=True)
class NftRule:
    """One rule: the addresses, protocol and ports it matches, and what it does with a match."""

    verdict: str | None  # accept, drop, reject, or None (a rule that only counts or logs)
    saddr: str | None = None  # "@set", "!= @set", an address or prefix, or "!= …"
    daddr: str | None = None
    protocol: str | None = None  # tcp, udp (from `tcp dport …`)
    dports: tuple[int, ...] = ()
    conditions: tuple[str, ...] = ()  # ct state, iif/oif, icmp type …: matches other than the above
    comment: str = ""
    other: tuple[str, ...] = ()  # expressions not understood here

    @property
    def is_generic(self) -> bool:
        """An accept of the kind every host firewall has besides its allowances (replies, loopback, ICMP,
        IPv6 neighbour discovery): no port, and only matches on replies, the loopback interface or ICMP types."""
        return self.protocol is None and bool(self.conditions) and all(map(_is_generic_match, self.conditions))

    @property
    def jumps(self) -> bool:
        """Whether the rule hands packets to another chain (whose rules this reader does not follow)."""
        return any(o.startswith(('{"jump"', '{"goto"')) for o in self.other)

    def opens(self, protocol: str, port: int) -> bool:
        """Whether this accept lets the port in: by naming it, or by matching no port and being no generic accept."""
        if self.verdict != "accept":
            return False
        if self.protocol is None:
            return not self.is_generic or bool(self.other)
        return self.protocol == protocol and port in self.dports


def _is_generic_match(condition: str) -> bool:
    subject, _, value = condition.partition("}} ")
    if subject == '{"ct": {"key": "state"':
        return "new" not in value and "untracked" not in value
    if subject.startswith('{"meta": {"key": "') and subject.endswith(('iif"', 'iifname"', 'oif"', 'oifname"')):
        return value in ("== lo", '== "lo"')
    return subject.startswith('{"payload": {"field": "type", "protocol": "icmp')


@dataclass(frozen=True)
class NftChain:
    name: str
    hook: str | None  # input, output, forward …; None for a regular chain
    policy: str | None
    rules: tuple[NftRule, ...]

    @property
    def denies_by_default(self) -> bool:
        """Policy drop, or a last rule that drops or rejects whatever reaches it."""
        if self.policy == "drop":
            return True
        last = self.rules[-1] if self.rules else None
        return (
            last is not None
            and last.verdict in ("drop", "reject")
            and last == NftRule(last.verdict, comment=last.comment)
        )


@dataclass(frozen=True)
class NftTable:
    family: str
    name: str
    sets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # set → its prefixes, "a.b.c.d/n"
    chains: dict[str, NftChain] = field(default_factory=dict)

    def hooked(self, hook: str) -> list[NftChain]:
        return [chain for chain in self.chains.values() if chain.hook == hook]

    def prefixes(self, address: str) -> tuple[str, ...]:
        """What a rule's address match names, without its negation: a set's members ("@zone_mgmt")
        or the literal prefixes ("10.1.0.0/24", "{ 10.1.0.0/24, 10.2.0.0/24 }")."""
        name = address.removeprefix("!= ")
        if name.startswith("@"):
            return self.sets.get(name[1:], ())
        return tuple(name.strip("{ }").split(", "))


@dataclass(frozen=True)
class NftRuleset:
    state: str  # loaded, absent (nft not installed), unreadable
    tables: dict[tuple[str, str], NftTable] = field(default_factory=dict)
    error: str = ""

    def table(self, family: str, name: str) -> NftTable | None:
        return self.tables.get((family, name))


PROJECT_TABLE = ("inet", "dengbao")  # the table the firewall role loads (roles/firewall/templates/firewall.nft.j2)


def parse_nftables(output: str) -> NftRuleset:
    """The `nftables` probe: nft's JSON listing, or `nft: not installed`, or nft's error."""
    text = output.strip()
    if text == NOT_INSTALLED:
        return NftRuleset("absent")
    try:
        entries = json.loads(text)["nftables"]
    except (ValueError, KeyError, TypeError):
        return NftRuleset("unreadable", error=text[-300:] or "no output")
    tables: dict[tuple[str, str], NftTable] = {}
    rules: dict[tuple[str, str, str], list[NftRule]] = {}
    for entry in entries:
        if "table" in entry:
            body = entry["table"]
            tables[(body["family"], body["name"])] = NftTable(body["family"], body["name"])
        elif "set" in entry:
            body = entry["set"]
            tables[(body["family"], body["table"])].sets[body["name"]] = tuple(_elements(body.get("elem", [])))
        elif "chain" in entry:
            body = entry["chain"]
            key = (body["family"], body["table"], body["name"])
            rules.setdefault(key, [])
            tables[key[:2]].chains[body["name"]] = NftChain(body["name"], body.get("hook"), body.get("policy"), ())
        elif "rule" in entry:
            body = entry["rule"]
            rules.setdefault((body["family"], body["table"], body["chain"]), []).append(_rule(body))
    for (family, table, name), found in rules.items():
        chain = tables[(family, table)].chains.get(name)
        if chain is not None:
            tables[(family, table)].chains[name] = NftChain(name, chain.hook, chain.policy, tuple(found))
    return NftRuleset("loaded", tables)


def _elements(elements: list[Any]) -> list[str]:
    found = []
    for element in elements:
        if isinstance(element, dict) and "prefix" in element:
            found.append(f"{element['prefix']['addr']}/{element['prefix']['len']}")
        elif isinstance(element, dict) and "range" in element:
            found.append("-".join(str(v) for v in element["range"]))
        else:
            found.append(str(element))
    return found


def _value(right: Any) -> str:
    if isinstance(right, dict) and "prefix" in right:
        return f"{right['prefix']['addr']}/{right['prefix']['len']}"
    if isinstance(right, dict) and "set" in right:
        return "{ " + ", ".join(_value(v) for v in right["set"]) + " }"
    if isinstance(right, list):
        return ",".join(_value(v) for v in right)
    return str(right)


def _ports(right: Any) -> tuple[int, ...]:
    values = right.get("set", []) if isinstance(right, dict) else [right]
    return tuple(sorted(int(v) for v in values if isinstance(v, int)))


def _rule(body: dict[str, Any]) -> NftRule:
    verdict = None
    fields: dict[str, Any] = {"conditions": [], "other": []}
    for expression in body.get("expr", []):
        kind = next(iter(expression)) if isinstance(expression, dict) else str(expression)
        if kind in VERDICTS:
            verdict = kind
        elif kind == "match":
            _match(expression["match"], fields)
        elif kind not in ("counter", "log", "limit"):
            fields["other"].append(json.dumps(expression, sort_keys=True))
    return NftRule(
        verdict,
        fields.get("saddr"),
        fields.get("daddr"),
        fields.get("protocol"),
        fields.get("dports", ()),
        tuple(fields["conditions"]),
        body.get("comment", ""),
        tuple(fields["other"]),
    )


def _match(match: dict[str, Any], fields: dict[str, Any]) -> None:
    left, right, operator = match.get("left", {}), match.get("right"), match.get("op", "==")
    negation = "!= " if operator == "!=" else ""
    payload = left.get("payload", {}) if isinstance(left, dict) else {}
    if payload.get("protocol") in ("ip", "ip6") and payload.get("field") in ("saddr", "daddr"):
        fields[payload["field"]] = negation + _value(right)
    elif payload.get("protocol") in ("tcp", "udp") and payload.get("field") == "dport" and not negation:
        fields["protocol"], fields["dports"] = payload["protocol"], _ports(right)
    else:
        subject = json.dumps(left, sort_keys=True) if not isinstance(left, str) else left
        fields["conditions"].append(f"{subject} {operator} {_value(right)}")


@dataclass(frozen=True)
class Route:
    destination: str  # "default" or a prefix
    gateway: str | None
    device: str | None

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
        """The destination as a network: 0.0.0.0/0 (or ::/0) for a default route; None if unreadable."""
        if self.destination == "default":
            return None
        try:
            return ipaddress.ip_network(self.destination, strict=False)
        except ValueError:
            return None


@dataclass(frozen=True)
class Routes:
    readable: bool
    routes: tuple[Route, ...] = ()


def parse_routes(output: str) -> Routes:
    """The `routes` probe: `ip -j route show table main` for IPv4, then for IPv6, one JSON list a line."""
    routes: list[Route] = []
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        return Routes(False)
    for line in lines:
        try:
            listed = json.loads(line)
        except ValueError:
            return Routes(False)
        for entry in listed:
            routes.append(Route(str(entry.get("dst", "")), entry.get("gateway"), entry.get("dev")))
    return Routes(True, tuple(routes))
