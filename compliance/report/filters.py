"""Small pure functions the report templates use, registered once in `environment()`."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from compliance.results.verdicts import ORDER, Verdict


def verdict_zh(value: str) -> str:
    return Verdict(value).zh


def verdict_label(value: str) -> str:
    """`符合 pass`."""
    return Verdict(value).label


def rate(value: float | None) -> str:
    """符合率 as a percentage; a dash when nothing was decided."""
    return "—" if value is None else f"{value * 100:.1f}%"


def anchor(*parts: str) -> str:
    """An HTML id from free text (host names, probe names, clause ids)."""
    return "-".join(re.sub(r"[^A-Za-z0-9]+", "_", part).strip("_") for part in parts)


def compact(value: Any) -> str:
    """Observed and expected values on one line, Chinese kept readable."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def verdict_order() -> list[str]:
    return [verdict.value for verdict in ORDER]


@cache
def environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("compliance.report", "templates"),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(verdict_zh=verdict_zh, verdict_label=verdict_label, rate=rate, anchor=anchor, compact=compact)
    env.globals.update(verdict_order=verdict_order)
    return env
