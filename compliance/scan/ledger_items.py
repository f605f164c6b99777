"""What the change ledger shows of three record items, for one system (定级对象).

Every apply run through `scripts/apply` (or the pipeline's apply job) appends a record to the control
node's change ledger (compliance.ledger): who, pipeline, commit, hosts, changed tasks, result, times,
hash-chained. The scan reads the ledger once, keeps a summary of it as evidence (change_ledger.json in
the run) and judges with it:

- 8.1.10.10 b) how each change was carried out is recorded;
- 8.1.10.6 e) operations are logged, settings and their changes among them;
- 8.1.10.6 g) changes are approved and leave an audit log that cannot be altered.

The ledger is part of each item's evidence, never all of it: with an intact chain and records for the
system's hosts the item is 部分符合 and names what the evaluator must still see. A chain that does not
hold (a record edited, removed or reordered) fails 8.1.10.6 g): the log was altered. No ledger on the
control node, or no record for the system's hosts, leaves the item manual: changes may be recorded
elsewhere, and nothing here says otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compliance.catalog.catalog import Item
from compliance.ledger import ledger_path
from compliance.ledger import read as read_ledger
from compliance.results.verdicts import Verdict

LEDGER_FILE = "change_ledger.json"
SUMMARY_FIELDS = ("seq", "hash", "started", "ended", "who", "merge_request", "pipeline", "commit", "result")

# Per item: what the evaluator must still see beside the ledger (Chinese, English).
STILL_TO_SEE = {
    "8.1.10.10 b)": (
        "变更申报和审批控制程序文件，以及流水线之外实施的变更的记录",
        "the written change request and approval procedure, and records of changes made outside the pipeline",
    ),
    "8.1.10.6 e)": (
        "运行维护记录，以及未引用巡检记录时的日常巡检记录",
        "the maintenance logs, and the daily inspection records where no inspection run is cited",
    ),
    "8.1.10.6 g)": (
        "每次变更的审批记录（合并请求的批准人）与配置信息库的同步更新",
        "the approval of each change (who approved its merge request) and the update of the configuration database",
    ),
}
LEDGER_ITEMS = tuple(STILL_TO_SEE)


def ledger_evidence(path: Path | None = None) -> dict[str, Any]:
    """The control node's ledger as the scan found it: a summary of every record (never the diffs'
    tasks), whether its chain holds, and where it lies. Read once per scan."""
    path = path or ledger_path()
    if not path.exists():
        return {"path": str(path), "present": False, "records": []}
    try:
        records, problems = read_ledger(path)
    except OSError as error:
        return {"path": str(path), "present": True, "records": [], "error": error.strerror or str(error)}
    return {
        "path": str(path),
        "present": True,
        "records": [summary(record) for record in records],
        "problems": [{"line": p.line, "en": p.english, "zh": p.chinese} for p in problems],
    }


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """What the scan keeps of a record: who, when, from which pipeline and commit, on which hosts."""
    kept = {key: record.get(key) for key in SUMMARY_FIELDS}
    return kept | {
        "hosts": sorted(record.get("hosts") or {}),
        "uncommitted_changes": bool(record.get("uncommitted_changes")),
    }


def ledger_verdict(item: Item, evidence: dict[str, Any] | None, hosts: set[str]) -> tuple[Verdict, str, str] | None:
    """The item's verdict from the ledger for a system with these hosts; None: the ledger says nothing
    (the item stays manual)."""
    key = item.id if item.id in STILL_TO_SEE else item.twin  # a level-2 item by its level-3 twin
    if evidence is None or key not in STILL_TO_SEE or not evidence.get("present"):
        return None
    still_zh, still_en = STILL_TO_SEE[key]
    where = f"{LEDGER_FILE} ({evidence['path']})"
    if "error" in evidence:
        return (
            Verdict.ERROR,
            f"the change ledger could not be read: {evidence['error']}",
            f"变更台账无法读取：{evidence['error']}",
        )
    problems = evidence.get("problems") or []
    if problems and key == "8.1.10.6 g)":
        first = problems[0]
        return (
            Verdict.FAIL,
            f"the change ledger was altered ({len(problems)} problem(s); line {first['line']}: {first['en']}): "
            f"the operations audit log is not unalterable; see {where}",
            f"变更台账被改动（{len(problems)} 处，首处第 {first['line']} 行：{first['zh']}）："
            f"运维审计日志未能保持不可更改；见 {where}",
        )
    mine = [r for r in evidence["records"] if hosts & set(r["hosts"])]
    if not mine:
        return None
    last = mine[-1]
    by_hand = [str(r["seq"]) for r in mine if not r.get("pipeline")]
    unreviewed = [str(r["seq"]) for r in mine if r.get("uncommitted_changes")]
    # A field a record lacks (an altered one may) shows as "?", never as a Python None.
    ended, who, result = (str(last[key] or "?") for key in ("ended", "who", "result"))
    commit = str(last["commit"] or "?")[:12]
    shown_en = (
        f"{len(mine)} apply run(s) on record for this system's hosts in the change ledger"
        f"{', its chain intact' if not problems else ', its chain broken'} (latest: record {last['seq']},"
        f" {ended}, by {who}, commit {commit}, {result})"
    )
    shown_zh = (
        f"变更台账中有本系统主机的 {len(mine)} 次实施记录{'，哈希链完整' if not problems else '，哈希链已断'}"
        f"（最近：第 {last['seq']} 条，{ended}，{who}，提交 {commit}，{result}）"
    )
    if by_hand:
        shown_en += f"; run by hand, not from the pipeline: record(s) {', '.join(by_hand)}"
        shown_zh += f"；未经流水线、手工实施：第 {'、'.join(by_hand)} 条"
    if unreviewed:
        shown_en += f"; applied uncommitted edits (never reviewed): record(s) {', '.join(unreviewed)}"
        shown_zh += f"；实施了未提交（未经评审）的修改：第 {'、'.join(unreviewed)} 条"
    return (
        Verdict.PARTIAL,
        f"{shown_en}; see {where}. The evaluator must still see {still_en}",
        f"{shown_zh}；见 {where}。测评仍需查看：{still_zh}",
    )
