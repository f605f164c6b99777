"""Writing a scan to its run directory: `results.json` (everything), `summary.txt`, and `reports/latest`.

`results.json` (schema `dengbao-scan-results/1`) holds the run, each host's collection
status, every check result with observed and expected values, every item verdict, and
the raw evidence once per host and probe (command, output, exit code, host clock).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.scan.evaluate import CheckResult, HostResult, ItemResult
from compliance.scan.run import ScanRun, is_finding
from compliance.scan.summary import summarise

SCHEMA = "dengbao-scan-results/1"


def default_run_dir(root: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = root / "reports" / stamp
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{stamp}-{number}")
    return candidate


def _check(result: CheckResult) -> dict[str, Any]:
    return {
        "check": result.check.id,
        "title_zh": result.check.title_zh,
        "title_en": result.check.title_en,
        "clauses": list(result.check.clauses),
        "verdict": result.verdict.value,
        "verdict_zh": result.verdict.zh,
        "observed": result.observed,
        "expected": result.expected,
        "reason_en": result.reason_en,
        "reason_zh": result.reason_zh,
        "evidence": [probe.name for probe in result.evidence],
    }


def _item(result: ItemResult) -> dict[str, Any]:
    return {
        "object": result.object,
        "object_kind": result.object_kind,
        "systems": list(result.systems),
        "item": result.item.id,
        "level": result.item.level,
        "twin": result.item.twin,
        "category": result.item.category_id,
        "control_point": result.item.control_point_id,
        "test_unit": result.item.test_unit,
        "text_zh": result.item.zh,
        "text_en": result.item.en,
        "verdict": result.verdict.value,
        "verdict_zh": result.verdict.zh,
        "original_verdict": result.original_verdict.value if result.original_verdict else None,
        "finding": is_finding(result),
        "checks": list(result.checks),
        "reason_en": result.reason_en,
        "reason_zh": result.reason_zh,
        "waiver": result.waiver,
    }


def _host(result: HostResult) -> dict[str, Any]:
    target = result.target
    collection = None
    for check in result.checks:
        collection = collection or {}
        for probe in check.evidence:
            collection[probe.name] = {"command": probe.command, "output": probe.output, "exit_code": probe.exit_code}
    return {
        "name": target.name,
        "kind": target.kind,
        "level": target.level,
        "zone": target.zone,
        "systems": list(target.systems),
        "status": result.status,
        "error": result.error,
        "started": result.started,
        "seconds": result.seconds,
        "checks": [_check(c) for c in result.checks],
        "evidence": collection or {},
    }


def results_document(run: ScanRun) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "dengbao", "version": run.tool_version},
        "run": {
            "started": run.started,
            "finished": run.finished,
            "inventory": run.inventory,
            "selection": run.selection,
            "repository_commit": run.repository_commit,
            "exit_code": run.exit_code(),
        },
        "expired_waivers": [w.as_dict() for w in run.expired_waivers],
        "summary": [row.as_dict() for row in summarise(run.items)],
        "hosts": [_host(h) for h in run.hosts],
        "items": [_item(i) for i in run.items],
    }


def write_run(run: ScanRun, directory: Path, summary_text: str, root: Path | None) -> None:
    directory.mkdir(parents=True, exist_ok=False)
    document = results_document(run)
    (directory / "results.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (directory / "summary.txt").write_text(summary_text, encoding="utf-8")
    if root is not None and directory.parent == root / "reports":
        latest = directory.parent / "latest"
        temporary = directory.parent / f".latest-{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(directory.name)
        temporary.replace(latest)
