"""results.json as typed records: what the document writes and what reports read back.

The live model (`compliance.results.model`) holds objects (a catalog item, a check, a target);
a record holds the same result as the plain values stored in results.json. `document.py` builds
records from a run and writes them; reports load them back with `ResultsRecord.from_json` and
read attributes, never untyped dicts. The shipped JSON Schema is held equal to these records
by a test.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

R = TypeVar("R")


class RecordError(ValueError):
    """A stored document does not have the shape of the records (missing or unknown field, wrong type)."""


@dataclass(frozen=True)
class CheckRecord:
    check: str
    title_zh: str
    title_en: str
    clauses: list[str]
    verdict: str
    verdict_zh: str
    observed: dict[str, Any]
    expected: dict[str, Any]
    reason_en: str
    reason_zh: str
    evidence: list[str]  # names of the probes the check read


@dataclass(frozen=True)
class HostRecord:
    name: str
    kind: str
    level: int
    zone: str
    systems: list[str]
    status: str  # collected | unreachable | error | not_collected
    error: str | None
    started: str | None
    seconds: float | None
    evidence_file: str | None
    checks: list[CheckRecord]


@dataclass(frozen=True)
class ItemRecord:
    object: str
    object_kind: str
    systems: list[str]
    item: str
    level: int
    twin: str | None
    category: str
    category_zh: str
    category_en: str
    control_point: str
    control_point_zh: str
    control_point_en: str
    test_unit: str | None
    text_zh: str
    text_en: str
    verdict: str
    verdict_zh: str
    original_verdict: str | None
    finding: bool
    checks: list[str]
    reason_en: str
    reason_zh: str
    waiver: dict[str, Any] | None

    @property
    def level3_id(self) -> str:
        return self.item if self.level == 3 or not self.twin else self.twin


@dataclass(frozen=True)
class SummaryRecord:
    system: str  # "*" for the overall total
    category: str  # "*" for a system's subtotal
    category_zh: str
    counts: dict[str, int]
    rate: float | None


@dataclass(frozen=True)
class RunRecord:
    started: str
    finished: str
    inventory: str | None
    selection: dict[str, Any]
    repository_commit: str | None
    exit_code: int
    source_run: dict[str, Any] | None


@dataclass(frozen=True)
class ResultsRecord:
    schema: str
    tool: dict[str, Any]
    run: RunRecord
    expired_waivers: list[dict[str, Any]]
    summary: list[SummaryRecord]
    hosts: list[HostRecord]
    items: list[ItemRecord]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, document: Any) -> ResultsRecord:
        return _build(cls, document, "results")


def _build(cls: type[R], value: Any, where: str) -> R:
    if not isinstance(value, dict):
        raise RecordError(f"{where}: expected an object")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    missing, unknown = fields - set(value), set(value) - fields
    if missing or unknown:
        raise RecordError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return cls(**{name: _convert(hints[name], value[name], f"{where}.{name}") for name in fields})


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if origin is list:
        if not isinstance(value, list):
            raise RecordError(f"{where}: expected a list")
        (element,) = typing.get_args(hint)
        return [_convert(element, entry, f"{where}[{index}]") for index, entry in enumerate(value)]
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        return _convert(next(o for o in options if o is not type(None)), value, where)
    if origin is dict or hint is Any:
        return value
    expected = {float: (int, float), int: (int,), str: (str,), bool: (bool,)}.get(hint, (object,))
    if not isinstance(value, expected) or (hint is int and isinstance(value, bool)):
        raise RecordError(f"{where}: expected {getattr(hint, '__name__', hint)}, found {type(value).__name__}")
    return value
