"""The kept daily inspections as evidence for 8.1.10.6 e) and 8.1.5.4 c), per system: sealed runs naming
the system's hosts make both 部分符合 (with the days covered and what is still to see); a run whose seal no
longer holds fails 8.1.10.6 e); no runs leave them manual. The scan keeps the summary and --from-run
reads it back; the change ledger and the inspections speak together on 8.1.10.6 e)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from compliance.evidence.redact import Redactor
from compliance.evidence.store import write_run
from compliance.evidence.stored import load_stored_evidence
from compliance.evidence.trust import Trust
from compliance.inspect.history import inspection_evidence, runs_directory
from compliance.inspect.items import Item
from compliance.inspect.run import HostInspection, InspectionRun
from compliance.inspect.status import Status
from compliance.inspect.store import write_inspection
from compliance.kinds.target import Target
from compliance.ledger import append
from compliance.results.model import ScanRun
from compliance.results.verdicts import Verdict
from compliance.scan.evaluate import evaluate_system
from compliance.scan.inspection_items import INSPECTION_ITEMS, INSPECTIONS_FILE
from compliance.scan.ledger_items import ledger_evidence

HIS_HOSTS = {"his-app-01", "his-db-01"}
NOW = datetime.now(UTC)


def _run(started: datetime, statuses: dict[str, Status]) -> InspectionRun:
    run = InspectionRun(started.isoformat(timespec="seconds"), "inventory/example-hospital", {})
    for name, status in statuses.items():
        host = HostInspection(Target(name, "linux", 3, "app", ("his",), "ssh"), "collected", None, None, 0.4)
        host.items = [Item("disk:/", "磁盘空间 /", "Disk space /", status, "50 %")]
        run.hosts.append(host)
    run.finished = run.started
    return run


@pytest.fixture
def runs(tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four sealed runs where the scan and `dengbao ack` look for them ($DENGBAO_INSPECTIONS), `latest` the newest."""
    directory = tmp_path / "inspections"
    monkeypatch.setenv("DENGBAO_INSPECTIONS", str(directory))
    for days_ago, status in ((40, Status.GREEN), (2, Status.GREEN), (1, Status.AMBER), (0, Status.RED)):
        started = NOW - timedelta(days=days_ago, minutes=5)
        run = _run(started, {"his-app-01": status, "pacs-app-01": Status.GREEN})
        write_inspection(run, directory / started.strftime("%Y%m%dT%H%M%SZ"), "summary\n", repo, Redactor(),
                         lambda _: None)  # fmt: skip
    return directory


def rows(inspections: dict | None, ledger: dict | None = None) -> dict[str, tuple[Verdict, str]]:
    found = evaluate_system("his", 3, ledger, HIS_HOSTS, inspections)
    return {row.item.id: (row.verdict, row.reason_en + " || " + row.reason_zh) for row in found}


def test_sealed_runs_naming_the_systems_hosts_are_partial_with_the_days_they_cover(runs):
    evidence = inspection_evidence(runs, 30)
    assert [run["intact"] for run in evidence["runs"]] == [True, True, True], "the 40-day-old run is outside"
    found = rows(evidence)
    for item in INSPECTION_ITEMS:
        verdict, reason = found[item]
        assert verdict is Verdict.PARTIAL, (item, reason)
        assert "3 sealed inspection run(s) of this system's hosts on 3 of the last 30 days" in reason
        assert "1 host(s) red or unreadable: his-app-01" in reason and "27 day(s) without an inspection" in reason
        assert "evaluator must still see" in reason and "测评仍需查看" in reason
    assert "monitoring platform" in found["8.1.5.4 c)"][1]


def test_no_runs_or_none_for_the_system_leave_the_items_manual(runs, tmp_path):
    assert {rows(inspection_evidence(tmp_path / "none", 30))[i][0] for i in INSPECTION_ITEMS} == {Verdict.MANUAL}
    other = evaluate_system("lis", 3, None, {"lis-db-01"}, inspection_evidence(runs, 30))
    assert {row.verdict for row in other if row.item.id in INSPECTION_ITEMS} == {Verdict.MANUAL}


def test_a_run_altered_after_its_seal_fails_the_operations_record_item(runs):
    newest = sorted(p for p in runs.iterdir() if p.is_dir() and not p.is_symlink())[-1]
    document = newest / "inspection.json"
    document.chmod(0o600)
    document.write_text(document.read_text().replace('"red"', '"green"'))
    found = rows(inspection_evidence(runs, 30))
    verdict, reason = found["8.1.10.6 e)"]
    assert verdict is Verdict.FAIL and newest.name in reason and "operations record was altered" in reason
    assert found["8.1.5.4 c)"][0] is Verdict.PARTIAL


def test_the_ledger_and_the_inspections_speak_together_on_the_operations_log(runs, tmp_path):
    ledger = tmp_path / "changes.jsonl"
    record = {"kind": "apply", "who": "li.na", "pipeline": "p/7", "commit": "c0ffee", "hosts": {"his-db-01": {}},
              "result": "ok", "started": "2026-12-01T02:00:00+00:00", "ended": "2026-12-01T02:03:00+00:00"}  # fmt: skip
    append(ledger, record)
    verdict, reason = rows(inspection_evidence(runs, 30), ledger_evidence(ledger))["8.1.10.6 e)"]
    assert verdict is Verdict.PARTIAL
    assert "apply run(s) on record" in reason and "sealed inspection run(s)" in reason


def test_the_scan_keeps_the_summary_and_a_rejudged_run_reads_it_back(runs, tmp_path, repo):
    evidence = inspection_evidence(runs, 30)
    scan = ScanRun(started=NOW.isoformat(timespec="seconds"), inventory=None, inspections=evidence)
    scan.system_items = evaluate_system("his", 3, None, HIS_HOSTS, evidence)
    write_run(scan, tmp_path / "scan", "summary\n", repo, Redactor())
    kept = json.loads((tmp_path / "scan" / INSPECTIONS_FILE).read_text())
    assert [run["run"] for run in kept["runs"]] == [run["run"] for run in evidence["runs"]]
    stored = load_stored_evidence(tmp_path / "scan", Trust())
    assert stored.inspections == kept


def test_runs_go_where_the_environment_says_else_beside_the_checkout(monkeypatch, tmp_path, repo):
    """(The other tests set $DENGBAO_INSPECTIONS through the `runs` fixture.)"""
    monkeypatch.setenv("DENGBAO_INSPECTIONS", str(tmp_path / "kept"))
    assert runs_directory(repo) == tmp_path / "kept"
    monkeypatch.delenv("DENGBAO_INSPECTIONS")
    assert runs_directory(repo) in (Path("/var/lib/dengbao/inspections"), repo / "inspections")


def _ack(dengbao_cmd: list[str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*dengbao_cmd, "ack", *arguments], capture_output=True, text=True, timeout=60, check=False)


def test_red_items_are_acknowledged_on_record_and_the_scan_counts_those_still_waiting(runs, dengbao_cmd):
    newest = runs / "latest"
    shown = _ack(dengbao_cmd, "--open")  # the newest kept run by default
    assert shown.returncode == 1 and "1 red or unreadable not acknowledged" in shown.stdout, shown.stdout
    reason = rows(inspection_evidence(runs, 30))["8.1.10.6 e)"][1]
    assert "1 red item(s) of the latest run not acknowledged" in reason
    done = _ack(dengbao_cmd, "--run", str(newest), "--host", "his-app-01", "--item", "disk:/",
                "--by", "张工", "--action", "归档日志迁至备份主机，使用率降至 62%")  # fmt: skip
    assert done.returncode == 0 and "已记录 recorded: #1" in done.stdout, done.stderr
    shown = _ack(dengbao_cmd, "--run", str(newest), "--open")
    assert shown.returncode == 0 and "张工" in shown.stdout and "归档日志迁至备份主机" in shown.stdout
    assert "not acknowledged" not in rows(inspection_evidence(runs, 30))["8.1.10.6 e)"][1]
    [record] = [json.loads(line) for line in (runs / "acknowledgements.jsonl").read_text().splitlines()]
    assert record["run"] == newest.resolve().name and record["status"] == "red" and len(record["hash"]) == 64


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--host", "his-app-01", "--item", "memory", "--by", "张工", "--action", "x"], "has no open item memory"),
        (["--host", "his-app-01", "--item", "disk:/", "--by", " ", "--action", "x"], "--by and --action must say"),
        (["--host", "his-app-01", "--item", "disk:/"], "give --by, --action"),
    ],
    ids=["not-open", "says-nothing", "missing-options"],
)
def test_an_acknowledgement_that_names_nothing_open_or_says_nothing_exits_2(runs, dengbao_cmd, arguments, says):
    done = _ack(dengbao_cmd, "--run", str(runs / "latest"), *arguments)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert not (runs / "acknowledgements.jsonl").exists()


def test_an_altered_run_cannot_be_acknowledged_and_an_edited_record_shows(runs, dengbao_cmd):
    newest = (runs / "latest").resolve()
    ack = ["--run", str(newest), "--host", "his-app-01", "--item", "disk:/", "--by", "张工", "--action", "已处理"]
    assert _ack(dengbao_cmd, *ack).returncode == 0
    log = runs / "acknowledgements.jsonl"
    log.write_text(log.read_text().replace("已处理", "已处理（补记）"))
    assert (
        "line 1: 写入后被修改 / altered after it was written"
        in _ack(dengbao_cmd, "--run", str(newest), "--open").stdout
    )
    summary = newest / "summary.txt"
    summary.chmod(0o600)
    summary.write_text("edited\n")
    refused = _ack(dengbao_cmd, *ack)
    assert refused.returncode == 2 and "is not an intact sealed run" in refused.stderr
