"""`dengbao drift`: what drifted from the declared state, on which host, since when, touching which clauses.

  dengbao drift -i inventory/example-hospital                 site.yml in check mode, and the last two scans
  dengbao drift -i lab --playbook playbooks/ssh.yml --limit his-app-01
  dengbao drift -i lab --format markdown                       for a chat, mail or merge request

Runs the playbook in check mode with diff (nothing changes on any host) and reads, per host, every
task that would change it, with the files and line counts of its diff, the checks its role puts
right and their clauses, and the last apply in the change ledger that changed it (drifted since
then). Reads every network device of the inventory over SSH and compares its running configuration
with its intended one, each difference with its clauses (--no-devices leaves them out; a platform
without templates is listed as not covered). Then compares the newest scan in --runs with the one
before it: new findings are drift too.
Writes drift.json and drift.md into a sealed run directory (drift/<UTC time>/, or -o).

Exit codes: 0 no drift; 1 drift (a task would change a host, or a scan has a new finding);
2 error: bad input, an invalid model, or a check that did not finish on every host or device
(unreachable or failed ones are named; their state is unknown, never "no drift").
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from compliance.checks import all_checks
from compliance.commands import EXIT_USAGE, documented_command, inventory_path, usage_error
from compliance.drift.checkmode import DriftError, check_run
from compliance.drift.devices import device_drifts
from compliance.drift.document import DEVICE_STATUS, EXIT_CODES, VERDICT_TEXT, drift_document, render_markdown
from compliance.evidence.store import previous_run, seal
from compliance.ledger import ledger_path, read
from compliance.model.host_policy import InvalidModel, repository
from compliance.project import NO_CHECKOUT, project_root
from compliance.report.compare import Comparison, compare
from compliance.report.load import ReportError, load_run


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = documented_command(subparsers, "drift", "drift from the declared state / 配置漂移检查", __doc__)
    parser.add_argument("-i", "--inventory", required=True, help="inventory path, or a name under inventory/")
    parser.add_argument("--playbook", default="playbooks/site.yml", help="the playbook to run in check mode")
    parser.add_argument("--limit", help="hosts or groups, as ansible-playbook --limit")
    parser.add_argument("--runs", type=Path, help="the scan runs to compare (default: reports/ of the checkout)")
    parser.add_argument("--ledger", help="the change ledger (default: $DENGBAO_LEDGER or the control node's)")
    parser.add_argument("-o", "--output", type=Path, help="the run directory to write (default: drift/<UTC time>)")
    parser.add_argument("--format", choices=["text", "markdown", "json"], default="text", help="what to print")
    parser.add_argument("--no-devices", action="store_true", help="leave the network devices out")
    parser.add_argument(
        "--device-timeout", type=float, default=30.0, help="seconds per step when reading a device, connect included"
    )


def scan_comparison(runs: Path) -> tuple[Comparison | None, str]:
    """The newest sealed scan in `runs` against the one it links to; else why there is none."""
    newest = (runs / "latest").resolve() if (runs / "latest").is_dir() else previous_run(runs / ".none")
    if newest is None:
        return None, f"no scan in {runs} to compare / {runs} 中没有扫描结果可对比"
    before = previous_run(newest)
    if before is None:
        return None, f"only one scan in {runs}: nothing to compare yet / {runs} 中只有一次扫描，暂无对比"
    try:
        return compare(load_run(before), load_run(newest)), ""
    except ReportError as error:
        return None, f"the scans could not be compared: {error.english} / 扫描结果无法对比：{error.chinese}"


def run(args: argparse.Namespace) -> int:
    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    inventory = inventory_path(root, args.inventory)
    playbook = Path(args.playbook) if Path(args.playbook).is_absolute() else root / args.playbook
    if not inventory.exists():
        return usage_error(f"no inventory at {inventory}", f"清单不存在：{inventory}")
    if not playbook.is_file():
        return usage_error(f"no playbook at {playbook}", f"剧本不存在：{playbook}")
    try:
        repository(root)
    except InvalidModel as error:
        print(error, file=sys.stderr)
        return usage_error("the model does not validate: nothing was checked", "模型校验未通过：未执行检查")
    try:
        check = check_run(root, inventory, playbook, args.limit)
    except DriftError as error:
        return usage_error(error.english, error.chinese)
    ledger_file = ledger_path(args.ledger)
    ledger, broken = read(ledger_file) if ledger_file.is_file() else ([], [])
    comparison, note = scan_comparison(args.runs or root / "reports")
    devices = None if args.no_devices else device_drifts(root, inventory, args.limit, args.device_timeout)
    document = drift_document(check, all_checks(), ledger, comparison, note, devices)
    document["ledger"] = {"path": str(ledger_file), "records": len(ledger), "chain_intact": not broken}
    output = args.output or root / "drift" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    write_run(output, document)
    if args.format == "json":
        print(json.dumps(document, ensure_ascii=False, indent=1))
    elif args.format == "markdown":
        print(render_markdown(document), end="")
    else:
        print(summary(document, output))
    return EXIT_CODES.get(document["verdict"], EXIT_USAGE)


def write_run(directory: Path, document: dict) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    directory.mkdir(mode=0o700)
    (directory / "drift.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (directory / "drift.md").write_text(render_markdown(document), encoding="utf-8")
    seal(directory, None)


def summary(document: dict, output: Path) -> str:
    counts = f"{len(document['tasks'])} task(s) on {len(document['drifted_hosts'])} host(s)"
    if document["devices"]:
        counts += f", {len(document['drifted_devices'])} of {len(document['devices'])} device(s) drifted"
    lines = [f"{VERDICT_TEXT[document['verdict']]}: {counts}"]
    for task in document["tasks"]:
        since = task["last_apply"]
        lines.append(
            f"  {task['host']}  {task['role'] or '-'}: {task['task']}  [{', '.join(task['clauses']) or '-'}]"
            + (f"  since ledger record {since['seq']} ({since['ended']})" if since else "")
        )
    lines += [f"  未完成 not checked: {f['host']}: {f['task']}: {f['message']}" for f in document["failures"]]
    for device in document["devices"]:
        if device["status"] != "checked":
            lines.append(f"  设备 device {device['device']}: {DEVICE_STATUS[device['status']]}: {device['message']}")
        elif device["differences"]:
            lines.append(
                f"  设备 device {device['device']}: {len(device['differences'])} difference(s)"
                f"  [{', '.join(device['clauses']) or '-'}]"
            )
    scan = document["scan"]
    if "note" in scan:
        lines.append(f"扫描对比 scan comparison: {scan['note']}")
    else:
        lines.append(
            f"扫描对比 scan comparison {scan['before']} → {scan['after']}: "
            f"{len(scan['new_findings'])} new finding(s) / 新增问题, {len(scan['fixed_findings'])} fixed / 已修复"
        )
    lines.append(f"记录 run: {output}")
    return "\n".join(lines)
