"""Locating the repository checkout the command runs from (for inventories, policies, roles)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO_VARIABLE = "DENGBAO_REPO"
NO_CHECKOUT = (
    f"no repository checkout here or above (ansible.cfg and pyproject.toml): run inside one, or set {REPO_VARIABLE}",
    f"当前目录及其上级中没有仓库（ansible.cfg 与 pyproject.toml）：请在仓库内运行，或设置 {REPO_VARIABLE}",
)


def is_checkout(directory: Path) -> bool:
    return (directory / "ansible.cfg").is_file() and (directory / "pyproject.toml").is_file()


def project_root(start: Path | None = None) -> Path | None:
    """The checkout whose model applies: the nearest directory above `start` (the current
    directory) holding both `ansible.cfg` and `pyproject.toml`, else the one `$DENGBAO_REPO` names.

    Never the checkout the package happens to be installed from: run outside a checkout, a
    command would otherwise judge hosts by another hospital's (or another branch's) policies.
    """
    origin = (start or Path.cwd()).resolve()
    for directory in (origin, *origin.parents):
        if is_checkout(directory):
            return directory
    named = os.environ.get(REPO_VARIABLE)
    if named and is_checkout(Path(named)):
        return Path(named).resolve()
    return None


GIT_TIMEOUT = 30  # seconds; a checkout on a stalled network file system must not hold a nightly scan


def git_output(root: Path, *args: str) -> str | None:
    """What `git -C root ARGS` prints, stripped; None where git fails, is not installed (a control node may run
    from an exported checkout) or does not answer within GIT_TIMEOUT: provenance then says the commit is
    unknown, and the run goes on."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False, timeout=GIT_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None
