"""One inspection from start to finish: collect the inspection probes from every host, then judge each item."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.inspect.items import Item, host_status, inspect_facts
from compliance.inspect.status import Status, worst
from compliance.kinds.collection import Collected, Collection
from compliance.kinds.target import Target
from compliance.model.host_policy import policy_for_host

EXIT_ALL_GREEN, EXIT_ATTENTION, EXIT_ERROR = 0, 1, 2
DEFAULT_WORKERS = 20
DEFAULT_TIMEOUT = 60.0


@dataclass
class HostInspection:
    """One host's inspection: how collection went and, when it answered, every item."""

    target: Target
    status: str  # collected | unreachable | error | not_inspected
    error: str | None
    started: str | None
    seconds: float | None
    collection: Collection | None = None
    items: list[Item] = field(default_factory=list)

    @property
    def overall(self) -> Status:
        if self.status == "unreachable":
            return Status.RED  # a host that does not answer is never healthy
        if self.status == "error":
            return Status.ERROR
        if self.status == "not_inspected":
            return Status.NOT_APPLICABLE
        return host_status(self.items)


@dataclass
class InspectionRun:
    started: str
    inventory: str | None
    selection: dict[str, Any]
    hosts: list[HostInspection] = field(default_factory=list)
    finished: str | None = None

    @property
    def overall(self) -> Status:
        return worst([host.overall for host in self.hosts])

    def exit_code(self) -> int:
        """0 all green, 1 anything amber or red (an unreachable host is red), 2 anything that could not be read."""
        statuses = {host.overall for host in self.hosts} | {i.status for h in self.hosts for i in h.items}
        if Status.ERROR in statuses:
            return EXIT_ERROR
        if statuses & {Status.RED, Status.AMBER}:
            return EXIT_ATTENTION
        return EXIT_ALL_GREEN

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys((status.value for status in Status), 0)
        for host in self.hosts:
            for item in host.items:
                counted[item.status.value] += 1
        return counted


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def inspect_collected(root: Path, collected: Collected) -> HostInspection:
    """Judge one host's collection under its policies (level and zone from the model)."""
    from compliance.kinds.linux.facts import HostFacts

    target = collected.target
    host = HostInspection(target, collected.status, collected.error, collected.started, collected.seconds,
                          collected.collection)  # fmt: skip
    if collected.collection is None:
        return host
    declared = {"dengbao_level": target.level, "dengbao_zone": target.zone, "ansible_host": target.address}
    policy = policy_for_host(root, target.name, declared).settings
    host.items = inspect_facts(HostFacts(collected.collection), policy, target.name)
    return host


def run_inspection(
    root: Path,
    targets: list[Target],
    *,
    inventory: str | None,
    selection: dict[str, Any],
    workers: int,
    timeout: float,
    on_host: Callable[[Collected], None] | None = None,
) -> InspectionRun:
    """Inspect every Linux host of `targets` at once; the others are listed as not inspected."""
    from compliance.kinds.linux.probes import INSPECTION_PROBES
    from compliance.kinds.linux.transport import collect

    run = InspectionRun(started=now(), inventory=inventory, selection=selection)
    linux = [target for target in targets if target.kind == "linux"]
    collected = collect(linux, workers, timeout, on_host, INSPECTION_PROBES) if linux else {}
    for target in targets:
        if target.name in collected:
            run.hosts.append(inspect_collected(root, collected[target.name]))
        else:
            reason = f"a {target.kind} is not inspected yet (Linux servers only)"
            run.hosts.append(HostInspection(target, "not_inspected", reason, None, None))
    run.hosts.sort(key=lambda host: (host.overall.rank, host.target.name))
    run.finished = now()
    return run
