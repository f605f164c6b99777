"""Locating the repository checkout the command runs from (for inventories, policies, roles)."""

from __future__ import annotations

from pathlib import Path


def project_root(start: Path | None = None) -> Path | None:
    """The nearest directory holding both `ansible.cfg` and `pyproject.toml`: the checkout's root.

    Searched upwards from `start` (the current directory), then from this package's own
    location, which is inside the checkout for the usual editable install.
    """
    candidates = [(start or Path.cwd()).resolve(), Path(__file__).resolve().parent]
    for origin in candidates:
        for directory in (origin, *origin.parents):
            if (directory / "ansible.cfg").is_file() and (directory / "pyproject.toml").is_file():
                return directory
    return None
