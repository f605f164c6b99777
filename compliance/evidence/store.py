"""The evidence store: each scan writes one run directory, sealed by a manifest.

    reports/20261124T061800Z/
      results.json            every check and item verdict (schema dengbao-scan-results/3)
      evidence/<host>.json    raw evidence per host: identity, UTC times, every probe's command,
                              output and exit code, and which checks read which probe
      provenance.json         tool, repository commit, SHA-256 of every policy, waiver and
                              inventory file the scan used, what was redacted, the change
                              ledger's state
      change_ledger.json      the control node's change ledger as the scan read it (a summary
                              of each record; scan.ledger_items), when the run read one
      inspections.json        the daily inspection runs of the last days as the scan read them
                              (when, each host's status, whether each seal holds; scan.inspection_items)
      records.json            the inventory's management records as the scan read them (an index:
                              type, id, date, owner, attachments' hashes; scan.record_items)
      assessment.json         per system: high-risk findings, self-assessed score and expected
                              conclusion (compliance.assessment)
      summary.txt             the terminal summary
      report.html, report.md, junit.xml, oscal-assessment-results.json, record-sheet.xlsx
      manifest.json           SHA-256 and size of every file above, and the SHA-256 of the
                              previous run's manifest (a hash chain)
      manifest.sig            Ed25519 signature over manifest.json (when a key is given)

Everything stored passes through the redactor first. Once sealed, files are made read-only;
`dengbao evidence verify` recomputes every hash, the chain link and the signature.
"""

from __future__ import annotations

import getpass
import grp
import json
import os
import platform
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance import __version__
from compliance.assessment import ASSESSMENT_FILE
from compliance.digest import sha256_file
from compliance.errors import BilingualError
from compliance.evidence.redact import Redactor
from compliance.evidence.signing import Ed25519PrivateKey, fingerprint, sign
from compliance.kinds import kind_of
from compliance.project import git_output
from compliance.results.document import evidence_file, results_document
from compliance.results.model import HostResult, ScanRun
from compliance.scan.inspection_items import INSPECTIONS_FILE
from compliance.scan.ledger_items import LEDGER_FILE
from compliance.scan.record_items import RECORDS_FILE

RESULTS = "results.json"
PROVENANCE = "provenance.json"
SUMMARY = "summary.txt"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SEAL = (MANIFEST, SIGNATURE)  # the files that seal a run, not listed in its manifest
MANIFEST_SCHEMA = "dengbao-evidence-manifest/1"
EVIDENCE_SCHEMA = "dengbao-host-evidence/1"
PROVENANCE_SCHEMA = "dengbao-provenance/1"


class EvidenceError(BilingualError):
    """Evidence cannot be stored as the policy says (for example its reader group does not exist)."""


def default_run_dir(root: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = root / "reports" / stamp
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{stamp}-{number}")
    return candidate


def _utc(epoch: int | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def host_evidence(host: HostResult) -> dict[str, Any]:
    """One host's raw evidence: who answered, when, and every probe as it ran."""
    collection = host.collection
    probes = collection.probes if collection else {}
    describe = kind_of(host.target.kind).identity
    identity = describe(collection) if describe is not None and collection is not None else {}
    return {
        "schema": EVIDENCE_SCHEMA,
        "host": host.target.name,
        "inventory_address": host.target.data.get(
            "ssh_hostname", "@local" if host.target.connection == "@local" else None
        ),
        "identity": identity,
        "status": host.status,
        "error": host.error,
        "collection_started_utc": host.started,
        "host_clock_utc": _utc(collection.host_epoch) if collection else None,
        "collection_seconds": host.seconds,
        "probes": {
            name: {"command": probe.command, "output": probe.output, "exit_code": probe.exit_code}
            for name, probe in sorted(probes.items())
        },
        "checks": {check.check.id: [probe.name for probe in check.evidence] for check in host.checks},
    }


def model_files(root: Path, inventory: str | None) -> list[Path]:
    """The policy, waiver and inventory files a scan read."""
    files = sorted(root.glob("policies/*.yml")) + sorted(root.glob("policies/waivers/*.yml"))
    if inventory:
        path = Path(inventory)
        path = path if path.is_absolute() else root / path
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif path.is_file():
            files.append(path)
    return files


def provenance(run: ScanRun, root: Path | None, redactions: dict[str, int]) -> dict[str, Any]:
    files: dict[str, str] = {}
    changed = None
    if root is not None:
        for path in model_files(root, run.inventory):
            shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
            files[shown] = sha256_file(path)
        status = git_output(root, "status", "--porcelain", "--", "policies", "inventory")
        changed = None if status is None else sorted(line[3:] for line in status.splitlines())
    return {
        "schema": PROVENANCE_SCHEMA,
        "tool": {"name": "dengbao", "version": __version__, "python": platform.python_version()},
        "scanner": {"host": socket.gethostname(), "user": getpass.getuser()},
        "repository": {
            "commit": run.repository_commit,
            "uncommitted_model_changes": changed,
        },
        "inventory": run.inventory,
        "selection": run.selection,
        "source_run": run.source_run,
        "model_files_sha256": files,
        "redactions": dict(sorted(redactions.items())),
        "change_ledger": ledger_anchor(run.change_ledger),
    }


def ledger_anchor(evidence: dict[str, Any] | None) -> dict[str, Any]:
    """The change ledger as this run found it (8.1.10.10, 8.1.10.6; the whole summary is in
    change_ledger.json): where, how many records, whether its chain holds, and its last record's hash.
    Sealed into the run, the hash anchors the ledger's end: records cut off later no longer reach the
    hash a run holds."""
    if evidence is None:
        return {"records": None, "note": "the ledger was not read for this run / 本次未读取变更台账"}
    if not evidence["present"]:
        note = "no change ledger on this control node / 本控制节点无变更台账"
        return {"path": evidence["path"], "records": 0, "note": note}
    if "error" in evidence:
        return {"path": evidence["path"], "records": None, "note": f"unreadable / 无法读取: {evidence['error']}"}
    records, problems = evidence["records"], evidence["problems"]
    last = records[-1] if records else {}
    return {
        "path": evidence["path"],
        "records": len(records),
        "chain_intact": not problems,
        "problems": [f"line {p['line']}: {p['en']}" for p in problems],
        "last": {key: last.get(key) for key in ("seq", "hash", "ended", "who", "commit", "result")} if last else None,
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def previous_run(directory: Path) -> Path | None:
    """The newest sealed run beside `directory`: the one this run's manifest links to."""
    parent = directory.parent
    if not parent.is_dir():
        return None
    sealed = []
    for candidate in parent.iterdir():
        manifest = candidate / MANIFEST
        if candidate != directory and not candidate.is_symlink() and manifest.is_file():
            try:
                stamp = json.loads(manifest.read_text(encoding="utf-8")).get("sealed", "")
            except (OSError, ValueError):
                continue
            sealed.append((str(stamp), candidate.name, candidate))
    return max(sealed)[2] if sealed else None


def manifest_document(directory: Path, signed_by: str | None = None) -> dict[str, Any]:
    files = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        if name not in SEAL:
            files[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    before = previous_run(directory)
    return {
        "schema": MANIFEST_SCHEMA,
        "run": directory.name,
        "sealed": datetime.now(UTC).isoformat(timespec="microseconds"),
        "hash_algorithm": "sha256",
        "previous": None if before is None else {"run": before.name, "manifest_sha256": sha256_file(before / MANIFEST)},
        "signed_by": signed_by,  # the key's fingerprint: a signature removed later is a finding
        "files": files,
    }


def seal(directory: Path, key: Ed25519PrivateKey | None, group: str | None = None) -> dict[str, Any]:
    """Write the manifest (and signature), then make the run read-only and private to its owner and group."""
    signer = fingerprint(key.public_key()) if key is not None else None
    manifest = manifest_document(directory, signer)
    body = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode()
    (directory / MANIFEST).write_bytes(body)
    if key is not None:
        write_json(directory / SIGNATURE, sign(key, body))
    make_private(directory, group)
    return manifest


def group_id(group: str | None) -> int | None:
    """The id of the group that may read runs; a group named in the policy must exist."""
    if group is None:
        return None
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise EvidenceError(
            f"policies/evidence.yml: evidence_group {group} does not exist on this machine; create it or set null",
            f"policies/evidence.yml：本机不存在用户组 {group}（evidence_group）；请创建或设为 null",
        ) from None


def make_private(directory: Path, group: str | None) -> None:
    """Files 0440 and folders 0750 (0400 and 0700 without a group): the owner and the auditors read them."""
    gid = group_id(group)
    file_mode, folder_mode = (0o440, 0o750) if gid is not None else (0o400, 0o700)
    for path in [directory, *directory.rglob("*")]:
        if path.is_symlink():
            continue
        if gid is not None:
            os.chown(path, -1, gid)
        path.chmod(folder_mode if path.is_dir() else file_mode)


def write_run(
    run: ScanRun,
    directory: Path,
    summary_text: str,
    root: Path | None,
    redactor: Redactor,
    key: Ed25519PrivateKey | None = None,
    render_reports: Callable[[Path], None] | None = None,
    group: str | None = None,
) -> dict[str, Any]:
    """Store the run, render its reports from what was stored, and seal it. Returns the manifest.

    The directory is made owner-only before anything is written into it, so no other local user
    reads a run while it is being written; sealing then opens it to the evidence group."""
    group_id(group)  # before anything is written: a missing group stops the run here
    directory.parent.mkdir(parents=True, exist_ok=True)
    directory.mkdir(mode=0o700, exist_ok=False)
    write_json(directory / RESULTS, redactor.document(results_document(run)))
    for host in run.hosts:
        if host.collection is not None or host.status in ("unreachable", "error"):
            write_json(directory / evidence_file(host.target.name), redactor.document(host_evidence(host)))
    if run.change_ledger is not None:
        write_json(directory / LEDGER_FILE, redactor.document(run.change_ledger))
    if run.inspections is not None:
        write_json(directory / INSPECTIONS_FILE, redactor.document(run.inspections))
    if run.records is not None:
        write_json(directory / RECORDS_FILE, redactor.document(run.records))
    if run.assessment is not None:
        write_json(directory / ASSESSMENT_FILE, redactor.document(run.assessment))
    (directory / SUMMARY).write_text(redactor.text(summary_text), encoding="utf-8")
    write_json(directory / PROVENANCE, provenance(run, root, redactor.counts))
    if render_reports is not None:
        render_reports(directory)
    manifest = seal(directory, key, group)
    if root is not None and directory.parent == root / "reports":
        point_latest(directory)
    return manifest


def point_latest(directory: Path) -> None:
    """Make `latest` beside the run point at it, replaced in one step (a reader never sees it missing)."""
    latest = directory.parent / "latest"
    temporary = directory.parent / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(directory.name)
    temporary.replace(latest)
