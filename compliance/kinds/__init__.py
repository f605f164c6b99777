"""Kinds of 测评对象 (assessment objects): how each is collected, and what facts its checks read.

Evaluators keep one record sheet per object: every server, switch, Windows workstation and
database instance. A `Kind` says, for one sort of object, which catalog evidence kind it answers
for, how to collect from many of them at once (or that nothing collects from it yet), how to
turn a stored collection back into the facts its checks read, and what an evaluator must look
at by hand where no check decides. Each kind is a subpackage of this package that registers
itself; the engine asks the registry and never names a kind, so a new kind plugs in without
editing another one's code.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from compliance.kinds.collection import Collected, Collection

if TYPE_CHECKING:
    from compliance.kinds.target import Target

Collector = Callable[..., dict[str, Collected]]  # (targets, workers=, timeout=, on_done=) → name → Collected


@dataclass(frozen=True)
class Kind:
    name: str  # the target kind: linux, network_device, windows, …
    evidence: str  # the catalog evidence kind it answers for (host, network_device, windows)
    title_zh: str
    title_en: str
    guidance_zh: str  # what the evaluator inspects for an item no check decides
    guidance_en: str
    collect: Collector | None = None  # None: not collected yet; its items are listed as manual
    facts: Callable[[Collection], Any] | None = None  # a collection → the facts object its checks read
    identity: Callable[[Collection], dict[str, Any]] | None = None  # who answered, for the evidence file
    not_collected_zh: str = ""
    not_collected_en: str = ""
    supports: Callable[[Target], bool] | None = None  # which of its targets the collector serves; None: all

    def serves(self, target: Target) -> bool:
        """Whether a live scan collects from this target (its kind has a collector that serves it)."""
        return self.collectable and (self.supports is None or self.supports(target))

    @property
    def collectable(self) -> bool:
        return self.collect is not None and self.facts is not None


REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in REGISTRY:
        raise ValueError(f"kind {kind.name} registered twice")
    REGISTRY[kind.name] = kind
    return kind


@functools.cache
def _import_kinds() -> None:
    """Import each subpackage of this package, which registers its kind; once per process."""
    for module in pkgutil.iter_modules(__path__):
        if module.ispkg:
            importlib.import_module(f"{__name__}.{module.name}")


def all_kinds() -> dict[str, Kind]:
    """Every kind, in name order."""
    _import_kinds()
    return dict(sorted(REGISTRY.items()))


def kind_of(name: str) -> Kind:
    kinds = all_kinds()
    if name not in kinds:
        raise KeyError(f"unknown kind of object {name!r}; known: {', '.join(kinds)}")
    return kinds[name]


def collect_all(
    targets: list[Target],
    workers: int,
    timeout: float,
    on_done: Callable[[Collected], None] | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Collected]:
    """Collect every target whose kind has a collector, each kind through its own. `settings` (each target's
    policy settings, by name) let a kind collect only what its checks will read under them."""
    collected: dict[str, Collected] = {}
    by_kind: dict[str, list[Target]] = {}
    for target in targets:
        by_kind.setdefault(target.kind, []).append(target)
    for name, members in by_kind.items():
        kind = kind_of(name)
        if kind.collect is not None:
            extra = {} if settings is None else {"settings": settings}
            collected.update(kind.collect(members, workers=workers, timeout=timeout, on_done=on_done, **extra))
    return collected
