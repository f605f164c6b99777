"""`dengbao evidence verify RUN_DIR`: is a stored run exactly as it was sealed?

    dengbao evidence verify reports/latest
    dengbao evidence verify reports/20261124T061800Z --chain --public-key evidence-key.pub

Recomputes the SHA-256 of every file against the run's manifest (changed, added and removed
files are each named), checks the link to the previous run's manifest (with --chain: every
run back to the first), and the Ed25519 signature (with --public-key: by that key only).
Exit codes: 0 intact; 1 something was changed, added, removed, unlinked or badly signed;
2 usage (not a run directory, unreadable key).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from compliance.commands import documented_command, usage_error
from compliance.evidence.signing import SigningError, load_public_key
from compliance.evidence.store import MANIFEST
from compliance.evidence.verify import verify_run

EXIT_INTACT, EXIT_TAMPERED = 0, 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    evidence = documented_command(subparsers, "evidence", "check stored evidence / 核验证据完整性", __doc__)
    actions = evidence.add_subparsers(dest="evidence_command", required=True)
    verify = actions.add_parser("verify", help="verify a run directory / 核验一次扫描的证据", description=__doc__)
    verify.add_argument("run_dir", type=Path, help="a run directory, e.g. reports/latest")
    verify.add_argument("--chain", action="store_true", help="also verify every earlier run the chain links to")
    verify.add_argument(
        "--public-key",
        action="append",
        help="trusted Ed25519 public key (OpenSSH or PEM file; repeatable): the run must be signed by one",
    )
    verify.add_argument("--require-signature", action="store_true", help="an unsigned run is a finding")


def run(args: argparse.Namespace) -> int:
    directory: Path = args.run_dir
    if not (directory / MANIFEST).is_file():
        return usage_error(
            f"{directory} is not a sealed run directory (no {MANIFEST})",
            f"{directory} 不是已封存的扫描目录（缺少 {MANIFEST}）",
        )
    try:
        trusted = [load_public_key(source) for source in args.public_key] if args.public_key else None
    except SigningError as error:
        return usage_error(error.english, error.chinese)
    result = verify_run(
        directory.resolve(), trusted=trusted, require_signature=args.require_signature, chain=args.chain
    )
    for english, chinese in result.notes:
        print(f"  {chinese} / {english}")
    for finding in result.findings:
        print(finding.render())
    checked = ", ".join(result.runs)
    if result.intact:
        print(f"完整 intact: {checked}")
        return EXIT_INTACT
    print(f"证据已被改动 TAMPERED: {len(result.findings)} finding(s) in {checked}")
    return EXIT_TAMPERED
