"""Shared fixtures: the repository root, and an isolated lab for the tests that need real hosts.

The test lab has its own bridge prefix and state directory, so its `down` never removes an
engineer's hosts; its zones are the lab model's, so it refuses to start while an engineer's
lab runs (take that one down first). It writes the lab inventory (inventory/lab/hosts.yml), so
its hosts are in the model with the lab's zones; it shares the golden-image cache.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.lab.paths import LabPaths
from compliance.lab.zones import load_layout

REPO = Path(__file__).resolve().parents[1]
TEST_LAB_ENV = {
    "DENGBAO_LAB_BRIDGE": "dgbtest0",
    "DENGBAO_LAB_STATE": "/var/lib/dengbao-lab-test",
}


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests, and the commands they start, use a cache of their own, never the user's."""
    os.environ["DENGBAO_CACHE"] = str(tmp_path_factory.mktemp("dengbao-cache"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def dengbao_command() -> list[str]:
    found = shutil.which("dengbao", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "compliance.cli"]


@pytest.fixture(scope="session")
def dengbao_cmd() -> list[str]:
    """The `dengbao` command of the environment running the tests."""
    return dengbao_command()


@pytest.fixture(scope="session")
def test_lab_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if os.geteuid() != 0:
        pytest.skip("the lab needs root")
    inventory = REPO / "inventory" / "lab" / "hosts.yml"
    env = dict(os.environ, **TEST_LAB_ENV, DENGBAO_LAB_INVENTORY=str(inventory), DENGBAO_REPO=str(REPO))
    # The lab's backup repositories get a password of this session's own, never one written in the repository.
    env.setdefault("DENGBAO_BACKUP_PASSWORD", secrets.token_urlsafe(24))
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="session")
def test_lab_paths(test_lab_env: dict[str, str]) -> LabPaths:
    bridge = test_lab_env["DENGBAO_LAB_BRIDGE"]
    return LabPaths(
        state=Path(test_lab_env["DENGBAO_LAB_STATE"]),
        cache=Path(test_lab_env.get("DENGBAO_LAB_CACHE", "/var/cache/dengbao-lab")),
        layout=load_layout(REPO, bridge),
        bridge=bridge,
    )


@pytest.fixture(scope="session")
def run_lab(test_lab_env: dict[str, str]):
    """Run `dengbao lab …` against the test lab; returns the CompletedProcess."""

    def run(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*dengbao_command(), "lab", *args],
            env=test_lab_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"dengbao lab {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    yield run
    run("down", check=False)


@pytest.fixture(scope="session")
def run_playbook(test_lab_env: dict[str, str]):
    """Run `ansible-playbook -i INVENTORY playbooks/NAME.yml …` from the repository, against the test lab."""

    def run(
        inventory: str | Path, playbook: str, *extra: str, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ansible-playbook", "-i", str(inventory), f"playbooks/{playbook}.yml", *extra],
            cwd=REPO,
            env=dict(test_lab_env, ANSIBLE_FORCE_COLOR="0"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    """A throw-away copy of the repository's model (policies, inventories, plugins, roles)."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("ansible.cfg", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    for name in ("policies", "plugins", "roles", "playbooks", "records"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "inventory" / "example-hospital", root / "inventory" / "example-hospital")
    shutil.copytree(REPO / "inventory" / "lab" / "group_vars", root / "inventory" / "lab" / "group_vars")
    return root
