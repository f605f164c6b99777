"""The drift document: drifted tasks with their checks, clauses and last apply; scan regressions; a verdict."""

from __future__ import annotations

from typing import Any

from compliance.checks import Check
from compliance.report.compare import Comparison

SCHEMA = "dengbao-drift/1"
NO_DRIFT, DRIFT, ERROR = "no_drift", "drift", "error"
EXIT_CODES = {NO_DRIFT: 0, DRIFT: 1, ERROR: 2}


def remediated_by(checks: dict[str, Check], role: str, tags: list[str]) -> list[Check]:
    """The checks a role's task puts right: those naming its role and one of its tags, else all naming the role."""
    of_role = [c for c in checks.values() if any(r.split(":")[0] == role for r in c.remediation)]
    tagged = [c for c in of_role if any(r == f"{role}:{tag}" for r in c.remediation for tag in tags)]
    return tagged or of_role


def last_apply(ledger: list[dict[str, Any]], host: str, task: str) -> dict[str, Any] | None:
    """The latest ledger record in which this task changed this host: the state drifted since then."""
    for record in reversed(ledger):
        if any(c["host"] == host and c["task"] == task for c in record.get("changes", [])):
            return {key: record.get(key) for key in ("seq", "ended", "who", "merge_request", "commit", "hash")}
    return None


def drift_document(
    check: dict[str, Any],
    checks: dict[str, Check],
    ledger: list[dict[str, Any]],
    comparison: Comparison | None,
    scan_note: str = "",
    devices: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`devices`: the network devices' entries (compliance.drift.devices), None where they were not checked."""
    tasks = []
    for change in check["changes"]:
        found = remediated_by(checks, change["role"], change.get("tags", []))
        clauses = sorted({clause for c in found for clause in c.clauses})
        tasks.append(
            change
            | {
                "checks": [c.id for c in found],
                "clauses": clauses,
                "last_apply": last_apply(ledger, change["host"], change["task"]),
            }
        )
    scan: dict[str, Any] = comparison.as_dict() if comparison else {"note": scan_note}
    devices = devices or []
    unfinished = (
        bool(check["failures"]) or check["result"] != "ok" or any(d["status"] == "not_checked" for d in devices)
    )
    drifted = bool(tasks) or bool(comparison and comparison.new_findings) or any(d.get("differences") for d in devices)
    verdict = ERROR if unfinished else DRIFT if drifted else NO_DRIFT
    return {
        "schema": SCHEMA,
        "verdict": verdict,
        "playbook": check["playbook"],
        "inventory": check["inventory"],
        "limit": check["limit"],
        "started": check["started"],
        "ended": check["ended"],
        "hosts": check["hosts"],
        "drifted_hosts": sorted({t["host"] for t in tasks}),
        "tasks": tasks,
        "failures": check["failures"],
        "devices": devices,
        "drifted_devices": sorted(d["device"] for d in devices if d.get("differences")),
        "scan": scan,
    }


VERDICT_TEXT = {
    NO_DRIFT: "无漂移 / no drift",
    DRIFT: "发现漂移 / drift",
    ERROR: "检查未完成 / the check did not finish",
}


def task_row(task: dict[str, Any]) -> str:
    shown = [d for d in task["diff"] if d.get("file")]
    files = ", ".join(f"{d['file']} (+{d.get('lines_added', '?')} -{d.get('lines_removed', '?')})" for d in shown)
    since = task["last_apply"]
    applied = f"last applied in ledger record {since['seq']} at {since['ended']}" if since else "no apply on record"
    return (
        f"{task['host']} | {task['role'] or '-'}: {task['task']} | {files or task['action']} | "
        f"{', '.join(task['clauses']) or '-'} | {', '.join(task['checks']) or '-'} | {applied}"
    )


def task_table(tasks: list[dict[str, Any]]) -> list[str]:
    """The Markdown table of tasks that would change a host, one row each."""
    header = "| host 主机 | role: task 任务 | what 变更 | clauses 条款 | checks 检查项 | since 自 |"
    return [header, "|---|---|---|---|---|---|", *("| " + task_row(t) + " |" for t in tasks)]


def render_markdown(document: dict[str, Any]) -> str:
    lines = [
        f"# 配置漂移 / Drift: {VERDICT_TEXT[document['verdict']]}",
        "",
        f"`{document['playbook']}` on {', '.join(document['hosts']) or 'no host'}"
        f" ({document['started']} – {document['ended']})",
        "",
        f"## 与声明状态不一致的任务 / Tasks that would change ({len(document['tasks'])})",
        "",
    ]
    if document["tasks"]:
        lines += task_table(document["tasks"])
    else:
        lines.append("None / 无。")
    if document["failures"]:
        lines += ["", f"## 未完成 / Not checked ({len(document['failures'])})", ""]
        lines += [f"- {f['host']}: {f['task']}: {f['message']}" for f in document["failures"]]
    lines += device_section(document.get("devices", []))
    scan = document["scan"]
    lines += ["", "## 扫描对比 / Scan comparison", ""]
    if "note" in scan:
        lines.append(scan["note"])
    else:
        lines.append(f"{scan['before']} → {scan['after']}")
        for key, title in (("new_findings", "新增问题 new findings"), ("fixed_findings", "已修复 fixed findings")):
            lines.append(f"- {title}: {len(scan[key])}")
            lines += [f"  - {i['object']} {i['item']}: {i['reason_zh']} / {i['reason_en']}" for i in scan[key]]
        changed = ", ".join(f"{e['host']} {e['probe']}" for e in scan["evidence_changed"])
        lines.append(f"- 证据变化 evidence changed: {changed or '—'}")
    return "\n".join(lines) + "\n"


DEVICE_STATUS = {
    "checked": "已检查 checked",
    "not_checked": "未能检查 not checked",
    "not_covered": "不支持 not covered",
}


def device_section(devices: list[dict[str, Any]]) -> list[str]:
    """The network devices: running against intended, each difference with the clauses it touches."""
    if not devices:
        return []
    drifted = [d for d in devices if d.get("differences")]
    lines = ["", f"## 网络设备 / Network devices ({len(drifted)} of {len(devices)} drifted)", ""]
    for device in devices:
        said = DEVICE_STATUS[device["status"]]
        if device["status"] != "checked":
            lines.append(f"- {device['device']} ({device['platform'] or '-'}): {said}: {device['message']}")
            continue
        count = len(device["differences"])
        clauses = f", touching {', '.join(device['clauses'])}" if device["clauses"] else ""
        lines.append(f"- {device['device']} ({device['platform']}): {count} difference(s){clauses}")
        lines += [f"  - `{d['shown']}`" for d in device["differences"]]
    return lines
