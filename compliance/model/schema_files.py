"""The model's schemas, as data: `compliance/model/schemas/<name>.yml`."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema from `compliance/model/schemas/<name>.yml`."""
    text = resources.files("compliance.model").joinpath("schemas", f"{name}.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)
