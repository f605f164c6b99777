"""Reports of a real scan of this machine, each format read back by the tool that reads it;
`dengbao report` from a sealed run, and `--compare` between runs."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import report_validation

from compliance.report.compare import compare
from compliance.report.formats import write_reports
from compliance.report.load import ReportError, load_run


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, dengbao_cmd, repo) -> Path:
    run_dir = tmp_path_factory.mktemp("reports") / "local"
    result = subprocess.run(
        [*dengbao_cmd, "scan", "-o", str(run_dir)], cwd=repo, capture_output=True, text=True, timeout=300
    )
    assert result.returncode in (0, 1), result.stderr
    return run_dir


def test_a_scan_writes_every_format_into_its_sealed_run(local_run):
    manifest = json.loads((local_run / "manifest.json").read_text())
    for name in (
        "results.json",
        "report.html",
        "report.md",
        "junit.xml",
        "record-sheet.xlsx",
        "oscal-assessment-results.json",
        "gbt22239-2019-catalog.json",
        "provenance.json",
        "assessment.json",
    ):
        assert name in manifest["files"], name


def test_the_reports_lead_with_the_self_assessment_and_its_high_risk_findings(local_run):
    """This machine is no hardened server: its system has open high-risk findings, shown before the summary."""
    assessment = json.loads((local_run / "assessment.json").read_text())
    [entry] = assessment["systems"]
    assert entry["high_risk_open"] >= 1 and entry["conclusion_zh"] == "差"
    assert "self-assessment" in assessment["note_en"] and "非测评机构的结论" in assessment["note_zh"]
    markdown = (local_run / "report.md").read_text()
    summary = markdown.index("| 定级对象 system | 符合")
    assert markdown.index("高风险 HIGH RISK") < markdown.index("**差** poor") < summary
    chromium = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"]
    page = (local_run / "report.html").resolve().as_uri()
    dom = subprocess.run([*chromium, page], capture_output=True, text=True, timeout=120, check=True).stdout
    assert dom.index('id="assessment"') < dom.index('id="summary"')
    first = entry["high_risk"][0]
    assert 'data-status="open"' in dom and first["zh"] in dom and first["item"] in dom
    book = openpyxl.load_workbook(local_run / "record-sheet.xlsx", read_only=True)
    cells = [str(c) for row in book["汇总 Summary"].iter_rows(values_only=True) for c in row if c is not None]
    assert "差 poor (差–差)" in cells and first["zh"] in cells


@pytest.mark.parametrize("check", ["json_schema", "junit", "oscal", "xlsx", "markdown"])
def test_each_format_reads_back(local_run, check):
    getattr(report_validation, f"check_{check}")(local_run)


def test_the_html_report_in_headless_chromium_shows_the_summary_and_filters(local_run, tmp_path):
    report_validation.check_html_in_chromium(local_run, screenshot=tmp_path / "report.png")
    document = report_validation.results(local_run)
    failing = sum(1 for item in document["items"] if item["verdict"] == "fail")
    chromium = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"]
    page = (local_run / "report.html").resolve().as_uri() + "?verdict=fail"
    dom = subprocess.run([*chromium, page], capture_output=True, text=True, timeout=120, check=True).stdout
    assert re.search(rf'<span id="shown">{failing}</span>', dom), "the verdict filter narrows the items"


def test_the_html_report_escapes_what_hosts_printed(local_run):
    html = (local_run / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html.split("<body>")[1].split("<script>\n(function")[0]


def test_dengbao_report_renders_from_a_sealed_run_without_touching_it(local_run, tmp_path, dengbao_cmd):
    before = json.loads((local_run / "manifest.json").read_text())
    out = tmp_path / "again"
    result = subprocess.run(
        [*dengbao_cmd, "report", str(local_run), "--format", "html,md,junit", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "report.html", "report.md"]
    assert (out / "report.md").read_text() == (local_run / "report.md").read_text()
    refused = subprocess.run(
        [*dengbao_cmd, "report", str(local_run), "-o", str(local_run)], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2 and "sealed run" in refused.stderr
    assert json.loads((local_run / "manifest.json").read_text()) == before
    unknown = subprocess.run(
        [*dengbao_cmd, "report", str(local_run), "--format", "pdf", "-o", str(out)], capture_output=True, text=True
    )
    assert unknown.returncode == 2 and "unknown report format pdf" in unknown.stderr


def test_compare_names_new_and_fixed_findings_and_changed_evidence(local_run, tmp_path):
    before = load_run(local_run)
    later = tmp_path / "later"
    shutil.copytree(local_run, later)
    host = before.hosts[0].name
    evidence_file = later / before.hosts[0].evidence_file
    evidence = json.loads(evidence_file.read_text())
    evidence["probes"]["passwd"]["output"] += "\nintruder:x:0:0::/root:/bin/bash"
    evidence_file.chmod(0o600)
    evidence_file.write_text(json.dumps(evidence))
    after = load_run(later)
    items = after.results.items
    finding = next(index for index, i in enumerate(items) if i.finding)
    met = next(index for index, i in enumerate(items) if i.verdict == "pass")
    items[finding] = dataclasses.replace(items[finding], verdict="pass", verdict_zh="符合", finding=False)
    items[met] = dataclasses.replace(items[met], verdict="fail", verdict_zh="不符合", finding=True)
    result = compare(before, after)
    assert [(i.object, i.item) for i in result.new_findings] == [(items[met].object, items[met].item)]
    assert [(i.object, i.item) for i in result.fixed_findings] == [(items[finding].object, items[finding].item)]
    assert result.evidence_changed == [(host, "passwd")]
    assert "新增问题 new findings: 1" in result.render_text()


def test_compare_command_on_two_real_runs(local_run, tmp_path, dengbao_cmd, repo):
    second = tmp_path / "second"
    subprocess.run([*dengbao_cmd, "scan", "-o", str(second), "--report", "none"], cwd=repo, capture_output=True)
    result = subprocess.run(
        [*dengbao_cmd, "report", "--compare", str(local_run), str(second), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    document = json.loads(result.stdout)
    assert result.returncode == (1 if document["new_findings"] else 0)
    assert document["before"] == local_run.name and document["after"] == "second"
    [trend] = document["assessment"]
    assert trend["before"]["conclusion_zh"] == trend["after"]["conclusion_zh"] == "差"


def test_the_records_read_back_hold_the_whole_results_document(local_run):
    assert load_run(local_run).results.to_json() == json.loads((local_run / "results.json").read_text())


def test_the_json_format_is_the_sealed_results_file_byte_for_byte(local_run, tmp_path):
    [written] = write_reports(load_run(local_run), ("json",), tmp_path)
    assert written.read_bytes() == (local_run / "results.json").read_bytes()


def test_equal_strings_of_the_results_are_one_object_once_loaded(local_run):
    """A large run repeats each item's texts on every host: loaded, they are shared, not copied per row."""
    items = load_run(local_run).items
    rows: dict[str, int] = {}
    by_text: dict[str, set[int]] = {}
    for item in items:
        for text in (item.category_zh, item.verdict_zh):
            rows[text] = rows.get(text, 0) + 1
            by_text.setdefault(text, set()).add(id(text))
    assert max(rows.values()) > 10  # the same text on many rows: what is shared
    assert all(len(ids) == 1 for ids in by_text.values())


def test_host_evidence_is_read_from_the_run_when_asked_for(local_run, tmp_path):
    copied = tmp_path / "run"
    shutil.copytree(local_run, copied)
    run = load_run(copied)
    [host] = list(run.evidence)
    evidence_file = copied / run.hosts[0].evidence_file
    evidence_file.chmod(0o600)
    document = json.loads(evidence_file.read_text())
    assert run.evidence[host] == document
    assert dict(run.evidence.only(set())) == {}
    evidence_file.write_text("{")  # changed after loading: the report reads it then, and says it cannot
    with pytest.raises(ReportError, match="cannot be read as JSON"):
        run.evidence[host]


def test_a_report_that_fails_halfway_leaves_no_file_behind(local_run, tmp_path, monkeypatch):
    from compliance.report import formats

    def breaks_halfway(run, out):
        out.write(b"<html>half")
        raise ReportError("renderer broke", "渲染中断")

    monkeypatch.setitem(formats.REPORT_FORMATS, "html", ("report.html", breaks_halfway))
    with pytest.raises(ReportError):
        write_reports(load_run(local_run), ("md", "html"), tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.md"]


def test_no_python_value_reaches_the_record_sheet_or_oscal(local_run):
    """Observed and expected values are shown as JSON (true, null), never as Python's True or None."""
    import openpyxl

    sheet = openpyxl.load_workbook(local_run / "record-sheet.xlsx")
    cells = " ".join(str(c.value) for ws in sheet.worksheets for row in ws.iter_rows() for c in row if c.value)
    oscal_text = (local_run / "oscal-assessment-results.json").read_text()
    for text in (cells, oscal_text):
        assert not re.search(r"\b(None|True|False)\b", text)


def test_the_handover_package_holds_the_sheet_the_pdf_the_assessment_and_the_sealed_run(
    local_run, tmp_path, dengbao_cmd
):
    package = tmp_path / "handover"
    made = subprocess.run(
        [*dengbao_cmd, "handover", str(local_run), "--system", "local", "-o", str(package)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr[-3000:]
    document = json.loads((package / "handover.json").read_text())
    for name, digest in document["files"].items():
        assert hashlib.sha256((package / name).read_bytes()).hexdigest() == digest, name
    assert {"record-sheet.xlsx", "summary.pdf", "summary.html", "assessment.json", "run/manifest.json"} <= set(
        document["files"]
    )
    assert (package / "summary.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((package / "assessment.json").read_text())["systems"][0]["system"] == "local"
    objects = {item["object"] for item in report_validation.results(local_run)["items"]}
    assert len(openpyxl.load_workbook(package / "record-sheet.xlsx", read_only=True).sheetnames) == 1 + len(objects)
    verified = subprocess.run(
        [*dengbao_cmd, "evidence", "verify", "--alone", str(package / "run")], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout[-2000:]
    unknown = subprocess.run(
        [*dengbao_cmd, "handover", str(local_run), "--system", "his", "-o", str(tmp_path / "none")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert unknown.returncode == 2 and "has no system 'his'" in unknown.stderr and not (tmp_path / "none").exists()
