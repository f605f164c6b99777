"""Loading the GB/T 22239-2019 catalog and listing its items at level 2 or 3.

The data (`gbt22239_2019/*.yml`) holds each level-3 control point with its lettered items
and, per item, the letter of its level-2 twin. Ids are written as the standard writes them
(`8.1.4.1 a)`); level-2 ids come from the control point's `level2_id` (numbers shift after
7.1.4.7, where level 2 has no data confidentiality). GB/T 28448-2019 test-unit ids are
derived for the technical categories (`L3-CES1-01` …, with the standard's gaps).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from compliance.cache import cached
from compliance.yamldoc.problems import ModelError, Problem
from compliance.yamldoc.schema import check
from compliance.yamldoc.yamlpos import Positioned, loads

PACKAGE = "compliance.catalog"
DATA = "gbt22239_2019"
EVIDENCE_KINDS = ("host", "windows", "network_device", "application", "records", "documents", "on_site")

ITEM_SCHEMA: dict[str, Any] = {
    "letter": {"type": "string", "required": True, "regex": "^[a-j]$"},
    "level2": {"type": "string", "required": True, "nullable": True, "regex": "^[a-j]$"},
    "evidence": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "string", "allowed": list(EVIDENCE_KINDS)},
    },
    "zh": {"type": "string", "required": True, "empty": False},
    "en": {"type": "string", "required": True, "empty": False},
    # The level-2 twin's own paraphrase, where its requirement differs from level 3's.
    "level2_zh": {"type": "string", "empty": False, "dependencies": ["level2_en"]},
    "level2_en": {"type": "string", "empty": False, "dependencies": ["level2_zh"]},
}
CONTROL_POINT_SCHEMA: dict[str, Any] = {
    "id": {"type": "string", "required": True, "regex": r"^8\.1\.\d{1,2}\.\d{1,2}$"},
    "level2_id": {"type": "string", "required": True, "nullable": True, "regex": r"^7\.1\.\d{1,2}\.\d{1,2}$"},
    "name_zh": {"type": "string", "required": True, "empty": False},
    "name_en": {"type": "string", "required": True, "empty": False},
    "level2_name_zh": {"type": "string", "empty": False},
    "level2_name_en": {"type": "string", "empty": False},
    "items": {"type": "list", "required": True, "minlength": 1, "schema": {"type": "dict", "schema": ITEM_SCHEMA}},
}


@dataclass(frozen=True)
class Item:
    """One lettered requirement, at the level it is listed for."""

    id: str
    level: int
    category_id: str
    category_zh: str
    category_en: str
    control_point_id: str
    control_point_zh: str
    control_point_en: str
    test_unit: str | None
    zh: str
    en: str
    evidence: tuple[str, ...]
    twin: str | None  # the same requirement's id at the other level
    status: str  # manual | documentation here; automated once the engine's coverage knows its checks
    checks: tuple[str, ...] = ()  # the checks that decide it (compliance.scan.coverage fills them in)

    @property
    def level3_id(self) -> str:
        """The level-3 clause this item is, or is the level-2 twin of: the id checks are registered with."""
        return self.id if self.level == 3 or self.twin is None else self.twin

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = list(self.evidence)
        data["checks"] = list(self.checks)
        return data


def _read(name: str) -> Positioned:
    text = resources.files(PACKAGE).joinpath(DATA, name).read_text(encoding="utf-8")
    return loads(text, f"compliance/catalog/{DATA}/{name}")


@cache
def catalog_metadata() -> dict[str, Any]:
    return _read("catalog.yml").data


@cache
def load_items(level: int) -> tuple[Item, ...]:
    """Every item of the level, in the standard's order. Raises ModelError on malformed data.

    The data is part of this package, so the on-disk cache (keyed by the package's source)
    holds the validated result between runs. Which checks decide an item is the engine's
    knowledge, not the catalog's: see `compliance.scan.coverage`."""
    if level not in (2, 3):
        raise ValueError(f"level must be 2 or 3, not {level}")
    return cached("catalog", [str(level)], lambda: _build_items(level))


@cache
def catalog_ids() -> frozenset[str]:
    """Every item id of both levels (`8.1.4.1 a)`, `7.1.4.1 a)`): what a waiver or a record may name."""
    return frozenset(item.id for level in (2, 3) for item in load_items(level))


def _build_items(level: int) -> tuple[Item, ...]:
    items: list[Item] = []
    for category in catalog_metadata()["categories"]:
        document = _read(category["file"])
        _check_category(document)
        number = 0
        for point in document.data:
            for entry in point["items"]:
                number += 1
                while number in category.get("unit_gaps", []):
                    number += 1
                item = _item(category, point, entry, level, number)
                if item is not None:
                    items.append(item)
    return tuple(items)


def _check_category(document: Positioned) -> None:
    if not isinstance(document.data, list):
        raise ModelError(document.problem((), "a category file is a list of control points", "类别文件应为控制点列表"))
    for index in range(len(document.data)):
        problems: list[Problem] = check(document, CONTROL_POINT_SCHEMA, (index,))
        if problems:
            raise ModelError(problems[0])


def _item(category: dict, point: dict, entry: dict, level: int, number: int) -> Item | None:
    level3_id = f"{point['id']} {entry['letter']})"
    level2_id = f"{point['level2_id']} {entry['level2']})" if point["level2_id"] and entry["level2"] else None
    if level == 2 and level2_id is None:
        return None
    unit = f"L3-{category['unit']}-{number:02d}" if category.get("unit") and level == 3 else None
    documentary = set(entry["evidence"]) <= {"documents", "records"}
    status = "documentation" if documentary else "manual"  # the engine's coverage marks automated ones
    item = Item(
        id=level3_id,
        level=3,
        category_id=category["id"],
        category_zh=category["name_zh"],
        category_en=category["name_en"],
        control_point_id=point["id"],
        control_point_zh=point["name_zh"],
        control_point_en=point["name_en"],
        test_unit=unit,
        zh=entry["zh"],
        en=entry["en"],
        evidence=tuple(entry["evidence"]),
        twin=level2_id,
        status=status,
    )
    if level == 3:
        return item
    return replace(
        item,
        id=level2_id,
        level=2,
        category_id=category["level2_id"],
        control_point_id=point["level2_id"],
        control_point_zh=point.get("level2_name_zh", point["name_zh"]),
        control_point_en=point.get("level2_name_en", point["name_en"]),
        zh=entry.get("level2_zh", entry["zh"]),
        en=entry.get("level2_en", entry["en"]),
        twin=level3_id,
    )
