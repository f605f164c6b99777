"""What a change to the model touches: hosts (by their effective settings per topic and key), the
checks, clauses and roles that read each changed key, and the waivers added, changed, removed or
expiring.

A check reads a key when its check.py names it; a role when its files name `dengbao_policy.<topic>.<key>`
or take the topic whole. Where no check (or no role) of a topic names a changed key, every check (or
role) of the topic counts: a reader this search cannot see is not left out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from compliance.checks import Check, all_checks
from compliance.model.host_policy import HOST_FIREWALL, InvalidModel, policy_for_host, repository
from compliance.model.validate import inventory_dirs
from compliance.model.waivers import Waiver, load_waivers
from compliance.records.store import Record, load_records, records_directory
from compliance.report.load import clause_key
from compliance.scan.record_items import Need, record_mapping

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
    keys: list[str] = field(default_factory=list)  # topic.key of each changed setting ("topic" when whole)
    changes: list[str] = field(default_factory=list)  # added, removed, level, zone, systems


@dataclass
class Impact:
    hosts: list[HostImpact]
    topics: list[str]
    keys: list[str]
    checks: list[str]
    clauses: list[str]
    roles: list[str]
    waivers_added: list[Waiver]
    waivers_changed: list[Waiver]
    waivers_removed: list[str]
    waivers_expiring: list[Waiver]
    records: list[dict[str, Any]] = field(default_factory=list)  # management records added, changed, removed


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
            impact.keys = changed_keys(before.settings, after.settings, impact.topics)
        if impact.changes or impact.topics:
            impacts.append(impact)
    return impacts


def changed_keys(before: dict[str, Any], after: dict[str, Any], topics: list[str]) -> list[str]:
    """`topic.key` for each setting that differs; the topic alone where it is not a mapping on both sides."""
    keys = []
    for topic in topics:
        old, new = before.get(topic), after.get(topic)
        if isinstance(old, dict) and isinstance(new, dict):
            keys += [f"{topic}.{key}" for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
        else:
            keys.append(topic)
    return keys


def role_texts(root: Path) -> dict[str, str]:
    """Each role's defaults, variables, tasks, handlers and templates, as one text."""
    texts: dict[str, list[str]] = {}
    for path in sorted((root / "roles").glob("*/*/*")):
        if path.parts[-2] in ("defaults", "vars", "tasks", "templates", "handlers") and path.is_file():
            texts.setdefault(path.parts[-3], []).append(path.read_text(encoding="utf-8", errors="replace"))
    return {role: "\n".join(parts) for role, parts in texts.items()}


def role_readers(texts: dict[str, str], topic: str, keys: set[str] | None = None) -> list[str]:
    """The roles (their `role_texts`) that read `dengbao_policy.<topic>`: only those naming one of `keys`
    (or taking the topic whole), when any does."""
    topic_pattern = re.compile(rf"dengbao_policy(\.{topic}\b|\[['\"]{topic}['\"]\])")
    readers = {role for role, text in texts.items() if topic_pattern.search(text)}
    if not keys:
        return sorted(readers)
    names = "|".join(re.escape(key) for key in sorted(keys))
    by_key = re.compile(rf"dengbao_policy\.{topic}\.({names})\b|dengbao_policy\.{topic}(?![\w.])")
    exact = {role for role in readers if by_key.search(texts[role])}
    return sorted(exact or readers)


def check_readers(topic: str, keys: set[str] | None = None) -> list[Check]:
    """The checks whose expected values come from `topic`: only those whose check.py names one of `keys`,
    when any does."""
    readers = [c for c in all_checks().values() if topic in c.policies]
    if not keys:
        return readers
    named = re.compile("|".join(rf"['\"]{re.escape(key)}['\"]" for key in sorted(keys)))
    exact = [c for c in readers if named.search((c.unit / "check.py").read_text(encoding="utf-8"))]
    return exact or readers


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


def _records(root: Path) -> dict[tuple[str, str], Record]:
    """Every record of every inventory under the root, by (inventory, id); the unreadable left to validate."""
    try:
        setting = repository(root).policies.policies["assessment"].settings["records_directory"]
    except (InvalidModel, KeyError):
        setting = "records"
    found = {}
    for directory in inventory_dirs(root):
        for record in load_records(records_directory(root, setting, directory.name), root, None).records:
            found[(directory.name, record.id)] = record
    return found


def evidenced_items(record: Record) -> list[str]:
    """The items a record speaks for: those its type (and category) is mapped to, and those it names."""
    mine = {Need(record.type, None), Need(record.type, record.category)}
    mapped = [item for item, (needs, _) in record_mapping().items() if mine & set(needs)]
    return sorted({*mapped, *record.items}, key=clause_key)


def record_changes(base_root: Path, head_root: Path) -> list[dict[str, Any]]:
    """Management records added, changed or removed, each with the items whose verdict it can move."""
    before, after = _records(base_root), _records(head_root)
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old is not None and new is not None and old.sha256 == new.sha256:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        record = new or old
        assert record is not None
        changes.append(
            {
                "status": status,
                "inventory": key[0],
                "id": record.id,
                "type": record.type,
                "dated": record.dated.isoformat(),
                "file": record.file,
                "items": evidenced_items(record),
            }
        )
    return changes


def impact_of(base_root: Path, head_root: Path, today: date) -> Impact:
    head = host_states(head_root)  # InvalidModel: the change does not validate, the caller says so
    try:
        base = host_states(base_root)
    except InvalidModel:
        base = {}  # a base that did not validate: everything the head declares is new to review
    hosts = compare_hosts(base, head)
    topics = sorted({t for h in hosts for t in h.topics})
    keys = sorted({k for h in hosts for k in h.keys})
    # Per topic as checks and roles read it: the keys that changed; None (every reader) for a topic that
    # changed whole or reaches them under another name.
    read: dict[str, set[str] | None] = {}
    for topic in topics:
        named = {k.split(".", 1)[1] for k in keys if k.startswith(f"{topic}.")}
        read[READ_AS.get(topic, topic)] = None if topic in READ_AS or topic in keys else named
    checks = {c.id: c for topic, named in read.items() for c in check_readers(topic, named)}.values()
    texts = role_texts(head_root)
    notice = int(repository(head_root).policies.policies["evidence"].settings["waiver_expiry_notice_days"])
    added, changed, removed, expiring = waiver_changes(base_root, head_root, today, notice)
    return Impact(
        hosts=hosts,
        topics=topics,
        keys=keys,
        checks=sorted(c.id for c in checks),
        clauses=sorted({clause for c in checks for clause in c.clauses}),
        roles=sorted({role for topic, named in read.items() for role in role_readers(texts, topic, named)}),
        waivers_added=added,
        waivers_changed=changed,
        waivers_removed=removed,
        waivers_expiring=expiring,
        records=record_changes(base_root, head_root),
    )
