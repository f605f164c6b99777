"""The results document of a run, `results.json` (schema `dengbao-scan-results/3`, documented
in `docs/results-schema.md` and `compliance/report/schemas/results-3.schema.json`).

It holds the run, each host's collection status, every check result with observed and
expected values and the probes it read, and every item verdict. The raw evidence of each
host sits beside it in `evidence/<host>.json` (see `compliance.evidence.store`).
"""

from __future__ import annotations

import re
from typing import Any

from compliance.results.model import CheckResult, HostResult, ItemResult, ScanRun, is_finding
from compliance.results.records import CheckRecord, HostRecord, ItemRecord, ResultsRecord, RunRecord
from compliance.results.summary import summarise

SCHEMA = "dengbao-scan-results/3"


def _check(result: CheckResult) -> CheckRecord:
    return CheckRecord(
        check=result.check.id,
        title_zh=result.check.title_zh,
        title_en=result.check.title_en,
        clauses=list(result.check.clauses),
        verdict=result.verdict.value,
        verdict_zh=result.verdict.zh,
        observed=result.observed,
        expected=result.expected,
        reason_en=result.reason_en,
        reason_zh=result.reason_zh,
        evidence=[probe.name for probe in result.evidence],
    )


def _item(result: ItemResult) -> ItemRecord:
    item = result.item
    return ItemRecord(
        object=result.object,
        object_kind=result.object_kind,
        systems=list(result.systems),
        item=item.id,
        level=item.level,
        twin=item.twin,
        category=item.category_id,
        category_zh=item.category_zh,
        category_en=item.category_en,
        control_point=item.control_point_id,
        control_point_zh=item.control_point_zh,
        control_point_en=item.control_point_en,
        test_unit=item.test_unit,
        text_zh=item.zh,
        text_en=item.en,
        verdict=result.verdict.value,
        verdict_zh=result.verdict.zh,
        original_verdict=result.original_verdict.value if result.original_verdict else None,
        finding=is_finding(result),
        checks=list(result.checks),
        reason_en=result.reason_en,
        reason_zh=result.reason_zh,
        waiver=result.waiver,
    )


def evidence_file(host: str) -> str:
    """Where a host's raw evidence sits inside the run directory."""
    return f"evidence/{re.sub(r'[^A-Za-z0-9._-]', '_', host)}.json"


def _host(result: HostResult) -> HostRecord:
    target = result.target
    has_evidence = result.collection is not None or result.status in ("unreachable", "error")
    return HostRecord(
        name=target.name,
        kind=target.kind,
        level=target.level,
        zone=target.zone,
        systems=list(target.systems),
        status=result.status,
        error=result.error,
        started=result.started,
        seconds=result.seconds,
        evidence_file=evidence_file(target.name) if has_evidence else None,
        checks=[_check(c) for c in result.checks],
    )


def results_record(run: ScanRun) -> ResultsRecord:
    return ResultsRecord(
        schema=SCHEMA,
        tool={"name": "dengbao", "version": run.tool_version},
        run=RunRecord(
            started=run.started,
            finished=run.finished,
            inventory=run.inventory,
            selection=run.selection,
            repository_commit=run.repository_commit,
            exit_code=run.exit_code(),
            source_run=run.source_run,
        ),
        expired_waivers=[w.as_dict() for w in run.expired_waivers],
        summary=[row.record() for row in summarise(run.items)],
        hosts=[_host(h) for h in run.hosts],
        items=[_item(i) for i in run.items],
    )


def results_document(run: ScanRun) -> dict[str, Any]:
    """results.json of a run: its records as plain JSON values."""
    return results_record(run).to_json()
