"""The handover package for the evaluator, per system (定级对象), from one sealed run:

    record-sheet.xlsx      the record sheet: a summary, then one sheet per 测评对象 of the system
    summary.html           the report of the system's objects (printed to summary.pdf by the command)
    assessment.json        the system's self-assessment: high-risk findings, score, conclusion
    records-index.json     the management records that speak for the system, with their attachments' SHA-256
    run/                   the sealed run itself, whole: `dengbao evidence verify --alone run` holds
    handover.json          what the package holds: each file's SHA-256, the run's manifest hash

The records' attached files are not copied: the index names them by hash, and the evaluator
examines them at the hospital. Nothing here runs a command.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from compliance.digest import sha256_file
from compliance.report.formats import render_html, render_xlsx
from compliance.report.load import StoredRun
from compliance.scan.record_items import RECORDS_FILE

SCHEMA = "dengbao-handover/1"
README = """等保测评交接材料 / Handover package for the evaluator

定级对象 system: {system}    扫描 run: {run}

record-sheet.xlsx   测评记录表：汇总表，及每个测评对象一张工作表 / the record sheet, one sheet per object
summary.pdf/.html   本定级对象的测评结果与自评估 / the system's results and self-assessment
assessment.json     高风险问题、自评得分与预期结论（自评估，非测评机构结论）/ high-risk findings, score, conclusion
records-index.json  管理记录索引及附件哈希 / the management records and their attachments' SHA-256
run/                已封存的原始扫描结果：dengbao evidence verify --alone run / the sealed run
handover.json       本目录各文件的 SHA-256 / every file's SHA-256
"""


class HandoverError(ValueError):
    """The run has no such system."""


def for_system(run: StoredRun, system: str) -> StoredRun:
    """The run narrowed to one system's objects, items and summary rows."""
    results = run.results
    if system not in {s for item in results.items for s in item.systems}:
        known = sorted({s for item in results.items for s in item.systems})
        raise HandoverError(f"the run has no system {system!r}; it has: {', '.join(known) or 'none'}")
    rows = [row for row in results.summary if row.system == system]
    subtotal = next(row for row in rows if row.category == "*")
    narrowed = dataclasses.replace(
        results,
        hosts=[host for host in results.hosts if system in host.systems],
        items=[item for item in results.items if system in item.systems],
        # The system's rows, its subtotal standing as the total (reports read the last row as the total).
        summary=[*rows, dataclasses.replace(subtotal, system="*", category_zh="合计 total")],
    )
    assessment = None
    if run.assessment:
        assessment = run.assessment | {"systems": [s for s in run.assessment["systems"] if s["system"] == system]}
    hosts = {host.name for host in narrowed.hosts}
    return dataclasses.replace(
        run,
        results=narrowed,
        evidence=run.evidence.only(hosts),
        assessment=assessment,
    )


def records_index(run_dir: Path, system: str) -> dict[str, Any]:
    """The records of the run's records.json that speak for the system (for all systems, or naming it)."""
    path = run_dir / RECORDS_FILE
    if not path.is_file():
        return {"present": False, "records": []}
    kept = json.loads(path.read_text(encoding="utf-8"))
    mine = [r for r in kept["records"] if not r["systems"] or system in r["systems"]]
    return {"present": kept["present"], "as_of": kept["as_of"], "path": kept["path"], "records": mine}


def write_package(run: StoredRun, system: str, output: Path) -> Path:
    """Everything but the PDF (the command prints summary.html); returns the summary's path."""
    narrowed = for_system(run, system)
    output.mkdir(parents=True, exist_ok=False)
    (output / "record-sheet.xlsx").write_bytes(render_xlsx(narrowed))
    (output / "summary.html").write_bytes(render_html(narrowed))
    _write_json(output / "assessment.json", narrowed.assessment or {})
    _write_json(output / "records-index.json", records_index(run.directory, system))
    (output / "README.txt").write_text(README.format(system=system, run=run.name), encoding="utf-8")
    shutil.copytree(run.directory, output / "run", symlinks=True)
    return output / "summary.html"


def seal_package(output: Path, run: StoredRun, system: str) -> dict[str, Any]:
    """handover.json: the SHA-256 of every file in the package, written last."""
    files = {
        str(path.relative_to(output)): sha256_file(path)
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.name != "handover.json"
    }
    manifest = run.directory / "manifest.json"
    document = {
        "schema": SCHEMA,
        "system": system,
        "run": run.name,
        "run_manifest_sha256": sha256_file(manifest) if manifest.is_file() else None,
        "files": files,
    }
    _write_json(output / "handover.json", document)
    return document


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
