"""Waivers (`policies/waivers/*.yml`): an approved, time-limited exception for items on some hosts.

A waiver names the items (level-3 or level-2 ids; a level-3 id also covers its level-2
twin), the scope (hosts, systems and/or zones), why, the compensating control if there is
one, who approved it and when it expires. The scan shows a waived item as waived, or as
部分符合 when a compensating control exists, with the original verdict beside it. An expired
waiver is an error for `dengbao validate` and is ignored by the scan, so the item returns
to its real verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from compliance.catalog.catalog import catalog_ids
from compliance.yamldoc.problems import ModelError, Problem, display_path
from compliance.yamldoc.schema import check
from compliance.yamldoc.yamlpos import Positioned, load

WAIVER_DIR = Path("policies") / "waivers"
NAME = {"type": "string", "regex": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"}
WAIVER_SCHEMA: dict[str, Any] = {
    "id": {**NAME, "required": True},
    "items": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "string", "regex": r"^[78]\.1\.\d{1,2}\.\d{1,2} [a-j]\)$"},
    },
    "hosts": {"type": "list", "schema": NAME},
    "systems": {"type": "list", "schema": NAME},
    "zones": {"type": "list", "schema": NAME},
    "justification": {"type": "string", "required": True, "empty": False},
    "compensating_control": {"type": "string", "nullable": True, "empty": False},
    "approver": {"type": "string", "required": True, "empty": False},
    "approved": {"type": "date", "required": True},
    "expires": {"type": "date", "required": True},
}
FILE_SCHEMA: dict[str, Any] = {
    "waivers": {"type": "list", "required": True, "schema": {"type": "dict", "schema": WAIVER_SCHEMA}},
}
SCOPES = ("hosts", "systems", "zones")


@dataclass(frozen=True)
class Waiver:
    id: str
    items: tuple[str, ...]
    hosts: tuple[str, ...]
    systems: tuple[str, ...]
    zones: tuple[str, ...]
    justification: str
    compensating_control: str | None
    approver: str
    approved: date
    expires: date
    file: str
    line: int

    def covers(self, item_id: str, twin: str | None, host: str, systems: tuple[str, ...], zone: str) -> bool:
        if item_id not in self.items and (twin is None or twin not in self.items):
            return False
        return host in self.hosts or zone in self.zones or any(system in self.systems for system in systems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "justification": self.justification,
            "compensating_control": self.compensating_control,
            "approver": self.approver,
            "approved": self.approved.isoformat(),
            "expires": self.expires.isoformat(),
            "file": f"{self.file}:{self.line}",
        }


@dataclass
class WaiverSet:
    active: list[Waiver]
    expired: list[Waiver]
    problems: list[Problem]  # malformed files or references; expired waivers are reported separately

    def expiry_problems(self) -> list[Problem]:
        return [
            Problem(
                w.file,
                w.line,
                1,
                "expires",
                f"waiver {w.id} expired on {w.expires.isoformat()}; renew it or fix the items",
                f"豁免 {w.id} 已于 {w.expires.isoformat()} 过期，请续批或整改",
            )
            for w in self.expired
        ]


def load_waivers(root: Path, known: dict[str, set[str]] | None = None, today: date | None = None) -> WaiverSet:
    """Every waiver file under `policies/waivers/`. `known` (hosts/systems/zones → names)
    lets scope references be checked; `today` decides what has expired."""
    today = today or date.today()
    result = WaiverSet([], [], [])
    directory = root / WAIVER_DIR
    for path in sorted(directory.iterdir()) if directory.is_dir() else []:
        if path.suffix in (".yml", ".yaml") and path.is_file():
            _read_file(path, root, known, today, result)
        elif not _NOT_A_WAIVER.match(path.name) or path.is_dir():
            result.problems.append(_not_read(path, root))
    return result


_NOT_A_WAIVER = re.compile(r"^(README(\.[a-z]+)?|\.gitkeep)$")


def _not_read(path: Path, root: Path) -> Problem:
    """A file or folder in policies/waivers/ that would be skipped: refused, so no waiver is silently lost."""
    what_en, what_zh = ("a folder", "子目录") if path.is_dir() else ("not a .yml or .yaml file", "不是 .yml/.yaml 文件")
    return Problem(
        display_path(path, root),
        1,
        1,
        "",
        f"{what_en}: waivers are read only from .yml files directly in policies/waivers/; move or remove it",
        f"{what_zh}：只读取 policies/waivers/ 目录下的 .yml 文件；请移动或删除",
    )


def _read_file(path: Path, root: Path, known: dict[str, set[str]] | None, today: date, result: WaiverSet) -> None:
    shown = display_path(path, root)
    try:
        document = load(path, shown)
    except ModelError as error:
        result.problems.append(error.problem)
        return
    if not isinstance(document.data, dict):
        result.problems.append(
            document.problem((), "a waiver file is a mapping with `waivers:`", "豁免文件应包含 waivers 列表")
        )
        return
    problems = check(document, FILE_SCHEMA)
    if problems:
        result.problems.extend(problems)
        return
    seen: set[str] = set()
    for index, entry in enumerate(document.data["waivers"]):
        place = ("waivers", index)
        found = _entry_problems(document, place, entry, known, seen, today)
        result.problems.extend(found)
        if found:
            continue
        line = document.where(place)[0]
        waiver = Waiver(
            entry["id"],
            tuple(entry["items"]),
            tuple(entry.get("hosts", ())),
            tuple(entry.get("systems", ())),
            tuple(entry.get("zones", ())),
            entry["justification"],
            entry.get("compensating_control"),
            entry["approver"],
            entry["approved"],
            entry["expires"],
            shown,
            line,
        )
        (result.expired if waiver.expires < today else result.active).append(waiver)


def _entry_problems(
    document: Positioned,
    place: tuple[Any, ...],
    entry: dict[str, Any],
    known: dict[str, set[str]] | None,
    seen: set[str],
    today: date,
) -> list[Problem]:
    problems = []
    if entry["id"] in seen:
        problems.append(document.problem((*place, "id"), f"waiver id {entry['id']} is used twice", "豁免编号重复"))
    seen.add(entry["id"])
    for position, item in enumerate(entry["items"]):
        if item not in catalog_ids():
            problems.append(
                document.problem(
                    (*place, "items", position),
                    f"{item} is not an item of GB/T 22239-2019",
                    f"{item} 不是标准中的测评项",
                )
            )
    if not any(entry.get(scope) for scope in SCOPES):
        problems.append(
            document.problem(place, "a waiver needs hosts, systems or zones", "豁免须指定主机、定级对象或区域范围")
        )
    for scope in SCOPES:
        for position, name in enumerate(entry.get(scope, [])):
            if known is not None and name not in known.get(scope, set()):
                problems.append(
                    document.problem(
                        (*place, scope, position),
                        f"{scope[:-1]} {name!r} is not in any inventory",
                        f"清单中没有该{_SCOPE_ZH[scope]}：{name}",
                    )
                )
    if entry["approved"] > today:
        problems.append(
            document.problem(
                (*place, "approved"),
                f"approved {entry['approved'].isoformat()} is in the future; a waiver is approved before it applies",
                f"批准日期 {entry['approved'].isoformat()} 晚于今天；豁免须先批准后生效",
            )
        )
    if entry["expires"] <= entry["approved"]:
        problems.append(
            document.problem((*place, "expires"), "expires must come after approved", "过期日期须晚于批准日期")
        )
    return problems


_SCOPE_ZH = {"hosts": "主机", "systems": "定级对象", "zones": "区域"}
