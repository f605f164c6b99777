"""The change ledger: one record per apply run, append-only and hash-chained (8.1.10.10 变更管理,
8.1.10.6 运维记录).

The Ansible callback `plugins/callback/dengbao_runs.py` appends a record when a playbook run that
changes hosts ends (never for `--check`): who ran it, from which merge request and commit, on which
hosts, which tasks changed what (counts and file names, never the contents), the result, start and
end. Each record carries the hash of the one before it, so `dengbao ledger verify` finds a record
edited, removed or reordered anywhere but at the end; the last record's hash, copied into a scan's
evidence or a merge request, anchors the end too.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LEDGER_ENV = "DENGBAO_LEDGER"
DEFAULT_LEDGER = Path("/var/lib/dengbao/ledger/changes.jsonl")
GENESIS = "0" * 64
CHAIN_FIELDS = ("seq", "previous", "hash")


def provenance(directory: Path) -> dict[str, Any]:
    """Who made a change and from what: the operator (GitLab login, $DENGBAO_OPERATOR, else the user), the merge
    request and pipeline, the commit of the checkout in `directory`, and whether it had uncommitted changes
    (never said of a CI job, which runs the commit it names)."""
    import getpass

    from compliance.project import git_output

    in_ci = os.environ.get("CI_COMMIT_SHA")
    dirty = bool(git_output(directory, "status", "--porcelain", "--untracked-files=no"))
    return {
        "who": os.environ.get("GITLAB_USER_LOGIN") or os.environ.get("DENGBAO_OPERATOR") or getpass.getuser(),
        "merge_request": os.environ.get("CI_MERGE_REQUEST_IID", ""),
        "pipeline": os.environ.get("CI_PIPELINE_URL", ""),
        "commit": in_ci or git_output(directory, "rev-parse", "HEAD") or "",
        "uncommitted_changes": dirty and not in_ci,
    }


def ledger_path(given: str | Path | None = None) -> Path:
    """The ledger a command reads: the one given, else $DENGBAO_LEDGER, else the control node's default."""
    return Path(given or os.environ.get(LEDGER_ENV) or DEFAULT_LEDGER)


def record_hash(record: dict[str, Any]) -> str:
    """SHA-256 of the record's canonical JSON, without its own hash."""
    body = {key: value for key, value in record.items() if key != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def append(path: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """Append one record (chained to the last) under an exclusive lock; returns it as written."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(descriptor, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        lines = [line for line in handle.read().splitlines() if line.strip()]
        last = json.loads(lines[-1]) if lines else {"seq": 0, "hash": GENESIS}
        record = {key: value for key, value in entry.items() if key not in CHAIN_FIELDS}
        record["seq"] = int(last["seq"]) + 1
        record["previous"] = last["hash"]
        record["hash"] = record_hash(record)
        handle.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return record


@dataclass(frozen=True)
class LedgerProblem:
    line: int
    english: str
    chinese: str


def read(path: Path) -> tuple[list[dict[str, Any]], list[LedgerProblem]]:
    """Every record, and what breaks the chain: a line that is no record, a gap or repeat in the
    sequence, a link to anything but the record before, a hash that does not match the record."""
    records: list[dict[str, Any]] = []
    problems: list[LedgerProblem] = []
    previous, expected_seq = GENESIS, 1
    # Bytes that are not UTF-8 are kept as replacement characters: the record's hash then fails.
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            seq, link, stored = int(record["seq"]), str(record["previous"]), str(record["hash"])
        except (ValueError, KeyError, TypeError):
            problems.append(LedgerProblem(number, "not a ledger record", "不是变更记录"))
            continue
        if seq != expected_seq:
            en, zh = f"record {seq} where {expected_seq} was due", f"此处应为第 {expected_seq} 条，实为第 {seq} 条"
            problems.append(LedgerProblem(number, en, zh))
        if link != previous:
            problems.append(
                LedgerProblem(number, "does not link to the record before it", "未链接到前一条记录（记录被删除或调换）")
            )
        if record_hash(record) != stored:
            problems.append(LedgerProblem(number, "altered after it was written", "写入后被修改"))
        records.append(record)
        previous, expected_seq = stored, seq + 1
    return records, problems
