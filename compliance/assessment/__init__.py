"""The assessment picture of a scan, per system (定级对象): high-risk findings, a self-assessed score and
the conclusion (优 / 良 / 中 / 差) to expect. A self-assessment from the item results, never an
evaluator's verdict (docs/assessment.md)."""

from __future__ import annotations

from typing import Any

from compliance.assessment.high_risk import high_risk_findings
from compliance.assessment.score import system_score
from compliance.results.model import ItemResult, ScanRun

ASSESSMENT_FILE = "assessment.json"
SCHEMA = "dengbao-assessment/1"
NOTE = (
    "自评估：依据本次扫描的测评项结果与所引记录推算，非测评机构的结论",
    "self-assessment: worked out from this scan's item results and the cited records, not an evaluator's verdict",
)


def assess(run: ScanRun, settings: dict[str, Any]) -> dict[str, Any]:
    """assessment.json of a run: per system, its high-risk findings (open first) and its score and conclusion."""
    by_system: dict[str, list[ItemResult]] = {}
    for item in run.items:  # a property that gathers every host's items: read once
        for system in item.systems:
            by_system.setdefault(system, []).append(item)
    findings = high_risk_findings(run)
    return {
        "schema": SCHEMA,
        "note_zh": NOTE[0],
        "note_en": NOTE[1],
        "systems": [
            system_score(system, by_system[system], findings.get(system, []), settings) for system in sorted(by_system)
        ],
    }
