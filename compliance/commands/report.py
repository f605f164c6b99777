"""`dengbao report`: reports rendered from a stored run, and the difference between two runs.

    dengbao report reports/latest                         every format, into ./<run>-report/
    dengbao report reports/latest --format html,md -o out/
    dengbao report --compare reports/RUN_A reports/RUN_B  new and fixed findings, changed evidence
    dengbao report --compare A B --format json

Formats: html, md, junit, xlsx, oscal, oscal-catalog, json. A report never runs a command:
everything comes from the run directory. A sealed run is never written to.
The run is verified first, as `dengbao evidence verify` would (the policy's trusted keys,
--alone for a copy without its predecessor): a run that does not verify gets no report, and
the report names the signer that verification accepted, not the one a file claims.
Exit codes: 0 written (for --compare: no new finding); 1 --compare found new findings, or the
run does not verify; 2 usage (not a run directory, unknown format).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from compliance.commands import documented_command, usage_error
from compliance.commands.evidence import hospital_trust
from compliance.evidence.signing import SigningError
from compliance.evidence.store import MANIFEST, RESULTS
from compliance.evidence.verify import verify_run
from compliance.report.compare import compare
from compliance.report.formats import REPORT_FORMATS, SCAN_DEFAULT, ReportError, parse_formats, write_reports
from compliance.report.load import load_run

EXIT_OK, EXIT_NEW_FINDINGS, EXIT_NOT_VERIFIED = 0, 1, 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    report = documented_command(
        subparsers, "report", "render reports from a stored run / 由已存储的结果生成报告", __doc__
    )
    report.add_argument("run_dir", type=Path, nargs="?", help="a run directory, e.g. reports/latest")
    report.add_argument("--compare", type=Path, nargs=2, metavar=("RUN_A", "RUN_B"), help="what changed from A to B")
    report.add_argument(
        "--format",
        default="all",
        help=f"comma-separated: {', '.join(REPORT_FORMATS)}, or all (default); with --compare: text, md or json",
    )
    report.add_argument("-o", "--output", type=Path, help="output directory (default: ./<run>-report)")
    report.add_argument("--alone", action="store_true", help="the run was handed over without its predecessor")


def verified_signer(directory: Path, alone: bool) -> str | int | None:
    """The verified signer's description (None: unsigned), or the exit code when the run does not verify."""
    if not (directory / MANIFEST).is_file() and not (directory / RESULTS).is_file():
        return usage_error(f"{directory} is not a run directory", f"{directory} 不是扫描结果目录")
    try:
        trust, _notes = hospital_trust(None, False)
    except SigningError as error:
        return usage_error(error.english, error.chinese)
    result = verify_run(directory.resolve(), trust=trust, alone=alone)
    if not result.intact:
        for finding in result.findings:
            print(finding.render(), file=sys.stderr)
        print(
            f"错误：{directory} 未通过核验，不生成报告（dengbao evidence verify {directory}）\n"
            f"error: {directory} does not verify; no report is made from it",
            file=sys.stderr,
        )
        return EXIT_NOT_VERIFIED
    return trust.describe(result.signer) if result.signer else None


def run(args: argparse.Namespace) -> int:
    try:
        if args.compare:
            return _compare(args)
        if args.run_dir is None:
            return usage_error("give a run directory, or --compare RUN_A RUN_B", "请指定扫描结果目录，或使用 --compare")
        formats = (*SCAN_DEFAULT, "json") if args.format == "all" else parse_formats(args.format)
        verified = verified_signer(args.run_dir, args.alone)
        if isinstance(verified, int):
            return verified
        stored = load_run(args.run_dir)
        stored.verified_signer = verified
        output = args.output or Path.cwd() / f"{args.run_dir.resolve().name}-report"
        if output.resolve() == args.run_dir.resolve():
            return usage_error(
                "a sealed run is never written to; choose another --output",
                "已封存的扫描目录不可写入，请另选 --output",
            )
        for path in write_reports(stored, formats, output):
            print(path)
    except ReportError as error:
        return usage_error(error.english, error.chinese)
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    if args.format not in ("all", "text", "md", "json"):
        return usage_error("--compare prints text, md or json", "--compare 仅支持 text、md 或 json 输出")
    for path in args.compare:
        verified = verified_signer(path, args.alone)
        if isinstance(verified, int):
            return verified
    before, after = (load_run(path) for path in args.compare)
    result = compare(before, after)
    if args.format == "json":
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    elif args.format == "md":
        print("```\n" + result.render_text() + "```")
    else:
        print(result.render_text(), end="")
    return EXIT_NEW_FINDINGS if result.new_findings else EXIT_OK
