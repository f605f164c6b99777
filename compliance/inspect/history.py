"""The kept inspection runs, as evidence for the scan: where they are, and a summary of the recent ones.

Runs live in one folder, side by side (their manifests chain them): $DENGBAO_INSPECTIONS if set; else
the control node's folder (/var/lib/dengbao/inspections, where its timer keeps them) when it exists;
else the checkout's inspections/. `dengbao inspect` writes there by default and the scan reads there,
so a manual run on the control node joins the timer's history.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from compliance.evidence.store import MANIFEST, sha256_file
from compliance.evidence.verify import verify_run
from compliance.inspect.acks import open_items
from compliance.inspect.document import DOCUMENT, SCHEMA

RUNS_ENV = "DENGBAO_INSPECTIONS"
CONTROL_NODE_RUNS = Path("/var/lib/dengbao/inspections")
CHECKOUT_RUNS = "inspections"


def runs_directory(root: Path) -> Path:
    given = os.environ.get(RUNS_ENV)
    if given:
        return Path(given)
    return CONTROL_NODE_RUNS if CONTROL_NODE_RUNS.is_dir() else root / CHECKOUT_RUNS


def inspection_evidence(directory: Path, days: int, now: datetime | None = None) -> dict[str, Any]:
    """Every run of the last `days` days in `directory`, oldest first: when, each host's overall status,
    its open items and whether each was acknowledged, and whether its seal still holds (each run's manifest
    checked again)."""
    evidence: dict[str, Any] = {"path": str(directory), "days": days, "present": False, "runs": []}
    if not directory.is_dir():
        return evidence
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    try:
        candidates = [p for p in directory.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError as error:
        return evidence | {"present": True, "error": error.strerror or str(error)}
    runs = []
    for candidate in candidates:
        try:
            document = json.loads((candidate / DOCUMENT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not an inspection run (or one whose seal verify names): nothing to cite
        if not isinstance(document, dict) or document.get("schema") != SCHEMA:
            continue
        started = str(document["run"]["started"])
        if datetime.fromisoformat(started) < since:
            continue
        manifest = candidate / MANIFEST
        runs.append(
            {
                "run": candidate.name,
                "started": started,
                "intact": verify_run(candidate).intact,
                "manifest_sha256": sha256_file(manifest) if manifest.is_file() else None,
                "overall": document["run"]["overall"],
                "hosts": {host["name"]: host["overall"] for host in document["hosts"]},
                "open": [
                    {"host": e.host, "item": e.item, "status": e.status, "acknowledged": e.acknowledgement is not None}
                    for e in open_items(candidate)
                ],
            }
        )
    return evidence | {"present": bool(runs), "runs": sorted(runs, key=lambda run: run["started"])}
