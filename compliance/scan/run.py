"""One scan from start to finish: collect, evaluate, apply waivers, and keep it all in a `ScanRun`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.kinds import collect_all
from compliance.kinds.collection import Collected
from compliance.kinds.target import Target
from compliance.model.host_policy import policy_for_host
from compliance.model.waivers import Waiver, WaiverSet
from compliance.project import git_output
from compliance.results.model import ItemResult, ScanRun
from compliance.results.verdicts import Verdict
from compliance.scan.evaluate import evaluate_host, evaluate_system, not_collected
from compliance.scan.ledger_items import ledger_evidence

DEFAULT_WORKERS = 20
DEFAULT_TIMEOUT = 60.0


def apply_waivers(items: list[ItemResult], waivers: list[Waiver], zones: dict[str, str]) -> None:
    """Replace the verdict of waived findings (and manual items): 部分符合 with a compensating control, else 已豁免."""
    for item in items:
        if item.verdict not in (Verdict.FAIL, Verdict.PARTIAL, Verdict.MANUAL):
            continue
        zone = zones.get(item.object, "")
        for waiver in waivers:
            if waiver.covers(item.item.id, item.item.twin, item.object, item.systems, zone):
                item.original_verdict = item.verdict
                item.verdict = Verdict.PARTIAL if waiver.compensating_control else Verdict.WAIVED
                item.waiver = waiver.as_dict()
                break


def repository_commit(root: Path) -> str | None:
    return git_output(root, "rev-parse", "HEAD") or None


def run_scan(
    root: Path,
    targets: list[Target],
    waivers: WaiverSet,
    system_levels: dict[str, int],
    *,
    inventory: str | None = None,
    selection: dict[str, Any] | None = None,
    workers: int,
    timeout: float,
    on_host: Callable[[Collected], None] | None = None,
    inspections: dict[str, Any] | None = None,
    records: dict[str, Any] | None = None,
) -> ScanRun:
    """Collect from every target whose kind has a collector, then judge what came back (with the kept
    inspections' summary and the records' index the command read: compliance.inspect.history,
    compliance.scan.record_items)."""
    run = ScanRun(
        started=now(),
        inventory=inventory,
        selection=selection or {},
        change_ledger=ledger_evidence(),
        inspections=inspections,
        records=records,
    )
    collectable = [t for t in targets if t.collectable]
    settings = {t.name: host_settings(root, t) for t in collectable}
    collected = (
        collect_all(collectable, workers=workers, timeout=timeout, on_done=on_host, settings=settings)
        if collectable
        else {}
    )
    return judge(root, run, targets, collected, waivers, system_levels, settings)


def host_settings(root: Path, target: Target) -> dict[str, Any]:
    """The target's effective policy settings, by its declared level, zone and address."""
    declared = {"dengbao_level": target.level, "dengbao_zone": target.zone, "ansible_host": target.address}
    return policy_for_host(root, target.name, declared).settings


def judge(
    root: Path,
    run: ScanRun,
    targets: list[Target],
    collected: dict[str, Collected],
    waivers: WaiverSet,
    system_levels: dict[str, int],
    settings: dict[str, dict[str, Any]] | None = None,
) -> ScanRun:
    """Checks, items and waivers for collections already in hand, under today's policies and waivers
    (`settings`: each target's, where the caller worked them out already).

    A live scan hands over what it just collected; a re-judged run what a sealed run stored.
    Targets without a collection (a kind nothing collects yet) are listed with their items as manual.
    The system items the records, the change ledger and the inspections answer are judged on `run.records`,
    `run.change_ledger` and `run.inspections`.
    """
    run.repository_commit = repository_commit(root)
    for target in targets:
        if target.name not in collected:
            run.hosts.append(not_collected(target))
            continue
        known = (settings or {}).get(target.name)
        run.hosts.append(evaluate_host(collected[target.name], known or host_settings(root, target)))
    systems = sorted({system for target in targets for system in target.systems})
    for system in systems:
        level = system_levels.get(system) or max(t.level for t in targets if system in t.systems)
        hosts = {t.name for t in targets if system in t.systems}
        run.system_items.extend(evaluate_system(system, level, run.change_ledger, hosts, run.inspections, run.records))
    apply_waivers(run.items, waivers.active, {t.name: t.zone for t in targets})
    run.expired_waivers = list(waivers.expired)
    run.finished = now()
    return run


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
