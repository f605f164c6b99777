"""A Linux host's facts: one typed, pure parser per probe, read through `HostFacts`.

Each probe of `compliance.kinds.linux.probes` is a command; its parser here is a pure function
of that command's output (pyinfra's shape of a fact), in a module per topic, tested on outputs
recorded from real lab hosts. Checks read `HostFacts` and never parse text themselves, so a
parser fixed here is fixed for every check. Every read of a fact, first or cached, records its
probe, so a check's result carries exactly the raw evidence it looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from compliance.kinds.collection import Collection, MissingProbe, ProbeResult
from compliance.kinds.linux.facts import accounts as _accounts
from compliance.kinds.linux.facts import audit as _audit
from compliance.kinds.linux.facts import backups as _backups
from compliance.kinds.linux.facts import clock as _clock
from compliance.kinds.linux.facts import health as _health
from compliance.kinds.linux.facts import jobs as _jobs
from compliance.kinds.linux.facts import logs as _logs
from compliance.kinds.linux.facts import nftables as _nftables
from compliance.kinds.linux.facts import pam as _pam
from compliance.kinds.linux.facts import patching as _patching
from compliance.kinds.linux.facts import shell as _shell
from compliance.kinds.linux.facts import sources as _sources
from compliance.kinds.linux.facts import ssh as _ssh
from compliance.kinds.linux.facts import sudo as _sudo
from compliance.kinds.linux.facts import system as _system
from compliance.kinds.linux.facts.accounts import Account, ShadowEntry
from compliance.kinds.linux.facts.audit import FileMode
from compliance.kinds.linux.facts.clock import TimeSources
from compliance.kinds.linux.facts.logs import ForwardTarget, Logrotate
from compliance.kinds.linux.facts.pam import PamLine
from compliance.kinds.linux.facts.patching import PackageUpdates, PendingUpdate
from compliance.kinds.linux.facts.shell import ShellTimeout
from compliance.kinds.linux.facts.sources import PackageSource, PackageSources
from compliance.kinds.linux.facts.sudo import SudoGrant
from compliance.kinds.linux.facts.system import CONTAINER_TYPES, Identity, Listener
from compliance.kinds.linux.probes import SSH_SERVER_UNITS, asked_units

T = TypeVar("T")
SECONDS_PER_DAY = 86400
SECONDS_PER_MINUTE = 60

# probe name → its parser: every probe the collector runs has exactly one (tested).
PARSERS: dict[str, Callable[[str], Any]] = {
    "host_identity": _system.parse_host_identity,
    "os_release": _system.parse_os_release,
    "virtualization": _system.parse_virtualization,
    "passwd": _accounts.parse_passwd,
    "group": _accounts.parse_groups,
    "shadow": _accounts.parse_shadow,
    "login_defs": _accounts.parse_login_defs,
    "useradd_defaults": _accounts.parse_useradd_defaults,
    "pam": _pam.parse_pam,
    "pwquality": _pam.parse_pwquality,
    "faillock": _pam.parse_faillock,
    "sshd": _ssh.parse_sshd,
    "shell_timeout": _shell.parse_shell_timeout,
    "packages": _system.parse_packages,
    "unit_files": _system.parse_unit_files,
    "active_units": _system.parse_active_units,
    "listening": _system.parse_listeners,
    "sudoers": _sudo.parse_sudoers,
    "audit_rules": _audit.parse_audit_rules,
    "auditd_conf": _audit.parse_auditd_conf,
    "audit_log_files": _audit.parse_file_modes,
    "syslog_config": _logs.parse_syslog_forwarding,
    "logrotate": _logs.parse_logrotate,
    "timezone": _clock.parse_timezone,
    "time_sync": _clock.parse_time_sources,
    "antivirus": _jobs.parse_antivirus,
    "crontabs": _jobs.parse_crontabs,
    "package_updates": _patching.parse_package_updates,
    "package_sources": _sources.parse_package_sources,
    "backups": _backups.parse_backups,
    "nftables": _nftables.parse_nftables,
    "routes": _nftables.parse_routes,
    # the daily inspection's own probes
    "load": _health.parse_load,
    "memory": _health.parse_memory,
    "filesystems": _health.parse_filesystems,
    "services": _health.parse_services,
    "log_errors": _health.parse_log_errors,
    "audit_failures": _health.parse_audit_failures,
    "certificates": _health.parse_certificates,
    "clock_sync": _health.parse_clock_sync,
    "postgresql": _health.parse_postgresql,
}


def _record_stamp(stamp: object) -> float | None:
    """The epoch of a UTC time as the roles' records write it (`2026-12-02T03:24:30Z`); None if it is not one."""
    try:
        return datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


class fact(Generic[T]):
    """A HostFacts attribute: the probe's output through its parser, parsed once, recorded on every read."""

    def __init__(self, probe: str, parser: Callable[[str], T]) -> None:
        if PARSERS.get(probe) is not parser:
            raise ValueError(f"{probe}: a fact must use the probe's registered parser")
        self.probe, self.parser = probe, parser
        self.__doc__ = parser.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_fact_{name}"

    def __get__(self, facts: HostFacts | None, owner: type) -> T:
        if facts is None:
            return self  # type: ignore[return-value]
        facts.used.add(self.probe)
        if self.slot not in facts.__dict__:
            facts.__dict__[self.slot] = self.parser(facts.probe(self.probe).output)
        return facts.__dict__[self.slot]


@dataclass
class HostFacts:
    """Parsed facts of one host, over one collection; records which probes were read."""

    collection: Collection
    used: set[str] = field(default_factory=set)

    identity = fact("host_identity", _system.parse_host_identity)
    os_release = fact("os_release", _system.parse_os_release)
    virtualization = fact("virtualization", _system.parse_virtualization)
    accounts = fact("passwd", _accounts.parse_passwd)
    groups = fact("group", _accounts.parse_groups)
    shadow = fact("shadow", _accounts.parse_shadow)
    login_defs = fact("login_defs", _accounts.parse_login_defs)
    useradd_defaults = fact("useradd_defaults", _accounts.parse_useradd_defaults)
    pam = fact("pam", _pam.parse_pam)
    pwquality = fact("pwquality", _pam.parse_pwquality)
    faillock_conf = fact("faillock", _pam.parse_faillock)
    sshd = fact("sshd", _ssh.parse_sshd)
    shell_timeout = fact("shell_timeout", _shell.parse_shell_timeout)
    packages = fact("packages", _system.parse_packages)
    unit_files = fact("unit_files", _system.parse_unit_files)
    active_units = fact("active_units", _system.parse_active_units)
    listeners = fact("listening", _system.parse_listeners)
    sudo_grants = fact("sudoers", _sudo.parse_sudoers)
    audit_rules = fact("audit_rules", _audit.parse_audit_rules)
    auditd_conf = fact("auditd_conf", _audit.parse_auditd_conf)
    audit_log_files = fact("audit_log_files", _audit.parse_file_modes)
    syslog_forward_targets = fact("syslog_config", _logs.parse_syslog_forwarding)
    logrotate = fact("logrotate", _logs.parse_logrotate)
    timezone = fact("timezone", _clock.parse_timezone)
    time_sources = fact("time_sync", _clock.parse_time_sources)
    antivirus = fact("antivirus", _jobs.parse_antivirus)
    cron_jobs = fact("crontabs", _jobs.parse_crontabs)
    package_updates = fact("package_updates", _patching.parse_package_updates)
    package_sources = fact("package_sources", _sources.parse_package_sources)
    backups = fact("backups", _backups.parse_backups)
    nftables = fact("nftables", _nftables.parse_nftables)
    routes = fact("routes", _nftables.parse_routes)
    load = fact("load", _health.parse_load)
    memory = fact("memory", _health.parse_memory)
    filesystems = fact("filesystems", _health.parse_filesystems)
    services = fact("services", _health.parse_services)
    log_errors = fact("log_errors", _health.parse_log_errors)
    audit_failures = fact("audit_failures", _health.parse_audit_failures)
    certificates = fact("certificates", _health.parse_certificates)
    clock_sync = fact("clock_sync", _health.parse_clock_sync)
    postgresql = fact("postgresql", _health.parse_postgresql)

    def probe(self, name: str) -> ProbeResult:
        """A probe's raw result, for a check that shows it (never parses it)."""
        self.used.add(name)
        if name not in self.collection.probes:
            raise MissingProbe(name)
        return self.collection.probes[name]

    @property
    def epoch(self) -> int:
        """The host's clock when collection started."""
        return self.collection.host_epoch

    def days_before_collection(self, epoch: float) -> float:
        return round((self.epoch - epoch) / SECONDS_PER_DAY, 1)

    def days_before_collection_of_stamp(self, stamp: object) -> float | None:
        """The same for a UTC time as the roles' records write it (`2026-12-02T03:24:30Z`); None if it is not one."""
        moment = _record_stamp(stamp)
        return None if moment is None else self.days_before_collection(moment)

    def minutes_before_collection_of_stamp(self, stamp: object) -> int | None:
        """Whole minutes, for ages judged against a duration such as `2h` (a tenth of a day is 144 minutes)."""
        moment = _record_stamp(stamp)
        return None if moment is None else round((self.epoch - moment) / SECONDS_PER_MINUTE)

    @property
    def family(self) -> str:
        """`debian` or `rhel` (Kylin, UOS, openEuler and Anolis declare one of them in ID_LIKE)."""
        ids = f"{self.os_release.get('ID', '')} {self.os_release.get('ID_LIKE', '')}".lower()
        if any(word in ids for word in ("debian", "ubuntu", "uos", "deepin")):
            return "debian"
        return "rhel"

    @property
    def in_container(self) -> bool:
        return self.virtualization in CONTAINER_TYPES

    def pam_modules(self, kind: str, module: str) -> list[PamLine]:
        """Lines of the shared auth/password stacks (common-* or system-auth) using the module."""
        return [
            line for line in self.pam if line.kind == kind and line.module == module and not line.file.endswith("/sshd")
        ]

    def sshd_value(self, key: str) -> str | None:
        values = self.sshd.get(key)
        return values[0] if values else None

    @property
    def unit_files_asked(self) -> frozenset[str] | None:
        """The units whose enablement was asked for (None: every unit file was listed). A unit outside them was
        not looked at, which is not the same as not installed."""
        return asked_units(self.probe("unit_files").command)

    @property
    def ssh_server(self) -> str:
        """`read` (sshd -T answered), `absent` (no SSH server installed or known to systemd) or `unreadable`."""
        if self.sshd:
            return "read"
        installed = "openssh-server" in self.packages or bool(SSH_SERVER_UNITS & set(self.unit_files))
        return "unreadable" if installed else "absent"


__all__ = [
    "PARSERS",
    "Account",
    "FileMode",
    "ForwardTarget",
    "HostFacts",
    "Identity",
    "Listener",
    "Logrotate",
    "PackageSource",
    "PackageSources",
    "PackageUpdates",
    "PamLine",
    "PendingUpdate",
    "ShadowEntry",
    "ShellTimeout",
    "SudoGrant",
    "TimeSources",
]
