"""`dengbao ledger`: the change ledger, one record per apply run (8.1.10.10 变更管理, 8.1.10.6 运维记录).

  dengbao ledger show [--last N] [--format table|markdown|json]   the latest records, newest last
  dengbao ledger verify                                           the hash chain, record by record

The ledger is --ledger, else $DENGBAO_LEDGER, else /var/lib/dengbao/ledger/changes.jsonl; runs
applied through scripts/apply (or with DENGBAO_LEDGER set) append to it.

Exit codes: 0 the chain holds; 1 a record was altered, removed or reordered (verify, and show,
which prints the records and then the problems); 2 usage error or no ledger.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from compliance.commands import documented_command, usage_error
from compliance.ledger import LedgerProblem, ledger_path, read

EXIT_INTACT, EXIT_BROKEN = 0, 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = documented_command(subparsers, "ledger", "the change ledger / 变更台账", __doc__)
    parser.add_argument("action", choices=["show", "verify"])
    parser.add_argument("--ledger", help="the ledger file (default: $DENGBAO_LEDGER or the control node's)")
    parser.add_argument("--last", type=int, default=20, help="show: how many records (0: all)")
    parser.add_argument("--format", choices=["table", "markdown", "json"], default="table")


def changed_hosts(record: dict[str, Any]) -> list[str]:
    return sorted({change["host"] for change in record.get("changes", [])})


def row(record: dict[str, Any]) -> list[str]:
    source = f"!{record['merge_request']}" if record.get("merge_request") else "by hand / 手工"
    commit = str(record.get("commit", ""))[:10] + (" +uncommitted" if record.get("uncommitted_changes") else "")
    changed = changed_hosts(record)
    return [
        str(record["seq"]),
        str(record.get("ended", "")),
        str(record.get("who", "")),
        source,
        commit,
        str(record.get("playbook", "")).rsplit("/", 1)[-1],
        f"{len(record.get('changes', []))} task(s) on {', '.join(changed) or 'no host'}",
        str(record.get("result", "")),
    ]


HEADER = ["#", "ended 结束", "who 操作人", "source 来源", "commit 提交", "playbook", "changed 变更", "result 结果"]


def show(records: list[dict[str, Any]], form: str) -> None:
    if form == "json":
        print(json.dumps(records, ensure_ascii=False, indent=1))
        return
    rows = [row(record) for record in records]
    if form == "markdown":
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for cells in rows:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        return
    for cells in [HEADER, *rows]:
        print("  ".join(cells))


def print_problems(problems: list[LedgerProblem], path: str) -> None:
    for problem in problems:
        print(f"{path}:{problem.line}: {problem.chinese} / {problem.english}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    path = ledger_path(args.ledger)
    if not path.is_file():
        return usage_error(f"no change ledger at {path}", f"变更台账不存在：{path}")
    records, problems = read(path)
    if args.action == "show":
        show(records[-args.last :] if args.last > 0 else records, args.format)
    if problems:
        print_problems(problems, str(path))
        print(f"变更台账已被篡改 / the ledger's chain is broken: {len(problems)} problem(s)", file=sys.stderr)
        return EXIT_BROKEN
    if args.action == "verify":
        last = records[-1]["hash"] if records else "none"
        print(f"变更台账完整 / ledger intact: {len(records)} record(s), last hash {last}")
    return EXIT_INTACT
