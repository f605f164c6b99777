"""Package updates and patch runs: what is pending and since when, holds, the kernel, the last patch run.

Two sources, in order of preference:
- the record the patching role's apt hook writes after every index refresh and dpkg run
  (`record {json}`): each pending update with its origin, whether it is held, and when the host
  first saw it;
- otherwise a simulated upgrade (`pending <name> <apt's Inst line>`, or dnf's updateinfo), which
  says what is pending but not since when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from compliance.kinds.linux.facts.text import as_int

RECORD = "record"
SIMULATION = "simulation"


@dataclass(frozen=True)
class PendingUpdate:
    package: str
    security: bool
    held: bool
    first_seen: int | None  # epoch the host first saw this version pending; None where unknown (simulation)
    installed: str | None = None
    candidate: str | None = None
    origin: str = ""


@dataclass(frozen=True)
class InstalledKernel:
    release: str  # as `uname -r` prints it
    installed_at: int  # epoch


@dataclass(frozen=True)
class PackageUpdates:
    source: str  # RECORD or SIMULATION
    index_refreshed: int | None  # epoch of the newest Release file, None if the index was never fetched
    updates: tuple[PendingUpdate, ...]
    holds: tuple[str, ...]  # packages dpkg (apt-mark) holds
    last_run: dict[str, Any] | None  # the patching role's last run record
    run_records: int  # how many run records the host keeps
    kernel_running: str | None
    kernels_installed: tuple[InstalledKernel, ...]
    unreadable: str | None = None  # why a record present on the host could not be read

    def newest_kernel(self) -> InstalledKernel | None:
        return max(self.kernels_installed, key=lambda kernel: kernel.installed_at, default=None)


def _from_record(text: str) -> tuple[int | None, tuple[PendingUpdate, ...]]:
    record = json.loads(text)
    updates = tuple(
        PendingUpdate(
            package=str(entry["package"]),
            security=bool(entry["security"]),
            held=bool(entry.get("held", False)),
            first_seen=int(entry["first_seen"]),
            installed=entry.get("installed"),
            candidate=entry.get("candidate"),
            origin=str(entry.get("origin", "")),
        )
        for entry in record["updates"]
    )
    return as_int(str(record.get("index_refreshed"))), updates


def _simulated(line: str, holds: set[str]) -> PendingUpdate:
    name = line.split()[0]
    return PendingUpdate(name, "security" in line.lower(), name in holds, None)


def parse_package_updates(output: str) -> PackageUpdates:
    index: int | None = None
    record: str | None = None
    simulated: list[str] = []
    holds: list[str] = []
    last_run: dict[str, Any] | None = None
    runs = 0
    running: str | None = None
    kernels: list[InstalledKernel] = []
    unreadable: str | None = None
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        rest = rest.strip()
        if kind == "index":
            index = as_int(rest)
        elif kind == "record":
            record = rest
        elif kind == "pending" and rest:
            simulated.append(rest)
        elif kind == "hold" and rest:
            holds.append(rest)
        elif kind == "last_run":
            try:
                last_run = json.loads(rest)
            except ValueError:
                unreadable = "the last patch run's record is not valid JSON"
        elif kind == "runs":
            runs = as_int(rest) or 0
        elif kind == "kernel_running" and rest:
            running = rest
        elif kind == "kernel_installed":
            parts = rest.split()
            if len(parts) == 2 and parts[1].isdigit():
                kernels.append(InstalledKernel(parts[0], int(parts[1])))
    if record is not None:
        try:
            record_index, recorded = _from_record(record)
            # A hold set since the record was written (apt-mark runs no apt hook) counts from the live list.
            updates = tuple(replace(u, held=u.held or u.package in holds) for u in recorded)
        except (ValueError, KeyError, TypeError):
            updates, record_index = (), None
            unreadable = "the pending-update record is not valid (expected the patching role's JSON)"
        source = RECORD
        index = index if index is not None else record_index
    else:
        updates = tuple(_simulated(line, set(holds)) for line in simulated)
        source = SIMULATION
    return PackageUpdates(source, index, updates, tuple(holds), last_run, runs, running, tuple(kernels), unreadable)
