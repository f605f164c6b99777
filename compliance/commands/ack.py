"""`dengbao ack`: record who handled a red or amber inspection item and what was done (处理记录).

    dengbao ack --open                                     the newest inspection's open items, acknowledged or not
    dengbao ack --host his-db-01 --item disk:/var --by 张工 --action "归档日志迁移至备份主机，使用率降至 62%"
    dengbao ack --run inspections/20261203T000000Z --host pacs-app-01 --item service:rsyslog --by 李工 --action "已重启"

Acknowledgements are kept beside the runs (acknowledgements.jsonl, hash-chained), name the run by its
manifest hash, and are what the evaluator reads as the handling of anomalies (8.1.10.6 e)).

Exit codes: 0 recorded (with --open: no red item left unacknowledged); 1 with --open, red items still
unacknowledged; 2 bad input (no such run, host or open item; an altered run; nothing said).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from compliance.commands import documented_command, usage_error
from compliance.inspect.acks import AcknowledgementError, acknowledge, open_items, read_acks
from compliance.inspect.history import runs_directory
from compliance.inspect.status import Status
from compliance.project import NO_CHECKOUT, project_root

EXIT_OPEN = 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    command = documented_command(subparsers, "ack", "acknowledge inspection items / 巡检异常处理记录", __doc__)
    command.add_argument("--run", type=Path, help="the inspection run (default: the newest kept run)")
    command.add_argument("--open", action="store_true", help="list the run's open items and their acknowledgements")
    command.add_argument("--host", help="the host the item is on")
    command.add_argument("--item", help="the item's id as the run shows it, e.g. disk:/var or service:rsyslog")
    command.add_argument("--by", help="who handled it (处理人)")
    command.add_argument("--action", help="what was done (处理情况)")


def run(args: argparse.Namespace) -> int:
    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    directory = args.run or runs_directory(root) / "latest"
    if not directory.is_dir():
        return usage_error(f"{directory}: no such inspection run", f"{directory}：巡检记录不存在")
    directory = directory.resolve()
    if args.open:
        return _show_open(directory)
    missing = [name for name in ("host", "item", "by", "action") if not getattr(args, name)]
    if missing:
        return usage_error(
            f"give {', '.join('--' + name for name in missing)} (or --open to list the open items)",
            f"请提供 {', '.join('--' + name for name in missing)}（或用 --open 列出待处理项目）",
        )
    try:
        record = acknowledge(directory, args.host, args.item, args.by, args.action)
    except AcknowledgementError as error:
        return usage_error(error.english, error.chinese)
    print(f"已记录 recorded: #{record['seq']} {record['run']} {record['host']} {record['item']} ({record['status']})"
          f" — {record['by']}: {record['action']}")  # fmt: skip
    return 0


def _show_open(directory: Path) -> int:
    try:
        entries = open_items(directory)
    except AcknowledgementError as error:
        return usage_error(error.english, error.chinese)
    _, problems = read_acks(directory.parent)
    for problem in problems:
        print(f"警告 warning: acknowledgements.jsonl line {problem.line}: {problem.chinese} / {problem.english}")
    waiting = 0
    for entry in entries:
        ack = entry.acknowledgement
        if ack is None and entry.status in (Status.RED.value, Status.ERROR.value):
            waiting += 1
        handled = f"{ack['by']} {ack['at']}: {ack['action']}" if ack else "未处理 not acknowledged"
        print(f"{Status(entry.status).label:<14} {entry.host}  {entry.item}  {entry.value}  — {handled}")
    print(f"{directory.name}: {len(entries)} open item(s), {waiting} red or unreadable not acknowledged")
    return EXIT_OPEN if waiting else 0
