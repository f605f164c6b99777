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
