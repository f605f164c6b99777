"""A sealed run's raw evidence read back as the collections a live scan would have produced.

`dengbao scan --from-run RUN` judges them again under today's policies and waivers without
contacting any host: what would last month's evidence say under the new policy, and the path
for collectors that can only hand over saved files. The source run is verified first (every
hash, and the signature where there is one); a run that does not verify is refused, so no
altered evidence is ever judged as if it were sealed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.errors import BilingualError
from compliance.evidence.store import LEDGER_FILE, MANIFEST, PROVENANCE, RESULTS, sha256_file
from compliance.evidence.trust import Trust
from compliance.evidence.verify import verify_run
from compliance.kinds.collection import Collected, stored_collection
from compliance.kinds.target import Target
from compliance.scan.inspection_items import INSPECTIONS_FILE
from compliance.scan.record_items import RECORDS_FILE

# Result schemas whose hosts and evidence this version can judge again; schema 2 called Linux hosts "host".
READABLE_SCHEMAS = ("dengbao-scan-results/2", "dengbao-scan-results/3")
RENAMED_KINDS = {"host": "linux"}


class StoredRunError(BilingualError):
    """The source run cannot be judged again: not a run, not intact, or not readable."""


@dataclass(frozen=True)
class StoredEvidence:
    """What a sealed run observed: its targets and, for each one collected, its collection."""

    source: dict[str, Any]  # run, path, manifest_sha256, started: named in the new run
    inventory: str | None
    selection: dict[str, Any]
    targets: list[Target]
    collected: dict[str, Collected]
    change_ledger: dict[str, Any] | None = None  # the run's change_ledger.json, if it kept one
    inspections: dict[str, Any] | None = None  # the run's inspections.json, if it kept one
    records: dict[str, Any] | None = None  # the run's records.json, if it kept one
    model_files: dict[str, str] | None = None  # provenance: the SHA-256 of each policy and inventory file read


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StoredRunError(f"{path}: cannot be read: {error}", f"{path}：无法读取：{error}") from error


def _target(host: dict[str, Any], evidence: dict[str, Any] | None) -> Target:
    address = (evidence or {}).get("inventory_address")
    local = address == "@local"
    return Target(
        name=host["name"],
        kind=RENAMED_KINDS.get(host["kind"], host["kind"]),
        level=int(host["level"]),
        zone=host.get("zone") or "",
        systems=tuple(host.get("systems") or ()),
        connection="@local" if local else "ssh",
        data={} if local or not address else {"ssh_hostname": address},
    )


def _collected(target: Target, evidence: dict[str, Any], where: Path) -> Collected:
    status = evidence.get("status")
    collection = None
    if status == "collected":
        try:
            collection = stored_collection(evidence.get("host_clock_utc"), evidence["probes"])
        except (KeyError, TypeError, ValueError) as error:
            raise StoredRunError(
                f"{where}: the evidence of {target.name} is incomplete ({type(error).__name__}: {error})",
                f"{where}：{target.name} 的证据不完整（{type(error).__name__}: {error}）",
            ) from error
    return Collected(
        target,
        str(status),
        collection,
        evidence.get("error"),
        evidence.get("collection_started_utc"),
        evidence.get("collection_seconds"),
    )


def load_stored_evidence(directory: Path, trust: Trust | None = None) -> StoredEvidence:
    """Verify a sealed run (against `trust`: the hospital's keys), then read its targets and
    collections; raises StoredRunError."""
    if not (directory / RESULTS).is_file() or not (directory / MANIFEST).is_file():
        raise StoredRunError(
            f"{directory} is not a sealed run directory (needs {RESULTS} and {MANIFEST})",
            f"{directory} 不是已封存的扫描结果目录（需要 {RESULTS} 与 {MANIFEST}）",
        )
    verification = verify_run(directory, trust=trust)
    if not verification.intact:
        first, count = verification.findings[0], len(verification.findings)
        raise StoredRunError(
            f"{directory} does not verify ({count} findings, first: {first.path}: {first.english});"
            " its evidence is not judged again",
            f"{directory} 核验未通过（{count} 处问题，首个：{first.path}：{first.chinese}），不予重新评判",
        )
    results = _json(directory / RESULTS)
    schema, readable = results.get("schema"), ", ".join(READABLE_SCHEMAS)
    if schema not in READABLE_SCHEMAS:
        raise StoredRunError(
            f"{directory / RESULTS}: schema {schema!r}; this version judges {readable}",
            f"{directory / RESULTS}：结果格式 {schema!r}，本版本可重新评判 {readable}",
        )
    targets: list[Target] = []
    collected: dict[str, Collected] = {}
    for host in results["hosts"]:
        evidence_path = directory / host["evidence_file"] if host.get("evidence_file") else None
        evidence = _json(evidence_path) if evidence_path is not None else None
        target = _target(host, evidence)
        targets.append(target)
        if evidence is not None and evidence_path is not None:
            collected[target.name] = _collected(target, evidence, evidence_path)
    run = results["run"]
    provenance = _json(directory / PROVENANCE) if (directory / PROVENANCE).is_file() else {}
    source = {
        "run": directory.name,
        "path": str(directory.resolve()),
        "manifest_sha256": sha256_file(directory / MANIFEST),
        "started": run["started"],
    }
    ledger = _json(directory / LEDGER_FILE) if (directory / LEDGER_FILE).is_file() else None
    inspections = _json(directory / INSPECTIONS_FILE) if (directory / INSPECTIONS_FILE).is_file() else None
    records = _json(directory / RECORDS_FILE) if (directory / RECORDS_FILE).is_file() else None
    return StoredEvidence(
        source,
        run.get("inventory") or provenance.get("inventory"),
        run.get("selection") or {},
        targets,
        collected,
        ledger,
        inspections,
        records,
        provenance.get("model_files_sha256"),
    )


# What every slice of one scan must have read alike: the field, its names, the file each slice keeps it in, and
# the keys that only say when it was read (the records' day: slices of one night may straddle midnight).
SHARED_INPUTS = (
    ("change_ledger", "change ledger", "变更台账", LEDGER_FILE, ()),
    ("inspections", "inspections", "巡检记录", INSPECTIONS_FILE, ()),
    ("records", "records", "管理记录", RECORDS_FILE, ("as_of",)),
)


def merge_slices(slices: list[StoredEvidence]) -> StoredEvidence:
    """One scan's slices (each a sealed run of some of the hosts, as AWX job slicing makes them) as one
    set of evidence. The slices must come from one inventory and one model (the same SHA-256 for every
    policy and inventory file), name each host once, and have read the same change ledger, inspections
    and records; raises StoredRunError naming the slices that disagree."""
    first = slices[0]
    owner: dict[str, str] = {}
    for part in slices:
        name = part.source["run"]
        if part.inventory != first.inventory:
            raise StoredRunError(
                f"slices {first.source['run']} and {name} scanned different inventories"
                f" ({first.inventory} and {part.inventory})",
                f"分片 {first.source['run']} 与 {name} 扫描的清单不同（{first.inventory} 与 {part.inventory}）",
            )
        if part.model_files != first.model_files:
            mine, theirs = part.model_files or {}, first.model_files or {}
            differing = sorted(path for path in mine.keys() | theirs.keys() if mine.get(path) != theirs.get(path))
            shown = ", ".join(differing[:5]) or "provenance.json"
            raise StoredRunError(
                f"slices {first.source['run']} and {name} ran on different models (files differ: {shown})",
                f"分片 {first.source['run']} 与 {name} 所用模型不同（不同的文件：{shown}）",
            )
        for field, english, chinese, file, moments in SHARED_INPUTS:
            if _comparable(getattr(part, field), moments) != _comparable(getattr(first, field), moments):
                raise StoredRunError(
                    f"slices {first.source['run']} and {name} read different {english} ({file});"
                    " on execution nodes keep it on the shared evidence volume",
                    f"分片 {first.source['run']} 与 {name} 读取的{chinese}不同（{file}）；执行节点上应放在共享证据卷中",
                )
        for target in part.targets:
            if target.name in owner:
                raise StoredRunError(
                    f"host {target.name} is in two slices ({owner[target.name]} and {name})",
                    f"主机 {target.name} 出现在两个分片中（{owner[target.name]} 与 {name}）",
                )
            owner[target.name] = name
    return StoredEvidence(
        {"slices": [part.source for part in slices]},
        first.inventory,
        {},  # no one selection: the merging command records its own
        [target for part in slices for target in part.targets],
        {name: collected for part in slices for name, collected in part.collected.items()},
        first.change_ledger,
        first.inspections,
        first.records,
        first.model_files,
    )


def _comparable(document: dict[str, Any] | None, moments: tuple[str, ...]) -> str:
    """A shared input as text to compare, without the moment it was read (each slice read it at its own)."""
    if document is None:
        return ""
    kept = {key: value for key, value in document.items() if key not in moments}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False)
