"""Checks that a run directory's reports are what they claim, each with the tool that reads that
format: jsonschema, an XML parser, compliance-trestle, openpyxl and headless Chromium.
Used on a scan of this machine (tests/report) and on the lab scan (tests/scan)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import openpyxl
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog

from compliance.report.load import load_run

SCHEMA = Path(__file__).resolve().parents[1] / "compliance" / "report" / "schemas" / "results-3.schema.json"


def results(run_dir: Path) -> dict:
    return json.loads((run_dir / "results.json").read_text(encoding="utf-8"))


def check_json_schema(run_dir: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(results(run_dir))]
    assert not errors, errors[:10]


def check_junit(run_dir: Path) -> None:
    document = results(run_dir)
    root = ET.parse(run_dir / "junit.xml").getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(document["items"]) == int(root.get("tests"))
    failing = [i for i in document["items"] if i["finding"] and i["verdict"] in ("fail", "partial")]
    assert len(root.findall("./testsuite/testcase/failure")) == len(failing) == int(root.get("failures"))
    errors = [i for i in document["items"] if i["verdict"] in ("error", "unreachable")]
    assert len(root.findall("./testsuite/testcase/error")) == len(errors)
    assert {s.get("name") for s in root.findall("testsuite")} == {i["object"] for i in document["items"]}


def check_oscal(run_dir: Path) -> None:
    document = results(run_dir)
    assessment = AssessmentResults.oscal_read(run_dir / "oscal-assessment-results.json")
    [result] = assessment.results
    assert len(result.findings) == len(document["items"])
    states = Counter(f.target.status.state.value for f in result.findings)
    met = sum(1 for i in document["items"] if i["verdict"] in ("pass", "waived"))
    assert states["satisfied"] == met
    checks = sum(len(h["checks"]) for h in document["hosts"])
    examined = [
        i for i in document["items"]
        if i["object_kind"] == "system" and i["reason_en"].startswith(("records:", "not applicable by record"))
    ]  # fmt: skip
    assert len(result.observations or []) == checks + len(examined)
    methods = Counter(method for o in result.observations or [] for method in o.methods)
    assert methods["TEST"] == checks and methods["EXAMINE"] == len(examined)
    catalog = Catalog.oscal_read(run_dir / "gbt22239-2019-catalog.json")
    statements = {part.id for group in catalog.groups for control in group.controls for part in control.parts[0].parts}
    assert {f.target.target_id for f in result.findings} <= statements


def check_xlsx(run_dir: Path) -> None:
    document = results(run_dir)
    book = openpyxl.load_workbook(run_dir / "record-sheet.xlsx", read_only=True)
    assert book.sheetnames[0] == "汇总 Summary"
    per_object = Counter(i["object"] for i in document["items"])
    record_rows = 0
    for name in book.sheetnames[1:]:
        rows = list(book[name].iter_rows(values_only=True))
        assert (
            rows[0][3].startswith("测评项编号")
            and rows[0][5].startswith("结果记录")
            and rows[0][6].startswith("符合情况")
        )
        record_rows += len(rows) - 1
    assert len(book.sheetnames) - 1 == len(per_object)
    assert record_rows == len(document["items"])


def check_markdown(run_dir: Path) -> None:
    document = results(run_dir)
    text = (run_dir / "report.md").read_text(encoding="utf-8")
    overall = document["summary"][-1]
    rate = "—" if overall["rate"] is None else f"{overall['rate'] * 100:.1f}%"
    assert f"符合率 {rate}" in text.splitlines()[0]
    assert len(text.splitlines()) < 60, "short enough to paste into a merge request"


def check_html_in_chromium(run_dir: Path, screenshot: Path | None = None) -> str:
    """Render the page in headless Chromium (scripts run); the DOM must show the summary counts."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is installed by scripts/install-system-packages --lab"
    page = (run_dir / "report.html").resolve().as_uri()
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run([*base, "--dump-dom", page], capture_output=True, text=True, timeout=120, check=True).stdout
    assert 'data-ready="yes"' in dom, "the page's script did not run"
    assert "汇总 Summary" in dom
    overall = results(run_dir)["summary"][-1]["counts"]
    for verdict, count in overall.items():
        assert re.search(rf'data-count="{verdict}">{count}<', dom), (verdict, count)
    assert not re.search(r'(src|href)="https?://', dom), "the report must not load anything from the network"
    shown = re.search(r'<span id="shown">(\d+)</span>', dom)
    assert shown and int(shown.group(1)) == len(results(run_dir)["items"])
    if screenshot is not None:
        subprocess.run(
            [*base, "--window-size=1280,1500", f"--screenshot={screenshot}", page],
            capture_output=True,
            timeout=120,
            check=True,
        )
        assert screenshot.stat().st_size > 10_000
    return dom


def check_all(run_dir: Path) -> None:
    check_json_schema(run_dir)
    check_junit(run_dir)
    check_oscal(run_dir)
    check_xlsx(run_dir)
    check_markdown(run_dir)
    check_html_in_chromium(run_dir)
    assert load_run(run_dir).name == run_dir.name
