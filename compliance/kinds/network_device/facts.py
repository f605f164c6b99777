"""A network device's facts: its running configuration read the same way for VRP, Comware and IOS.

Checks read `DeviceFacts` and never the configuration text. Each accessor gives a vendor-neutral
answer (the terminal lines and their limits, the servers that are on, the SNMP communities, the
log hosts, …) and the configuration lines it came from, so a finding can quote them. Where a
setting is absent from the running configuration the device's default applies: the accessors say
which default they assume, so a check can tell "set" from "default". Every read records the probe
it came from, so a check's result carries exactly the raw evidence it looked at.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from compliance.kinds.collection import Collection, MissingProbe, ProbeResult
from compliance.kinds.network_device.acl import ListedRule, read_rule
from compliance.kinds.network_device.config import PLATFORMS, ConfigLine, DeviceConfig, parse_config

# What the vendors ship: a terminal line without an idle timeout logs out after 10 minutes on VRP, Comware
# and IOS (exec-timeout) alike.
DEFAULT_IDLE_SECONDS = 600
ADDRESS = re.compile(r"^[0-9a-fA-F:.]+$")
IP_PROTOCOLS = {"ip", "tcp", "udp", "icmp", "gre", "esp", "ahp", "eigrp", "ospf", "pim", "igmp", "ipinip", "nos", "pcp"}


@dataclass(frozen=True)
class Terminal:
    """One block of login lines: the console, AUX or a range of VTYs (remote terminals)."""

    line: ConfigLine
    remote: bool  # a VTY: reached over the network
    idle_seconds: int | None  # None: not set, the default applies; 0: never
    inbound: tuple[str, ...] | None  # protocols VTYs accept, None where not set
    acl: str | None  # the access list limiting who may connect (inbound)

    @property
    def name(self) -> str:
        return self.line.text


@dataclass(frozen=True)
class AclRule:
    action: str  # permit | deny
    source: str  # an address or prefix, "any"
    line: ConfigLine


@dataclass(frozen=True)
class Lockout:
    attempts: int
    lock_seconds: int | None  # None: locked until an administrator unlocks it
    line: ConfigLine


@dataclass(frozen=True)
class PasswordRules:
    enabled: bool  # a password policy is in force at all
    min_length: int | None
    min_classes: int | None
    max_age_days: int | None  # 0: never expires
    history: int | None
    lines: tuple[ConfigLine, ...]


@dataclass(frozen=True)
class StoredSecret:
    """A password or key kept in the configuration, and how it is kept."""

    owner: str  # the line's subject: a local user, the console, enable, …
    form: str  # plaintext | reversible | hashed
    line: ConfigLine


def _wildcard_prefix(address: str, mask: str) -> str:
    """An address and a wildcard (0.0.0.255) or netmask (255.255.255.0), or `0` for a host, as a prefix."""
    if mask == "0":
        return f"{address}/32"
    try:
        bits = int(ipaddress.IPv4Address(mask))
    except ValueError:
        return address
    if bits and (bits & 0x80000000):  # a netmask, as some VRP versions print
        return str(ipaddress.ip_network(f"{address}/{mask}", strict=False))
    return str(ipaddress.ip_network(f"{address}/{32 - bin(bits).count('1')}", strict=False))


class DeviceFacts:
    """What checks read about one network device, from its `platform` and `running_config` probes."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.used: set[str] = set()

    def probe(self, name: str) -> ProbeResult:
        if name not in self.collection.probes:
            raise MissingProbe(name)
        self.used.add(name)
        return self.collection.probes[name]

    @property
    def platform(self) -> str:
        platform = self.probe("platform").output.strip()
        if platform not in PLATFORMS:
            raise ValueError(f"no support for platform {platform!r}")
        return platform

    @property
    def config(self) -> DeviceConfig:
        probe = self.probe("running_config")
        return _parsed(self.platform, probe.output)

    @property
    def ios(self) -> bool:
        return self.platform == "cisco_ios"

    # Terminal lines -------------------------------------------------------------------------------------

    def terminals(self) -> list[Terminal]:
        config = self.config
        heads = ("line",) if self.ios or self.platform == "h3c_comware" else ("user-interface",)
        found = []
        for line in config.starting(*heads):
            words = line.words
            if len(words) < 2 or words[1] in ("class", "maximum-vty"):
                continue
            remote = words[1] == "vty"
            found.append(Terminal(line, remote, self._idle(line), self._inbound(line), self._acl(line)))
        return found

    def _idle(self, line: ConfigLine) -> int | None:
        setting = line.child("exec-timeout") if self.ios else line.child("idle-timeout")
        if setting is None:
            return None
        words = setting.words[1:]
        minutes = int(words[0]) if words and words[0].isdigit() else 0
        seconds = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
        return minutes * 60 + seconds

    def _inbound(self, line: ConfigLine) -> tuple[str, ...] | None:
        setting = line.child("transport", "input") if self.ios else line.child("protocol", "inbound")
        if setting is None:
            return None
        return tuple(setting.words[2:])

    def _acl(self, line: ConfigLine) -> str | None:
        if self.ios:
            setting = next((c for c in line.children_starting("access-class") if c.words[-1] == "in"), None)
            return setting.words[1] if setting is not None else None
        for child in line.children_starting("acl"):
            words = child.words
            if words[-1] == "inbound" and "ipv6" not in words:
                return words[-2]
        return None

    # Servers --------------------------------------------------------------------------------------------

    def enabled(self, *words: str) -> list[ConfigLine]:
        """Top-level lines turning a feature on (`telnet server enable`) that no later `undo`/`no` line turns off."""
        config = self.config
        negation = "no" if self.ios else "undo"
        on = config.starting(*words)
        off = [line for line in config.starting(negation, *words) if len(line.words) == len(words) + 1]
        if not on or (off and off[-1].number > on[-1].number):
            return []
        return on

    def telnet_server(self) -> list[ConfigLine]:
        """Lines turning a Telnet server on (VRP and Comware: `telnet server enable`; IOS has no such switch:
        its VTYs' `transport input` decides)."""
        return [] if self.ios else self.enabled("telnet", "server", "enable")

    def ssh_server(self) -> list[ConfigLine]:
        """Lines turning the SSH server on: VRP `stelnet server enable`, Comware `ssh server enable`, IOS
        `ip ssh version 2` (IOS serves SSH once a key exists; the version line shows it is meant to)."""
        if self.ios:
            vtys = [t.line for t in self.terminals() if t.remote and "ssh" in (t.inbound or ())]
            return self.config.starting("ip", "ssh", "version", "2") or [
                child for line in vtys for child in line.children_starting("transport", "input")
            ]
        if self.platform == "huawei_vrp":
            return self.enabled("stelnet", "server", "enable") or self.enabled("stelnet", "ipv4", "server", "enable")
        return self.enabled("ssh", "server", "enable")

    def ssh_v1_allowed(self) -> list[ConfigLine]:
        """Lines letting SSH 1 in. On IOS an SSH server without `ip ssh version 2` runs as 1.99 and accepts both."""
        if self.ios:
            if self.config.has("ip", "ssh", "version", "2"):
                return []
            return self.config.starting("ip", "ssh", "version", "1") or [
                ConfigLine("(no ip ssh version 2: SSH 1.99 accepts version 1)", 0)
            ]
        return self.enabled("ssh", "server", "compatible-ssh1x", "enable")

    def web_servers(self) -> dict[str, list[ConfigLine]]:
        """Web management that is on, by protocol (http, https)."""
        if self.ios:
            return {"http": self.enabled("ip", "http", "server"), "https": self.enabled("ip", "http", "secure-server")}
        if self.platform == "h3c_comware":
            return {"http": self.enabled("ip", "http", "enable"), "https": self.enabled("ip", "https", "enable")}
        web = self.enabled("web-manager", "enable")
        secure = self.enabled("web-manager", "security", "enable")
        return {
            "http": self.enabled("http", "server", "enable") + (web if not secure else []),
            "https": self.enabled("http", "secure-server", "enable") + secure,
        }

    def file_servers(self) -> dict[str, list[ConfigLine]]:
        """FTP and TFTP servers that are on."""
        if self.ios:
            return {"ftp": self.enabled("ip", "ftp", "server"), "tftp": self.enabled("tftp-server")}
        return {"ftp": self.enabled("ftp", "server", "enable"), "tftp": self.enabled("tftp", "server", "enable")}

    def small_servers(self) -> list[ConfigLine]:
        """IOS's legacy services (small TCP/UDP servers, finger, BOOTP server) that are on."""
        if not self.ios:
            return []
        found = [*self.enabled("service", "tcp-small-servers"), *self.enabled("service", "udp-small-servers")]
        return [*found, *self.enabled("ip", "finger"), *self.enabled("service", "finger")]

    # SNMP -----------------------------------------------------------------------------------------------

    def snmp_communities(self) -> list[ConfigLine]:
        """Community strings (SNMP v1/v2c, sent in clear)."""
        if self.ios:
            return self.config.starting("snmp-server", "community")
        return self.config.starting("snmp-agent", "community")

    def snmp_versions(self) -> tuple[set[str], list[ConfigLine]]:
        """The SNMP versions the agent answers, and the lines that say so."""
        config = self.config
        if self.ios:
            groups = config.starting("snmp-server", "group")
            versions = {line.words[3] for line in groups if len(line.words) > 3}
            if self.snmp_communities():
                versions |= {"v1", "v2c"}
            return versions, groups + self.snmp_communities()
        lines = config.starting("snmp-agent", "sys-info", "version")
        versions: set[str] = set()
        for line in lines:
            named = set(line.words[3:])
            versions = {"v1", "v2c", "v3"} if "all" in named else named
        if not lines and config.has("snmp-agent"):
            versions = {"v3"}  # VRP and Comware answer v3 only until told otherwise
        return versions, lines

    def snmp_v3_without_privacy(self) -> list[ConfigLine]:
        """v3 groups that do not encrypt (noauthentication / authentication only; IOS noauth / auth)."""
        if self.ios:
            return [
                g
                for g in self.config.starting("snmp-server", "group")
                if g.words[3:5] in (["v3", "noauth"], ["v3", "auth"])
            ]
        found = []
        for group in self.config.starting("snmp-agent", "group", "v3"):
            if "privacy" not in group.words:
                found.append(group)
        return found

    def snmp_agent_on(self) -> bool:
        config = self.config
        if self.ios:
            return config.has("snmp-server", "community") or config.has("snmp-server", "group")
        serving = [
            line
            for line in config.starting("snmp-agent")
            if len(line.words) == 1 or line.words[1] in ("community", "group", "usm-user", "sys-info", "mib-view")
        ]
        off = [line for line in config.starting("undo", "snmp-agent") if len(line.words) == 2]
        return bool(serving) and not (off and off[-1].number > serving[-1].number)

    # Logs and time -------------------------------------------------------------------------------------

    def log_hosts(self) -> dict[str, ConfigLine]:
        """Remote syslog targets: address → line."""
        found: dict[str, ConfigLine] = {}
        if self.ios:
            for line in self.config.starting("logging"):
                words = line.words[1:]
                if words[:1] == ["host"]:
                    words = words[1:]
                    if words[:1] in (["vrf"],):
                        words = words[2:]
                if words and ADDRESS.match(words[0]) and any(c.isdigit() for c in words[0]):
                    found[words[0]] = line
            return found
        if self.enabled("undo", "info-center", "enable") or self.config.has("undo", "info-center", "enable"):
            return {}
        for line in self.config.starting("info-center", "loghost"):
            words = [w for w in line.words[2:] if w != "ipv6"]
            if words[:1] == ["vpn-instance"]:
                words = words[2:]
            if words and ADDRESS.match(words[0]) and words[0] != "source":
                found[words[0]] = line
        return found

    def ntp_servers(self) -> dict[str, ConfigLine]:
        """NTP servers the device follows: address or name → line."""
        found: dict[str, ConfigLine] = {}
        if self.ios:
            for line in self.config.starting("ntp", "server"):
                words = line.words[2:]
                if words[:1] == ["vrf"]:
                    words = words[2:]
                if words:
                    found[words[0]] = line
            return found
        for line in self.config.starting("ntp-service", "unicast-server"):
            words = [w for w in line.words[2:] if w != "ipv6"]
            if words:
                found[words[0]] = line
        return found

    def ntp_disabled(self) -> list[ConfigLine]:
        """Comware's NTP client is off until `ntp-service enable`; VRP's `undo ntp-service enable` turns it off."""
        if self.platform == "h3c_comware" and not self.enabled("ntp-service", "enable"):
            return list(self.config.starting("ntp-service", "unicast-server"))[:1] or [
                ConfigLine("(no ntp-service enable)", 0)
            ]
        if self.platform == "huawei_vrp":
            return self.config.starting("undo", "ntp-service", "enable")
        return []

    # Access lists ----------------------------------------------------------------------------------------

    def acl_rules(self, name: str) -> list[AclRule] | None:
        """The rules of one access list by number or name, in order; None where it is not defined."""
        config = self.config
        if self.ios:
            numbered = [line for line in config.starting("access-list", name)]
            if numbered:
                return [rule for line in numbered if (rule := _ios_rule(line.words[2:], line)) is not None]
            for head in config.starting("ip", "access-list"):
                if head.words[-1] == name:
                    rules = []
                    for child in head.children:
                        words = child.words[1:] if child.words[0].isdigit() else child.words
                        rule = _ios_rule(words, child)
                        if rule is not None:
                            rules.append(rule)
                    return rules
            return None
        for head in config.starting("acl"):
            words = head.words
            named = words[-1] == name and (
                words[-2] in ("name", "number", "basic", "advanced", "acl") or len(words) == 2
            )
            if not named and not (
                "name" in words and words[words.index("name") + 1 : words.index("name") + 2] == [name]
            ):
                continue
            rules = []
            for child in head.children_starting("rule"):
                rule = _huawei_rule(child)
                if rule is not None:
                    rules.append(rule)
            return rules
        return None

    def access_list_lines(self, name: str) -> list[ConfigLine] | None:
        """The lines of one access list (IOS numbered: its `access-list N` lines; else the list's section
        children), None where it is not defined."""
        config = self.config
        if self.ios:
            numbered = config.starting("access-list", name)
            if numbered:
                return numbered
            heads = [h for h in config.starting("ip", "access-list") if h.words[-1] == name]
            return list(heads[-1].children) if heads else None
        for head in config.starting("acl"):
            if name in _acl_names(head):
                return list(head.children)
        return None

    def access_list(self, name: str) -> list[ListedRule] | None:
        """The rules of one access list as filter rules, in order (advanced/extended and basic/standard)."""
        lines = self.access_list_lines(name)
        if lines is None:
            return None
        rules = [rule for line in lines if (rule := read_rule(self.platform, line)) is not None]
        if not self.ios:  # VRP and Comware match in rule number order (`match-order config`), whatever the display
            rules.sort(key=lambda r: int(r.line.words[1]) if r.line.words[1].isdigit() else 0)
        return rules

    def access_list_names(self) -> dict[str, ConfigLine]:
        """Every access list defined: its name or number → the line defining it (IPv4 lists only)."""
        found: dict[str, ConfigLine] = {}
        config = self.config
        if self.ios:
            for line in config.starting("access-list"):
                if len(line.words) > 1:
                    found.setdefault(line.words[1], line)
            for head in config.starting("ip", "access-list"):
                found.setdefault(head.words[-1], head)
            return found
        for head in config.starting("acl"):
            if "ipv6" in head.words or head.words[1:2] in (["mac"], ["user"]):
                continue
            names = _acl_names(head)
            if names:
                found.setdefault(names[0], head)
        return found

    def interface(self, name: str) -> ConfigLine | None:
        """An interface section by name, however the vendor spaces or capitalises it (`Vlanif10`, `vlanif 10`)."""
        wanted = _interface_key(name)
        for line in self.config.starting("interface"):
            if _interface_key("".join(line.words[1:])) == wanted:
                return line
        return None

    def interface_address(self, interface: ConfigLine) -> tuple[ipaddress.IPv4Interface, ConfigLine] | None:
        """An interface's primary IPv4 address (`ip address A M`, not a `sub`/`secondary` one) and its line."""
        for child in interface.children_starting("ip", "address"):
            words = child.words
            if len(words) >= 4 and words[-1] not in ("sub", "secondary"):
                try:
                    return ipaddress.IPv4Interface(f"{words[2]}/{words[3]}"), child
                except ValueError:
                    continue
        return None

    def inbound_filter(self, interface: ConfigLine) -> tuple[str, ConfigLine] | None:
        """The access list filtering what enters an interface, and the line applying it: VRP `traffic-filter
        inbound acl [name] X`, Comware `packet-filter [name] X inbound`, IOS `ip access-group X in`."""
        for child in interface.children:
            words = child.words
            if self.ios and words[:2] == ["ip", "access-group"] and words[-1] == "in":
                return words[2], child
            if words[:2] == ["traffic-filter", "inbound"] and "acl" in words and "ipv6" not in words:
                return words[-1], child
            if words[:1] == ["packet-filter"] and words[-1] == "inbound" and "ipv6" not in words and len(words) > 2:
                return words[-2], child
        return None

    def filters_deny_by_default(self) -> list[ConfigLine]:
        """Comware's `packet-filter default deny`: packets no rule of an applied list matches are dropped (VRP and
        Comware let them through otherwise; IOS ends every list with an implicit deny)."""
        if self.platform != "h3c_comware":
            return []
        return self.config.starting("packet-filter", "default", "deny")

    def ssh_server_acl(self) -> list[ConfigLine]:
        """VRP and Comware: `ssh server acl N`, which limits SSH clients whatever the VTYs say."""
        if self.ios:
            return []
        return [line for line in self.config.starting("ssh", "server", "acl")] + [
            line for line in self.config.starting("ssh", "server", "ipv4", "acl")
        ]

    # Accounts -------------------------------------------------------------------------------------------

    def lockout(self) -> Lockout | None:
        """How many failed logins lock an account out, and for how long."""
        config = self.config
        if self.platform == "huawei_vrp":
            for aaa in config.starting("aaa"):
                setting = aaa.child("local-aaa-user", "wrong-password")
                if setting is not None:
                    values = _keyed(setting.words)
                    block = values.get("block-time")
                    return Lockout(int(values.get("retry-time", "0")), int(block) * 60 if block else None, setting)
            return None
        if self.platform == "h3c_comware":
            if not self.enabled("password-control", "enable"):
                return None
            for line in reversed(config.starting("password-control", "login-attempt")):
                words = line.words
                attempts = int(words[2]) if len(words) > 2 and words[2].isdigit() else 0
                if "lock-time" in words:
                    return Lockout(attempts, int(words[words.index("lock-time") + 1]) * 60, line)
                if "lock" in words:
                    return Lockout(attempts, None, line)
                return Lockout(attempts, 0, line)  # unlock: the user may try again at once
            return None
        block = config.first("login", "block-for")
        if block is not None:
            values = _keyed(["login", *block.words[1:]])
            return Lockout(int(values.get("attempts", "0")), int(values.get("block-for", "0")), block)
        fail = config.first("aaa", "local", "authentication", "attempts", "max-fail")
        if fail is not None:
            return Lockout(int(fail.words[-1]), None, fail)
        return None

    def password_rules(self) -> PasswordRules:
        config = self.config
        if self.platform == "h3c_comware":
            enabled = bool(self.enabled("password-control", "enable"))
            lines = tuple(config.starting("password-control"))
            length = _last_number(config.starting("password-control", "length"), 2)
            classes = _last_number(config.starting("password-control", "composition", "type-number"), 3)
            aging = _last_number(config.starting("password-control", "aging"), 2)
            history = _last_number(config.starting("password-control", "history"), 2)
            if enabled and config.has("undo", "password-control", "aging", "enable"):
                aging = 0
            # Comware's defaults once password control is on: 10 characters, one class, 90 days.
            return PasswordRules(
                enabled,
                length if length is not None else 10,
                classes or 1,
                aging if aging is not None else 90,
                history,
                lines,
            )
        if self.platform == "huawei_vrp":
            lines: list[ConfigLine] = []
            expire = history = None
            for aaa in config.starting("aaa"):
                policy = aaa.child("local-aaa-user", "password", "policy", "administrator")
                if policy is not None:
                    lines.append(policy)
                    expire = _last_number(policy.children_starting("password", "expire"), 2)
                    history = _last_number(policy.children_starting("password", "history", "record", "number"), 4)
            # VRP checks a new password's complexity itself (8 characters of two classes at least); its
            # length and classes are not configuration lines.
            return PasswordRules(
                bool(lines),
                None,
                None,
                expire if expire is not None else (90 if lines else None),
                history,
                tuple(lines),
            )
        found = list(config.starting("security", "passwords", "min-length"))
        length = _last_number(found, 3)
        classes = None
        max_days = None
        for policy in config.starting("aaa", "common-criteria", "policy"):
            found.append(policy)
            length = _last_number(policy.children_starting("min-length"), 1) or length
            classes = sum(
                1 for kind in ("upper-case", "lower-case", "numeric-count", "special-case") if policy.child(kind)
            )
            lifetime = policy.child("lifetime")
            if lifetime is not None and len(lifetime.words) >= 3 and lifetime.words[2].isdigit():
                unit = {"year": 365, "month": 30, "day": 1}.get(lifetime.words[1].removesuffix("s"), 0)
                max_days = int(lifetime.words[2]) * unit
        return PasswordRules(bool(found), length, classes, max_days, None, tuple(found))

    def local_users(self) -> dict[str, ConfigLine]:
        """Local accounts by name, each with the first line that names it (VRP `aaa` > `local-user NAME …`,
        Comware `local-user NAME`, IOS `username NAME …`)."""
        found: dict[str, ConfigLine] = {}
        config = self.config
        if self.ios:
            lines = config.starting("username")
        elif self.platform == "huawei_vrp":
            lines = [child for aaa in config.starting("aaa") for child in aaa.children_starting("local-user")]
        else:
            lines = config.starting("local-user")
        for line in lines:
            if len(line.words) > 1:
                found.setdefault(line.words[1], line)
        return found

    def stored_secrets(self) -> list[StoredSecret]:
        """Every password kept in the configuration, and whether it is plaintext, reversible or hashed."""
        found: list[StoredSecret] = []
        config = self.config
        if self.ios:
            encrypted = bool(self.enabled("service", "password-encryption"))
            for line in config.lines:
                words = line.words
                if words[:2] == ["enable", "password"]:
                    found.append(StoredSecret("enable", _ios_form(words[2:], encrypted), line))
                elif words[:1] == ["enable"] and "secret" in words[:2]:
                    found.append(StoredSecret("enable", "hashed", line))
                elif words[:1] == ["username"] and len(words) > 2:
                    kind = next((w for w in words if w in ("password", "secret")), None)
                    if kind == "secret":
                        found.append(StoredSecret(f"user {words[1]}", "hashed", line))
                    elif kind == "password":
                        found.append(
                            StoredSecret(
                                f"user {words[1]}", _ios_form(words[words.index("password") + 1 :], encrypted), line
                            )
                        )
                elif words[:1] == ["line"]:
                    for child in line.children_starting("password"):
                        found.append(StoredSecret(line.text, _ios_form(child.words[1:], encrypted), child))
            return found
        users: list[tuple[str, ConfigLine]] = []
        if self.platform == "huawei_vrp":
            for aaa in config.starting("aaa"):
                users += [
                    (f"user {c.words[1]}", c) for c in aaa.children_starting("local-user") if "password" in c.words
                ]
            for term in config.starting("user-interface"):
                users += [(term.text, c) for c in term.children_starting("set", "authentication", "password")]
        else:
            for user in config.starting("local-user"):
                users += [(f"user {user.words[1]}", c) for c in user.children_starting("password")]
            for term in config.starting("line"):
                users += [(term.text, c) for c in term.children_starting("set", "authentication", "password")]
            users += [("super", line) for line in config.starting("super", "password")]
        for owner, line in users:
            words = line.words
            if "irreversible-cipher" in words or "hash" in words:
                form = "hashed"
            elif "cipher" in words:
                form = "reversible"
            else:
                form = "plaintext"  # `simple`, or a VRP user line with no keyword
            found.append(StoredSecret(owner, form, line))
        return found

    def banner(self) -> ConfigLine | None:
        words = ("banner",) if self.ios else ("header",)
        found = [
            line
            for line in self.config.starting(*words)
            if line.words[1:2] in (["login"], ["motd"], ["legal"], ["shell"])
        ]
        return found[0] if found else None


def _acl_names(head: ConfigLine) -> list[str]:
    """The number and/or name an `acl …` section defines: `acl number 3001`, `acl 3001`, `acl advanced 3001`,
    `acl name X advance`, `acl advanced name X`, `acl number 3001 name X`."""
    words = head.words[1:]
    names = [w for w in words if w.isdigit()]
    if "name" in words and words.index("name") + 1 < len(words):
        names.append(words[words.index("name") + 1])
    return names


def _interface_key(name: str) -> str:
    return name.replace(" ", "").lower()


def _keyed(words: list[str]) -> dict[str, str]:
    """`a 1 b 2` → {a: 1, b: 2}, for words followed by a number."""
    return {word: words[i + 1] for i, word in enumerate(words[:-1]) if words[i + 1].isdigit()}


def _last_number(lines: list[ConfigLine], position: int) -> int | None:
    for line in reversed(lines):
        words = line.words
        if len(words) > position and words[position].isdigit():
            return int(words[position])
    return None


def _ios_form(words: list[str], encrypted: bool) -> str:
    """IOS `password [0|7] X`: 7 is Cisco's reversible type 7; 0 or none is plaintext unless
    `service password-encryption` turns it into type 7 on display."""
    if words[:1] == ["7"]:
        return "reversible"
    if words[:1] in (["5"], ["8"], ["9"]):
        return "hashed"
    return "reversible" if encrypted else "plaintext"


def _ios_rule(words: list[str], line: ConfigLine) -> AclRule | None:
    """`permit 10.10.90.0 0.0.0.255`, `permit host 10.10.90.10`, `deny any` (standard lists)."""
    if not words or words[0] not in ("permit", "deny"):
        return None
    rest = words[1:]
    if rest and (rest[0] in IP_PROTOCOLS or rest[0].isdigit()):
        rest = rest[1:]  # an extended list: the protocol, then the source
    if rest[:1] == ["any"] or not rest:
        return AclRule(words[0], "any", line)
    if rest[0] == "host" and len(rest) > 1:
        return AclRule(words[0], f"{rest[1]}/32", line)
    if len(rest) > 1 and ADDRESS.match(rest[1]):
        return AclRule(words[0], _wildcard_prefix(rest[0], rest[1]), line)
    return AclRule(words[0], f"{rest[0]}/32", line)


def _huawei_rule(line: ConfigLine) -> AclRule | None:
    """`rule 5 permit source 10.10.90.0 0.0.0.255`, `rule 10 deny` (VRP and Comware basic lists)."""
    words = line.words
    action = next((w for w in words[1:3] if w in ("permit", "deny")), None)
    if action is None:
        return None
    if "source" not in words:
        return AclRule(action, "any", line)
    index = words.index("source")
    address = words[index + 1] if len(words) > index + 1 else "any"
    if address == "any":
        return AclRule(action, "any", line)
    mask = words[index + 2] if len(words) > index + 2 and ADDRESS.match(words[index + 2]) else "0"
    return AclRule(action, _wildcard_prefix(address, mask), line)


@functools.lru_cache(maxsize=64)
def _parsed(platform: str, text: str) -> DeviceConfig:
    return parse_config(platform, text)


def quote(line: ConfigLine) -> str:
    first = line.text.splitlines()[0] if line.text else ""
    return f"line {line.number}: {first}" if line.number else first


def as_dict(values: dict[str, ConfigLine]) -> dict[str, Any]:
    return {key: quote(line) for key, line in values.items()}
