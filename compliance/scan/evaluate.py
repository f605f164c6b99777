"""From collected facts to verdicts: run the checks of a host, then account for every catalog item.

Every item of the host's level that its kind of evidence answers is reported: decided by
the checks that implement it, or `manual` with the evidence an evaluator has to see. Items
that only an application, a document, a record or a site visit can decide are reported
once per system (定级对象), also as manual. Nothing is dropped.
"""

from __future__ import annotations

import traceback
from typing import Any

from compliance.catalog.catalog import Item
from compliance.checks import Check, Settings, checks_of
from compliance.kinds import Kind, all_kinds, kind_of
from compliance.kinds.collection import Collected, MissingProbe
from compliance.kinds.target import Target
from compliance.results.model import CheckResult, HostResult, ItemResult, Outcome
from compliance.results.verdicts import Verdict, combine
from compliance.scan.coverage import covered_items
from compliance.scan.inspection_items import inspection_verdict
from compliance.scan.ledger_items import ledger_verdict
from compliance.scan.record_items import record_verdict

SYSTEM_KINDS = ("application", "documents", "records", "on_site")
SYSTEM_GUIDANCE = {
    "application": ("核查应用系统的功能与配置", "inspect the application's functions and settings"),
    "records": ("查阅运行记录（工单、日志、台账、演练记录）", "review the records (tickets, logs, registers, drills)"),
    "documents": ("查阅管理制度与文件", "review the policies and documents"),
    "on_site": ("现场查看与访谈", "inspect on site and interview staff"),
}


def _guidance_texts() -> dict[str, tuple[str, str]]:
    """Catalog evidence kind → what the evaluator inspects: the object kinds' own words, then the system's."""
    objects = {kind.evidence: (kind.guidance_zh, kind.guidance_en) for kind in all_kinds().values()}
    return objects | SYSTEM_GUIDANCE


def run_checks(facts: Any, settings: Settings, checks: dict[str, Check]) -> list[CheckResult]:
    """Every check on one object's facts; a check that raises is reported as an error, not fatal.

    The facts object of every kind keeps its `collection` and the set of probes read (`used`),
    so each result carries exactly the raw evidence its check looked at.
    """
    results = []
    for check in checks.values():
        facts.used.clear()
        try:
            outcome: Outcome = check.function(facts, settings)
        except MissingProbe as missing:
            outcome = Outcome(
                Verdict.ERROR,
                {},
                {},
                f"probe {missing.probe} is not in this collection (collected by an older version?): nothing to judge",
                f"本次采集中没有探针 {missing.probe}（可能由旧版本采集）：无法评判",
            )
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            outcome = Outcome(
                Verdict.ERROR,
                {},
                {},
                f"check failed: {type(error).__name__}: {error} ({where.filename}:{where.lineno})",
                f"检查自身出错：{type(error).__name__}: {error}",
            )
        probes = facts.collection.probes
        evidence = tuple(probes[name] for name in sorted(facts.used) if name in probes)
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
    texts = _guidance_texts()
    wanted = [kind for kind in item.evidence if kind in kinds] or list(item.evidence)
    zh = "；".join(texts[kind][0] for kind in wanted)
    en = "; ".join(texts[kind][1] for kind in wanted)
    return f"需人工核查：{zh}", f"manual: {en}"


def evaluate_host(collected: Collected, settings: Settings | None) -> HostResult:
    """One target's checks (those of its kind) and every catalog item its kind of evidence answers."""
    target = collected.target
    kind = kind_of(target.kind)
    kind_checks = checks_of(kind.name)
    result = HostResult(
        target, collected.status, collected.error, collected.started, collected.seconds, collection=collected.collection
    )
    results: dict[str, CheckResult] = {}
    if collected.status == "collected" and collected.collection is not None and settings is not None:
        assert kind.facts is not None, f"{kind.name} has a collection but no facts"
        result.checks = run_checks(kind.facts(collected.collection), settings, kind_checks)
        results = {r.check.id: r for r in result.checks}
    for item in covered_items(target.level):
        if kind.evidence not in item.evidence:
            continue
        result.items.append(_host_item(target, kind, kind_checks, item, collected, results))
    return result


def not_collected(target: Target) -> HostResult:
    """A target of a kind nothing collects yet: listed with every item it answers for, as manual."""
    result = HostResult(target, "not_collected", None, None, None)
    kind = kind_of(target.kind)
    reason_zh, reason_en = kind.not_collected_zh, kind.not_collected_en
    for item in covered_items(target.level):
        if kind.evidence in item.evidence:
            zh, en = _guidance(item, (kind.evidence,))
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
    kind: Kind,
    kind_checks: dict[str, Check],
    item: Item,
    collected: Collected,
    results: dict[str, CheckResult],
) -> ItemResult:
    # The checks of this kind deciding the item (its level-3 twin's, for a level-2 item).
    implementing = tuple(check_id for check_id in item.checks if check_id in kind_checks)
    if not implementing:
        zh, en = _guidance(item, (kind.evidence,))
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
    clause = item.level3_id
    verdicts, reasons_en, reasons_zh = [], [], []
    for outcome in outcomes:
        missing = outcome.check.partly.get(clause)
        verdict = outcome.verdict
        reason_en, reason_zh = outcome.reason_en, outcome.reason_zh
        if missing is not None and verdict is Verdict.PASS:
            # The check is met, but it sees only part of what this item asks.
            verdict = Verdict.PARTIAL
            reason_en += f"; this check sees part of the item, the evaluator must still see {missing[0]}"
            reason_zh += f"；本检查仅覆盖该测评项的一部分，测评人员还需核查{missing[1]}"
        verdicts.append(verdict)
        reasons_en.append(f"{outcome.check.id}: {reason_en}")
        reasons_zh.append(f"{outcome.check.title_zh}：{reason_zh}")
    return ItemResult(
        target.name,
        target.kind,
        target.systems,
        item,
        combine(verdicts),
        " | ".join(reasons_en),
        " | ".join(reasons_zh),
        implementing,
    )


def evaluate_system(
    system: str,
    level: int,
    ledger: dict[str, Any] | None = None,
    hosts: set[str] | frozenset[str] = frozenset(),
    inspections: dict[str, Any] | None = None,
    records: dict[str, Any] | None = None,
) -> list[ItemResult]:
    """Items that applications, documents, records or site visits decide, for one system: manual, but
    where the management records (scan.record_items), the change ledger (scan.ledger_items) or the kept
    daily inspections (scan.inspection_items) show the evidence, or part of it, for the system."""
    rows, system_hosts = [], set(hosts)
    for item in covered_items(level):
        if any(kind in SYSTEM_KINDS for kind in item.evidence):
            zh, en = _guidance(item, SYSTEM_KINDS)
            decided = [
                found
                for found in (
                    ledger_verdict(item, ledger, system_hosts),
                    inspection_verdict(item, inspections, system_hosts),
                    record_verdict(item, records, system),
                )
                if found is not None
            ]
            verdict = Verdict.MANUAL
            if decided:
                verdict, en, zh = _together(decided)
            rows.append(ItemResult(f"system:{system}", "system", (system,), item, verdict, en, zh))
    return rows


def _together(decided: list[tuple[Verdict, str, str]]) -> tuple[Verdict, str, str]:
    """Several records speaking to one item: the worst of their verdicts, with what each of that verdict says."""
    rank = {Verdict.FAIL: 0, Verdict.ERROR: 1, Verdict.PARTIAL: 2}
    worst = min((verdict for verdict, _, _ in decided), key=lambda verdict: rank.get(verdict, 3))
    chosen = [(en, zh) for verdict, en, zh in decided if verdict == worst]
    return worst, " || ".join(en for en, _ in chosen), " || ".join(zh for _, zh in chosen)
