"""Automated checks: small functions from an object's facts and policy settings to a verdict.

A check is registered with `@check(...)`, naming the GB/T 22239-2019 level-3 clauses it
decides (level-2 ids follow from the catalog's twins), the kind of object it applies to
(`compliance.kinds`: the engine runs on a target only the checks of its kind, handing them
that kind's facts), the policy topics it reads its expected values from, and a title in
both languages. It returns an `Outcome`: the verdict,
what it observed, what the policy expected, and why, in Chinese and English. It never opens
a connection: everything it reads was collected before it runs.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.results.model import Outcome, failed, not_applicable, partial, passed, undecided

Settings = dict[str, dict[str, Any]]
CheckFunction = Callable[[Any, Settings], Outcome]  # (the kind's facts, policy settings)

# The outcome constructors checks use, from the results model.
__all__ = ["Outcome", "failed", "not_applicable", "partial", "passed", "undecided"]


def shown(value: Any, language: str = "en") -> str:
    """A value as a person reads it: a setting that is absent is "not set" (未设置), never `None`."""
    if value is None or value == "":
        return "未设置" if language == "zh" else "not set"
    return str(value)


def requires_ssh_server(function: CheckFunction) -> CheckFunction:
    """For a check of the SSH server: 不适用 where none is installed, 检查出错 where its settings cannot be read."""

    @functools.wraps(function)
    def guarded(facts: Any, policy: Settings) -> Outcome:
        unavailable = ssh_server_unavailable(facts)
        return unavailable if unavailable is not None else function(facts, policy)

    return guarded


def ssh_server_unavailable(facts: Any) -> Outcome | None:
    """For checks of the SSH server: 不适用 where none is installed, 检查出错 where its settings cannot be read."""
    state = facts.ssh_server
    if state == "absent":
        return not_applicable(
            {"ssh_server": "not installed"},
            "no SSH server is installed: there is no remote SSH administration to judge",
            "未安装 SSH 服务端：不存在需评判的 SSH 远程管理",
        )
    if state == "unreadable":
        return undecided(
            {"ssh_server": "settings not readable", "sshd -T": facts.probe("sshd").output[-300:]},
            "the SSH server is installed but `sshd -T` gave no settings",
            "已安装 SSH 服务端，但 sshd -T 未输出配置",
        )
    return None


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


UNITS = Path(__file__).parent


@dataclass(frozen=True)
class Check:
    """One check unit: `checks/<kind>/<name>/check.py` with its scenarios and fixtures beside it."""

    id: str  # <kind>.<name>
    clauses: tuple[str, ...]  # the level-3 clauses it decides
    policies: tuple[str, ...]  # the policy topics its expected values come from
    title_zh: str
    title_en: str
    kind: str
    high_risk: bool  # its failure is a high-risk condition (高风险) an evaluator would record
    remediation: tuple[str, ...]  # "role:tag" that puts it right; () where no role does yet
    function: CheckFunction = field(compare=False, repr=False)
    # Clauses it sees only part of: clause → (what the evaluator must still see, en, zh). Met here,
    # such an item is 部分符合, never 符合, and says what is missing.
    partly: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def unit(self) -> Path:
        """The unit's directory: check.py, compliant.sh.j2, scenarios/, fixtures/."""
        return UNITS / self.kind / self.name


REGISTRY: dict[str, Check] = {}


def check(
    *,
    id: str,
    clauses: tuple[str, ...],
    policies: tuple[str, ...],
    zh: str,
    en: str,
    high_risk: bool,
    remediation: tuple[str, ...],
    kind: str = "linux",
    partly: dict[str, tuple[str, str]] | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        if id in REGISTRY:
            raise ValueError(f"check {id} registered twice")
        if not id.startswith(f"{kind}."):
            raise ValueError(f"check {id}: its id must start with its kind ({kind}.)")
        if not set(partly or {}) <= set(clauses):
            raise ValueError(f"check {id}: a clause it sees partly must be one it claims")
        REGISTRY[id] = Check(id, clauses, policies, zh, en, kind, high_risk, remediation, function, dict(partly or {}))
        return function

    return register


@functools.cache
def _import_units() -> None:
    """Import each unit's check.py (`checks/<kind>/<name>/check.py`), which registers it; once per process."""
    for path in sorted(UNITS.glob("*/*/check.py")):
        importlib.import_module(f"{__name__}.{path.parent.parent.name}.{path.parent.name}.check")


def all_checks() -> dict[str, Check]:
    """Every check, in id order."""
    _import_units()
    return dict(sorted(REGISTRY.items()))


def checks_of(kind: str) -> dict[str, Check]:
    """The checks that apply to targets of one kind."""
    return {check_id: c for check_id, c in all_checks().items() if c.kind == kind}
