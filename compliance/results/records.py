"""results.json as typed records: what the document writes and what reports read back.

The live model (`compliance.results.model`) holds objects (a catalog item, a check, a target);
a record holds the same result as the plain values stored in results.json. `document.py` builds
records from a run and writes them; reports load them back with `ResultsRecord.from_json` and
read attributes, never untyped dicts. The shipped JSON Schema is held equal to these records
by a test.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass
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
        return _plain(self)

    @classmethod
    def from_json(cls, document: Any) -> ResultsRecord:
        return _build(cls, document, "results")


@functools.cache
def _shape(cls: type) -> tuple[dict[str, Converter], tuple[str, ...]]:
    """A record class's field converters and names, worked out once per class (not once per record)."""
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in dataclasses.fields(cls))
    return {name: _converter(hints[name]) for name in names}, names


def _plain(value: Any) -> Any:
    """A record as plain JSON values. Mappings and scalars are shared, not copied: a record is frozen
    and its mappings are written out, never changed."""
    if dataclasses.is_dataclass(value):
        return {name: _plain(getattr(value, name)) for name in _shape(type(value))[1]}
    if isinstance(value, list):
        return [_plain(entry) for entry in value]
    return value


def _build(cls: type[R], value: Any, where: str) -> R:
    if not isinstance(value, dict):
        raise RecordError(f"{where}: expected an object")
    converters, names = _shape(cls)
    if len(value) != len(names) or any(name not in value for name in names):
        fields = set(names)
        missing, unknown = fields - set(value), set(value) - fields
        raise RecordError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return cls(**{name: converters[name](value[name], where, name) for name in names})


# A converter takes the value, its parent's path and its key; the path of a value that does not fit
# (parent.key, parent[index]) is only spelled out when it is reported.
Converter = typing.Callable[[Any, str, "str | int"], Any]
SCALARS = {float: (int, float), int: (int,), str: (str,), bool: (bool,)}


@functools.cache
def _converter(hint: Any) -> Converter:
    """The function that checks and converts a value of type `hint`, made once per type."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return lambda value, parent, key: _build(hint, value, _where(parent, key))
    if origin is list:
        (element,) = typing.get_args(hint)
        convert = _converter(element)

        def as_list(value: Any, parent: str, key: str | int) -> list[Any]:
            if not isinstance(value, list):
                raise RecordError(f"{_where(parent, key)}: expected a list")
            where = _where(parent, key)
            return [convert(entry, where, index) for index, entry in enumerate(value)]

        return as_list
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(hint)
        inner = _converter(next(o for o in options if o is not type(None)))
        if type(None) not in options:
            return inner
        return lambda value, parent, key: None if value is None else inner(value, parent, key)
    if origin is dict or hint is Any:
        return lambda value, parent, key: value
    expected = SCALARS.get(hint, (object,))

    def scalar(value: Any, parent: str, key: str | int) -> Any:
        if not isinstance(value, expected) or (hint is int and isinstance(value, bool)):
            found = type(value).__name__
            raise RecordError(f"{_where(parent, key)}: expected {getattr(hint, '__name__', hint)}, found {found}")
        return value

    return scalar


def _where(parent: str, key: str | int) -> str:
    return f"{parent}[{key}]" if isinstance(key, int) else f"{parent}.{key}"
