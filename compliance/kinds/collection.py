"""What a collector hands the engine, for any kind of 测评对象: named raw outputs, kept verbatim.

A Linux host's probes, a switch's `display current-configuration`, a Windows collector's JSON
files: each is a `ProbeResult` (what was run or read, what came back, its exit code), and one
target's set is a `Collection` with the target's own clock. `Collected` is one target's outcome
of collection: its collection, or why there is none (unreachable, error).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compliance.kinds.target import Target


@dataclass(frozen=True)
class ProbeResult:
    """One probe's raw evidence: the command as run, what it printed (stdout and stderr), its exit code."""

    name: str
    command: str
    output: str
    exit_code: int

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


class MissingProbe(LookupError):
    """A check read a probe its collection does not hold (for example a stored run older than the probe)."""

    def __init__(self, probe: str) -> None:
        super().__init__(probe)
        self.probe = probe


@dataclass(frozen=True)
class Collection:
    """Everything one target returned: its clock at the start, and each probe's result."""

    host_epoch: int
    probes: dict[str, ProbeResult]


def stored_collection(host_clock_utc: str | None, probes: dict[str, Any]) -> Collection:
    """A collection as evidence files and fixtures store it: the host's clock in UTC (ISO 8601), and
    each probe's `command`, `output` and `exit_code`. Raises KeyError, TypeError or ValueError when
    that shape is broken."""
    if not host_clock_utc:
        raise ValueError("no host clock")
    results = {
        name: ProbeResult(name, str(body["command"]), str(body["output"]), int(body["exit_code"]))
        for name, body in probes.items()
    }
    return Collection(int(datetime.fromisoformat(host_clock_utc).timestamp()), results)


@dataclass(frozen=True)
class Collected:
    """What collecting from one target gave: its probe results, or why there are none."""

    target: Target
    status: str  # collected | unreachable | error
    collection: Collection | None
    error: str | None
    started: str | None  # UTC, ISO 8601
    seconds: float | None
