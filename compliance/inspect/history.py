"""The kept inspection runs, as evidence for the scan: where they are, and a summary of the recent ones.

Runs live in one folder, side by side (their manifests chain them): $DENGBAO_INSPECTIONS if set; else
the control node's folder (/var/lib/dengbao/inspections, where its timer keeps them) when it exists;
else the checkout's inspections/. `dengbao inspect` writes there by default and the scan reads there,
so a manual run on the control node joins the timer's history.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from compliance.evidence.store import MANIFEST, sha256_file
from compliance.evidence.verify import verify_run
from compliance.inspect.acks import acknowledged_items, open_in
from compliance.inspect.document import kept_runs

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
        kept = kept_runs(directory, since)
    except OSError as error:
        return evidence | {"present": True, "error": error.strerror or str(error)}
    acknowledged = acknowledged_items(directory)
    runs = []
    for run, document in kept:
        manifest = run / MANIFEST
        runs.append(
            {
                "run": run.name,
                "started": str(document["run"]["started"]),
                "intact": verify_run(run).intact,
                "manifest_sha256": sha256_file(manifest) if manifest.is_file() else None,
                "overall": document["run"]["overall"],
                "hosts": {host["name"]: host["overall"] for host in document["hosts"]},
                "open": [
                    {"host": e.host, "item": e.item, "status": e.status, "acknowledged": e.acknowledgement is not None}
                    for e in open_in(document, acknowledged.get(run.name, {}))
                ],
            }
        )
    return evidence | {"present": bool(runs), "runs": runs}
