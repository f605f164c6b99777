"""The policy settings that apply to one host: what roles enforce and what checks expect.

Both sides call `policy_for_host`, so they cannot disagree: the Ansible vars plugin
(`plugins/vars/dengbao_policy.py`) exposes its result as `dengbao_policy`, and a check
reads its expected values from the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from compliance.cache import cached, files_digest
from compliance.model.validate import Repository, load_repository

STRICTEST_LEVEL = 3


class InvalidModel(Exception):
    """The repository's model does not validate; nothing should be enforced or checked from it."""


@dataclass(frozen=True)
class HostPolicy:
    level: int
    zone: str
    settings: dict[str, dict[str, Any]]


@cache
def _repository(root: Path, fingerprint: tuple[tuple[str, int], ...]) -> Repository:
    """In this process, keyed by time stamps (any edit reloads); on disk, keyed by the files' bytes."""
    files = [Path(name) for name, _ in fingerprint]
    return cached("model", [str(root), files_digest(files, root)], lambda: load_repository(root))


def model_fingerprint(root: Path) -> tuple[tuple[str, int], ...]:
    files = [*root.glob("policies/*.yml"), *root.glob("inventory/**/*.y*ml")]
    return tuple(sorted((str(f), f.stat().st_mtime_ns) for f in files if f.is_file()))


def repository(root: Path) -> Repository:
    loaded = _repository(root, model_fingerprint(root))
    if not loaded.valid:
        raise InvalidModel("\n".join(p.render() for p in loaded.problems))
    return loaded


def policy_for_host(root: Path, host: str, declared: dict[str, Any] | None = None) -> HostPolicy:
    """Level and zone from the inventories that know the host; else from its own variables
    (`dengbao_level`, `dengbao_zone`), else the strictest level and no zone."""
    model = repository(root)
    for inventory in model.inventories.values():
        if host in inventory.hosts:
            known = inventory.hosts[host]
            return HostPolicy(known.level, known.zone, model.policies.effective(known.level, known.zone))
    declared = declared or {}
    level = int(declared.get("dengbao_level", STRICTEST_LEVEL))
    zone = str(declared.get("dengbao_zone", ""))
    return HostPolicy(level, zone, model.policies.effective(level, zone))
