"""Counting verdicts per system (定级对象) and category, and the compliance rate (符合率).

符合率 = 符合 ÷ (符合 + 部分符合 + 不符合), over the items a machine or a waiver decided.
Manual, not-applicable, error and unreachable items are counted but left out of the rate,
so it states how much of what was decided is met; the unreachable column says how much
was not looked at. Waived items with a compensating control count as 部分符合.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from compliance.results.model import ItemResult
from compliance.results.records import SummaryRecord
from compliance.results.verdicts import ORDER, Verdict

OVERALL = "*"


@dataclass
class Row:
    system: str
    category_id: str
    category_zh: str
    counts: Counter[Verdict] = field(default_factory=Counter)

    @property
    def rate(self) -> float | None:
        decided = self.counts[Verdict.PASS] + self.counts[Verdict.PARTIAL] + self.counts[Verdict.FAIL]
        return None if decided == 0 else self.counts[Verdict.PASS] / decided

    def record(self) -> SummaryRecord:
        return SummaryRecord(
            system=self.system,
            category=self.category_id,
            category_zh=self.category_zh,
            counts={verdict.value: self.counts[verdict] for verdict in ORDER},
            rate=None if self.rate is None else round(self.rate, 4),
        )


def summarise(items: list[ItemResult]) -> list[Row]:
    """Rows per system and category, then one total row per system, then the overall total."""
    rows: dict[tuple[str, str], Row] = {}
    totals: dict[str, Row] = {}
    overall = Row(OVERALL, OVERALL, "合计 total")
    for item in items:
        for system in item.systems:
            key = (system, item.item.category_id)
            row = rows.setdefault(key, Row(system, item.item.category_id, item.item.category_zh))
            row.counts[item.verdict] += 1
            totals.setdefault(system, Row(system, OVERALL, "小计 subtotal")).counts[item.verdict] += 1
        overall.counts[item.verdict] += 1
    ordered: list[Row] = []
    for system in sorted(totals):
        ordered.extend(
            sorted((r for (s, _), r in rows.items() if s == system), key=lambda r: _category_order(r.category_id))
        )
        ordered.append(totals[system])
    ordered.append(overall)
    return ordered


def _category_order(category_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in category_id.split(".") if part.isdigit())


def format_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
