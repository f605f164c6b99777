"""`dengbao catalog`: the GB/T 22239-2019 items at level 2 or 3, as a table or JSON."""

from __future__ import annotations

import argparse
import json
import unicodedata

from compliance.catalog.catalog import catalog_metadata
from compliance.commands import usage_error
from compliance.scan.coverage import covered_items


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="GB/T 22239-2019 items / 等保 2.0 测评项目录")
    parser.add_argument("--level", type=int, choices=[2, 3], default=3)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--category", help="only this category or control point, e.g. 8.1.4 or 8.1.4.1")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def run(args: argparse.Namespace) -> int:
    items = covered_items(args.level)
    if args.category:
        prefix = args.category.rstrip(".") + "."
        items = tuple(i for i in items if i.id.startswith(prefix) or (i.control_point_id + ".").startswith(prefix))
        if not items:
            return usage_error(
                f"--category {args.category}: no item of level {args.level} is in it (for example 8.1.4 or 8.1.4.1)",
                f"--category {args.category}：第{'二三'[args.level - 2]}级没有该类别的测评项（例如 8.1.4 或 8.1.4.1）",
            )
    meta = catalog_metadata()
    if args.format == "json":
        print(
            json.dumps(
                {
                    "standard": meta["standard"],
                    "level": args.level,
                    "count": len(items),
                    "items": [i.as_dict() for i in items],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(
        f"{meta['standard']} {meta['title_zh']}\n{meta['title_en']} — 第{'二三'[args.level - 2]}级 level {args.level}\n"
    )
    current = None
    for item in items:
        if item.control_point_id != current:
            current = item.control_point_id
            print(f"\n{item.control_point_id} {item.control_point_zh} / {item.control_point_en}")
        unit = item.test_unit or ""
        print(f"  {_pad(item.id, 12)} {_pad(unit, 12)} {_pad(item.status, 14)} {item.zh}")
        print(f"  {'':12} {'':12} {'':14} {item.en}  [{', '.join(item.evidence)}]")
    print(f"\n共 {len(items)} 项 / {len(items)} items")
    return 0
