"""Which checks decide which catalog items: the check registry laid over the catalog.

The catalog knows the standard and nothing of checks; the registry knows each check's clauses.
`covered_items(level)` is the catalog's items with the ids of the checks that decide each (a
level-2 item through its level-3 twin) and status `automated` where there are any.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from compliance.catalog.catalog import Item, load_items
from compliance.checks import all_checks


@cache
def checks_by_clause() -> dict[str, tuple[str, ...]]:
    """Level-3 clause → ids of the checks that decide it."""
    mapping: dict[str, list[str]] = {}
    for registered in all_checks().values():
        for clause in registered.clauses:
            mapping.setdefault(clause, []).append(registered.id)
    return {clause: tuple(ids) for clause, ids in mapping.items()}


@cache
def covered_items(level: int) -> tuple[Item, ...]:
    items = []
    for item in load_items(level):
        checks = checks_by_clause().get(item.level3_id, ())
        items.append(replace(item, checks=checks, status="automated") if checks else item)
    return tuple(items)
