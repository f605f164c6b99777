"""The self-assessed score and expected conclusion of one system (定级对象), docs/assessment.md.

After the national assessment report template's arithmetic: each object's result on an item scores
符合 1, 部分符合 `partial_score`, 不符合 0 (a waived item its real verdict; 不适用 left out); the
objects are averaged per item, the items per control point (equal weights: the template's item
weights are not applied), the control points per system, × 100. Unreachable and unreadable results
score 0: what was not seen is never met. Manual items are not decided: the score is given over the
decided items, with the lowest (every manual item 不符合) and highest (every one 符合) it could be.

The conclusion: any open high-risk finding → 差; otherwise by score band (policies/assessment.yml).
优 also needs no 不符合 left at all, since the tool cannot rule out the medium risks an evaluator would
weigh there.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from compliance.results.model import ItemResult
from compliance.results.verdicts import Verdict

CONCLUSIONS = (("excellent", "优"), ("good", "良"), ("fair", "中"))
POOR = ("poor", "差")
ZERO = (Verdict.FAIL, Verdict.ERROR, Verdict.UNREACHABLE)


def _value(result: ItemResult, partial: float) -> float | None:
    """An object's score on an item; None: undecided (manual) or not applicable."""
    verdict = (
        result.original_verdict if result.verdict is Verdict.WAIVED and result.original_verdict else result.verdict
    )
    if verdict is Verdict.PASS:
        return 1.0
    if verdict is Verdict.PARTIAL:
        return partial
    if verdict in ZERO or verdict is Verdict.WAIVED:
        return 0.0
    return None


def _score(items: list[ItemResult], partial: float, manual: float | None) -> tuple[float | None, list[dict]]:
    """The system's score (0–100) with manual items scored `manual` (None: left out), and the control points'."""
    per_item: dict[str, list[float]] = defaultdict(list)
    points: dict[str, tuple[str, str]] = {}
    item_point: dict[str, str] = {}
    for result in items:
        value = _value(result, partial)
        if value is None and result.verdict is Verdict.MANUAL and manual is not None:
            value = manual
        if value is None:
            continue
        per_item[result.item.id].append(value)
        item_point[result.item.id] = result.item.control_point_id
        points[result.item.control_point_id] = (result.item.control_point_zh, result.item.control_point_en)
    by_point: dict[str, list[float]] = defaultdict(list)
    for item_id, values in per_item.items():
        by_point[item_point[item_id]].append(sum(values) / len(values))
    rows = [
        {
            "id": point,
            "zh": points[point][0],
            "en": points[point][1],
            "items": len(values),
            "score": round(10 * sum(values) / len(values), 2),
        }
        for point, values in sorted(by_point.items(), key=lambda kv: _order(kv[0]))
    ]
    if not rows:
        return None, rows
    return round(10 * sum(row["score"] for row in rows) / len(rows), 2), rows


def _order(point: str) -> tuple[int, ...]:
    return tuple(int(part) for part in point.split("."))


def conclusion(score: float | None, open_high_risk: bool, any_fail: bool, bands: dict[str, float]) -> tuple[str, str]:
    """(English, Chinese) conclusion for a score."""
    if open_high_risk or score is None:
        return POOR
    for key, zh in CONCLUSIONS:
        if score >= bands[key] and not (key == "excellent" and any_fail):
            return key, zh
    return POOR


def system_score(
    system: str, items: list[ItemResult], findings: list[dict[str, Any]], settings: dict[str, Any]
) -> dict[str, Any]:
    """One system's entry in assessment.json."""
    partial, bands = float(settings["partial_score"]), settings["conclusion_bands"]
    expected, points = _score(items, partial, None)
    lowest, _ = _score(items, partial, 0.0)
    highest, _ = _score(items, partial, 1.0)
    open_findings = any(finding["status"] == "open" for finding in findings)
    any_fail = any(_value(item, partial) == 0.0 for item in items)
    verdicts = [item.verdict for item in items]
    en, zh = conclusion(expected, open_findings, any_fail, bands)
    worst = conclusion(lowest, open_findings, True, bands)
    best = conclusion(highest, open_findings, any_fail, bands)
    return {
        "system": system,
        "level": max((item.item.level for item in items), default=3),
        "score": expected,
        "score_lowest": lowest,
        "score_highest": highest,
        "conclusion": en,
        "conclusion_zh": zh,
        "conclusion_range": [worst[1], best[1]],
        "items": {
            "total": len(items),
            "decided": sum(1 for v in verdicts if v not in (Verdict.MANUAL, Verdict.NOT_APPLICABLE)),
            "manual": verdicts.count(Verdict.MANUAL),
            "not_applicable": verdicts.count(Verdict.NOT_APPLICABLE),
            "unseen": sum(1 for v in verdicts if v in (Verdict.ERROR, Verdict.UNREACHABLE)),
        },
        "high_risk": findings,
        "high_risk_open": sum(1 for finding in findings if finding["status"] == "open"),
        "control_points": points,
    }
