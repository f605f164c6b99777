"""`dengbao scan --from-run`: a sealed run's raw evidence judged again under today's policies, no host contacted.

The source is a real scan of this machine, sealed. Between the two runs a threshold changes in the
policy; the re-judged run must show the new expectation and verdict, name its source, verify as
sealed, and be made with every collector and every network connection refused.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import report_validation
from conftest import dengbao_command

import compliance.kinds as kinds
from compliance.cli import main

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="a scan of this machine reads /etc/shadow")


def results(run: Path) -> dict:
    return json.loads((run / "results.json").read_text())


def check_result(run: Path, check_id: str) -> dict:
    (host,) = results(run)["hosts"]
    return next(check for check in host["checks"] if check["check"] == check_id)


@pytest.fixture(scope="module")
def sealed_scan(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real scan of this machine, sealed, shared by the tests (each judges a copy of it)."""
    run = tmp_path_factory.mktemp("from-run") / "source"
    scanned = subprocess.run(
        [*dengbao_command(), "scan", "-o", str(run), "--report", "none"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert scanned.returncode in (0, 1), scanned.stderr[-3000:]
    return run


@pytest.fixture
def source_run(model_copy: Path, sealed_scan: Path) -> Path:
    """The sealed scan, copied byte for byte beside the test's own copy of the model."""
    run = model_copy / "reports" / "source"
    shutil.copytree(sealed_scan, run)
    return run


@pytest.fixture
def nothing_may_be_contacted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every collector and every socket connection raises, and records that it was tried."""
    attempts: list[str] = []

    def refuse(what: str):
        def refused(*args, **kwargs):
            attempts.append(what)
            raise AssertionError(f"{what} was called while judging a stored run")

        return refused

    for name, kind in kinds.all_kinds().items():
        monkeypatch.setitem(kinds.REGISTRY, name, kind.__class__(**{**kind.__dict__, "collect": refuse(name)}))
    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    return attempts


def test_a_policy_change_shows_in_the_judged_again_run(model_copy, source_run, nothing_may_be_contacted, monkeypatch):
    accounts = model_copy / "policies" / "accounts.yml"
    accounts.write_text(accounts.read_text().replace("      password_min_length: 10", "      password_min_length: 40"))
    monkeypatch.chdir(model_copy)
    again = model_copy / "reports" / "again"

    exit_code = main(["scan", "--from-run", str(source_run), "-o", str(again), "--report", "none"])

    assert exit_code in (0, 1)
    assert nothing_may_be_contacted == []
    before = check_result(source_run, "linux.password_complexity")
    after = check_result(again, "linux.password_complexity")
    assert before["expected"]["minlen"] == ">= 10"
    assert after["expected"]["minlen"] == ">= 40"
    assert after["verdict"] == "fail"
    source = results(again)["run"]["source_run"]
    assert source["run"] == "source" and source["path"] == str(source_run.resolve())
    assert json.loads((again / "provenance.json").read_text())["source_run"] == source
    # The evidence judged is the evidence collected, byte for byte where it matters: every probe.
    (evidence,) = (again / "evidence").iterdir()
    stored = json.loads((source_run / "evidence" / evidence.name).read_text())
    assert json.loads(evidence.read_text())["probes"] == stored["probes"]
    verified = subprocess.run(
        [*dengbao_command(), "evidence", "verify", str(again)], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_an_unchanged_policy_gives_the_same_verdicts(model_copy, source_run, nothing_may_be_contacted, monkeypatch):
    monkeypatch.chdir(model_copy)
    again = model_copy / "reports" / "again"
    main(["scan", "--from-run", str(source_run), "-o", str(again), "--report", "none"])
    verdicts = {
        run: [(i["object"], i["item"], i["verdict"]) for i in results(run)["items"]] for run in (source_run, again)
    }
    assert verdicts[again] == verdicts[source_run]
    assert nothing_may_be_contacted == []


def test_a_tampered_run_is_refused(model_copy, source_run, monkeypatch, capsys):
    monkeypatch.chdir(model_copy)
    (evidence,) = (source_run / "evidence").iterdir()
    evidence.chmod(0o644)
    evidence.write_text(evidence.read_text().replace("PASS_MAX_DAYS", "PASS_MAX_DAYZ"))

    exit_code = main(["scan", "--from-run", str(source_run), "-o", str(model_copy / "again")])

    assert exit_code == 2
    error = capsys.readouterr().err
    assert "does not verify" in error and "核验未通过" in error
    assert not (model_copy / "again").exists()


def test_a_directory_that_is_no_run_is_refused(model_copy, monkeypatch, capsys):
    monkeypatch.chdir(model_copy)
    assert main(["scan", "--from-run", str(model_copy / "policies")]) == 2
    assert "not a sealed run directory" in capsys.readouterr().err


def test_from_run_takes_no_inventory(model_copy, source_run, monkeypatch, capsys):
    monkeypatch.chdir(model_copy)
    assert main(["scan", "--from-run", str(source_run), "-i", "example-hospital"]) == 2
    assert "takes no inventory" in capsys.readouterr().err
    shutil.rmtree(source_run, ignore_errors=True)


def renamed_slice(root: Path, source: Path, host: str, directory: Path, *, same_ledger: bool = True) -> Path:
    """A sealed run of `host` made by this tool's own writer from the source run's evidence: a second slice
    of one scan, as a second execution node would have written it for another host, having read the same
    change ledger, inspections and records (or, `same_ledger=False`, a node that found no ledger)."""
    from dataclasses import replace

    from compliance.evidence.redact import Redactor
    from compliance.evidence.store import write_run
    from compliance.evidence.stored import load_stored_evidence
    from compliance.model.waivers import WaiverSet
    from compliance.results.model import ScanRun
    from compliance.scan.run import judge, now

    stored = load_stored_evidence(source)
    (target,) = [replace(t, name=host) for t in stored.targets]
    (collected,) = stored.collected.values()
    ledger = stored.change_ledger if same_ledger else {"path": "/elsewhere", "present": False, "records": []}
    run = ScanRun(
        started=now(),
        inventory=stored.inventory,
        selection={"limit": [host]},
        change_ledger=ledger,
        inspections=stored.inspections,
        records=stored.records,
    )
    run = judge(root, run, [target], {host: replace(collected, target=target)}, WaiverSet([], [], []), {})
    write_run(run, directory, "", root, Redactor())
    return directory


def test_two_slices_merge_into_one_sealed_run_with_each_slice_named(
    model_copy, source_run, nothing_may_be_contacted, monkeypatch, capsys
):
    monkeypatch.chdir(model_copy)
    (first_host,) = [h["name"] for h in results(source_run)["hosts"]]
    other = renamed_slice(model_copy, source_run, "his-app-02", model_copy / "slices" / "his-app-02")
    merged = model_copy / "reports" / "merged"

    exit_code = main(
        ["scan", "--from-run", str(source_run), "--from-run", str(other), "--limit", f"{first_host},his-app-02",
         "-o", str(merged), "--report", "none"]
    )  # fmt: skip

    assert exit_code in (0, 1)
    assert nothing_may_be_contacted == []
    document = results(merged)
    assert sorted(h["name"] for h in document["hosts"]) == sorted([first_host, "his-app-02"])
    for host, slice_run in ((first_host, source_run), ("his-app-02", other)):
        in_slice = [(i["item"], i["verdict"]) for i in results(slice_run)["items"] if i["object"] == host]
        assert [(i["item"], i["verdict"]) for i in document["items"] if i["object"] == host] == in_slice
    slices = document["run"]["source_run"]["slices"]
    assert [s["run"] for s in slices] == ["source", "his-app-02"]
    assert all(len(s["manifest_sha256"]) == 64 for s in slices)
    report_validation.check_json_schema(merged)
    assert "merged 2 slices" in capsys.readouterr().out
    verified = subprocess.run(
        [*dengbao_command(), "evidence", "verify", str(merged)], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_slices_that_overlap_miss_a_host_or_ran_on_another_model_are_refused(
    model_copy, source_run, monkeypatch, capsys
):
    monkeypatch.chdir(model_copy)
    other = renamed_slice(model_copy, source_run, "his-app-02", model_copy / "slices" / "his-app-02")

    assert main(["scan", "--from-run", str(source_run), "--from-run", str(source_run)]) == 2
    assert "is in two slices" in capsys.readouterr().err

    both = ["--from-run", str(source_run), "--from-run", str(other)]
    assert main(["scan", *both, "--limit", "his-app-02,his-app-03"]) == 2
    error = capsys.readouterr().err
    assert "no stored run holds his-app-03" in error and "缺少分片" in error

    alone = renamed_slice(model_copy, source_run, "his-app-04", model_copy / "slices" / "alone", same_ledger=False)
    assert main(["scan", "--from-run", str(other), "--from-run", str(alone)]) == 2
    error = capsys.readouterr().err
    assert "read different change ledger (change_ledger.json)" in error and "共享证据卷" in error

    accounts = model_copy / "policies" / "accounts.yml"
    accounts.write_text(accounts.read_text().replace("      password_min_length: 10", "      password_min_length: 12"))
    changed = renamed_slice(model_copy, source_run, "his-app-03", model_copy / "slices" / "his-app-03")
    assert main(["scan", "--from-run", str(other), "--from-run", str(changed)]) == 2
    error = capsys.readouterr().err
    assert "ran on different models" in error and "policies/accounts.yml" in error
