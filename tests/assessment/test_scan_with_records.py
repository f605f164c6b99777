"""A real scan of this machine with the example hospital's records ($DENGBAO_RECORDS): the records' index is
sealed in the run, the management items the records decide carry them, OSCAL observes them by EXAMINE,
the self-assessment is written and shown, and --from-run judges the same records again."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import report_validation

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recorded_run(tmp_path_factory, dengbao_cmd) -> dict:
    run_dir = tmp_path_factory.mktemp("records") / "run"
    env = {"DENGBAO_RECORDS": str(REPO / "records" / "example-hospital")}
    result = subprocess.run(
        [*dengbao_cmd, "scan", "-o", str(run_dir), "--report", "oscal,oscal-catalog,md"],
        cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr[-3000:]
    return {"dir": run_dir, "stdout": result.stdout, "env": env}


def test_the_records_index_is_sealed_and_decides_the_machines_management_items(recorded_run):
    run_dir = recorded_run["dir"]
    assert {"records.json", "assessment.json"} <= set(json.loads((run_dir / "manifest.json").read_text())["files"])
    index = json.loads((run_dir / "records.json").read_text())
    assert index["present"] and len(index["records"]) >= 50
    items = {i["item"]: i for i in report_validation.results(run_dir)["items"] if i["object_kind"] == "system"}
    # This machine is its own system ("local"): records for every system count, HIS's own do not.
    assert items["8.1.6.1 a)"]["verdict"] == "pass" and "doc-security-policy" in items["8.1.6.1 a)"]["reason_en"]
    assert (
        items["8.1.10.13 c)"]["verdict"] == "fail"
        and "emergency drill: no record" in items["8.1.10.13 c)"]["reason_en"]
    )
    report_validation.check_oscal(run_dir)
    assert "自评估 self-assessment local" in recorded_run["stdout"]


def test_a_stored_run_is_judged_again_from_its_records_index(recorded_run, dengbao_cmd, tmp_path):
    again = tmp_path / "again"
    result = subprocess.run(
        [*dengbao_cmd, "scan", "--from-run", str(recorded_run["dir"]), "-o", str(again), "--report", "none"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr[-3000:]

    def system_verdicts(run_dir: Path) -> dict[str, str]:
        document = report_validation.results(run_dir)
        return {i["item"]: i["verdict"] for i in document["items"] if i["object_kind"] == "system"}

    assert system_verdicts(again) == system_verdicts(recorded_run["dir"])
    assert json.loads((again / "records.json").read_text())["records"]
    first = json.loads((recorded_run["dir"] / "assessment.json").read_text())["systems"][0]
    second = json.loads((again / "assessment.json").read_text())["systems"][0]
    assert (first["score"], first["conclusion"]) == (second["score"], second["conclusion"])
