"""The inspection's reports, rendered from the stored `inspection.json`: Markdown for a chat or a mail,
and a self-contained bilingual HTML page with the last days' trends drawn as small inline charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from compliance.errors import BilingualError
from compliance.inspect.document import DOCUMENT, earlier_runs, trend
from compliance.inspect.status import Status

FORMATS = ("md", "html")
FILES = {"md": "inspection.md", "html": "inspection.html"}
TRENDS = (  # (item id prefix, measure, title) drawn per host
    ("disk:", "used_percent", "磁盘使用率 % disk used"),
    ("log_errors", "errors", "日志错误 log errors"),
)
CHART_WIDTH, CHART_HEIGHT = 120, 28


class InspectionReportError(BilingualError):
    """An unknown report format was asked for."""


def parse_formats(text: str) -> tuple[str, ...]:
    """`md,html`, `all` or `none` (JSON is always written: it is the run)."""
    if text == "all":
        return FORMATS
    if text == "none":
        return ()
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise InspectionReportError(
            f"unknown report format {', '.join(unknown) or repr(text)}; choose from {', '.join(FORMATS)}, all or none",
            f"未知的报告格式 {', '.join(unknown) or repr(text)}；可选 {', '.join(FORMATS)}、all 或 none",
        )
    return chosen


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["status"] = {status.value: status for status in Status}
    return environment


def sparkline(points: list[tuple[str, float]]) -> str:
    """An inline SVG polyline of the values, oldest left; empty for fewer than two points."""
    if len(points) < 2:
        return ""
    values = [value for _, value in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = CHART_WIDTH / (len(values) - 1)
    coordinates = " ".join(
        f"{index * step:.1f},{CHART_HEIGHT - 2 - (value - low) / span * (CHART_HEIGHT - 4):.1f}"
        for index, value in enumerate(values)
    )
    label = f"{points[0][0][:10]} … {points[-1][0][:10]}: {values[0]:g} → {values[-1]:g}"
    return (
        f'<svg class="spark" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}"'
        f' role="img" aria-label="{label}"><title>{label}</title>'
        f'<polyline fill="none" stroke="#1a56c4" stroke-width="1.5" points="{coordinates}"/></svg>'
    )


def trends(directory: Path, document: dict[str, Any], days: int) -> dict[str, list[dict[str, Any]]]:
    """Per host, each trend's points over the kept runs of the last `days` days and this one."""
    documents = [*earlier_runs(directory, days), document]
    found: dict[str, list[dict[str, Any]]] = {}
    for host in document["hosts"]:
        for prefix, measure, title in TRENDS:
            points = trend(documents, host["name"], prefix, measure)
            found.setdefault(host["name"], []).append(
                {"title": title, "points": points, "svg": sparkline(points), "runs": len(points)}
            )
    return found


def render_reports(directory: Path, formats: tuple[str, ...], history_days: int) -> list[Path]:
    """Write each chosen report into the run directory from its inspection.json; returns the files written."""
    document = json.loads((directory / DOCUMENT).read_text(encoding="utf-8"))
    environment = _environment()
    context = {
        "run": document["run"],
        "hosts": document["hosts"],
        "problems": attention(document),
        "trends": trends(directory, document, history_days) if "html" in formats else {},
        "history_days": history_days,
        "trend_titles": [title for _, _, title in TRENDS],
        "name": directory.name,
    }
    written = []
    for name in formats:
        path = directory / FILES[name]
        path.write_text(environment.get_template(f"{FILES[name]}.j2").render(**context), encoding="utf-8")
        written.append(path)
    return written


def attention(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item that is not green (and hosts that did not answer), worst first."""
    rows = []
    for host in document["hosts"]:
        if host["status"] in ("unreachable", "error"):
            rows.append(
                {"host": host["name"], "id": "reachable", "title_zh": "主机可达", "title_en": "Host answers",
                 "status": host["overall"], "value": host["status"], "limit": "answers",
                 "note_zh": host["error"] or "", "note_en": host["error"] or ""}
            )  # fmt: skip
        for item in host["items"]:
            if item["status"] in (Status.RED.value, Status.AMBER.value, Status.ERROR.value):
                rows.append({"host": host["name"], **item})
    return sorted(rows, key=lambda row: (Status(row["status"]).rank, row["host"], row["id"]))
