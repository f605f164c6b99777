"""An inspection run as stored: `inspection.json` (schema dengbao-inspection/1) and each host's raw evidence.

Reports are rendered from the stored document, never from the live run, so what a report shows is what
the sealed run holds. Trends are read from the runs kept beside it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from compliance.inspect.run import HostInspection, InspectionRun

SCHEMA = "dengbao-inspection/1"
DOCUMENT = "inspection.json"


def evidence_name(host: str) -> str:
    return f"evidence/{host}.json"


def host_document(host: HostInspection) -> dict[str, Any]:
    target = host.target
    return {
        "name": target.name,
        "address": target.address or ("@local" if target.connection == "@local" else None),
        "level": target.level,
        "zone": target.zone,
        "systems": list(target.systems),
        "status": host.status,
        "overall": host.overall.value,
        "error": host.error,
        "collection_started_utc": host.started,
        "collection_seconds": host.seconds,
        "evidence_file": evidence_name(target.name) if host.collection is not None else None,
        "items": [item.as_dict() for item in host.items],
    }


def inspection_document(run: InspectionRun) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "run": {
            "started": run.started,
            "finished": run.finished,
            "inventory": run.inventory,
            "selection": run.selection,
            "overall": run.overall.value,
            "exit_code": run.exit_code(),
            "counts": run.counts(),
        },
        "hosts": [host_document(host) for host in run.hosts],
    }


def evidence_document(host: HostInspection) -> dict[str, Any]:
    """Every probe as it ran on the host, with the host's clock: what each item's value rests on."""
    collection = host.collection
    assert collection is not None
    return {
        "schema": "dengbao-inspection-evidence/1",
        "host": host.target.name,
        "collection_started_utc": host.started,
        "host_clock_utc": datetime.fromtimestamp(collection.host_epoch, UTC).isoformat(timespec="seconds"),
        "probes": {
            name: {"command": probe.command, "output": probe.output, "exit_code": probe.exit_code}
            for name, probe in sorted(collection.probes.items())
        },
    }


def earlier_runs(directory: Path, days: int) -> list[dict[str, Any]]:
    """The inspection documents kept beside `directory` started within `days` before it, oldest first.
    A run that cannot be read is left out of the trends (its own verification says why)."""
    own = _read(directory / DOCUMENT)
    if own is None or not directory.parent.is_dir():
        return []
    end = datetime.fromisoformat(own["run"]["started"])
    return [document for _, document in kept_runs(directory.parent, end - timedelta(days=days), end)]


def kept_runs(folder: Path, since: datetime, until: datetime | None = None) -> list[tuple[Path, dict[str, Any]]]:
    """(run directory, its inspection document) for every run in `folder` started at or after `since` and
    before `until`, oldest first; `latest` and anything that is no inspection run are left out. Raises
    OSError when the folder cannot be listed."""
    found = []
    for candidate in folder.iterdir():
        if candidate.is_symlink() or not candidate.is_dir():
            continue
        document = _read(candidate / DOCUMENT)
        if document is None:
            continue
        started = datetime.fromisoformat(document["run"]["started"])
        if since <= started and (until is None or started < until):
            found.append((candidate, document))
    return sorted(found, key=lambda pair: pair[1]["run"]["started"])


def _read(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) and document.get("schema") == SCHEMA else None


def trend(documents: list[dict[str, Any]], host: str, item_prefix: str, measure: str) -> list[tuple[str, float]]:
    """(run start, value) per run: the highest `measure` among the host's items whose id starts with the prefix."""
    points = []
    for document in documents:
        for entry in document["hosts"]:
            if entry["name"] != host:
                continue
            values = [i["measures"][measure] for i in entry["items"] if i["id"].startswith(item_prefix)
                      and measure in i["measures"]]  # fmt: skip
            if values:
                points.append((document["run"]["started"], max(values)))
    return points
