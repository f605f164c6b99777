"""`dengbao device`: the configuration a switch, router or firewall should run, and pushing it safely.

`intended NAME` renders the device's configuration from its effective policy settings (accounts, audit,
time, ssh and network_devices, with its level's and zone's overrides) through the template of its platform
(`dengbao_os`: huawei_vrp, h3c_comware, cisco_ios), and prints it or writes it with `-o FILE`. Where two
inventories name the device (the lab stands in for the hospital under its names), `-i` says which one; push
and drift take theirs from the inventory they reach the device through.

`push NAME -i INVENTORY` brings the device to that configuration over SSH, reaching it as the inventory
says (`ansible_host`, `ansible_port`, `ansible_user`, `ansible_password` from the vault, else
$DENGBAO_DEVICE_PASSWORD). It saves the running configuration first, shows the change set and the rollback
plan, sends the change set, reads the configuration again in a new session and judges it with every device
check; a refused command, a lost session or a failing check rolls it back, and the configuration after the
rollback is compared with the saved one. `--dry-run` shows the change set and sends nothing. A push merges;
`--remove-extra` also takes out the lines drift reports as extra (a line the intended configuration does not
name that changes a check's verdict, such as a permit added by hand), each restored by the rollback. Evidence
(before.cfg, changes.txt, rollback.txt, after.cfg, push.json) goes to
reports/device-pushes/<device>/<UTC time>/ or `-o DIR`.

`drift NAME -i INVENTORY` reads the device's running configuration (or `--config FILE`, a saved one) and
compares it with the intended one by section and line, order aside: intended lines it lacks, lines that
set the same thing otherwise, and lines it adds that change a check's verdict, each with the clauses it
touches (worked out by judging the intended configuration with that difference alone). `--history DIR`
keeps each configuration read in a git repository, one file per device, one commit per change, redacted as
the sealed evidence is (no password, key or community in it).

Examples:
  dengbao device intended core-sw-01
  dengbao device intended acc-sw-clin-01 -o /tmp/acc-sw-clin-01.cfg
  dengbao device intended core-sw-01 -i lab
  dengbao device push core-sw-01 -i example-hospital --dry-run
  dengbao device push core-sw-01 -i example-hospital --remove-extra --dry-run
  dengbao device drift core-sw-01 -i example-hospital --history /var/lib/dengbao/device-configs
  dengbao device drift core-sw-01 --config saved/core-sw-01.cfg --format json

Exit codes: 0 rendered, pushed, nothing to change (a dry run too), or no drift; 1 rolled back, not
pushed (the device could not be read), drift found, or the device could not be read for drift; 2 bad
input (unknown device, no template for its platform, a policy value its platform cannot express),
naming the file and field.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.commands import documented_command, load_model, usage_error
from compliance.project import NO_CHECKOUT, project_root


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    device = documented_command(subparsers, "device", "network devices / 网络设备", __doc__)
    actions = device.add_subparsers(dest="action", required=True)
    intended = actions.add_parser("intended", help="render a device's intended configuration / 生成设备目标配置")
    intended.add_argument("name", help="the device's inventory name")
    intended.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    intended.add_argument(
        "-i", "--inventory", help="the inventory naming the device (default: the first under inventory/ that does)"
    )
    push = actions.add_parser("push", help="push the intended configuration, with rollback / 下发目标配置（可回退）")
    push.add_argument("name", help="the device's inventory name")
    push.add_argument("-i", "--inventory", required=True, help="inventory path, or a name under inventory/")
    push.add_argument("--dry-run", action="store_true", help="show the change set and send nothing")
    push.add_argument(
        "--remove-extra",
        action="store_true",
        help="also take out the lines drift reports as extra (they change a verdict) / 同时删除多余的违规配置行",
    )
    push.add_argument("-o", "--output", type=Path, help="evidence directory (default: reports/device-pushes/…)")
    push.add_argument("--timeout", type=float, default=30.0, help="seconds per step, connect included")
    drift = actions.add_parser("drift", help="running against intended, with clauses / 运行配置与目标配置的偏差")
    drift.add_argument("name", help="the device's inventory name")
    source = drift.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "-i", "--inventory", help="read the running configuration from the device, as this inventory reaches it"
    )
    source.add_argument("--config", type=Path, help="a saved running configuration instead of the device")
    drift.add_argument(
        "--history", type=Path, help="keep the configuration read in this git repository of configurations"
    )
    drift.add_argument("--format", choices=["text", "json"], default="text")
    drift.add_argument("--timeout", type=float, default=30.0, help="seconds per step, connect included")


def run(args: argparse.Namespace) -> int:
    from compliance.devices.intended import render
    from compliance.model.host_policy import NETWORK_DEVICES, policy_for_host

    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    model = load_model(root)
    if model is None:
        return 2
    hosts = {name: host for inventory in model.inventories.values() for name, host in inventory.hosts.items()}
    host = hosts.get(args.name)
    if host is None or host.variables.get("dengbao_device") not in NETWORK_DEVICES:
        devices = sorted(n for n, h in hosts.items() if h.variables.get("dengbao_device") in NETWORK_DEVICES)
        return usage_error(
            f"{args.name}: no such network device in the inventories; have: {', '.join(devices)}",
            f"{args.name}：清单中没有该网络设备；现有：{'、'.join(devices)}",
        )
    platform, declared, target = str(host.variables.get("dengbao_os", "")), {}, None
    # Two inventories may name the device (the lab stands in for the hospital): the one given decides.
    if getattr(args, "inventory", None) and args.action == "intended":
        from compliance.commands import inventory_path

        given = inventory_path(root, args.inventory)
        chosen = model.inventories.get((given if given.is_dir() else given.parent).name)
        if chosen is None or args.name not in chosen.hosts:
            return usage_error(
                f"{args.name}: not in the inventory {args.inventory}", f"{args.name}：不在清单 {args.inventory} 中"
            )
        host = chosen.hosts[args.name]
        platform = str(host.variables.get("dengbao_os", ""))
        declared = {
            "ansible_host": host.variables.get("ansible_host", ""),
            "dengbao_device": host.variables["dengbao_device"],
        }
    elif getattr(args, "inventory", None):
        target = _target(root, args)
        platform = str(target.data["platform"])
        declared = {"ansible_host": target.data["ssh_hostname"], "dengbao_device": host.variables["dengbao_device"]}
    settings = policy_for_host(root, args.name, declared).settings
    text = render(args.name, platform, settings)
    if args.action == "push":
        return _push(root, args, text, settings, target)
    if args.action == "drift":
        return _drift(root, args, platform, text, settings, target)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


def _target(root: Path, args: argparse.Namespace) -> Any:
    """The device as the inventory reaches it; raises TargetError where it cannot be listed or is not in it."""
    from compliance.commands import inventory_path
    from compliance.scan.targets import TargetError, inventory_targets

    targets = inventory_targets(inventory_path(root, args.inventory))
    target = next((t for t in targets if t.name == args.name), None)
    if target is None:
        raise TargetError(
            f"{args.name}: not in the inventory {args.inventory}", f"{args.name}：不在清单 {args.inventory} 中"
        )
    return target


def _push(root: Path, args: argparse.Namespace, intended: str, settings: dict[str, Any], target: Any) -> int:
    from compliance.devices.push import push

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    evidence = args.output or root / "reports" / "device-pushes" / args.name / stamp
    result = push(
        target, intended, settings, evidence, dry_run=args.dry_run, timeout=args.timeout, remove_extra=args.remove_extra
    )
    if result.outcome in ("applied", "rolled-back", "rollback-incomplete"):
        written = _on_record(root, args, result, evidence)
        print(f"变更台账 change ledger: record {written['seq']} {written['hash'][:16]}")
    for change in result.changes:
        print(f"  {change}")
    if result.changes and args.dry_run:
        print("回退计划 rollback plan:")
        for step in result.rollback_plan:
            print(f"  {step}")
    for line in result.left_over:
        print(f"  未恢复 not restored: {line}")
    said = OUTCOMES.get(result.outcome, result.outcome)
    print(f"{args.name}: {said} / {result.outcome}: {result.reason}\n证据 evidence: {evidence}")
    return result.exit_code


def _redacted(settings: dict[str, Any], text: str) -> str:
    """A configuration as the sealed evidence keeps it: secrets and communities removed, their form kept."""
    from compliance.evidence.redact import Redactor

    return Redactor.from_policy(settings["evidence"]["patient_identifiers"]).text(text)


def _drift(
    root: Path, args: argparse.Namespace, platform: str, intended: str, settings: dict[str, Any], target: Any
) -> int:
    from compliance.devices.drift import device_drift, keep_history

    when = datetime.now(UTC).isoformat(timespec="seconds")
    if args.config is not None:
        if not args.config.is_file():
            return usage_error(f"--config {args.config}: no such file", f"--config {args.config}：文件不存在")
        running = args.config.read_text(encoding="utf-8", errors="replace")
    else:
        from compliance.kinds.network_device.collect import collect_one

        collected = collect_one(target, args.timeout)
        if collected.collection is None:
            print(f"{args.name}: 无法读取运行配置 could not be read ({collected.status}): {collected.error}")
            return 1
        running = collected.collection.probes["running_config"].output
    if args.history is not None:
        changed = keep_history(args.history, args.name, _redacted(settings, running), when)
        print(f"配置历史 history: {args.history} ({'已记录变化 changed' if changed else '无变化 unchanged'})")
    found = device_drift(platform, intended, running, settings)
    if args.format == "json":
        document = {"device": args.name, "platform": platform, "read": when, "drift": [d.as_dict() for d in found]}
        print(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        for difference in found:
            print(f"  {difference.shown()}")
        clauses = sorted({c for d in found for c in d.clauses})
        print(
            f"{args.name}: {len(found)} 处偏差 difference(s)"
            + (f"，涉及 touching {', '.join(clauses)}" if clauses else "")
            if found
            else f"{args.name}: 与目标配置一致 matches its intended configuration"
        )
    return 1 if found else 0


def _on_record(root: Path, args: argparse.Namespace, result: Any, evidence: Path) -> dict[str, Any]:
    """A push that changed the device, even for a moment, is a change: one record in the change ledger, as an
    apply run's (8.1.10.10), naming each change, the outcome and the evidence folder."""
    from compliance.ledger import append, ledger_path, provenance

    failed = result.outcome != "applied"
    record = {
        "kind": "device_push",
        **provenance(root),
        "playbook": "dengbao device push",
        "limit": args.name,
        "inventory": [args.inventory],
        "hosts": {args.name: {"changed": len(result.changes), "failures": int(failed)}},
        "changes": [{"host": args.name, "task": change, "diff": {}} for change in result.changes],
        "failures": [{"host": args.name, "task": "post-check", "message": result.reason}] if failed else [],
        "result": "ok" if not failed else result.outcome,
        "started": result.started,
        "ended": datetime.now(UTC).isoformat(timespec="seconds"),
        "evidence": str(evidence),
        "before_sha256": result.before_sha256,
    }
    return append(ledger_path(), record)


OUTCOMES = {
    "dry-run": "试运行，未下发",
    "unchanged": "无需变更",
    "applied": "已下发并通过核查",
    "rolled-back": "已回退并恢复原配置",
    "rollback-incomplete": "回退未能完全恢复原配置",
    "not-started": "未下发",
}
