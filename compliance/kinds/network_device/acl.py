"""Access list rules of VRP, Comware and IOS read as `FilterRule`s (compliance.model.zone_filters).

VRP and Comware print a rule as keywords in any order after the action and protocol
(`rule 5 permit tcp source 10.10.20.0 0.0.0.255 destination 10.10.10.0 0.0.0.255 destination-port eq 1521`);
a basic list's rule has no protocol (`rule 5 permit source 10.10.90.0 0.0.0.255`). IOS prints positions:
`permit tcp 10.10.20.0 0.0.0.255 [eq 80] host 10.10.10.5 eq 1521 established`, and a standard list a source
only. Conditions that are not read here (VPN instance, time range, ICMP type, DSCP, TCP flags other than
`established`) mark the rule `qualified`: it matches less than its addresses and ports say. A rule that
cannot be read at all (an object group, an unknown port name) is `Unreadable`, and a check says so rather
than guess.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from compliance.kinds.network_device.config import ConfigLine
from compliance.model.zone_filters import ANY, FilterRule

PROTOCOLS = {"ip", "tcp", "udp", "icmp", "gre", "esp", "ahp", "eigrp", "ospf", "pim", "igmp", "ipinip", "sctp"}
# Protocol numbers some configurations print instead of names.
PROTOCOL_NUMBERS = {"1": "icmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp", "51": "ahp", "89": "ospf"}
# Port names the vendors print instead of numbers.
PORT_NAMES = {
    "ftp-data": 20,
    "ftp": 21,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "dns": 53,
    "bootps": 67,
    "bootpc": 68,
    "tftp": 69,
    "www": 80,
    "http": 80,
    "pop3": 110,
    "ntp": 123,
    "snmp": 161,
    "snmptrap": 162,
    "bgp": 179,
    "https": 443,
    "syslog": 514,
    "cmd": 514,
}
# Words that only log or count what a rule matches.
NO_EFFECT = {"log", "log-input", "logging", "counting", "statistics", "count"}
# VRP/Comware conditions followed by one value; IOS qualifiers with one value.
ONE_VALUE = {"vpn-instance", "time-range", "dscp", "precedence", "tos", "ttl", "fragment-type", "option"}


class Unreadable(ValueError):
    """A rule this reader cannot turn into addresses and ports."""


@dataclass(frozen=True)
class ListedRule:
    """One rule line of an access list: what it matches (None where it cannot be read) and its line."""

    rule: FilterRule | None
    line: ConfigLine
    problem: str = ""


def _prefix(address: str, mask: str) -> str:
    """An address with a wildcard (0.0.0.255), a netmask (255.255.255.0) or `0` for one host, as a prefix."""
    try:
        if mask == "0":
            return str(ipaddress.IPv4Network(f"{address}/32"))
        bits = int(ipaddress.IPv4Address(mask))
        if bits and bits & 0x80000000:
            return str(ipaddress.IPv4Network(f"{address}/{mask}", strict=False))
        hostmask = ipaddress.IPv4Network(f"0.0.0.0/{mask}")  # a wildcard is a hostmask
        return str(ipaddress.IPv4Network(f"{address}/{hostmask.prefixlen}", strict=False))
    except ValueError as error:
        raise Unreadable(f"{address} {mask} is not an address with a wildcard") from error


def _port(word: str) -> int:
    if word.isdigit() and int(word) <= 65535:
        return int(word)
    if word in PORT_NAMES:
        return PORT_NAMES[word]
    raise Unreadable(f"port {word!r} is not known")


def _ports(words: list[str], at: int) -> tuple[tuple[int, int] | None, bool, int]:
    """An operator and its ports at `words[at]`: the range, whether it is only approximated (neq), and the
    index after it."""
    operator = words[at]
    if operator == "range":
        return (_port(words[at + 1]), _port(words[at + 2])), False, at + 3
    port = _port(words[at + 1])
    if operator == "eq":
        return (port, port), False, at + 2
    if operator == "lt":
        return (0, max(port - 1, 0)), False, at + 2
    if operator == "gt":
        return (min(port + 1, 65535), 65535), False, at + 2
    if operator == "neq":
        return None, True, at + 2
    raise Unreadable(f"port operator {operator!r} is not known")


def _huawei(words: list[str]) -> FilterRule:
    """`rule [N] permit|deny [protocol] keyword value …` (VRP and Comware)."""
    at = 1
    if words[at].isdigit():
        at += 1
    action = words[at]
    at += 1
    protocol = "ip"
    if at < len(words) and (words[at] in PROTOCOLS or words[at].isdigit()):
        protocol = PROTOCOL_NUMBERS.get(words[at], words[at])
        at += 1
    values: dict[str, object] = {"source": ANY, "destination": ANY, "ports": None, "source_ports": None}
    established = qualified = False
    while at < len(words):
        word = words[at]
        if word in ("source", "destination"):
            if at + 1 >= len(words):
                raise Unreadable(f"{word} without an address")
            if words[at + 1] == "any":
                at += 2
                continue
            mask = words[at + 2] if at + 2 < len(words) else "0"
            if mask in ("0",) or mask.count(".") == 3:
                values[word] = _prefix(words[at + 1], mask)
                at += 3
            elif "/" in words[at + 1]:
                values[word] = str(ipaddress.IPv4Network(words[at + 1], strict=False))
                at += 2
            else:
                raise Unreadable(f"{word} {words[at + 1]} has no wildcard")
        elif word in ("source-port", "destination-port"):
            ports, approximate, at = _ports(words, at + 1)
            values["ports" if word == "destination-port" else "source_ports"] = ports
            qualified = qualified or approximate
        elif word == "established":
            established = True
            at += 1
        elif word == "tcp-flag":
            flags = words[at + 1 :]
            established = established or flags[:1] == ["established"]
            qualified = qualified or flags[:1] != ["established"]
            at += 2
        elif word in NO_EFFECT:
            at += 1
        elif word in ONE_VALUE or word in ("ack", "fin", "psh", "rst", "syn", "urg"):
            qualified = True
            at += 2
        else:
            qualified = True  # icmp-type, fragment and the like: a narrower match
            at += 1
    return FilterRule(
        action,
        protocol,
        str(values["source"]),
        str(values["destination"]),
        values["ports"],  # type: ignore[arg-type]
        values["source_ports"],  # type: ignore[arg-type]
        established,
        "",
        qualified,
    )


def _ios_end(words: list[str], at: int) -> tuple[str, int]:
    word = words[at]
    if word == "any":
        return ANY, at + 1
    if word == "host":
        return _prefix(words[at + 1], "0"), at + 2
    if word in ("object-group", "addrgroup"):
        raise Unreadable(f"{word} {words[at + 1]} is not read")
    if at + 1 < len(words) and words[at + 1].count(".") == 3:
        return _prefix(word, words[at + 1]), at + 2
    if word.count(".") == 3:
        return _prefix(word, "0"), at + 1
    raise Unreadable(f"{word!r} is not an address")


def _ios(words: list[str]) -> FilterRule:
    """`[N] permit|deny protocol SRC [ports] DST [ports] [established] …`, or a standard `permit SRC`."""
    at = 1 if words[0].isdigit() else 0
    action = words[at]
    at += 1
    if at >= len(words):
        return FilterRule(action, "ip")
    if not (words[at] in PROTOCOLS or words[at].isdigit()):
        source, _ = _ios_end(words, at)  # a standard list: the source only
        return FilterRule(action, "ip", source)
    protocol = PROTOCOL_NUMBERS.get(words[at], words[at])
    source, at = _ios_end(words, at + 1)
    source_ports = ports = None
    qualified = False
    if at < len(words) and words[at] in ("eq", "lt", "gt", "neq", "range"):
        source_ports, approximate, at = _ports(words, at)
        qualified = approximate
    destination, at = _ios_end(words, at)
    if at < len(words) and words[at] in ("eq", "lt", "gt", "neq", "range"):
        ports, approximate, at = _ports(words, at)
        qualified = qualified or approximate
    established = False
    for word in words[at:]:
        if word == "established":
            established = True
        elif word not in NO_EFFECT:
            qualified = True
    return FilterRule(action, protocol, source, destination, ports, source_ports, established, "", qualified)


def read_rule(platform: str, line: ConfigLine) -> ListedRule | None:
    """The rule on one line of an access list; None for a line that is not a rule (a description, a remark)."""
    words = line.words
    if platform == "cisco_ios":
        words = words[2:] if words[:1] == ["access-list"] else words  # a numbered list's line
        body = words[1:] if words and words[0].isdigit() else words
        if not body or body[0] not in ("permit", "deny"):
            return None
        reader = _ios
    else:
        if words[:1] != ["rule"] or not any(w in ("permit", "deny") for w in words[1:3]):
            return None
        reader = _huawei
    try:
        return ListedRule(reader(words), line)
    except (Unreadable, IndexError, ValueError) as error:
        return ListedRule(None, line, str(error) or "the rule ends early")
