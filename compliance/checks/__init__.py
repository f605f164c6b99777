"""Automated checks: small functions from host facts and policy settings to a verdict.

A check is registered with `@check(...)`, naming the GB/T 22239-2019 level-3 clauses it
decides (level-2 ids follow from the catalog's twins), the policy topics it reads its
expected values from, and a title in both languages. It returns an `Outcome`: the verdict,
what it observed, what the policy expected, and why, in Chinese and English. It never opens
a connection: everything it reads was collected before it runs.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compliance.scan.facts import HostFacts
from compliance.scan.verdicts import Verdict

Settings = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    observed: dict[str, Any]
    expected: dict[str, Any]
    reason_en: str
    reason_zh: str


def passed(observed: dict[str, Any], expected: dict[str, Any], en: str, zh: str) -> Outcome:
    return Outcome(Verdict.PASS, observed, expected, en, zh)


def failed(observed: dict[str, Any], expected: dict[str, Any], en: str, zh: str) -> Outcome:
    return Outcome(Verdict.FAIL, observed, expected, en, zh)


def partial(observed: dict[str, Any], expected: dict[str, Any], en: str, zh: str) -> Outcome:
    return Outcome(Verdict.PARTIAL, observed, expected, en, zh)


def not_applicable(observed: dict[str, Any], en: str, zh: str) -> Outcome:
    return Outcome(Verdict.NOT_APPLICABLE, observed, {}, en, zh)


@dataclass
class Problems:
    """What a check found wrong, each in English and Chinese."""

    english: list[str] = field(default_factory=list)
    chinese: list[str] = field(default_factory=list)

    def add(self, en: str, zh: str) -> None:
        self.english.append(en)
        self.chinese.append(zh)

    def outcome(self, observed: dict[str, Any], expected: dict[str, Any], ok_en: str, ok_zh: str) -> Outcome:
        """符合 when nothing was found, else 不符合 listing every problem."""
        if not self.english:
            return passed(observed, expected, ok_en, ok_zh)
        return failed(observed, expected, "; ".join(self.english), "；".join(self.chinese))


CheckFunction = Callable[[HostFacts, Settings], Outcome]


@dataclass(frozen=True)
class Check:
    id: str
    clauses: tuple[str, ...]
    policies: tuple[str, ...]
    title_zh: str
    title_en: str
    function: CheckFunction = field(compare=False, repr=False)
    platform: str = "linux"


REGISTRY: dict[str, Check] = {}


def check(
    *, id: str, clauses: tuple[str, ...], policies: tuple[str, ...], zh: str, en: str
) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        if id in REGISTRY:
            raise ValueError(f"check {id} registered twice")
        REGISTRY[id] = Check(id, clauses, policies, zh, en, function)
        return function

    return register


def all_checks() -> dict[str, Check]:
    """Every check, after importing each module of this package once."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(REGISTRY.items()))
