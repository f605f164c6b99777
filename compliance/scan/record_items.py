"""Record-backed verdicts: what an inventory's management records show of an item, for one system.

The scan reads the records once (compliance.records.store), keeps an index of them as evidence
(records.json in the run: type, id, title, date, owner, attachments with their hashes, never the
attached files) and judges each item that compliance/records/mapping.yml maps:

- each record type the item needs is met when the newest record of that type for the system is
  within its freshness limit (policies/assessment.yml `max_age_days`) and its yes/no fields that must
  be true are true; stale, missing or showing the opposite, it is not met;
- all met → 符合 (部分符合 where the mapping names what the evaluator must still see); none met →
  不符合; some → 部分符合. Occasional records (a hire, an incident) that do not exist say nothing.

The records are the hospital's own declaration: the verdict is a self-assessment, and the evaluator
examines the cited records and their attachments (OSCAL method EXAMINE). No records folder for the
inventory leaves every item manual, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from compliance.catalog.catalog import Item
from compliance.records.store import RecordSet, freshness_key, freshness_limit, record_types
from compliance.results.verdicts import Verdict

RECORDS_FILE = "records.json"
NOT_APPLICABLE = "not_applicable"  # the record type that states items do not apply to a system
EXAMINE = ("测评人员查阅所引记录及其附件", "the evaluator examines the cited records and their attachments")


@dataclass(frozen=True)
class Need:
    """One record type (and category) an item needs, as the mapping names it: `document:emergency_plan`."""

    type: str
    category: str | None

    @classmethod
    def parse(cls, text: str) -> Need:
        kind, _, category = text.partition(":")
        return cls(kind, category or None)

    def __str__(self) -> str:
        return freshness_key(self.type, self.category)


@cache
def record_mapping() -> dict[str, tuple[tuple[Need, ...], tuple[str, str] | None]]:
    """Item id → the records it needs and, where they show only part of it, what else to see (zh, en)."""
    text = resources.files("compliance.records").joinpath("mapping.yml").read_text(encoding="utf-8")
    mapping = {}
    for item, body in yaml.safe_load(text).items():
        still = body.get("still")
        mapping[item] = (tuple(Need.parse(need) for need in body["records"]), tuple(still) if still else None)
    return mapping


def records_evidence(found: RecordSet, max_age_days: dict[str, int], as_of: date | None = None) -> dict[str, Any]:
    """The records as the scan read them: kept in the run and judged from there (again by --from-run)."""
    return {
        "path": str(found.directory),
        "present": found.directory.is_dir(),
        "as_of": (as_of or date.today()).isoformat(),
        "max_age_days": dict(max_age_days),
        "records": [record.as_dict() for record in found.records],
    }


def _label(need: Need) -> tuple[str, str]:
    kind = record_types()[need.type]
    if need.category is None:
        return kind.zh, kind.en
    zh, _, en = kind.categories[need.category].partition(" / ")
    return zh, en


def _judge_need(need: Need, records: list[dict[str, Any]], as_of: date, limits: dict[str, int]) -> tuple[str, str, str]:
    """(state, en, zh) with state met | unmet | silent for one needed record type."""
    zh_name, en_name = _label(need)
    mine = [r for r in records if r["type"] == need.type and (need.category is None or r["category"] == need.category)]
    occasional = record_types()[need.type].occasional
    if not mine:
        if occasional:
            return "silent", f"{en_name}: none on record", f"{zh_name}：无记录"
        return "unmet", f"{en_name}: no record", f"{zh_name}：无记录"
    if occasional:
        wrong = [r for r in mine if r["unmet"]]
        if wrong:
            first = wrong[0]
            return (
                "unmet",
                f"{en_name}: record {first['id']} ({first['dated']}) shows {', '.join(first['unmet'])} not done",
                f"{zh_name}：记录 {first['id']}（{first['dated']}）显示 {'、'.join(first['unmet'])} 未落实",
            )
        return "met", f"{en_name}: {len(mine)} record(s), all complete", f"{zh_name}：{len(mine)} 条记录，均已落实"
    newest = mine[-1]
    age = (as_of - date.fromisoformat(newest["dated"])).days
    limit = freshness_limit(limits, need.type, need.category)
    cited_en = f"{en_name}: {newest['id']} \u201c{newest['title']}\u201d ({newest['dated']}, {age} days old"
    cited_zh = f"{zh_name}：{newest['id']}《{newest['title']}》（{newest['dated']}，{age} 天前"
    if limit is not None:
        cited_en += f", limit {limit}"
        cited_zh += f"，时限 {limit} 天"
    cited_en, cited_zh = cited_en + ")", cited_zh + "）"
    if limit is not None and age > limit:
        return "unmet", f"{cited_en}: out of date", f"{cited_zh}：已过期"
    if newest["unmet"]:
        return (
            "unmet",
            f"{cited_en}: {', '.join(newest['unmet'])} not done",
            f"{cited_zh}：{'、'.join(newest['unmet'])} 未落实",
        )
    return "met", cited_en, cited_zh


def record_verdict(item: Item, evidence: dict[str, Any] | None, system: str) -> tuple[Verdict, str, str] | None:
    """The item's verdict from the records for one system; None: the records say nothing of it."""
    if evidence is None or not evidence.get("present"):
        return None
    mapping = record_mapping()
    key = item.id if item.id in mapping else item.twin
    records = [r for r in evidence["records"] if not r["systems"] or system in r["systems"]]
    named = [r for r in records if item.id in r["items"] or (item.twin is not None and item.twin in r["items"])]
    waived = [r for r in named if r["type"] == NOT_APPLICABLE]
    if waived:
        where = f"{RECORDS_FILE} ({evidence['path']})"
        return (
            Verdict.NOT_APPLICABLE,
            f"not applicable by record {waived[0]['id']} \u201c{waived[0]['title']}\u201d ({waived[0]['dated']});"
            f" see {where}. Self-declared: the evaluator confirms the reason",
            f"依记录 {waived[0]['id']}《{waived[0]['title']}》（{waived[0]['dated']}）不适用；见 {where}。"
            "以上为自评：测评人员核实理由",
        )
    named = [r for r in named if r["type"] != NOT_APPLICABLE]
    if key in mapping:
        needs, still = mapping[key]
    elif named:
        needs, still = tuple(dict.fromkeys(Need(r["type"], r["category"]) for r in named)), None
    else:
        return None
    as_of = date.fromisoformat(evidence["as_of"])
    judged = [_judge_need(need, records, as_of, evidence.get("max_age_days") or {}) for need in needs]
    decided = [j for j in judged if j[0] != "silent"]
    if not decided:
        return None
    met = [j for j in decided if j[0] == "met"]
    if len(met) == len(decided):
        verdict = Verdict.PARTIAL if still else Verdict.PASS
    elif not met:
        verdict = Verdict.FAIL
    else:
        verdict = Verdict.PARTIAL
    where = f"{RECORDS_FILE} ({evidence['path']})"
    en = "records: " + "; ".join(j[1] for j in judged) + f"; see {where}"
    zh = "记录：" + "；".join(j[2] for j in judged) + f"；见 {where}"
    if named:
        en += f"; also named by record(s) {', '.join(r['id'] for r in named)}"
        zh += f"；另有记录 {'、'.join(r['id'] for r in named)} 指向本项"
    en += f". Self-declared: {EXAMINE[1]}"
    zh += f"。以上为自评：{EXAMINE[0]}"
    if still:
        en += f"; the evaluator must still see {still[1]}"
        zh += f"；测评仍需查看：{still[0]}"
    return verdict, en, zh
