"""What changed between two stored runs: each system's self-assessed score and conclusion, new findings,
fixed findings, other verdict changes, objects that appeared or disappeared, and raw evidence whose
output changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compliance.report.load import StoredRun, clause_key
from compliance.results.records import ItemRecord

Key = tuple[str, str]  # (object, item)


@dataclass
class Comparison:
    before: str
    after: str
    new_findings: list[ItemRecord] = field(default_factory=list)
    fixed_findings: list[ItemRecord] = field(default_factory=list)
    changed: list[tuple[ItemRecord, ItemRecord]] = field(default_factory=list)
    objects_added: list[str] = field(default_factory=list)
    objects_removed: list[str] = field(default_factory=list)
    evidence_changed: list[tuple[str, str]] = field(default_factory=list)  # (host, probe)
    assessment: list[dict[str, Any]] = field(default_factory=list)  # per system: score and conclusion, A → B

    def as_dict(self) -> dict[str, Any]:
        def brief(item: ItemRecord) -> dict[str, Any]:
            return {key: getattr(item, key) for key in ("object", "item", "verdict", "reason_en", "reason_zh")}

        return {
            "before": self.before,
            "after": self.after,
            "new_findings": [brief(i) for i in self.new_findings],
            "fixed_findings": [brief(i) for i in self.fixed_findings],
            "verdict_changes": [
                {"object": a.object, "item": a.item, "before": a.verdict, "after": b.verdict} for a, b in self.changed
            ],
            "objects_added": self.objects_added,
            "objects_removed": self.objects_removed,
            "evidence_changed": [{"host": h, "probe": p} for h, p in self.evidence_changed],
            "assessment": self.assessment,
        }

    def render_text(self) -> str:
        lines = [f"对比 comparing {self.before} → {self.after}"]
        for row in self.assessment:
            a, b = row["before"] or {}, row["after"] or {}
            lines.append(
                f"自评估 self-assessment {row['system']}:"
                f" 得分 score {_shown(a.get('score'))} → {_shown(b.get('score'))},"
                f" 结论 conclusion {a.get('conclusion_zh', '—')} → {b.get('conclusion_zh', '—')},"
                f" 高风险 open high-risk {a.get('high_risk_open', '—')} → {b.get('high_risk_open', '—')}"
            )
        sections = (
            ("新增问题 new findings", self.new_findings),
            ("已修复 fixed findings", self.fixed_findings),
        )
        for title, items in sections:
            lines.append(f"{title}: {len(items)}")
            lines += [f"  {i.object}  {i.item}  {i.verdict_zh} {i.verdict}: {i.reason_zh}" for i in items]
        lines.append(f"结论变化 other verdict changes: {len(self.changed)}")
        lines += [f"  {a.object}  {a.item}  {a.verdict} → {b.verdict}" for a, b in self.changed]
        lines.append(f"新增对象 objects added: {', '.join(self.objects_added) or '—'}")
        lines.append(f"移除对象 objects removed: {', '.join(self.objects_removed) or '—'}")
        lines.append(f"证据变化 evidence changed: {len(self.evidence_changed)}")
        lines += [f"  {host}  {probe}" for host, probe in self.evidence_changed]
        return "\n".join(lines) + "\n"


def _shown(score: float | None) -> str:
    return "—" if score is None else f"{score:.1f}"


def _assessment_trend(before: StoredRun, after: StoredRun) -> list[dict[str, Any]]:
    """Per system in either run: its score, conclusion and open high-risk findings before and after."""
    kept = ("score", "conclusion", "conclusion_zh", "high_risk_open")

    def by_system(run: StoredRun) -> dict[str, dict[str, Any]]:
        systems = (run.assessment or {}).get("systems", [])
        return {entry["system"]: {key: entry.get(key) for key in kept} for entry in systems}

    old, new = by_system(before), by_system(after)
    return [{"system": name, "before": old.get(name), "after": new.get(name)} for name in sorted(set(old) | set(new))]


def _index(run: StoredRun) -> dict[Key, ItemRecord]:
    return {(item.object, item.item): item for item in run.items}


def compare(before: StoredRun, after: StoredRun) -> Comparison:
    result = Comparison(before.name, after.name, assessment=_assessment_trend(before, after))
    old, new = _index(before), _index(after)
    order = sorted(set(old) | set(new), key=lambda key: (key[0], clause_key(key[1])))
    for key in order:
        a, b = old.get(key), new.get(key)
        if a is None or b is None:
            continue
        if b.finding and not a.finding:
            result.new_findings.append(b)
        elif a.finding and not b.finding:
            result.fixed_findings.append(b)
        elif a.verdict != b.verdict:
            result.changed.append((a, b))
    objects_before = {item.object for item in before.items}
    objects_after = {item.object for item in after.items}
    result.objects_added = sorted(objects_after - objects_before)
    result.objects_removed = sorted(objects_before - objects_after)
    for host in sorted(set(before.evidence) & set(after.evidence)):
        probes_before = before.evidence[host]["probes"]
        probes_after = after.evidence[host]["probes"]
        for probe in sorted(set(probes_before) | set(probes_after)):
            a_probe, b_probe = probes_before.get(probe), probes_after.get(probe)
            if a_probe is None or b_probe is None or a_probe["output"] != b_probe["output"]:
                result.evidence_changed.append((host, probe))
    return result
