"""Acknowledgements (处理记录): who looked at a red or amber inspection item, and what was done about it.

Kept beside the runs in `acknowledgements.jsonl`, one hash-chained record each (the change ledger's
chain, compliance.ledger): a record edited, removed or reordered later shows. A record names the run
by its directory and manifest hash, the host and the item as the run saw them, who, what and when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.errors import BilingualError
from compliance.evidence.store import MANIFEST, sha256_file
from compliance.evidence.verify import verify_run
from compliance.inspect.document import DOCUMENT
from compliance.inspect.render import attention
from compliance.ledger import LedgerProblem, append, read

ACKS_FILE = "acknowledgements.jsonl"


class AcknowledgementError(BilingualError):
    """The acknowledgement names no sealed run, host or open item, or says nothing."""


@dataclass(frozen=True)
class OpenItem:
    host: str
    item: str
    status: str
    title: str
    value: str
    acknowledgement: dict[str, Any] | None


def acks_path(run: Path) -> Path:
    return run.parent / ACKS_FILE


def open_items(run: Path) -> list[OpenItem]:
    """Every item of a run that is not green (hosts that did not answer included), worst first, each with
    the latest acknowledgement of it, if any."""
    return open_in(_document(run), acknowledged_items(run.parent).get(run.name, {}))


def open_in(document: dict[str, Any], acknowledged: dict[tuple[str, str], dict[str, Any]]) -> list[OpenItem]:
    """A run document's open items, with the latest of `acknowledged` ((host, item) → record) for each."""
    found = []
    for row in attention(document):
        title = f"{row['title_zh']} {row['title_en']}"
        ack = acknowledged.get((row["host"], row["id"]))
        found.append(OpenItem(row["host"], row["id"], row["status"], title, str(row["value"]), ack))
    return found


def acknowledged_items(folder: Path) -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    """Run name → (host, item) → its latest acknowledgement, from the folder's acknowledgements.jsonl."""
    records, _ = read_acks(folder)
    latest: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for record in records:
        latest.setdefault(str(record.get("run")), {})[(record.get("host"), record.get("item"))] = record
    return latest


def read_acks(folder: Path) -> tuple[list[dict[str, Any]], list[LedgerProblem]]:
    """The acknowledgements kept in the runs' folder, and what breaks their chain."""
    path = folder / ACKS_FILE
    return read(path) if path.is_file() else ([], [])


def acknowledge(run: Path, host: str, item: str, by: str, action: str) -> dict[str, Any]:
    """Record that `by` handled `item` on `host` as seen in `run` (a sealed inspection run), doing `action`."""
    if not by.strip() or not action.strip():
        raise AcknowledgementError(
            "--by and --action must say who handled the item and what was done",
            "--by 与 --action 须写明处理人和处理情况",
        )
    verification = verify_run(run)
    if not verification.intact:
        raise AcknowledgementError(
            f"{run} is not an intact sealed run: {verification.findings[0].english}",
            f"{run} 不是完整封存的巡检记录：{verification.findings[0].chinese}",
        )
    items = open_items(run)
    found = [entry for entry in items if entry.host == host and entry.item == item]
    if not found:
        listed = ", ".join(f"{e.host} {e.item}" for e in items) or "none"
        raise AcknowledgementError(
            f"{run.name} has no open item {item} on {host}; open items: {listed}",
            f"{run.name} 中主机 {host} 没有待处理项目 {item}；待处理项目：{listed}",
        )
    entry = found[0]
    return append(
        acks_path(run),
        {
            "kind": "acknowledgement",
            "run": run.name,
            "run_manifest_sha256": sha256_file(run / MANIFEST),
            "host": host,
            "item": item,
            "status": entry.status,
            "value": entry.value,
            "by": by.strip(),
            "action": action.strip(),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def _document(run: Path) -> dict[str, Any]:
    try:
        return json.loads((run / DOCUMENT).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AcknowledgementError(
            f"{run}: not an inspection run ({DOCUMENT} unreadable: {error})",
            f"{run}：不是巡检记录（{DOCUMENT} 无法读取：{error}）",
        ) from error
