"""`dengbao validate` and `dengbao inventory`."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from compliance.commands import usage_error
from compliance.model.validate import load_repository, validate_paths
from compliance.project import NO_CHECKOUT, project_root
from compliance.yamldoc.problems import Problem

EXIT_VALID, EXIT_INVALID = 0, 2


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    validate = subparsers.add_parser(
        "validate", help="check inventories and policies / 校验清单与策略", description=__doc__
    )
    validate.add_argument("paths", nargs="*", type=Path, help="repository, policies folder or file, or inventory")
    inventory = subparsers.add_parser("inventory", help="systems, levels, zones and hosts / 定级对象、区域与主机")
    inventory.add_argument("-i", "--inventory", default="example-hospital", help="inventory name under inventory/")
    inventory.add_argument("--format", choices=["table", "json"], default="table")


def report(problems: list[Problem], out: TextIO | None = None) -> None:
    out = out or sys.stderr
    for problem in problems:
        print(problem.render(), file=out)
    files = len({p.file for p in problems})
    print(f"发现 {len(problems)} 个问题，涉及 {files} 个文件 / {len(problems)} problem(s) in {files} file(s)", file=out)


def run_validate(args: argparse.Namespace) -> int:
    root = project_root()
    paths = args.paths or ([root] if root else [])
    if not paths:
        return usage_error(*NO_CHECKOUT)
    problems = validate_paths(paths, root)
    if problems:
        report(problems)
        return EXIT_INVALID
    print("校验通过 / valid: " + ", ".join(str(p) for p in paths))
    return EXIT_VALID


def run_inventory(args: argparse.Namespace) -> int:
    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    repository = load_repository(root)
    if not repository.valid:
        report(repository.problems)
        return EXIT_INVALID
    inventory = repository.inventories.get(args.inventory)
    if inventory is None:
        names = ", ".join(sorted(repository.inventories))
        return usage_error(
            f"-i {args.inventory}: no such inventory; have: {names}", f"没有清单 {args.inventory}；现有：{names}"
        )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "hospital": inventory.hospital,
                    "systems": inventory.systems,
                    "zones": inventory.zones,
                    "hosts": {
                        h.name: {
                            "zone": h.zone,
                            "systems": h.systems,
                            "level": h.level,
                            "os": h.variables.get("dengbao_os"),
                            "device": h.variables.get("dengbao_device"),
                        }
                        for h in inventory.hosts.values()
                    },
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_VALID
    print(f"{inventory.hospital.get('name_zh', '')} / {inventory.hospital.get('name_en', '')}\n")
    counts = Counter(s for h in inventory.hosts.values() for s in h.systems)
    print(f"{'system 定级对象':<16} {'level 等级':<10} {'hosts':>5}  name 名称")
    for name, system in sorted(inventory.systems.items(), key=lambda kv: (-kv[1]["level"], kv[0])):
        print(f"{name:<16} {system['level']:<10} {counts[name]:>5}  {system['name_zh']} / {system['name_en']}")
    print(f"\n{'zone 区域':<12} {'host 主机':<18} {'level':<6} {'device':<12} {'os':<12} systems 定级对象")
    for zone in inventory.zones:
        for host in sorted((h for h in inventory.hosts.values() if h.zone == zone), key=lambda h: h.name):
            v = host.variables
            print(
                f"{zone:<12} {host.name:<18} {host.level:<6} {v.get('dengbao_device', ''):<12} "
                f"{v.get('dengbao_os', ''):<12} {', '.join(host.systems)}"
            )
    print(
        f"\n{len(inventory.hosts)} 台主机 hosts, {len(inventory.systems)} 个定级对象 systems, "
        f"{len(inventory.zones)} 个区域 zones"
    )
    return EXIT_VALID
