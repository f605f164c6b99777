"""Every report format, its file name and renderer, rendered from a stored run only.

A scan renders the chosen formats into its run directory before sealing it, so they are
covered by the manifest; `dengbao report` renders them again from a sealed run into another
directory, never into the sealed run.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from compliance.evidence.store import RESULTS
from compliance.report import junit
from compliance.report.filters import environment
from compliance.report.load import ReportError, StoredRun, load_run

MARKDOWN_FINDINGS_SHOWN = 20
MARKDOWN_HIGH_RISK_SHOWN = 5
OSCAL_CATALOG_FILE = "gbt22239-2019-catalog.json"
# compliance-trestle and openpyxl take about a second to import: only the formats that need
# them import them, when they render, so a scan with `--report none` never pays for them.


def write_html(run: StoredRun, out: BinaryIO) -> None:
    """Streamed as the template yields it: a thousand hosts' report is never one string in memory."""
    _write_text(environment(autoescape=True).get_template("report.html.j2").generate(run=run), out)


def render_html(run: StoredRun) -> bytes:
    buffer = io.BytesIO()
    write_html(run, buffer)
    return buffer.getvalue()


def _write_text(chunks: Iterable[str], out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    text.writelines(chunks)
    text.flush()
    text.detach()  # the caller's file stays open


def render_markdown(run: StoredRun) -> bytes:
    findings = [item for item in run.items if item.finding]
    unreachable = [host for host in run.hosts if host.status in ("unreachable", "error")]
    high_risk = [
        (system["system"], finding)
        for system in (run.assessment or {}).get("systems", [])
        for finding in system["high_risk"]
    ]
    template = environment(autoescape=False).get_template("report.md.j2")
    text = template.render(
        run=run,
        findings=findings,
        unreachable=unreachable,
        limit=MARKDOWN_FINDINGS_SHOWN,
        high_risk=high_risk,
        high_risk_limit=MARKDOWN_HIGH_RISK_SHOWN,
    )
    return text.encode()


def write_json(run: StoredRun, out: BinaryIO) -> None:
    """The results document itself (schema `dengbao-scan-results/3`): the run's own results.json, byte for byte
    (`dengbao report` verifies the run before it writes anything), not the records encoded again."""
    with (run.directory / RESULTS).open("rb") as stored:
        shutil.copyfileobj(stored, out)


def render_oscal(run: StoredRun) -> bytes:
    from compliance.report import oscal

    return oscal.assessment_results(run).oscal_serialize_json_bytes(pretty=True) + b"\n"


def render_oscal_catalog(run: StoredRun) -> bytes:
    from compliance.report import oscal

    levels = {item.level for item in run.items} or {3}
    return oscal.catalog(max(levels)).oscal_serialize_json_bytes(pretty=True) + b"\n"


def render_xlsx(run: StoredRun) -> bytes:
    from compliance.report import xlsx

    return xlsx.render(run)


Writer = Callable[[StoredRun, BinaryIO], None]


def _whole(render: Callable[[StoredRun], bytes]) -> Writer:
    """A format that is rendered whole, then written."""

    def write(run: StoredRun, out: BinaryIO) -> None:
        out.write(render(run))

    return write


REPORT_FORMATS: dict[str, tuple[str, Writer]] = {
    "html": ("report.html", write_html),
    "md": ("report.md", _whole(render_markdown)),
    "junit": ("junit.xml", _whole(junit.render)),
    "xlsx": ("record-sheet.xlsx", _whole(render_xlsx)),
    "oscal": ("oscal-assessment-results.json", _whole(render_oscal)),
    "oscal-catalog": (OSCAL_CATALOG_FILE, _whole(render_oscal_catalog)),
    "json": (RESULTS, write_json),
}
# What a scan writes into its run by default (results.json is always there).
SCAN_DEFAULT = ("html", "md", "junit", "xlsx", "oscal", "oscal-catalog")

__all__ = ["REPORT_FORMATS", "ReportError", "parse_formats", "render_into_run", "write_reports"]


def parse_formats(text: str) -> tuple[str, ...]:
    """`all`, `none`, or a comma-separated list of format names."""
    if text == "all":
        return SCAN_DEFAULT
    if text in ("none", ""):
        return ()
    chosen = tuple(dict.fromkeys(word.strip() for word in text.split(",") if word.strip()))
    unknown = [word for word in chosen if word not in REPORT_FORMATS]
    if unknown:
        known = ", ".join(REPORT_FORMATS)
        raise ReportError(
            f"unknown report format {', '.join(unknown)}; known: {known}, all, none",
            f"未知的报告格式 {', '.join(unknown)}；可选：{known}、all、none",
        )
    return chosen


def write_reports(run: StoredRun, formats: tuple[str, ...], output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name in formats:
        filename, writer = REPORT_FORMATS[name]
        path = output / filename
        # Written beside, then moved into place: a report that fails halfway leaves no half a file behind.
        partial = path.with_name(f".{filename}.part")
        try:
            with partial.open("wb") as out:
                writer(run, out)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        written.append(path)
    return written


def render_into_run(directory: Path, formats: tuple[str, ...]) -> None:
    """At the end of a scan, before sealing: the reports, from the files just stored."""
    wanted = tuple(name for name in formats if name != "json")
    if wanted:
        write_reports(load_run(directory), wanted, directory)
