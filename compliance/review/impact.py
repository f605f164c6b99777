"""What a change to the model touches: hosts (by their effective settings per topic), the checks,
clauses and roles that read each changed topic, and the waivers added, changed, removed or expiring."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from compliance.checks import all_checks
from compliance.model.host_policy import HOST_FIREWALL, InvalidModel, policy_for_host, repository
from compliance.model.waivers import Waiver, load_waivers

# The settings key a topic's changes reach checks and roles through, where it is not the topic's own.
READ_AS = {HOST_FIREWALL: "access_rules"}


@dataclass(frozen=True)
class HostState:
    level: int
    zone: str
    systems: tuple[str, ...]
    settings: dict[str, Any]


@dataclass
class HostImpact:
    inventory: str
    host: str
    topics: list[str] = field(default_factory=list)  # policy topics whose effective settings changed
    changes: list[str] = field(default_factory=list)  # added, removed, level, zone, systems


@dataclass
class Impact:
    hosts: list[HostImpact]
    topics: list[str]
    checks: list[str]
    clauses: list[str]
    roles: list[str]
    waivers_added: list[Waiver]
    waivers_changed: list[Waiver]
    waivers_removed: list[str]
    waivers_expiring: list[Waiver]


def host_states(root: Path) -> dict[tuple[str, str], HostState]:
    """Every host of the hospital's inventories (not the lab's) with the settings its roles and checks get."""
    model = repository(root)
    found = {}
    for name, inventory in sorted(model.inventories.items()):
        if inventory.is_lab:
            continue
        for host, declared in sorted(inventory.hosts.items()):
            settings = policy_for_host(root, host, declared.variables).settings
            found[(name, host)] = HostState(declared.level, declared.zone, tuple(declared.systems), settings)
    return found


def compare_hosts(base: dict[tuple[str, str], HostState], head: dict[tuple[str, str], HostState]) -> list[HostImpact]:
    impacts = []
    for key in sorted(set(base) | set(head)):
        impact = HostImpact(*key)
        before, after = base.get(key), head.get(key)
        if before is None or after is None:
            impact.changes.append("added / 新增" if before is None else "removed / 移除")
        else:
            for what in ("level", "zone", "systems"):
                if getattr(before, what) != getattr(after, what):
                    impact.changes.append(f"{what}: {getattr(before, what)} → {getattr(after, what)}")
            topics = set(before.settings) | set(after.settings)
            impact.topics = sorted(t for t in topics if before.settings.get(t) != after.settings.get(t))
        if impact.changes or impact.topics:
            impacts.append(impact)
    return impacts


def role_readers(root: Path, topic: str) -> list[str]:
    """The roles whose defaults, variables, tasks or templates read `dengbao_policy.<topic>`."""
    pattern = re.compile(rf"dengbao_policy(\.{topic}\b|\[['\"]{topic}['\"]\])")
    found = set()
    for path in (root / "roles").glob("*/*/*"):
        kind = path.parts[-2]
        if kind in ("defaults", "vars", "tasks", "templates", "handlers") and path.is_file():
            found.update([path.parts[-3]] if pattern.search(path.read_text(encoding="utf-8", errors="replace")) else [])
    return sorted(found)


def waiver_changes(base_root: Path, head_root: Path, today: date, notice_days: int) -> tuple[list, list, list, list]:
    before = {w.id: w for s in [load_waivers(base_root, today=today)] for w in [*s.active, *s.expired]}
    after = {w.id: w for s in [load_waivers(head_root, today=today)] for w in [*s.active, *s.expired]}
    comparable = ("items", "hosts", "systems", "zones", "justification", "compensating_control", "approver",
                  "approved", "expires")  # fmt: skip
    added = [w for i, w in sorted(after.items()) if i not in before]
    changed = [
        w
        for i, w in sorted(after.items())
        if i in before and any(getattr(w, f) != getattr(before[i], f) for f in comparable)
    ]
    removed = sorted(i for i in before if i not in after)
    expiring = [w for w in after.values() if 0 <= (w.expires - today).days <= notice_days]
    return added, changed, removed, sorted(expiring, key=lambda w: w.expires)


def impact_of(base_root: Path, head_root: Path, today: date) -> Impact:
    head = host_states(head_root)  # InvalidModel: the change does not validate, the caller says so
    try:
        base = host_states(base_root)
    except InvalidModel:
        base = {}  # a base that did not validate: everything the head declares is new to review
    hosts = compare_hosts(base, head)
    topics = sorted({t for h in hosts for t in h.topics})
    read = {READ_AS.get(t, t) for t in topics}
    checks = [c for c in all_checks().values() if read & set(c.policies)]
    notice = int(repository(head_root).policies.policies["evidence"].settings["waiver_expiry_notice_days"])
    added, changed, removed, expiring = waiver_changes(base_root, head_root, today, notice)
    return Impact(
        hosts=hosts,
        topics=topics,
        checks=sorted(c.id for c in checks),
        clauses=sorted({clause for c in checks for clause in c.clauses}),
        roles=sorted({role for t in read for role in role_readers(head_root, t)}),
        waivers_added=added,
        waivers_changed=changed,
        waivers_removed=removed,
        waivers_expiring=expiring,
    )
