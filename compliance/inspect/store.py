"""Keeping an inspection run: written, redacted and sealed like a scan run, so the day's record cannot be
changed unseen.

    inspections/20261203T000000Z/      (compliance.inspect.history.runs_directory)
      inspection.json          every host's items (schema dengbao-inspection/1)
      evidence/<host>.json     every probe's command, output and exit code, with the host's clock
      provenance.json          tool, repository commit, SHA-256 of the policy and inventory files used
      summary.txt              the terminal summary
      inspection.md, inspection.html
      manifest.json (+ .sig)   the seal: SHA-256 of every file and of the previous inspection's manifest
"""

from __future__ import annotations

import getpass
import platform
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance import __version__
from compliance.evidence.redact import Redactor
from compliance.evidence.signing import Ed25519PrivateKey
from compliance.evidence.store import group_id, model_files, point_latest, seal, sha256_file, write_json
from compliance.inspect.document import DOCUMENT, evidence_document, evidence_name, inspection_document
from compliance.inspect.history import runs_directory
from compliance.inspect.run import InspectionRun
from compliance.scan.run import repository_commit

SUMMARY = "summary.txt"
PROVENANCE = "provenance.json"


def default_run_dir(root: Path) -> Path:
    """A new run beside the kept ones (compliance.inspect.history.runs_directory), named by the UTC time."""
    runs = runs_directory(root)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate, number = runs / stamp, 1
    while candidate.exists():
        number += 1
        candidate = runs / f"{stamp}-{number}"
    return candidate


def provenance(run: InspectionRun, root: Path, redactions: dict[str, int]) -> dict[str, Any]:
    files = {}
    for path in model_files(root, run.inventory):
        files[str(path.relative_to(root)) if path.is_relative_to(root) else str(path)] = sha256_file(path)
    return {
        "schema": "dengbao-inspection-provenance/1",
        "tool": {"name": "dengbao", "version": __version__, "python": platform.python_version()},
        "inspector": {"host": socket.gethostname(), "user": getpass.getuser()},
        "repository": {"commit": repository_commit(root)},
        "inventory": run.inventory,
        "selection": run.selection,
        "model_files_sha256": files,
        "redactions": dict(sorted(redactions.items())),
    }


def write_inspection(
    run: InspectionRun,
    directory: Path,
    summary_text: str,
    root: Path,
    redactor: Redactor,
    render: Callable[[Path], object],
    key: Ed25519PrivateKey | None = None,
    group: str | None = None,
) -> dict[str, Any]:
    """Store the run (redacted), render its reports from what was stored, seal it; returns the manifest.
    A run in the kept runs' folder becomes its `latest`."""
    group_id(group)
    directory.parent.mkdir(parents=True, exist_ok=True)
    directory.mkdir(mode=0o700, exist_ok=False)
    write_json(directory / DOCUMENT, redactor.document(inspection_document(run)))
    for host in run.hosts:
        if host.collection is not None:
            write_json(directory / evidence_name(host.target.name), redactor.document(evidence_document(host)))
    (directory / SUMMARY).write_text(redactor.text(summary_text), encoding="utf-8")
    write_json(directory / PROVENANCE, provenance(run, root, redactor.counts))
    render(directory)
    manifest = seal(directory, key, group)
    if directory.parent == runs_directory(root):
        point_latest(directory)
    return manifest
