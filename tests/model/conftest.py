"""A throw-away copy of the repository's model (policies, inventories, plugins, roles) per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("ansible.cfg", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    for name in ("policies", "plugins", "roles", "playbooks"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "inventory" / "example-hospital", root / "inventory" / "example-hospital")
    shutil.copytree(REPO / "inventory" / "lab" / "group_vars", root / "inventory" / "lab" / "group_vars")
    return root
