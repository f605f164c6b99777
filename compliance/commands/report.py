"""`dengbao report`: reports rendered from a stored run, and the difference between two runs.

    dengbao report reports/latest                         every format, into ./<run>-report/
    dengbao report reports/latest --format html,md -o out/
    dengbao report --compare reports/RUN_A reports/RUN_B  new and fixed findings, changed evidence
    dengbao report --compare A B --format json

Formats: html, md, junit, xlsx, oscal, oscal-catalog, json. A report never runs a command:
everything comes from the run directory. A sealed run is never written to.
Exit codes: 0 written (for --compare: no new finding); 1 --compare found new findings;
2 usage (not a run directory, unknown format).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from compliance.commands import documented_command, usage_error
from compliance.report.compare import compare
from compliance.report.formats import REPORT_FORMATS, SCAN_DEFAULT, ReportError, parse_formats, write_reports
from compliance.report.load import load_run

EXIT_OK, EXIT_NEW_FINDINGS = 0, 1


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


def run(args: argparse.Namespace) -> int:
    try:
        if args.compare:
            return _compare(args)
        if args.run_dir is None:
            return usage_error("give a run directory, or --compare RUN_A RUN_B", "请指定扫描结果目录，或使用 --compare")
        formats = (*SCAN_DEFAULT, "json") if args.format == "all" else parse_formats(args.format)
        stored = load_run(args.run_dir)
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
    before, after = (load_run(path) for path in args.compare)
    result = compare(before, after)
    if args.format == "json":
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    elif args.format == "md":
        print("```\n" + result.render_text() + "```")
    else:
        print(result.render_text(), end="")
    return EXIT_NEW_FINDINGS if result.new_findings else EXIT_OK
