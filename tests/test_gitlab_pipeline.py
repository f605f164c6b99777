""".gitlab-ci.yml run for real with gitlab-ci-local: which jobs each kind of pipeline selects; a merge
request that changes one zone's SSH policy passes validate and gets its review with the Code Quality
report on the changed line; a bad policy stops the pipeline at validate, before any other job starts; a
nightly drift that cannot check its host fails and keeps its run.
The scheduled drift pipeline runs against the converged lab in tests/test_site_playbook.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitlab_pipeline import GITLAB_CI_LOCAL, git, job_log, listed_jobs, run_pipeline, scratch_checkout

TESTS = {"validate": "on_success", "lint": "on_success", "unit": "on_success", "lab-and-molecule": "on_success"}
DMZ_OVERRIDE = "  - when: {zone: dmz}\n    settings:\n      max_auth_tries: 3\n"


@pytest.fixture
def checkout(repo: Path, tmp_path: Path) -> Path:
    assert GITLAB_CI_LOCAL.is_file(), f"{GITLAB_CI_LOCAL} is missing: run scripts/install-system-packages --lab"
    return scratch_checkout(repo, tmp_path / "dengbao")


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "fix-ntp"}, TESTS),
        ({"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}, TESTS | {"apply": "manual"}),
        ({"CI_PIPELINE_SOURCE": "merge_request_event"}, TESTS | {"review": "on_success"}),
        ({"CI_PIPELINE_SOURCE": "schedule", "DENGBAO_JOB": "drift"}, {"validate": "on_success", "drift": "on_success"}),
        (
            {"CI_PIPELINE_SOURCE": "schedule", "DENGBAO_JOB": "evidence"},
            {"validate": "on_success", "evidence": "on_success"},
        ),
        (
            {"CI_PIPELINE_SOURCE": "schedule", "DENGBAO_JOB": "inspection"},
            {"validate": "on_success", "inspection": "on_success"},
        ),
    ],
    ids=["branch", "main", "merge-request", "nightly-drift", "monthly-evidence", "morning-inspection"],
)
def test_each_pipeline_selects_its_jobs(checkout, variables, expected):
    if variables["CI_PIPELINE_SOURCE"] == "merge_request_event":
        git(checkout, "checkout", "-q", "-b", "dmz-ssh")  # a merge request's pipeline has no CI_COMMIT_BRANCH
    assert listed_jobs(checkout, {"CI_DEFAULT_BRANCH": "main", **variables}) == expected


def test_a_merge_request_is_validated_and_reviewed_on_its_changed_line(checkout):
    base = git(checkout, "rev-parse", "HEAD")
    git(checkout, "checkout", "-q", "-b", "dmz-ssh")
    policy = checkout / "policies" / "ssh.yml"
    text = policy.read_text()
    policy.write_text(text.replace("overrides:\n", "overrides:\n" + DMZ_OVERRIDE, 1))
    git(checkout, "commit", "-qam", "dmz: fewer SSH tries")
    variables = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base}
    done = run_pipeline(checkout, "validate", "review", variables=variables)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "PASS  validate" in done.stdout and "PASS  review" in done.stdout
    assert "校验通过 / valid" in job_log(checkout, "validate")
    review = (checkout / "review.md").read_text()
    assert f"Change review against `{base[:12]}`" in review
    assert "| example-hospital | web-01 | ssh.max_auth_tries |" in review and "8.1.4.1 b)" in review
    [entry] = json.loads((checkout / "gl-code-quality-report.json").read_text())
    changed_line = text.splitlines().index("overrides:") + 2
    assert entry["location"] == {"path": "policies/ssh.yml", "lines": {"begin": changed_line}}


def test_a_bad_policy_stops_the_pipeline_at_validate(checkout):
    """The whole pipeline of a branch: validate fails on the policy, and lint, unit and the lab never start."""
    policy = checkout / "policies" / "ssh.yml"
    policy.write_text(policy.read_text().replace("max_auth_tries: 4", "max_auth_tries: many", 1))
    git(checkout, "checkout", "-q", "-b", "typo")
    git(checkout, "commit", "-qam", "a typo in the SSH policy")
    done = run_pipeline(checkout, variables={"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "typo"}, timeout=180)
    assert done.returncode != 0
    assert "FAIL  validate" in done.stdout, done.stdout[-4000:]
    assert "policies/ssh.yml" in job_log(checkout, "validate") and "max_auth_tries" in job_log(checkout, "validate")
    started = {p.stem for p in (checkout / ".gitlab-ci-local" / "output").glob("*.log")}
    assert started == {"validate"}, f"jobs after validate started: {started}"


def test_the_nightly_drift_job_fails_when_it_cannot_check_and_keeps_its_run(checkout, tmp_path):
    """The hospital's schedule without the vault secret: the host is not checked, so the job fails
    (exit 2, never "no drift"), and the run saying why is kept under drift/<pipeline id>/. The passing
    schedule runs against the converged lab in tests/test_site_playbook.py."""
    variables = {
        "CI_PIPELINE_SOURCE": "schedule",
        "DENGBAO_JOB": "drift",
        "DENGBAO_DRIFT_OPTIONS": "--playbook playbooks/ssh.yml --limit web-01",
        "DENGBAO_LEDGER": str(tmp_path / "ledger.jsonl"),
    }
    done = run_pipeline(checkout, variables=variables)
    assert done.returncode != 0 and "PASS  validate" in done.stdout and "FAIL  drift" in done.stdout
    assert "FAIL 2" in done.stdout, "the job's exit code is drift's: 2, not every host checked"
    [run] = (checkout / "drift").glob("*/drift.json")
    document = json.loads(run.read_text())
    assert document["verdict"] == "error" and [f["host"] for f in document["failures"]] == ["web-01"]
    assert "vault" in document["failures"][0]["message"]


def test_the_morning_inspection_job_inspects_fails_on_red_and_keeps_its_run(checkout, tmp_path):
    """The inspection schedule on an inventory naming this machine (a local connection): the job inspects
    it for real, prints the Markdown summary in its log, fails on what is not green (this machine runs no
    backup and no anti-malware) and keeps the sealed run under inspections/<pipeline id>/."""
    inventory = tmp_path / "here.yml"
    inventory.write_text("all:\n  hosts:\n    here: {ansible_connection: local}\n")
    variables = {"CI_PIPELINE_SOURCE": "schedule", "DENGBAO_JOB": "inspection", "DENGBAO_INVENTORY": str(inventory)}
    done = run_pipeline(checkout, variables=variables)
    assert done.returncode != 0 and "PASS  validate" in done.stdout and "FAIL  inspection" in done.stdout, done.stdout
    assert "# 日常巡检 Daily inspection" in done.stdout, "after_script prints the summary"
    [run] = (checkout / "inspections").glob("*/inspection.json")
    document = json.loads(run.read_text())
    [host] = document["hosts"]
    assert host["name"] == "here" and host["status"] == "collected"
    assert document["run"]["exit_code"] in (1, 2) and (run.parent / "manifest.json").is_file()
