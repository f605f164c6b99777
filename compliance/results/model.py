"""The results model, defined once: outcome, check result, item result, target result, run.

Checks return an `Outcome`; the engine turns outcomes into `CheckResult`s and `ItemResult`s per
target (`HostResult`) and gathers them in a `ScanRun`; `compliance.results.document` writes the
run as results.json, and the evidence store and reports read it. Nothing here knows a kind of
object or a check's code: a check result names its check by the few fields reports show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from compliance import __version__
from compliance.catalog.catalog import Item
from compliance.kinds.collection import Collection, ProbeResult
from compliance.kinds.target import Target
from compliance.model.waivers import Waiver
from compliance.results.verdicts import Verdict


class CheckIdentity(Protocol):
    """What a result needs of the check that produced it (the registry's `Check` has it)."""

    @property
    def id(self) -> str: ...

    @property
    def title_zh(self) -> str: ...

    @property
    def title_en(self) -> str: ...

    @property
    def clauses(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    observed: dict[str, Any]
    expected: dict[str, Any]
    reason_en: str
    reason_zh: str


def passed(observed: dict[str, Any], expected: dict[str, Any], en: str, zh: str) -> Outcome:
    return Outcome(Verdict.PASS, observed, expected, en, zh)


def failed(observed: dict[str, Any], expected: dict[str, Any], en: str, zh: str) -> Outcome:
    return Outcome(Verdict.FAIL, observed, expected, en, zh)


def partial(observed: dict[str, Any], expected: dict[str, Any], en: str, zh: str) -> Outcome:
    return Outcome(Verdict.PARTIAL, observed, expected, en, zh)


def not_applicable(observed: dict[str, Any], en: str, zh: str) -> Outcome:
    return Outcome(Verdict.NOT_APPLICABLE, observed, {}, en, zh)


def undecided(observed: dict[str, Any], en: str, zh: str) -> Outcome:
    """检查出错: what the check needs could not be read, so nothing is decided (never a fail)."""
    return Outcome(Verdict.ERROR, observed, {}, en, zh)


@dataclass(frozen=True)
class CheckResult:
    check: CheckIdentity
    verdict: Verdict
    observed: dict[str, Any]
    expected: dict[str, Any]
    reason_en: str
    reason_zh: str
    evidence: tuple[ProbeResult, ...]


@dataclass
class ItemResult:
    """One catalog item for one object (a host, or a system for its non-host evidence)."""

    object: str
    object_kind: str  # a target kind (linux, windows, network_device, …) or system
    systems: tuple[str, ...]
    item: Item
    verdict: Verdict
    reason_en: str
    reason_zh: str
    checks: tuple[str, ...] = ()
    original_verdict: Verdict | None = None  # set when a waiver replaced the verdict
    waiver: dict[str, Any] | None = None


@dataclass
class HostResult:
    target: Target
    status: str  # collected | unreachable | error | not_collected
    error: str | None
    started: str | None
    seconds: float | None
    checks: list[CheckResult] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)
    collection: Collection | None = None  # every probe as collected, the raw evidence


@dataclass
class ScanRun:
    started: str
    finished: str = ""
    inventory: str | None = None
    selection: dict[str, Any] = field(default_factory=dict)
    hosts: list[HostResult] = field(default_factory=list)
    system_items: list[ItemResult] = field(default_factory=list)
    expired_waivers: list[Waiver] = field(default_factory=list)
    repository_commit: str | None = None
    tool_version: str = __version__
    source_run: dict[str, Any] | None = None  # set when the run re-judged a stored run's evidence
    change_ledger: dict[str, Any] | None = None  # the control node's change ledger as read (scan.ledger_items)
    inspections: dict[str, Any] | None = None  # the kept daily inspections as read (scan.inspection_items)
    records: dict[str, Any] | None = None  # the inventory's management records as read (scan.record_items)
    assessment: dict[str, Any] | None = None  # high-risk findings, score and conclusion per system (assessment)

    @property
    def items(self) -> list[ItemResult]:
        return [item for host in self.hosts for item in host.items] + self.system_items

    @property
    def unreachable(self) -> list[HostResult]:
        return [host for host in self.hosts if host.status in ("unreachable", "error")]

    def exit_code(self) -> int:
        """0 when every decided item is met or waived and every host answered; 1 otherwise."""
        return 1 if self.unreachable or any(is_finding(item) for item in self.items) else 0


def is_finding(item: ItemResult) -> bool:
    return item.waiver is None and item.verdict.is_finding
