"""The review as a merge-request comment (Markdown) and as a GitLab Code Quality report."""

from __future__ import annotations

import hashlib
from typing import Any

from compliance.review.impact import READ_AS, HostImpact, Impact
from compliance.yamldoc.problems import Problem

SHOWN_HOSTS = 12


def _hosts(impacts: list[HostImpact]) -> str:
    names = [f"{h.host}" for h in impacts]
    more = f" … (+{len(names) - SHOWN_HOSTS})" if len(names) > SHOWN_HOSTS else ""
    return ", ".join(names[:SHOWN_HOSTS]) + more


def render_markdown(impact: Impact, base: str, problems: list[Problem]) -> str:
    lines = [f"## 变更影响评审 / Change review against `{base[:12]}`", ""]
    if problems:
        lines += [f"**校验未通过 / The model does not validate ({len(problems)}):**", ""]
        lines += [f"- `{p.file}:{p.line}` {p.field}: {p.chinese} / {p.english}" for p in problems]
        return "\n".join(lines) + "\n"
    lines += [f"**{len(impact.hosts)} host(s) / 台主机** · settings 策略项: {', '.join(impact.keys) or '—'}", ""]
    if impact.hosts:
        lines.append("| inventory 清单 | host 主机 | settings changed 策略变化 | host changes 主机变化 |")
        lines.append("|---|---|---|---|")
        lines += [
            f"| {h.inventory} | {h.host} | {', '.join(h.keys) or '—'} | {'; '.join(h.changes) or '—'} |"
            for h in impact.hosts
        ]
    lines += [
        "",
        f"**Checks 检查项 ({len(impact.checks)}):** {', '.join(f'`{c}`' for c in impact.checks) or '—'}",
        "",
        f"**Clauses 条款:** {', '.join(impact.clauses) or '—'}",
        "",
        f"**Roles that read them 相关角色:** {', '.join(impact.roles) or '—'}",
        "",
        "### 豁免 / Waivers",
        "",
    ]
    for title, waivers in (("added 新增", impact.waivers_added), ("changed 修改", impact.waivers_changed)):
        lines += [
            f"- {title}: {w.id} ({', '.join(w.items)}), expires {w.expires}, `{w.file}:{w.line}`" for w in waivers
        ]
    lines += [f"- removed 移除: {waiver}" for waiver in impact.waivers_removed]
    for w in impact.waivers_expiring:
        lines.append(f"- expiring 即将到期: {w.id} on {w.expires} ({', '.join(w.items)}), `{w.file}:{w.line}`")
    if not (impact.waivers_added or impact.waivers_changed or impact.waivers_removed or impact.waivers_expiring):
        lines.append("— none / 无")
    lines += ["", "### 管理记录 / Records", ""]
    titles = {"added": "added 新增", "changed": "changed 修改", "removed": "removed 移除"}
    lines += [
        f"- {titles[r['status']]}: {r['inventory']}/{r['id']} ({r['type']}, {r['dated']}), items 测评项:"
        f" {', '.join(r['items']) or '—'}, `{r['file']}`"
        for r in impact.records
    ]
    if not impact.records:
        lines.append("— none / 无")
    return "\n".join(lines) + "\n"


def _entry(path: str, line: int, description: str, severity: str, check_name: str) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{check_name}|{path}|{line}|{description}".encode()).hexdigest()
    return {
        "description": description,
        "check_name": check_name,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line}},
    }


def _file_description(path: str, impact: Impact) -> str:
    parts = path.split("/")
    if parts[0] == "policies" and len(parts) == 2:
        topic = parts[1].removesuffix(".yml")
        hosts = [h for h in impact.hosts if topic in {READ_AS.get(t, t) for t in h.topics}]
        shown = _hosts(hosts) or "none"
        return f"{path} changes the settings of {len(hosts)} host(s): {shown} / 影响 {len(hosts)} 台主机"
    if parts[0] == "inventory" and len(parts) > 1:
        hosts = [h for h in impact.hosts if h.inventory == parts[1]]
        shown = _hosts(hosts) or "none"
        return f"inventory {parts[1]}: {len(hosts)} host(s) change: {shown} / 清单变化影响 {len(hosts)} 台主机"
    return f"{path} changed / 已修改"


def code_quality(impact: Impact | None, changed: dict[str, list[int]], problems: list[Problem]) -> list[dict[str, Any]]:
    """Entries on the changed lines (info), on each validation problem (major), on each waiver added,
    changed or about to expire (minor)."""
    entries = [
        _entry(p.file, p.line, f"{p.field}: {p.english} / {p.chinese}", "major", "dengbao.validate") for p in problems
    ]
    if impact is not None:
        for path, lines in sorted(changed.items()):
            if path.startswith("policies/waivers/"):
                continue
            description = _file_description(path, impact)
            entries += [_entry(path, line, description, "info", "dengbao.review.impact") for line in lines]
        for waiver in [*impact.waivers_added, *impact.waivers_changed]:
            items = ", ".join(waiver.items)
            text = f"waiver {waiver.id} for {items} until {waiver.expires}, approved by {waiver.approver}"
            entries.append(_entry(waiver.file, waiver.line, text, "minor", "dengbao.review.waiver"))
        for waiver in impact.waivers_expiring:
            items = ", ".join(waiver.items)
            text = f"waiver {waiver.id} expires on {waiver.expires}: renew it or meet {items} / 豁免即将到期"
            entries.append(_entry(waiver.file, waiver.line, text, "minor", "dengbao.review.waiver_expiring"))
    return entries
