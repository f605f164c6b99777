"""`dengbao evidence verify RUN_DIR`: is a stored run exactly as it was sealed?

    dengbao evidence verify reports/latest
    dengbao evidence verify reports/20261124T061800Z --chain --public-key evidence-key.pub

Recomputes the SHA-256 of every file against the run's manifest (changed, added and removed
files are each named), checks the link to the previous run's manifest (with --chain: every
run back to the first) and the Ed25519 signature.

Whose signature counts: the keys named in `policies/evidence.yml` (`trusted_keys`) of the
checkout it runs in, or those given with --public-key. Once keys are named, a run signed by
another key, a run no longer signed, and a change of key from the run before are findings. A
missing predecessor is a finding too, except with --alone (a copy handed over on its own).

Exit codes: 0 intact; 1 something was changed, added, removed, unlinked, unsigned or signed by
the wrong key; 2 usage (not a run directory, unreadable key).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from compliance.commands import documented_command, usage_error
from compliance.evidence.signing import SigningError, load_public_key
from compliance.evidence.store import MANIFEST, RESULTS
from compliance.evidence.trust import Trust
from compliance.evidence.verify import verify_run
from compliance.model.host_policy import STRICTEST_LEVEL
from compliance.model.policies import Policy, read_policy
from compliance.project import project_root

EXIT_INTACT, EXIT_TAMPERED = 0, 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    evidence = documented_command(subparsers, "evidence", "check stored evidence / 核验证据完整性", __doc__)
    actions = evidence.add_subparsers(dest="evidence_command", required=True, parser_class=type(evidence))
    verify = actions.add_parser("verify", help="verify a run directory / 核验一次扫描的证据", description=__doc__)
    verify.add_argument("run_dir", type=Path, help="a run directory, e.g. reports/latest")
    verify.add_argument("--chain", action="store_true", help="also verify every earlier run the chain links to")
    verify.add_argument(
        "--public-key",
        action="append",
        help="trusted Ed25519 public key (OpenSSH or PEM file; repeatable), instead of the policy's trusted_keys",
    )
    verify.add_argument("--require-signature", action="store_true", help="an unsigned run is a finding")
    verify.add_argument(
        "--alone", action="store_true", help="the run was handed over without its predecessor: do not require it"
    )


def hospital_trust(extra_keys: list[str] | None, require_signature: bool) -> tuple[Trust, list[tuple[str, str]]]:
    """The keys to trust (the command line's, else the policy's) and notes on where they came from."""
    root = project_root()
    settings: dict = {}
    if root is not None and (root / "policies" / "evidence.yml").is_file():
        document, problems = read_policy(root / "policies" / "evidence.yml", "evidence", "policies/evidence.yml")
        if problems or document is None:
            raise SigningError(
                "policies/evidence.yml does not validate; run `dengbao validate`",
                "policies/evidence.yml 校验未通过，请运行 dengbao validate",
            )
        settings = Policy("evidence", document).effective(STRICTEST_LEVEL, "")  # as the scan reads it
    required = require_signature or bool(settings.get("signature_required"))
    if extra_keys:
        return Trust.from_keys([load_public_key(source) for source in extra_keys], required), []
    trust = replace(Trust.from_policy(settings), signature_required=required)
    if root is None:
        return trust, [
            (
                "no checkout here: no trusted keys are named; give --public-key",
                "当前不在仓库中，没有受信任密钥；请用 --public-key 指定",
            )
        ]
    if not trust.named:
        return trust, [
            (
                "policies/evidence.yml names no trusted_keys: a signature is checked only against its own key",
                "policies/evidence.yml 未列出 trusted_keys：签名只按其自带的公钥核对",
            )
        ]
    return trust, []


def run(args: argparse.Namespace) -> int:
    directory: Path = args.run_dir
    looks_like_run = (directory / RESULTS).is_file() or (directory / "evidence").is_dir()
    if not (directory / MANIFEST).is_file() and not looks_like_run:
        return usage_error(
            f"{directory} is not a sealed run directory (no {MANIFEST})",
            f"{directory} 不是已封存的扫描目录（缺少 {MANIFEST}）",
        )
    try:
        trust, notes = hospital_trust(args.public_key, args.require_signature)
    except SigningError as error:
        return usage_error(error.english, error.chinese)
    result = verify_run(directory.resolve(), trust=trust, chain=args.chain, alone=args.alone)
    for english, chinese in [*notes, *result.notes]:
        print(f"  {chinese} / {english}")
    for finding in result.findings:
        print(finding.render())
    checked = ", ".join(result.runs)
    if result.intact:
        signer = f"; signed by {trust.describe(result.signer)}" if result.signer else "; not signed"
        print(f"完整 intact: {checked}{signer}")
        return EXIT_INTACT
    print(f"证据已被改动 TAMPERED: {len(result.findings)} finding(s) in {checked}")
    return EXIT_TAMPERED
