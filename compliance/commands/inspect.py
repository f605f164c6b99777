"""`dengbao inspect`: the daily inspection (巡检) of every server's health, kept as the day's operation record.

    dengbao inspect                          this machine
    dengbao inspect -i example-hospital      every Linux server of an inventory, in parallel
    dengbao inspect -i lab --system his --report md

Per host: load, memory and swap, disk and inode use per file system, the services its roles run,
failed units, errors in the journal of the last 24 hours, uptime, time synchronisation, the last
backup and restore test, anti-malware signatures and the last scan, pending security updates and,
where PostgreSQL runs, its data directory's space, connections and replication lag. Thresholds are in
policies/inspection.yml (and the backup, antivirus, patching and time policies).

Exit codes: 0 all green; 1 something amber or red (a host that does not answer is red); 2 a value
that could not be read, or bad input.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from compliance.commands import EXIT_USAGE, documented_command, inventory_path, load_model, usage_error
from compliance.commands.arguments import positive_integer, positive_number, writable_new_directory
from compliance.evidence.redact import Redactor
from compliance.evidence.signing import SigningError, load_private_key
from compliance.evidence.store import group_id
from compliance.inspect.render import FILES, InspectionReportError, attention, parse_formats, render_reports
from compliance.inspect.run import DEFAULT_TIMEOUT, DEFAULT_WORKERS, InspectionRun, run_inspection
from compliance.inspect.status import Status
from compliance.inspect.store import default_run_dir, write_inspection
from compliance.model.host_policy import STRICTEST_LEVEL
from compliance.project import NO_CHECKOUT, project_root
from compliance.scan.targets import TargetError, inventory_targets, local_target, select, start_listing

MAX_SHOWN = 40


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    command = documented_command(subparsers, "inspect", "daily inspection / 日常巡检", __doc__)
    command.add_argument("-i", "--inventory", help="inventory path, or a name under inventory/ (default: this machine)")
    command.add_argument("--limit", action="append", help="host name or shell pattern (repeatable)")
    command.add_argument("--system", help="only hosts of this system (定级对象), e.g. his")
    command.add_argument("-o", "--output", type=Path, help="run directory (default: inspections/<UTC time>/)")
    command.add_argument("--workers", type=positive_integer, default=DEFAULT_WORKERS, help="hosts inspected at once")
    command.add_argument(
        "--timeout", type=positive_number, default=DEFAULT_TIMEOUT, help="seconds per host, connect included"
    )
    command.add_argument(
        "--sign-key", help="Ed25519 private key that signs the run's manifest (default: $DENGBAO_EVIDENCE_KEY, if set)"
    )
    command.add_argument("--report", default="all", help="reports written into the run: md, html, all or none")


def run(args: argparse.Namespace) -> int:
    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    directory = args.output or default_run_dir(root)
    writable_new_directory(directory, "--output")
    try:
        formats = parse_formats(args.report)
        key = load_private_key(args.sign_key)
    except (InspectionReportError, SigningError) as error:
        return usage_error(error.english, error.chinese)
    model = load_model(root)
    if model is None:
        return EXIT_USAGE
    strictest = model.policies.effective(STRICTEST_LEVEL, "")
    evidence_policy = strictest["evidence"]
    group_id(evidence_policy["evidence_group"])  # a reader group that does not exist stops it before it starts
    if args.inventory:
        inventory = inventory_path(root, args.inventory)
        model_hosts = model.hosts
        try:
            targets = inventory_targets(inventory, model_hosts, start_listing(inventory))
        except TargetError as error:
            return usage_error(error.english, error.chinese)
        targets = select(targets, args.limit, args.system, None)
        if not targets:
            return usage_error("no host of the inventory matches the selection", "清单中没有符合条件的主机")
    else:
        if args.limit or args.system:
            return usage_error("--limit and --system need an inventory (-i)", "--limit 与 --system 需配合 -i 使用")
        inventory, targets = None, [local_target(None)]
    result = run_inspection(
        root,
        targets,
        inventory=str(inventory) if inventory else None,
        selection={"limit": args.limit, "system": args.system},
        workers=args.workers,
        timeout=args.timeout,
    )
    text = summary(result, directory, formats)
    history = strictest["inspection"]["history_days"]
    try:
        write_inspection(
            result,
            directory,
            text,
            root,
            Redactor.from_policy(evidence_policy["patient_identifiers"]),
            lambda run_dir: render_reports(run_dir, formats, history),
            key,
            evidence_policy["evidence_group"],
        )
    except FileExistsError:
        return usage_error(
            f"{directory} exists already; choose another --output", f"{directory} 已存在，请另选输出目录"
        )
    print(text, end="")
    return result.exit_code()


def summary(result: InspectionRun, directory: Path, formats: tuple[str, ...]) -> str:
    """The terminal summary: the overall status and counts, then every item needing attention, worst first."""
    from compliance.inspect.document import inspection_document

    document = inspection_document(result)
    counts = document["run"]["counts"]
    out = io.StringIO()
    overall = result.overall
    hosts = len(result.hosts)
    print(
        f"日常巡检 daily inspection: {overall.label}; {hosts} host(s); "
        + ", ".join(f"{Status(name).label} {count}" for name, count in counts.items() if count),
        file=out,
    )
    rows = attention(document)
    for row in rows[:MAX_SHOWN]:
        note = f" — {row['note_zh']} / {row['note_en']}" if row["note_en"] else ""
        limit = f" ({row['limit']})" if row["limit"] else ""
        print(f"  {Status(row['status']).label:<12} {row['host']}  {row['title_zh']} {row['title_en']}: "
              f"{row['value']}{limit}{note}", file=out)  # fmt: skip
    if len(rows) > MAX_SHOWN:
        print(f"  … {len(rows) - MAX_SHOWN} more in inspection.json / 其余见 inspection.json", file=out)
    print(f"结果 results: {directory}/inspection.json  (exit {result.exit_code()})", file=out)
    for name in formats:
        print(f"报告 report:  {directory}/{FILES[name]}", file=out)
    print(f"核验 verify:  dengbao evidence verify {directory}", file=out)
    return out.getvalue()
