"""How a host is doing today, for the daily inspection (巡检): load, memory, file systems, units, errors in
the journal, clock synchronisation and the PostgreSQL server. Each parser is a pure function of its
probe's output (`compliance.kinds.linux.probes.INSPECTION_PROBES`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Mount points that belong to the kernel or the container runtime, never to data.
PSEUDO_MOUNTS = ("/dev", "/sys", "/proc", "/run")
PSEUDO_TYPES = frozenset({"devtmpfs", "squashfs", "proc", "sysfs", "cgroup", "cgroup2", "iso9660"})
INODES_FENCE = "--inodes"


class HealthOutputError(ValueError):
    """A probe printed something its parser cannot read: the item is an error, never a verdict."""


@dataclass(frozen=True)
class Load:
    one: float
    five: float
    fifteen: float
    cores: int
    uptime_seconds: float


@dataclass(frozen=True)
class Memory:
    total_kib: int
    available_kib: int
    swap_total_kib: int
    swap_free_kib: int

    @property
    def used_percent(self) -> int:
        return _percent(self.total_kib - self.available_kib, self.total_kib)

    @property
    def swap_used_percent(self) -> int | None:
        if self.swap_total_kib == 0:
            return None
        return _percent(self.swap_total_kib - self.swap_free_kib, self.swap_total_kib)


@dataclass(frozen=True)
class FileSystem:
    mount: str
    device: str
    type: str
    size_bytes: int
    used_bytes: int
    available_bytes: int
    inodes: int | None = None
    inodes_used: int | None = None

    @property
    def used_percent(self) -> int:
        """As df computes it: used against what users can have (the root reserve left out), rounded up."""
        return _percent(self.used_bytes, self.used_bytes + self.available_bytes)

    @property
    def inodes_used_percent(self) -> int | None:
        if not self.inodes:
            return None  # file systems without a fixed inode table (btrfs, some tmpfs) print 0
        return _percent(self.inodes_used or 0, self.inodes)


@dataclass(frozen=True)
class Unit:
    name: str
    load: str  # loaded, not-found, masked
    active: str  # active, inactive, failed, activating
    sub: str  # running, exited, dead, waiting, …


@dataclass(frozen=True)
class LogErrors:
    total: int
    groups: tuple[tuple[int, str], ...]  # (count, one example message), most frequent first


@dataclass(frozen=True)
class AuditFailures:
    present: bool  # a readable audit log
    failed: int
    kinds: tuple[tuple[str, int], ...]  # (record type, count), most frequent first


@dataclass(frozen=True)
class Certificate:
    port: int
    not_after: float  # epoch
    subject: str


@dataclass(frozen=True)
class ClockSync:
    synchronised: bool | None  # timedatectl's NTPSynchronized
    offset_ms: float | None  # chrony's "System time", signed: positive is fast
    leap_status: str | None
    source: str | None  # chrony's reference


@dataclass(frozen=True)
class Database:
    name: str
    size_bytes: int


@dataclass(frozen=True)
class PostgreSQL:
    installed: bool
    answering: bool
    error: str | None = None
    version: str | None = None
    data_directory: str | None = None
    max_connections: int | None = None
    connections: int | None = None
    in_recovery: bool = False
    replay_lag_seconds: float | None = None  # on a standby
    replicas: tuple[tuple[str, str, float], ...] = ()  # (application name, state, replay lag in s) on a primary
    databases: tuple[Database, ...] = ()
    data_filesystem: FileSystem | None = None


@dataclass(frozen=True)
class Services:
    """Every unit systemd knows of, as `systemctl list-units --all` lists it."""

    units: dict[str, Unit] = field(default_factory=dict)

    @property
    def failed(self) -> list[Unit]:
        return [unit for unit in self.units.values() if unit.active == "failed"]


def _percent(part: int, whole: int) -> int:
    return 0 if whole <= 0 else math.ceil(part * 100 / whole)


def parse_load(output: str) -> Load:
    """`/proc/loadavg`, the number of cores, then the seconds since PID 1 started."""
    lines = [line.split() for line in output.splitlines() if line.strip()]
    try:
        one, five, fifteen = (float(value) for value in lines[0][:3])
        cores = int(lines[1][0])
        uptime = float(lines[2][0])
    except (IndexError, ValueError) as error:
        raise HealthOutputError(f"load: cannot read {output[:120]!r}") from error
    return Load(one, five, fifteen, cores, uptime)


def parse_memory(output: str) -> Memory:
    """`/proc/meminfo` (kiB)."""
    values: dict[str, int] = {}
    for line in output.splitlines():
        key, _, rest = line.partition(":")
        words = rest.split()
        if words and words[0].isdigit():
            values[key.strip()] = int(words[0])
    try:
        return Memory(values["MemTotal"], values["MemAvailable"], values.get("SwapTotal", 0), values.get("SwapFree", 0))
    except KeyError as error:
        raise HealthOutputError(f"memory: /proc/meminfo has no {error.args[0]}") from error


def _df_rows(lines: list[str]) -> list[list[str]]:
    """Rows of `df -P`: six fields, then the mount point (which may hold spaces)."""
    rows = []
    for line in lines:
        words = line.split()
        if len(words) < 7 or not words[2].isdigit():
            continue  # the header, or an error df printed for one mount
        rows.append([*words[:6], " ".join(words[6:])])
    return rows


def parse_filesystems(output: str) -> list[FileSystem]:
    """`df -PT -B1`, then `--inodes` and `df -Pi`: data file systems only, with their inode use."""
    blocks, _, inodes = output.partition(INODES_FENCE)
    inode_use = _inode_use(inodes.splitlines())
    found: dict[str, FileSystem] = {}
    for device, kind, size, used, available, _capacity, mount in _df_rows(blocks.splitlines()):
        if kind in PSEUDO_TYPES or any(mount == p or mount.startswith(p + "/") for p in PSEUDO_MOUNTS):
            continue
        inodes_total, inodes_used = inode_use.get((device, mount), (None, None))
        found[mount] = FileSystem(mount, device, kind, int(size), int(used), int(available), inodes_total, inodes_used)
    if not found:
        raise HealthOutputError("filesystems: df listed no file system")
    return list(found.values())


def _inode_use(lines: list[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """`df -Pi` rows (device, inodes, used, free, use %, mount point) as (device, mount) → (inodes, used)."""
    use = {}
    for line in lines:
        words = line.split()
        if len(words) >= 6 and words[1].isdigit() and words[2].isdigit():
            use[(words[0], " ".join(words[5:]))] = (int(words[1]), int(words[2]))
    return use


def parse_services(output: str) -> Services:
    """`systemctl list-units --all --plain --no-legend`: unit, load, active, sub, description."""
    units = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) >= 4 and "." in words[0]:
            units[words[0]] = Unit(words[0], words[1], words[2], words[3])
    if not units:
        raise HealthOutputError(f"systemctl listed no unit: {output.strip()[:200] or 'no output'}")
    return Services(units)


def parse_log_errors(output: str) -> LogErrors:
    """`total N`, then `group COUNT MESSAGE` per kind of message (numbers made alike), most frequent first."""
    total: int | None = None
    groups = []
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "total" and rest.strip().isdigit():
            total = int(rest)
        elif kind == "group":
            count, _, message = rest.partition(" ")
            if count.isdigit():
                groups.append((int(count), message))
    if total is None:
        raise HealthOutputError(f"log_errors: the journal could not be read: {output.strip()[:200]}")
    groups.sort(key=lambda group: (-group[0], group[1]))
    return LogErrors(total, tuple(groups))


def parse_audit_failures(output: str) -> AuditFailures:
    """`absent`, or `failed N` then `kind TYPE N` per audit record type."""
    if output.strip() == "absent":
        return AuditFailures(False, 0, ())
    failed: int | None = None
    kinds = []
    for line in output.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == "failed" and words[1].isdigit():
            failed = int(words[1])
        elif len(words) == 3 and words[0] == "kind" and words[2].isdigit():
            kinds.append((words[1], int(words[2])))
    if failed is None:
        raise HealthOutputError(f"audit_failures: the audit log could not be read: {output.strip()[:200]}")
    return AuditFailures(True, failed, tuple(sorted(kinds, key=lambda kind: (-kind[1], kind[0]))))


def parse_certificates(output: str) -> list[Certificate]:
    """`cert PORT notAfter=Nov 30 11:52:35 2036 GMT subject=CN = his-db-01` per port serving TLS."""
    found: dict[int, Certificate] = {}
    for line in output.splitlines():
        match = re.match(r"cert (\d+) notAfter=(.+? GMT)\s*(?:subject=(.*))?$", line.strip())
        if not match:
            continue
        try:
            moment = datetime.strptime(" ".join(match.group(2).split()), "%b %d %H:%M:%S %Y %Z").replace(tzinfo=UTC)
        except ValueError as error:
            raise HealthOutputError(f"certificates: cannot read the date in {line!r}") from error
        port = int(match.group(1))
        found.setdefault(port, Certificate(port, moment.timestamp(), (match.group(3) or "").strip()))
    return sorted(found.values(), key=lambda certificate: certificate.port)


def parse_clock_sync(output: str) -> ClockSync:
    """`timedatectl show`, then `chronyc -n tracking` where chrony runs."""
    synchronised = None
    offset = leap = source = None
    for line in output.splitlines():
        if line.startswith("NTPSynchronized="):
            synchronised = line.partition("=")[2].strip() == "yes"
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "System time":
            match = re.match(r"([0-9.]+) seconds (fast|slow)", value)
            if match:
                seconds = float(match.group(1)) * (1 if match.group(2) == "fast" else -1)
                offset = round(seconds * 1000, 3)
        elif key == "Leap status":
            leap = value
        elif key == "Reference ID":
            source = value
    return ClockSync(synchronised, offset, leap, source)


def parse_postgresql(output: str) -> PostgreSQL:
    """`absent`, or psql's rows (`server|…`, `database|…`, `standby|…`, `replica|…`), `error …` and the data
    directory's `df -PT -B1`."""
    lines = output.splitlines()
    if not lines or lines[0].strip() == "absent":
        return PostgreSQL(installed=False, answering=False)
    errors = [line.removeprefix("error ").strip() for line in lines if line.startswith("error ")]
    server: list[str] | None = None
    databases, replicas = [], []
    lag = None
    for line in lines:
        fields = line.split("|")
        if fields[0] == "server" and len(fields) >= 6:
            server = fields
        elif fields[0] == "database" and len(fields) == 3 and fields[2].isdigit():
            databases.append(Database(fields[1], int(fields[2])))
        elif fields[0] == "standby" and len(fields) == 2:
            lag = _float(fields[1])
        elif fields[0] == "replica" and len(fields) == 4:
            replicas.append((fields[1], fields[2], _float(fields[3]) or 0.0))
    if server is None:
        return PostgreSQL(installed=True, answering=False, error="; ".join(errors) or "psql gave no answer")
    filesystems = [
        FileSystem(mount, device, kind, int(size), int(used), int(free))
        for device, kind, size, used, free, _capacity, mount in _df_rows(lines)
    ]
    return PostgreSQL(
        installed=True,
        answering=True,
        version=server[1],
        data_directory=server[2],
        max_connections=int(server[3]) if server[3].isdigit() else None,
        connections=int(server[4]) if server[4].isdigit() else None,
        in_recovery=server[5] == "t",
        replay_lag_seconds=lag,
        replicas=tuple(replicas),
        databases=tuple(databases),
        data_filesystem=filesystems[0] if filesystems else None,
    )


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
