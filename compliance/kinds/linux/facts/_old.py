"""Host facts parsed from probe output: pure functions from text to data, one per probe.

Checks read these, never the raw text, so a parser fixed here is fixed for every check.
`HostFacts` parses lazily and caches, and remembers which probes a check touched so the
result can carry exactly that raw evidence.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from compliance.scan.probes import Collection, ProbeResult

T = TypeVar("T")
INTERACTIVE_SHELL = re.compile(r"/(ba|z|k|c|tc|da|fi)?sh$")
FIRST_REGULAR_UID = 1000


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: str
    shell: str

    @property
    def interactive(self) -> bool:
        return bool(INTERACTIVE_SHELL.search(self.shell))


@dataclass(frozen=True)
class ShadowEntry:
    name: str
    state: str  # hash | locked | empty
    last_change: int | None
    min_days: int | None
    max_days: int | None
    warn_days: int | None
    inactive_days: int | None
    expire_day: int | None


@dataclass(frozen=True)
class PamLine:
    file: str
    kind: str  # auth, account, password, session
    control: str
    module: str
    arguments: tuple[str, ...]

    def argument(self, key: str) -> str | None:
        for argument in self.arguments:
            if argument == key:
                return ""
            if argument.startswith(key + "="):
                return argument.split("=", 1)[1]
        return None


@dataclass(frozen=True)
class Listener:
    protocol: str
    address: str
    port: int


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def split_file_lines(output: str) -> list[tuple[str, str]]:
    """`path:line` pairs as the `_files` probes print them (paths never contain a colon here)."""
    pairs = []
    for line in output.splitlines():
        path, sep, rest = line.partition(":")
        if sep and path.startswith("/"):
            pairs.append((path, rest))
    return pairs


def parse_key_values(output: str, separator: str | None = None) -> dict[str, str]:
    """`KEY value` or `key = value` lines (last one wins, as the daemons read them)."""
    values: dict[str, str] = {}
    for raw in output.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if separator and separator in line:
            key, value = line.split(separator, 1)
        else:
            parts = line.split(None, 1)
            key, value = parts[0], (parts[1] if len(parts) > 1 else "")
        values[key.strip()] = value.strip()
    return values


def parse_host_identity(output: str) -> dict[str, object]:
    """The `host_identity` probe: host name, machine-id, addresses, SSH host key fingerprints."""
    identity: dict[str, object] = {"hostname": None, "machine_id": None, "addresses": [], "host_keys": []}
    for line in output.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in ("hostname", "machine_id"):
            identity[words[0]] = words[1]
        elif len(words) == 3 and words[0] == "address":
            identity["addresses"].append(f"{words[2]} ({words[1]})")  # type: ignore[union-attr]
        elif len(words) == 3 and words[0] == "host_key":
            identity["host_keys"].append(f"{words[1].strip('()')} {words[2]}")  # type: ignore[union-attr]
    return identity


def parse_os_release(output: str) -> dict[str, str]:
    values = {}
    for line in output.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip('"')
    return values


def parse_passwd(output: str) -> list[Account]:
    accounts = []
    for line in output.splitlines():
        fields = line.split(":")
        if len(fields) >= 7 and fields[2].isdigit() and fields[3].isdigit():
            accounts.append(Account(fields[0], int(fields[2]), int(fields[3]), fields[5], fields[6]))
    return accounts


def parse_groups(output: str) -> dict[str, list[str]]:
    groups = {}
    for line in output.splitlines():
        fields = line.split(":")
        if len(fields) >= 4:
            groups[fields[0]] = [m for m in fields[3].split(",") if m]
    return groups


def parse_shadow(output: str) -> dict[str, ShadowEntry]:
    entries = {}
    for line in output.splitlines():
        fields = line.split(":")
        if len(fields) >= 8:
            numbers = [_int(f) for f in fields[2:8]]
            entries[fields[0]] = ShadowEntry(fields[0], fields[1], *numbers)
    return entries


def parse_pam(output: str) -> list[PamLine]:
    lines = []
    for path, text in split_file_lines(output):
        text = text.strip()
        if text.startswith("@include") or not text:
            continue
        # `[success=1 default=ignore]` is one control field even though it has spaces.
        match = re.match(r"^-?(\w+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$", text)
        if match:
            kind, control, module, rest = match.groups()
            arguments = tuple(rest.split())
            lines.append(PamLine(path, kind, control, module.rsplit("/", 1)[-1], arguments))
    return lines


def parse_sshd(output: str) -> dict[str, list[str]]:
    """`sshd -T` output: keyword → values (keywords that repeat, like listenaddress, keep all)."""
    values: dict[str, list[str]] = {}
    for line in output.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2 and re.fullmatch(r"[a-z0-9]+", parts[0]):
            values.setdefault(parts[0], []).append(parts[1])
    return values


def parse_packages(output: str) -> dict[str, str]:
    packages = {}
    for line in output.splitlines():
        name, sep, version = line.partition("\t")
        if sep and name:
            packages[name] = version
    return packages


def parse_unit_files(output: str) -> dict[str, str]:
    """unit name → enablement state (enabled, disabled, static, masked, …)."""
    units = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            units[parts[0]] = parts[1]
    return units


def parse_active_units(output: str) -> set[str]:
    return {line.split()[0] for line in output.splitlines() if line.split()}


def parse_listeners(output: str) -> list[Listener]:
    listeners = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 5:
            local = parts[4]
            address, _, port = local.rpartition(":")
            if port.isdigit():
                listeners.append(Listener(parts[0], address, int(port)))
    return listeners


def parse_clamav_databases(output: str) -> dict[str, float]:
    databases = {}
    for line in output.splitlines():
        name, _, stamp = line.rpartition(" ")
        try:
            databases[name] = float(stamp)
        except ValueError:
            continue
    return databases


def parse_package_updates(output: str) -> tuple[int | None, list[str]]:
    """(epoch of the last package-index refresh or None, pending upgrade lines)."""
    index: int | None = None
    pending = []
    for line in output.splitlines():
        if line.startswith("index"):
            index = _int(line[len("index") :])
        elif line.startswith("pending "):
            pending.append(line[len("pending ") :])
    return index, pending


def shell_words(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def parsed(probe: str) -> Callable[[Callable[[HostFacts], T]], T]:
    """A fact parsed once from `probe`; every read, first or cached, records the probe as evidence."""

    def decorator(parse: Callable[[HostFacts], T]) -> T:
        slot = f"_parsed_{parse.__name__}"

        def read(self: HostFacts) -> T:
            self.used.add(probe)
            if slot not in self.__dict__:
                self.__dict__[slot] = parse(self)
            return self.__dict__[slot]

        read.__doc__ = parse.__doc__
        return property(read)  # type: ignore[return-value]

    return decorator


@dataclass
class HostFacts:
    """Parsed facts of one host, over one collection; records which probes were read."""

    collection: Collection
    used: set[str] = field(default_factory=set)

    def probe(self, name: str) -> ProbeResult:
        self.used.add(name)
        return self.collection.probes[name]

    def text(self, name: str) -> str:
        return self.probe(name).output

    @property
    def epoch(self) -> int:
        return self.collection.host_epoch

    @cached_property
    def _os(self) -> dict[str, str]:
        return parse_os_release(self.collection.probes["os_release"].output)

    @property
    def os_release(self) -> dict[str, str]:
        self.used.add("os_release")
        return self._os

    @property
    def family(self) -> str:
        """`debian` or `rhel` (Kylin, UOS, openEuler and Anolis declare one of them in ID_LIKE)."""
        ids = f"{self._os.get('ID', '')} {self._os.get('ID_LIKE', '')}".lower()
        if any(word in ids for word in ("debian", "ubuntu", "uos", "deepin")):
            return "debian"
        return "rhel"

    @property
    def in_container(self) -> bool:
        virt = self.text("virtualization").strip()
        return virt in {"systemd-nspawn", "docker", "podman", "lxc", "lxc-libvirt", "openvz", "wsl", "container-other"}

    @parsed("host_identity")
    def identity(self) -> dict[str, object]:
        return parse_host_identity(self.text("host_identity"))

    @parsed("passwd")
    def accounts(self) -> list[Account]:
        return parse_passwd(self.text("passwd"))

    @parsed("group")
    def groups(self) -> dict[str, list[str]]:
        return parse_groups(self.text("group"))

    @parsed("shadow")
    def shadow(self) -> dict[str, ShadowEntry]:
        return parse_shadow(self.text("shadow"))

    @parsed("login_defs")
    def login_defs(self) -> dict[str, str]:
        return parse_key_values(self.text("login_defs"))

    @parsed("useradd_defaults")
    def useradd_defaults(self) -> dict[str, str]:
        return parse_key_values(self.text("useradd_defaults"), "=")

    @parsed("pam")
    def pam(self) -> list[PamLine]:
        return parse_pam(self.text("pam"))

    def pam_modules(self, kind: str, module: str) -> list[PamLine]:
        """Lines of the shared auth/password stacks (common-* or system-auth) using the module."""
        return [
            line for line in self.pam if line.kind == kind and line.module == module and not line.file.endswith("/sshd")
        ]

    @parsed("pwquality")
    def pwquality(self) -> dict[str, str]:
        return parse_key_values("\n".join(text for _, text in split_file_lines(self.text("pwquality"))), "=")

    @parsed("faillock")
    def faillock_conf(self) -> dict[str, str]:
        lines = [text for _, text in split_file_lines(self.text("faillock"))]
        values = {}
        for line in lines:
            key, sep, value = line.partition("=")
            values[key.strip()] = value.strip() if sep else ""
        return values

    @parsed("sshd")
    def sshd(self) -> dict[str, list[str]]:
        return parse_sshd(self.text("sshd"))

    def sshd_value(self, key: str) -> str | None:
        values = self.sshd.get(key)
        return values[0] if values else None

    @parsed("packages")
    def packages(self) -> dict[str, str]:
        return parse_packages(self.text("packages"))

    @parsed("unit_files")
    def unit_files(self) -> dict[str, str]:
        return parse_unit_files(self.text("unit_files"))

    @parsed("active_units")
    def active_units(self) -> set[str]:
        return parse_active_units(self.text("active_units"))

    @parsed("listening")
    def listeners(self) -> list[Listener]:
        return parse_listeners(self.text("listening"))

    def file_lines(self, probe: str) -> list[tuple[str, str]]:
        return split_file_lines(self.text(probe))
