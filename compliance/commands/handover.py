"""`dengbao handover`: the package an evaluator takes away for one system (测评交接材料).

    dengbao handover reports/latest --system his             into ./handover-his-<run>/
    dengbao handover reports/20261203T020000Z --system his -o /media/usb/handover-his

The run is verified first, as `dengbao report` does. The package holds the record sheet (one sheet
per 测评对象), the system's report as HTML and as a PDF printed by headless Chromium, its
self-assessment, the index of its management records with their hashes, the sealed run itself, and
handover.json with every file's SHA-256 (docs/assessment.md).

Exit codes: 0 written; 1 the run does not verify; 2 usage (no such system, output exists, no Chromium
to print the PDF: give --no-pdf to hand over the HTML alone).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

from compliance.commands import documented_command, usage_error
from compliance.commands.report import verified_signer
from compliance.report.formats import ReportError
from compliance.report.handover import HandoverError, seal_package, write_package
from compliance.report.load import load_run

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
PRINT_SECONDS = 180


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    command = documented_command(subparsers, "handover", "handover package for the evaluator / 测评交接材料", __doc__)
    command.add_argument("run_dir", type=Path, help="a sealed run, e.g. reports/latest")
    command.add_argument("--system", required=True, help="the system (定级对象), e.g. his")
    command.add_argument("-o", "--output", type=Path, help="package directory (default: ./handover-<system>-<run>)")
    command.add_argument("--alone", action="store_true", help="the run was handed over without its predecessor")
    command.add_argument("--no-pdf", action="store_true", help="no summary.pdf (where no Chromium is installed)")


def run(args: argparse.Namespace) -> int:
    browser = None if args.no_pdf else next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if not args.no_pdf and browser is None:
        return usage_error(
            "no Chromium to print summary.pdf: install chromium, or give --no-pdf",
            "未安装 Chromium，无法打印 summary.pdf：请安装 chromium，或使用 --no-pdf",
        )
    verified = verified_signer(args.run_dir, args.alone)
    if isinstance(verified, int):
        return verified
    try:
        stored = load_run(args.run_dir)
    except ReportError as error:
        return usage_error(error.english, error.chinese)
    stored.verified_signer = verified
    output = args.output or Path.cwd() / f"handover-{args.system}-{args.run_dir.resolve().name}"
    if output.exists():
        return usage_error(f"{output} exists already; choose another -o", f"{output} 已存在，请另选 -o")
    try:
        summary = write_package(stored, args.system, output)
    except HandoverError as error:
        return usage_error(str(error), f"该扫描结果中没有定级对象 {args.system}")
    if browser is not None:
        printed = _print_pdf(browser, summary, output / "summary.pdf")
        if printed is not None:
            shutil.rmtree(output)
            return usage_error(f"Chromium could not print the PDF: {printed}", f"Chromium 未能打印 PDF：{printed}")
    document = seal_package(output, stored, args.system)
    print(f"交接材料 handover package: {output} ({len(document['files'])} files, handover.json)")
    return 0


def _print_pdf(browser: str, page: Path, target: Path) -> str | None:
    """Print the HTML with headless Chromium; None when done, else what went wrong."""
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--print-to-pdf={target}", page.resolve().as_uri()]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return f"no PDF after {PRINT_SECONDS} s"
    if result.returncode != 0 or not target.is_file() or not target.read_bytes().startswith(b"%PDF"):
        return (result.stderr or result.stdout).strip()[-500:] or f"exit {result.returncode}"
    return None
