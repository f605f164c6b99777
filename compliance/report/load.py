"""Reading a stored run back for the reports: results, each host's evidence, provenance, seal.

Reports are rendered only from what the run directory holds; they never run a command or
look at a host. `StoredRun` also groups items the way every report presents them: by
system (定级对象), then category, then control point, in the standard's order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from compliance.assessment import ASSESSMENT_FILE
from compliance.errors import BilingualError
from compliance.evidence.store import MANIFEST, PROVENANCE, RESULTS
from compliance.results.document import SCHEMA
from compliance.results.records import CheckRecord, HostRecord, ItemRecord, RecordError, ResultsRecord


class ReportError(BilingualError):
    """A stored run cannot be read, or a report cannot be written."""


def clause_key(clause: str) -> tuple[tuple[int, ...], str]:
    """Sort key for `8.1.4.1 a)`: numbers numerically, then the letter."""
    number, _, letter = clause.partition(" ")
    return tuple(int(part) for part in number.split(".") if part.isdigit()), letter


@dataclass
class ControlPoint:
    id: str
    zh: str
    en: str
    items: list[ItemRecord] = field(default_factory=list)


@dataclass
class Category:
    id: str
    zh: str
    en: str
    control_points: list[ControlPoint] = field(default_factory=list)


class HostEvidence(Mapping[str, dict[str, Any]]):
    """Each host's evidence document, read from the run when a report asks for it and not kept: a report
    goes through the hosts one by one, so a thousand hosts' raw output is never held at once."""

    def __init__(self, directory: Path, files: dict[str, str]) -> None:
        self._directory = directory
        self._files = files  # host name → its evidence file, relative to the run

    def __getitem__(self, host: str) -> dict[str, Any]:
        return _json(self._directory / self._files[host])

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def only(self, hosts: set[str]) -> HostEvidence:
        return HostEvidence(self._directory, {name: file for name, file in self._files.items() if name in hosts})


@dataclass
class StoredRun:
    directory: Path
    results: ResultsRecord
    evidence: HostEvidence  # host name → its evidence document, read when asked for
    provenance: dict[str, Any]
    manifest: dict[str, Any] | None
    verified_signer: str | None = None  # set once `dengbao evidence verify` logic accepted the signature
    assessment: dict[str, Any] | None = None  # assessment.json: high-risk findings, score, conclusion per system

    @property
    def name(self) -> str:
        return self.directory.name

    @property
    def items(self) -> list[ItemRecord]:
        return self.results.items

    @property
    def hosts(self) -> list[HostRecord]:
        return self.results.hosts

    @cached_property
    def systems(self) -> list[str]:
        return sorted({system for item in self.items for system in item.systems})

    @cached_property
    def checks_by_host(self) -> dict[str, dict[str, CheckRecord]]:
        """Host → check id → the check's result."""
        return {host.name: {check.check: check for check in host.checks} for host in self.hosts}

    def item_checks(self, item: ItemRecord) -> list[CheckRecord]:
        """The check results that decided an item on its object (none for manual items)."""
        checks = self.checks_by_host.get(item.object, {})
        return [checks[check_id] for check_id in item.checks if check_id in checks]

    def tree(self, system: str) -> list[Category]:
        """One system's items as categories → control points → items, in the standard's order."""
        categories: dict[str, Category] = {}
        points: dict[str, ControlPoint] = {}
        chosen = [item for item in self.items if system in item.systems]
        for item in sorted(chosen, key=lambda i: (clause_key(i.item), i.object)):
            category = categories.setdefault(item.category, Category(item.category, item.category_zh, item.category_en))
            point = points.get(item.control_point)
            if point is None:
                point = ControlPoint(item.control_point, item.control_point_zh, item.control_point_en)
                points[item.control_point] = point
                category.control_points.append(point)
            point.items.append(item)
        return list(categories.values())


def _json(path: Path, share_strings: bool = False) -> dict[str, Any]:
    """A JSON object from `path`. With `share_strings`, equal strings in it are one object: the rows of a large
    run repeat the same item texts, names and verdicts hundreds of thousands of times."""
    hook = _sharing({}) if share_strings else None
    try:
        document = json.loads(path.read_bytes(), object_hook=hook)
    except (OSError, ValueError) as error:
        raise ReportError(f"{path}: cannot be read as JSON: {error}", f"{path}：无法作为 JSON 读取：{error}") from error
    if not isinstance(document, dict):
        raise ReportError(f"{path}: expected a JSON object", f"{path}：应为 JSON 对象")
    return document


def _sharing(shared: dict[str, str]) -> Any:
    """A `json` object hook that swaps every string value (and string in a list value) for the first
    equal one seen, so the duplicate is freed as soon as its object is parsed."""
    first = shared.setdefault

    def share(document: dict[str, Any]) -> dict[str, Any]:
        for key, value in document.items():
            if type(value) is str:
                document[key] = first(value, value)
            elif type(value) is list and value and type(value[0]) is str:
                document[key] = [first(entry, entry) if type(entry) is str else entry for entry in value]
        return document

    return share


def load_run(directory: Path) -> StoredRun:
    if not (directory / RESULTS).is_file():
        raise ReportError(
            f"{directory} is not a run directory (no {RESULTS})", f"{directory} 不是扫描结果目录（缺少 {RESULTS}）"
        )
    document = _json(directory / RESULTS, share_strings=True)
    if document.get("schema") != SCHEMA:
        raise ReportError(
            f"{directory / RESULTS}: schema {document.get('schema')!r}, this version reads {SCHEMA}",
            f"{directory / RESULTS}：结果格式 {document.get('schema')!r}，本版本读取 {SCHEMA}",
        )
    try:
        results = ResultsRecord.from_json(document)
    except RecordError as error:
        raise ReportError(f"{directory / RESULTS}: {error}", f"{directory / RESULTS}：结构不符：{error}") from error
    del document  # the records hold its values; its dicts and lists go
    files = {
        host.name: host.evidence_file
        for host in results.hosts
        if host.evidence_file and (directory / host.evidence_file).is_file()
    }
    provenance = _json(directory / PROVENANCE) if (directory / PROVENANCE).is_file() else {}
    manifest = _json(directory / MANIFEST) if (directory / MANIFEST).is_file() else None
    assessment = _json(directory / ASSESSMENT_FILE) if (directory / ASSESSMENT_FILE).is_file() else None
    return StoredRun(directory, results, HostEvidence(directory, files), provenance, manifest, assessment=assessment)
