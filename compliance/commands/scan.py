"""`dengbao scan`: the main job.

    dengbao scan                      this machine (no inventory needed), level 3
    dengbao scan -i inventory/lab     every host of an inventory, in parallel
    dengbao scan -i example-hospital --system his --limit 'his-db-*'
    dengbao scan --from-run reports/20261101T020000Z   judge a sealed run's evidence again, no host contacted
    dengbao scan --from-run slices/a --from-run slices/b --limit h1,h2,h3   merge the slices of one scan
    dengbao scan -i example-hospital --device-history /var/lib/dengbao/device-configs

`--device-history DIR` keeps each network device's running configuration, as collected and redacted like
the evidence, in a git repository of configurations: one file per device, one commit per change
(`git -C DIR log -p core-sw-01.cfg`), as `dengbao device drift --history` does.

Exit codes: 0 every decided item is met or waived and every host answered; 1 findings
(不符合 / 部分符合 without waiver / errors) or unreachable hosts; 2 bad input or usage.
Manual items never change the exit code: they are the evaluator's part.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from compliance.assessment import assess
from compliance.commands import EXIT_USAGE, documented_command, inventory_path, load_model, usage_error
from compliance.commands.arguments import positive_integer, positive_number, writable_new_directory
from compliance.evidence.redact import Redactor
from compliance.evidence.signing import SigningError, load_private_key
from compliance.evidence.store import default_run_dir, group_id, write_run
from compliance.evidence.stored import StoredRunError, load_stored_evidence, merge_slices
from compliance.evidence.trust import Trust
from compliance.inspect.history import inspection_evidence, runs_directory
from compliance.kinds.collection import Collected
from compliance.kinds.target import Target
from compliance.model.host_policy import STRICTEST_LEVEL
from compliance.model.validate import Repository, known_names
from compliance.model.waivers import load_waivers
from compliance.project import NO_CHECKOUT, project_root
from compliance.records.store import RECORDS_ENVIRONMENT, load_records, records_directory
from compliance.report.formats import REPORT_FORMATS, ReportError, parse_formats, render_into_run
from compliance.results.model import ScanRun, is_finding
from compliance.results.summary import OVERALL, format_rate, summarise
from compliance.results.verdicts import ORDER
from compliance.scan.record_items import records_evidence
from compliance.scan.run import DEFAULT_TIMEOUT, DEFAULT_WORKERS, judge, now, run_scan
from compliance.scan.targets import TargetError, inventory_targets, local_target, select, start_listing, unmatched_names

MAX_FINDINGS_SHOWN = 40


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    scan = documented_command(subparsers, "scan", "compliance scan with evidence / 合规扫描并留存证据", __doc__)
    scan.add_argument("-i", "--inventory", help="inventory path, or a name under inventory/ (default: this machine)")
    scan.add_argument(
        "--from-run",
        type=Path,
        action="append",
        metavar="RUN_DIR",
        help="judge a sealed run's raw evidence again under today's policies and waivers, contacting no host;"
        " repeated: merge the slices of one scan (AWX job slicing) into one run",
    )
    scan.add_argument("--limit", action="append", help="host name or shell pattern (repeatable)")
    scan.add_argument("--system", help="only hosts of this system (定级对象), e.g. his")
    scan.add_argument("--level", type=int, choices=[2, 3], help="only hosts of this level; for this machine: its level")
    scan.add_argument("-o", "--output", type=Path, help="run directory (default: reports/<UTC time>/)")
    scan.add_argument("--workers", type=positive_integer, default=DEFAULT_WORKERS, help="hosts collected at once")
    scan.add_argument(
        "--timeout", type=positive_number, default=DEFAULT_TIMEOUT, help="seconds per host, connect included"
    )
    scan.add_argument("--no-progress", action="store_true", help="no progress bar")
    scan.add_argument(
        "--sign-key",
        help="Ed25519 private key file that signs the run's manifest (default: $DENGBAO_EVIDENCE_KEY, if set)",
    )
    scan.add_argument(
        "--report",
        default="all",
        help=f"reports written into the run, comma-separated: {', '.join(REPORT_FORMATS)}, all or none",
    )
    scan.add_argument(
        "--device-history",
        type=Path,
        help="keep each network device's running configuration (redacted) in this git repository of configurations",
    )


def _as_modelled(target: Target, model_hosts: dict[str, Any]) -> Target:
    """A stored target with today's level, zone and systems where today's model knows the host."""
    known = model_hosts.get(target.name)
    if known is None:
        return target
    return replace(target, level=known.level, zone=known.zone, systems=tuple(known.systems))


def run(args: argparse.Namespace) -> int:
    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    if args.inventory is not None and not args.inventory.strip():
        return usage_error("-i/--inventory is empty: name an inventory", "-i/--inventory 为空：请指定清单")
    directory = args.output or default_run_dir(root)
    writable_new_directory(directory, "--output")
    try:
        listing = start_listing(inventory_path(root, args.inventory)) if args.inventory else None
    except TargetError as error:
        return usage_error(error.english, error.chinese)
    model = load_model(root)
    if model is None:
        return EXIT_USAGE
    strictest = model.policies.effective(STRICTEST_LEVEL, "")
    evidence_policy = strictest["evidence"]
    group_id(evidence_policy["evidence_group"])  # a reader group that does not exist stops the scan before it starts
    try:
        formats = parse_formats(args.report)
        key = load_private_key(args.sign_key)
    except (ReportError, SigningError) as error:
        return usage_error(error.english, error.chinese)
    if key is None and evidence_policy["signature_required"]:
        return usage_error(
            "policies/evidence.yml requires signed evidence: give --sign-key or set DENGBAO_EVIDENCE_KEY",
            "policies/evidence.yml 要求证据签名：请用 --sign-key 或 DENGBAO_EVIDENCE_KEY 提供密钥",
        )
    waivers = load_waivers(root, known_names(model))
    if waivers.problems:
        for problem in waivers.problems:
            print(problem.render(), file=sys.stderr)
        return EXIT_USAGE
    for problem in waivers.expiry_problems():
        print(f"警告 warning (ignored, item keeps its real verdict): {problem.render()}", file=sys.stderr)
    assessment_policy = strictest["assessment"]

    system_levels = {
        name: int(body.get("level", 0)) for inv in model.inventories.values() for name, body in inv.systems.items()
    }
    model_hosts = model.hosts
    selection = {"limit": args.limit, "system": args.system, "level": args.level}
    if args.from_run:
        if args.inventory:
            return usage_error(
                "--from-run judges a stored run: it takes no inventory (-i)",
                "--from-run 评判已存储的结果，不能与 -i 同用",
            )
        try:
            trust = Trust.from_policy(evidence_policy)
            parts = [load_stored_evidence(directory, trust) for directory in args.from_run]
            stored = parts[0] if len(parts) == 1 else merge_slices(parts)
        except StoredRunError as error:
            return usage_error(error.english, error.chinese)
        missing = unmatched_names(stored.targets, args.limit)
        if missing:
            shown = ", ".join(missing[:10]) + (f" (+{len(missing) - 10})" if len(missing) > 10 else "")
            return usage_error(
                f"no stored run holds {shown}: a slice is missing, or the host was never scanned",
                f"已存储的结果中没有 {shown}：缺少分片，或该主机未被扫描",
            )
        targets = select([_as_modelled(t, model_hosts) for t in stored.targets], args.limit, args.system, args.level)
        if not targets:
            return usage_error("no host of the stored run matches the selection", "已存储的结果中没有符合条件的主机")
        chosen = {t.name for t in targets}
        run_record = ScanRun(
            started=now(),
            inventory=stored.inventory,
            selection=selection,
            source_run=stored.source,
            change_ledger=stored.change_ledger,
            inspections=stored.inspections,
            # The records as the run read them, judged with today's freshness limits.
            records=stored.records and stored.records | {"max_age_days": assessment_policy["max_age_days"]},
        )
        collections = {name: c for name, c in stored.collected.items() if name in chosen}
        result = judge(root, run_record, targets, collections, waivers, system_levels)
    else:
        if args.inventory:
            inventory = inventory_path(root, args.inventory)
            try:
                targets = inventory_targets(inventory, model_hosts, listing)
            except TargetError as error:
                return usage_error(error.english, error.chinese)
            targets = select(targets, args.limit, args.system, args.level)
            if not targets:
                return usage_error("no host of the inventory matches the selection", "清单中没有符合条件的主机")
        else:
            if args.limit or args.system:
                return usage_error("--limit and --system need an inventory (-i)", "--limit 与 --system 需配合 -i 使用")
            inventory = None
            targets = [local_target(args.level)]
        records = read_records(root, model, inventory, assessment_policy)
        if records is None:
            return EXIT_USAGE
        out = Console(file=sys.stderr)
        with _progress(len(targets), args.no_progress or len(targets) == 1, out) as advance:
            result = run_scan(
                root,
                targets,
                waivers,
                system_levels,
                inventory=str(inventory) if inventory else None,
                selection=selection,
                workers=args.workers,
                timeout=args.timeout,
                on_host=advance,
                inspections=inspection_evidence(runs_directory(root), strictest["inspection"]["history_days"]),
                records=records or None,
            )
    result.assessment = assess(result, assessment_policy)
    text = render_summary(result, directory, html_report="html" in formats)
    redactor = Redactor.from_policy(evidence_policy["patient_identifiers"])
    try:
        write_run(
            result,
            directory,
            text,
            root,
            redactor,
            key,
            lambda run_dir: render_into_run(run_dir, formats),
            group=evidence_policy["evidence_group"],
        )
    except FileExistsError:
        return usage_error(
            f"{directory} exists already; choose another --output", f"{directory} 已存在，请另选输出目录"
        )
    print(text, end="")
    if args.device_history is not None:
        _keep_device_history(result, args.device_history, redactor)
    return result.exit_code()


def _keep_device_history(result: ScanRun, history: Path, redactor: Redactor) -> None:
    """Each collected device's running configuration into the history, as the sealed evidence has it."""
    from compliance.devices.drift import keep_history

    changed = []
    for host in result.hosts:
        collected = host.collection
        if host.target.kind != "network_device" or collected is None or "running_config" not in collected.probes:
            continue
        text = redactor.text(collected.probes["running_config"].output)
        if keep_history(history, host.target.name, text, result.started):
            changed.append(host.target.name)
    shown = ", ".join(changed) if changed else "无变化 unchanged"
    print(f"设备配置历史 device configuration history: {history} (changed: {shown})")


def read_records(
    root: Path, model: Repository, inventory: Path | None, policy: dict[str, Any]
) -> dict[str, Any] | None:
    """The inventory's management records as evidence ({}: none to read; None: a record is wrong, and the
    problems are printed: bad input stops the scan)."""
    if inventory is None and not os.environ.get(RECORDS_ENVIRONMENT):
        return {}
    name = "" if inventory is None else (inventory.name if inventory.is_dir() else inventory.parent.name)
    known = model.inventories.get(name)
    found = load_records(
        records_directory(root, policy["records_directory"], name), root, set(known.systems) if known else None
    )
    for problem in found.problems:
        print(problem.render(), file=sys.stderr)
    if found.problems:
        return None
    return records_evidence(found, policy["max_age_days"]) if found.directory.is_dir() else {}


class _progress:
    """A progress bar on stderr for multi-host scans; a line per host when stderr is not a terminal."""

    def __init__(self, total: int, quiet: bool, console: Console) -> None:
        self.total, self.quiet, self.console = total, quiet, console
        self.done = 0
        self.bar: Progress | None = None

    def __enter__(self):  # noqa: ANN204
        if not self.quiet and self.console.is_terminal:
            self.bar = Progress(
                TextColumn("采集 collecting"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                auto_refresh=False,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total)
        return self.advance

    def advance(self, host: Collected) -> None:
        self.done += 1
        line = f"{host.target.name} {host.status} {host.seconds:.2f} s" + (f": {host.error}" if host.error else "")
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=host.target.name)
            self.bar.refresh()
        elif not self.quiet:
            print(f"[{self.done}/{self.total}] {line}", file=sys.stderr, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def render_summary(result: ScanRun, directory: Path, html_report: bool = False) -> str:
    """The end-of-scan text: hosts that did not answer, the summary table, findings, where the results are."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=150, force_terminal=False, color_system=None)
    if result.source_run is not None:
        slices = result.source_run.get("slices")
        if slices:
            console.print(f"合并分片 merged {len(slices)} slices, no host contacted:", soft_wrap=True)
        for source in slices or [result.source_run]:
            console.print(
                f"{'  ' if slices else '重新评判 judged again, no host contacted: '}{source['path']}"
                f" (collected {source['started']}, manifest sha256 {source['manifest_sha256'][:16]}…)",
                soft_wrap=True,
            )
    for host in result.unreachable:
        console.print(f"不可达 unreachable: {host.target.name}: {host.error}", soft_wrap=True)
    for line in assessment_lines(result.assessment):
        console.print(line, soft_wrap=True)
    table = Table(title="等保测评结果汇总 / Compliance summary", title_justify="left")
    table.add_column("定级对象\nsystem", no_wrap=True)
    table.add_column("类别\ncategory", no_wrap=True)
    for verdict in ORDER:
        table.add_column(f"{verdict.zh}\n{verdict.value.replace('_', ' ')}", justify="right")
    table.add_column("符合率\nrate", justify="right")
    for row in summarise(result.items):
        system = "合计 total" if row.system == OVERALL else row.system
        category = row.category_zh if row.category_id == OVERALL else f"{row.category_id} {row.category_zh}"
        table.add_row(system, category, *(str(row.counts[v] or "") for v in ORDER), format_rate(row.rate))
        if row.category_id == OVERALL:
            table.add_section()
    console.print(table)
    lines = finding_lines(result)
    if lines:
        console.print(f"问题 findings ({len(lines)}):")
        for line in lines[:MAX_FINDINGS_SHOWN]:
            console.print(f"  {line}", soft_wrap=True)
        if len(lines) > MAX_FINDINGS_SHOWN:
            console.print(f"  … {len(lines) - MAX_FINDINGS_SHOWN} more in results.json / 其余见 results.json")
    console.print(f"结果 results: {directory}/results.json  (exit {result.exit_code()})")
    if html_report:
        console.print(f"报告 report:  {directory}/report.html")
    console.print(f"核验 verify:  dengbao evidence verify {directory}")
    return buffer.getvalue()


def assessment_lines(assessment: dict[str, Any] | None) -> list[str]:
    """Per system: its open high-risk findings first, then the self-assessed score and conclusion."""
    if not assessment:
        return []
    lines: list[str] = []
    shown = 0
    for system in assessment["systems"]:
        for finding in system["high_risk"]:
            shown += 1
            if shown > MAX_FINDINGS_SHOWN:
                continue
            lowered = "" if finding["status"] == "open" else "（已由补偿措施降低 lowered by a compensating control）"
            checks = f" ({', '.join(finding['checks'])})" if finding["checks"] else ""
            lines.append(
                f"高风险 HIGH RISK {system['system']}: {finding['object']} [{finding['item']}]{checks} {finding['zh']}"
                f" / {finding['en']}{lowered}"
            )
    if shown > MAX_FINDINGS_SHOWN:
        lines.append(f"  … {shown - MAX_FINDINGS_SHOWN} more in assessment.json / 其余高风险问题见 assessment.json")
    for system in assessment["systems"]:
        score = "—" if system["score"] is None else f"{system['score']:.1f}"
        low, high = system["score_lowest"], system["score_highest"]
        span = "" if low is None else f" (人工核查项计入后 with manual items: {low:.1f}–{high:.1f})"
        lines.append(
            f"自评估 self-assessment {system['system']}: 得分 score {score}{span}, 预期结论 expected conclusion"
            f" {system['conclusion_zh']} {system['conclusion']} (范围 range {'–'.join(system['conclusion_range'])});"
            f" 高风险 {system['high_risk_open']} open"
        )
    lines.append(f"  {assessment['note_zh']} / {assessment['note_en']}")
    return lines


def finding_lines(result: ScanRun) -> list[str]:
    """One line per failing check and host, naming the clauses it leaves unmet (waived ones are left out)."""
    lines = []
    for host in result.hosts:
        open_items = [item for item in host.items if is_finding(item)]
        for check in host.checks:
            shown = [item.item.id for item in open_items if check.check.id in item.checks]
            if shown and check.verdict.is_finding:
                reason = f"{_clip(check.reason_zh)} / {_clip(check.reason_en)}"
                lines.append(
                    f"{host.target.name}  [{', '.join(shown)}]  {check.check.id}  {check.verdict.label}: {reason}"
                )
    return lines


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
