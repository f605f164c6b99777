"""From collected facts to verdicts: run the checks of a host, then account for every catalog item.

Every item of the host's level that its kind of evidence answers is reported: decided by
the checks that implement it, or `manual` with the evidence an evaluator has to see. Items
that only an application, a document, a record or a site visit can decide are reported
once per system (定级对象), also as manual. Nothing is dropped.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from compliance.catalog.catalog import Item, load_items
from compliance.checks import Check, Outcome, Settings, all_checks
from compliance.scan.facts import HostFacts
from compliance.scan.probes import Collection, ProbeResult
from compliance.scan.targets import Target
from compliance.scan.transport import HostCollection
from compliance.scan.verdicts import Verdict, combine

HOST_KINDS = ("host", "windows", "network_device")
SYSTEM_KINDS = ("application", "documents", "records", "on_site")
GUIDANCE = {
    "host": ("在主机上核查相关配置并留存命令输出", "inspect the host's settings and keep the command output"),
    "windows": ("核查 Windows 本地安全策略与组策略", "inspect the Windows local and group security policy"),
    "network_device": ("核查网络与安全设备的配置", "inspect the network and security device configuration"),
    "application": ("核查应用系统的功能与配置", "inspect the application's functions and settings"),
    "records": ("查阅运行记录（工单、日志、台账、演练记录）", "review the records (tickets, logs, registers, drills)"),
    "documents": ("查阅管理制度与文件", "review the policies and documents"),
    "on_site": ("现场查看与访谈", "inspect on site and interview staff"),
}
NOT_YET_COLLECTED = {
    "windows": ("Windows 主机暂无自动采集", "no automated collection for Windows hosts yet"),
    "network_device": ("网络设备暂无自动采集", "no automated collection for network devices yet"),
}


@dataclass(frozen=True)
class CheckResult:
    check: Check
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
    object_kind: str  # host | windows | network_device | system
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


def run_checks(facts: HostFacts, settings: Settings, checks: dict[str, Check]) -> list[CheckResult]:
    """Every check on one host's facts; a check that raises is reported as an error, not fatal."""
    results = []
    for check in checks.values():
        facts.used.clear()
        try:
            outcome: Outcome = check.function(facts, settings)
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            outcome = Outcome(
                Verdict.ERROR,
                {},
                {},
                f"check failed: {type(error).__name__}: {error} ({where.filename}:{where.lineno})",
                f"检查自身出错：{type(error).__name__}: {error}",
            )
        evidence = tuple(facts.collection.probes[name] for name in sorted(facts.used))
        results.append(
            CheckResult(
                check,
                outcome.verdict,
                outcome.observed,
                outcome.expected,
                outcome.reason_en,
                outcome.reason_zh,
                evidence,
            )
        )
    return results


def _guidance(item: Item, kinds: tuple[str, ...]) -> tuple[str, str]:
    wanted = [kind for kind in item.evidence if kind in kinds] or list(item.evidence)
    zh = "；".join(GUIDANCE[kind][0] for kind in wanted)
    en = "; ".join(GUIDANCE[kind][1] for kind in wanted)
    return f"需人工核查：{zh}", f"manual: {en}"


def evaluate_host(collected: HostCollection, settings: Settings | None) -> HostResult:
    target = collected.target
    result = HostResult(
        target, collected.status, collected.error, collected.started, collected.seconds, collection=collected.collection
    )
    results: dict[str, CheckResult] = {}
    if collected.status == "collected" and collected.collection is not None and settings is not None:
        result.checks = run_checks(HostFacts(collected.collection), settings, all_checks())
        results = {r.check.id: r for r in result.checks}
    for item in load_items(target.level):
        if target.kind not in item.evidence:
            continue
        result.items.append(_host_item(target, item, collected, results))
    return result


def not_collected(target: Target) -> HostResult:
    """A Windows host or network device: listed with every item it answers for, as manual."""
    result = HostResult(target, "not_collected", None, None, None)
    reason_zh, reason_en = NOT_YET_COLLECTED.get(target.kind, ("", ""))
    for item in load_items(target.level):
        if target.kind in item.evidence:
            zh, en = _guidance(item, (target.kind,))
            result.items.append(
                ItemResult(
                    target.name,
                    target.kind,
                    target.systems,
                    item,
                    Verdict.MANUAL,
                    f"{en} ({reason_en})",
                    f"{zh}（{reason_zh}）",
                )
            )
    return result


def _host_item(
    target: Target,
    item: Item,
    collected: HostCollection,
    results: dict[str, CheckResult],
) -> ItemResult:
    implementing = item.checks  # the checks deciding the item (its level-3 twin's, for a level-2 item)
    if not implementing:
        zh, en = _guidance(item, (target.kind,))
        return ItemResult(target.name, target.kind, target.systems, item, Verdict.MANUAL, en, zh)
    if collected.status != "collected":
        verdict = Verdict.UNREACHABLE if collected.status == "unreachable" else Verdict.ERROR
        message = collected.error or collected.status
        return ItemResult(
            target.name,
            target.kind,
            target.systems,
            item,
            verdict,
            f"not observed: {message}",
            f"未能采集：{message}",
            implementing,
        )
    outcomes = [results[check_id] for check_id in implementing if check_id in results]
    verdict = combine([o.verdict for o in outcomes])
    reason_en = " | ".join(f"{o.check.id}: {o.reason_en}" for o in outcomes)
    reason_zh = " | ".join(f"{o.check.title_zh}：{o.reason_zh}" for o in outcomes)
    return ItemResult(target.name, target.kind, target.systems, item, verdict, reason_en, reason_zh, implementing)


def evaluate_system(system: str, level: int) -> list[ItemResult]:
    """Items that applications, documents, records or site visits decide, for one system: manual."""
    rows = []
    for item in load_items(level):
        if any(kind in SYSTEM_KINDS for kind in item.evidence):
            zh, en = _guidance(item, SYSTEM_KINDS)
            rows.append(ItemResult(f"system:{system}", "system", (system,), item, Verdict.MANUAL, en, zh))
    return rows
