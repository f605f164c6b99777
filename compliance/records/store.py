"""The management records of one inventory (`records/<inventory>/**/*.yml`, docs/records.md).

One YAML file per record: its type (compliance/records/types.yml), id, title, date, the systems
(定级对象) it is for (none: every system of the inventory), who owns it, the items it evidences
beyond its type's mapping, and attached files with their SHA-256. Loading checks every file against
the type's schema and the model: an unknown type, a date in the future, a review before the
approval, an attachment that is missing or whose hash differs, an item or system that does not
exist are problems naming file, line and field; a record with a problem is not used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from compliance.catalog.catalog import catalog_ids
from compliance.digest import sha256_file
from compliance.yamldoc.problems import ModelError, Problem, display_path
from compliance.yamldoc.schema import check
from compliance.yamldoc.yamlpos import Positioned, load

RECORDS_ENVIRONMENT = "DENGBAO_RECORDS"
TO_FILL = "待填写 / to fill in"  # what `dengbao records new` leaves for the engineer to write
NAME = {"type": "string", "regex": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"}
CLAUSE = {"type": "string", "regex": r"^[78]\.1\.\d{1,2}\.\d{1,2} [a-j]\)$"}
COMMON_SCHEMA: dict[str, Any] = {
    "type": {"type": "string", "required": True},
    "id": {**NAME, "required": True},
    "title": {"type": "string", "required": True, "empty": False},
    "date": {"type": "date", "required": True},
    "systems": {"type": "list", "schema": NAME},
    "owner": {"type": "string", "required": True, "empty": False},
    "items": {"type": "list", "schema": CLAUSE},
    "notes": {"type": "string"},
    "attachments": {
        "type": "list",
        "schema": {
            "type": "dict",
            "schema": {
                "path": {"type": "string", "required": True, "empty": False},
                "sha256": {"type": "string", "required": True, "regex": "^[0-9a-f]{64}$"},
            },
        },
    },
}


@dataclass(frozen=True)
class RecordType:
    name: str
    zh: str
    en: str
    dated_by: tuple[str, ...]
    categories: dict[str, str]
    must: tuple[str, ...]
    occasional: bool
    schema: dict[str, Any]


@dataclass(frozen=True)
class Record:
    type: str
    id: str
    title: str
    dated: date  # the newest of its dating fields: when it was held, made or last reviewed
    category: str | None
    systems: tuple[str, ...]  # empty: every system
    owner: str
    items: tuple[str, ...]
    unmet: tuple[str, ...]  # its `must` fields that are not true
    attachments: tuple[dict[str, str], ...]
    file: str
    line: int
    sha256: str = ""  # of the record file as read: the sealed run names the exact record it judged

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "title": self.title,
            "dated": self.dated.isoformat(),
            "category": self.category,
            "systems": list(self.systems),
            "owner": self.owner,
            "items": list(self.items),
            "unmet": list(self.unmet),
            "attachments": [dict(a) for a in self.attachments],
            "file": f"{self.file}:{self.line}",
            "sha256": self.sha256,
        }


@dataclass
class RecordSet:
    directory: Path
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@cache
def record_types() -> dict[str, RecordType]:
    """The record types of compliance/records/types.yml, each with its whole schema."""
    text = resources.files("compliance.records").joinpath("types.yml").read_text(encoding="utf-8")
    types = {}
    for name, body in yaml.safe_load(text).items():
        categories = dict(body.get("category") or {})
        schema = dict(COMMON_SCHEMA) | dict(body.get("fields") or {})
        if categories:
            schema["category"] = {"type": "string", "required": True, "allowed": sorted(categories)}
        types[name] = RecordType(
            name,
            body["zh"],
            body["en"],
            tuple(body.get("dated_by") or ("date",)),
            categories,
            tuple(body.get("must") or ()),
            bool(body.get("occasional")),
            schema,
        )
    return types


def freshness_key(kind: str, category: str | None) -> str:
    """How policies/assessment.yml `max_age_days` and the mapping name a type, or a type's category."""
    return f"{kind}:{category}" if category else kind


def freshness_limit(limits: dict[str, int], kind: str, category: str | None) -> int | None:
    """The days a record of this type (and category) stays current: the category's limit, else the type's;
    None: it never goes stale."""
    return limits.get(freshness_key(kind, category), limits.get(kind))


def records_directory(root: Path, setting: str, inventory: str) -> Path:
    """Where an inventory's records are: `$DENGBAO_RECORDS`, else `<setting>/<inventory name>` in the project."""
    override = os.environ.get(RECORDS_ENVIRONMENT)
    if override:
        return Path(override)
    base = Path(setting)
    return (base if base.is_absolute() else root / base) / inventory


def load_records(directory: Path, root: Path | None, systems: set[str] | None, today: date | None = None) -> RecordSet:
    """Every record file under the directory (none there: an empty set). `systems`, when known, are the
    inventory's 定级对象 a record may name."""
    today = today or date.today()
    result = RecordSet(directory)
    if not directory.is_dir():
        return result
    seen: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        if (
            path.is_dir()
            or path.name in ("README.md", ".gitkeep")
            or "attachments" in path.relative_to(directory).parts
        ):
            continue
        shown = display_path(path, root)
        if path.suffix not in (".yml", ".yaml"):
            result.problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    "",
                    "not a .yml record: records are YAML files; put attached files under an attachments/ folder",
                    "不是 .yml 记录文件：附件请放在 attachments/ 目录下",
                )
            )
            continue
        try:
            document = load(path, shown)
        except ModelError as error:
            result.problems.append(error.problem)
            continue
        record, problems = _read(document, path, systems, today, seen)
        result.problems.extend(problems)
        if record is not None and not problems:
            result.records.append(record)
    result.records.sort(key=lambda record: (record.dated, record.id))
    return result


def _read(
    document: Positioned,
    path: Path,
    systems: set[str] | None,
    today: date,
    seen: dict[str, str],
) -> tuple[Record | None, list[Problem]]:
    data = document.data
    if not isinstance(data, dict):
        return None, [document.problem((), "a record is a mapping of fields", "记录文件应为键值映射")]
    types = record_types()
    kind = types.get(data.get("type")) if isinstance(data.get("type"), str) else None
    if kind is None:
        known = ", ".join(sorted(types))
        return None, [
            document.problem(
                ("type",),
                f"unknown record type {data.get('type')!r}; known types: {known}",
                f"未知的记录类型 {data.get('type')!r}；可用类型：{known}",
            )
        ]
    problems = check(document, kind.schema)
    if problems:
        return None, problems
    for name, value in data.items():
        if value == TO_FILL:
            problems.append(document.problem((name,), f"{name} is still to be filled in", f"{name} 尚未填写（待填写）"))
    for name in ("date", *kind.dated_by):
        value = data.get(name)
        if isinstance(value, date) and value > today:
            problems.append(
                document.problem(
                    (name,),
                    f"{name} {value.isoformat()} is in the future (today is {today.isoformat()})",
                    f"{name} {value.isoformat()} 晚于今天（{today.isoformat()}）",
                )
            )
    reviewed, approved = data.get("reviewed"), data.get("approved")
    if isinstance(reviewed, date) and isinstance(approved, date) and reviewed < approved:
        problems.append(
            document.problem(
                ("reviewed",),
                f"reviewed {reviewed.isoformat()} is before approved {approved.isoformat()}",
                f"评审日期 {reviewed.isoformat()} 早于批准日期 {approved.isoformat()}",
            )
        )
    if data["id"] in seen:
        problems.append(
            document.problem(
                ("id",),
                f"record id {data['id']} is used by {seen[data['id']]} too",
                f"记录编号与 {seen[data['id']]} 重复",
            )
        )
    seen.setdefault(data["id"], document.file)
    for position, item in enumerate(data.get("items", [])):
        if item not in catalog_ids():
            problems.append(
                document.problem(
                    ("items", position), f"{item} is not an item of GB/T 22239-2019", f"{item} 不是标准中的测评项"
                )
            )
    for position, system in enumerate(data.get("systems", [])):
        if systems is not None and system not in systems:
            shown = ", ".join(sorted(systems)) or "none"
            problems.append(
                document.problem(
                    ("systems", position),
                    f"system {system!r} is not declared in the inventory (declared: {shown})",
                    f"定级对象 {system!r} 未在清单中声明（已声明：{shown}）",
                )
            )
    for position, attachment in enumerate(data.get("attachments", [])):
        problems.extend(_attachment_problems(document, path, position, attachment))
    dates = [data[name] for name in kind.dated_by if isinstance(data.get(name), date)] or [data["date"]]
    record = Record(
        kind.name,
        data["id"],
        data["title"],
        max(dates),
        data.get("category"),
        tuple(data.get("systems", ())),
        data["owner"],
        tuple(data.get("items", ())),
        tuple(name for name in kind.must if data.get(name) is not True),
        tuple({"path": a["path"], "sha256": a["sha256"]} for a in data.get("attachments", [])),
        document.file,
        document.where(())[0],
        sha256_file(path),
    )
    return record, problems


def _attachment_problems(document: Positioned, path: Path, position: int, attachment: dict[str, str]) -> list[Problem]:
    """An attached file sits beside the record (a relative path); it must exist and match its hash."""
    place = ("attachments", position, "path")
    target = path.parent / attachment["path"]
    if Path(attachment["path"]).is_absolute() or ".." in Path(attachment["path"]).parts:
        return [
            document.problem(
                place, "an attachment is a path relative to the record's folder", "附件路径须相对于记录所在目录"
            )
        ]
    if not target.is_file():
        return [
            document.problem(
                place, f"attachment {attachment['path']} does not exist", f"附件 {attachment['path']} 不存在"
            )
        ]
    actual = sha256_file(target)
    if actual != attachment["sha256"]:
        return [
            document.problem(
                ("attachments", position, "sha256"),
                f"attachment {attachment['path']} has sha256 {actual}, not the recorded one: the file changed",
                f"附件 {attachment['path']} 的 sha256 为 {actual}，与记录不符：文件已被改动",
            )
        ]
    return []
