"""High-risk findings (高风险) of a run: compliance/assessment/high_risk.yml says which items carry a
high-risk condition; a host item is a finding when a check declared `high_risk` fails on it, a system
item when the records leave it 不符合. A waiver with a compensating control lowers a compensable one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from compliance.results.model import ItemResult, ScanRun
from compliance.results.verdicts import Verdict


@dataclass(frozen=True)
class Condition:
    id: str
    items: tuple[str, ...]
    zh: str
    en: str
    compensable: bool


@cache
def conditions() -> dict[str, Condition]:
    """Item id (level 3) → the high-risk condition its failure is."""
    text = resources.files("compliance.assessment").joinpath("high_risk.yml").read_text(encoding="utf-8")
    found = {}
    for entry in yaml.safe_load(text):
        condition = Condition(entry["id"], tuple(entry["items"]), entry["zh"], entry["en"], entry["compensable"])
        for item in condition.items:
            found[item] = condition
    return found


def high_risk_findings(run: ScanRun) -> dict[str, list[dict[str, Any]]]:
    """Per system, every high-risk finding: open ones first, then those a compensating control lowered."""
    # system → (condition, object) → finding: one finding per condition and object, in the order found.
    found: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for host in run.hosts:
        by_clause = {item.item.level3_id: item for item in host.items}
        for result in host.checks:
            if result.verdict is not Verdict.FAIL or not getattr(result.check, "high_risk", False):
                continue
            for clause in result.check.clauses:
                item = by_clause.get(clause)
                if item is None or clause not in conditions():
                    continue
                finding = _finding(item, clause, result.check.id, result.reason_en, result.reason_zh)
                for system in item.systems:
                    _add(found.setdefault(system, {}), finding)
    for item in run.system_items:
        clause = item.item.level3_id
        real = item.original_verdict or item.verdict
        if clause in conditions() and real is Verdict.FAIL:
            finding = _finding(item, clause, None, item.reason_en, item.reason_zh)
            for system in item.systems:
                _add(found.setdefault(system, {}), finding)
    return {
        system: sorted(findings.values(), key=lambda f: (f["status"] != "open", f["item"], f["object"]))
        for system, findings in found.items()
    }


def _add(findings: dict[tuple[str, str], dict[str, Any]], finding: dict[str, Any]) -> None:
    """One finding per condition and object: a second failing check on it is named beside the first."""
    kept = findings.setdefault((finding["condition"], finding["object"]), finding)
    if kept is not finding:
        kept["checks"].extend(c for c in finding["checks"] if c not in kept["checks"])
        kept["reason_en"] += f" | {finding['reason_en']}"
        kept["reason_zh"] += f" | {finding['reason_zh']}"


def _finding(item: ItemResult, clause: str, check: str | None, reason_en: str, reason_zh: str) -> dict[str, Any]:
    condition = conditions()[clause]
    compensated = bool(item.waiver and item.waiver.get("compensating_control")) and condition.compensable
    return {
        "condition": condition.id,
        "zh": condition.zh,
        "en": condition.en,
        "item": item.item.id,
        "object": item.object,
        "checks": [check] if check else [],
        "reason_zh": reason_zh,
        "reason_en": reason_en,
        "status": "lowered" if compensated else "open",
        "waiver": item.waiver["id"] if item.waiver else None,
    }
