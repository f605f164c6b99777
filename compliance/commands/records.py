"""`dengbao records`: the management records behind the document-based items (管理记录).

    dengbao records types                                   every record type and its categories
    dengbao records new drill -i example-hospital --system his --id drill-2026-11-his-failover
    dengbao records new document --category emergency_plan -i example-hospital --attach 预案.pdf
    dengbao records list -i example-hospital                each record, its age and its freshness limit

`new` writes records/<inventory>/<type>/<id>.yml with every field of the type, commented in Chinese
and English; fields marked 待填写 are still to be written. Attached files are copied beside it under
attachments/ and their SHA-256 recorded. `dengbao validate` checks every record (docs/records.md).

Exit codes: 0 done; 1 (list) a record is out of date; 2 bad input.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

from compliance.commands import EXIT_USAGE, documented_command, inventory_path, load_model, usage_error
from compliance.digest import sha256_file
from compliance.project import NO_CHECKOUT, project_root
from compliance.records.store import (
    freshness_key,
    freshness_limit,
    load_records,
    record_types,
    records_directory,
)
from compliance.records.template import new_record

EXIT_STALE = 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    command = documented_command(subparsers, "records", "management records / 管理记录", __doc__)
    actions = command.add_subparsers(dest="records_command", required=True)
    actions.add_parser("types", help="list record types / 列出记录类型")
    new = actions.add_parser("new", help="write a new record from its template / 按模板新建记录")
    new.add_argument("type", help="record type (dengbao records types)")
    new.add_argument("-i", "--inventory", required=True, help="inventory the record belongs to")
    new.add_argument("--id", help="record id (default: <type>-<date>)")
    new.add_argument("--category", help="category, for types that have one")
    new.add_argument("--system", action="append", help="system (定级对象) it is for (repeatable; default: all)")
    new.add_argument("--title", help="title")
    new.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    new.add_argument("--attach", action="append", type=Path, help="a file to attach (repeatable)")
    listing = actions.add_parser("list", help="list records and their freshness / 列出记录及时效")
    listing.add_argument("-i", "--inventory", required=True, help="inventory")


def run(args: argparse.Namespace) -> int:
    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    if args.records_command == "types":
        for kind in record_types().values():
            occasional = " (occasional 按需)" if kind.occasional else ""
            print(f"{kind.name:<20} {kind.zh} / {kind.en}{occasional}")
            for key, text in kind.categories.items():
                print(f"  --category {key:<22} {text}")
        return 0
    model = load_model(root)
    if model is None:
        return EXIT_USAGE
    inventory = inventory_path(root, args.inventory)
    if not inventory.is_dir():
        return usage_error(
            f"{args.inventory}: no such inventory (a folder under inventory/, or its path)",
            f"{args.inventory}：清单不存在（inventory/ 下的目录或其路径）",
        )
    settings = model.policies.policies["assessment"].settings
    directory = records_directory(root, settings["records_directory"], inventory.name)
    if args.records_command == "new":
        return _new(args, directory)
    return _list(directory, root, settings["max_age_days"], model.inventories.get(inventory.name))


def _new(args: argparse.Namespace, directory: Path) -> int:
    kind = record_types().get(args.type)
    if kind is None:
        known = ", ".join(record_types())
        return usage_error(f"unknown record type {args.type!r}; known: {known}", f"未知的记录类型；可用：{known}")
    if kind.categories and args.category not in kind.categories:
        known = ", ".join(kind.categories)
        return usage_error(f"{kind.name} needs --category, one of: {known}", f"{kind.name} 需要 --category：{known}")
    when = args.date or date.today()
    record_id = args.id or f"{kind.name}-{args.category + '-' if args.category else ''}{when.isoformat()}"
    target = directory / kind.name / f"{record_id}.yml"
    if target.exists():
        return usage_error(f"{target} exists already; choose another --id", f"{target} 已存在，请另选 --id")
    missing = [path for path in args.attach or [] if not path.is_file()]
    if missing:
        return usage_error(f"no such file to attach: {missing[0]}", f"要附加的文件不存在：{missing[0]}")
    values: dict[str, Any] = {"type": kind.name, "id": record_id, "date": when}
    if args.title:
        values["title"] = args.title
    if args.category:
        values["category"] = args.category
    if args.system:
        values["systems"] = list(args.system)
    target.parent.mkdir(parents=True, exist_ok=True)
    attachments = []
    for path in args.attach or []:
        kept = target.parent / "attachments" / record_id / path.name
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, kept)
        attachments.append({"path": str(kept.relative_to(target.parent)), "sha256": sha256_file(kept)})
    if attachments:
        values["attachments"] = attachments
    target.write_text(new_record(kind, values), encoding="utf-8")
    print(f"已写入 written: {target}\n  请填写标注“待填写”的字段，然后运行 dengbao validate"
          f"\n  fill in the fields marked 待填写 / to fill in, then run dengbao validate")  # fmt: skip
    return 0


def _list(directory: Path, root: Path, limits: dict[str, int], inventory: Any) -> int:
    found = load_records(directory, root, set(inventory.systems) if inventory is not None else None)
    for problem in found.problems:
        print(problem.render(), file=sys.stderr)
    if found.problems:
        return EXIT_USAGE
    today, stale = date.today(), 0
    for record in found.records:
        key = freshness_key(record.type, record.category)
        limit = freshness_limit(limits, record.type, record.category)
        age = (today - record.dated).days
        late = limit is not None and age > limit
        stale += late
        state = ("过期 out of date" if late else "有效 current") if limit is not None else "不限 no limit"
        systems = ",".join(record.systems) or "*"
        print(f"{record.dated}  {age:>5} d  {state:<16} {key:<32} {systems:<10} {record.id}  {record.title}")
    print(f"{directory}: {len(found.records)} record(s), {stale} out of date / 过期 {stale} 条")
    return EXIT_STALE if stale else 0
