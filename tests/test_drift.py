"""`dengbao drift` on this machine: a real check-mode run of a playbook (nothing changed), the change
ledger's last apply of a drifted task, two real scans compared, the exit codes and the sealed run.
The lab side (a hand edit of sshd_config on a converged host) is in tests/test_site_playbook.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.checks import all_checks
from compliance.drift.document import drift_document, remediated_by
from compliance.report.compare import Comparison
from compliance.results.records import ItemRecord

PLAY = """\
- name: Drift trial
  hosts: all
  gather_facts: false
  tasks:
    - name: Keep the marker
      ansible.builtin.copy:
        dest: "{{ marker_file }}"
        content: "declared\\n"
        mode: "0644"
"""


@pytest.fixture
def local(tmp_path: Path) -> dict[str, Path]:
    marker = tmp_path / "marker"
    (tmp_path / "play.yml").write_text(PLAY)
    (tmp_path / "hosts.yml").write_text(
        json.dumps({"all": {"hosts": {"localhost": {
            "ansible_connection": "local", "ansible_python_interpreter": sys.executable, "marker_file": str(marker)}}}})
    )  # fmt: skip
    return {"dir": tmp_path, "marker": marker, "ledger": tmp_path / "ledger.jsonl"}


def drift(dengbao_cmd: list[str], local: dict[str, Path], name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI_", "GITLAB_", "DENGBAO_"))}
    return subprocess.run(
        [*dengbao_cmd, "drift", "-i", str(local["dir"] / "hosts.yml"), "--playbook", str(local["dir"] / "play.yml"),
         "--ledger", str(local["ledger"]), "--runs", str(local["dir"] / "runs"),
         "-o", str(local["dir"] / name), *extra],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def test_drift_names_the_task_since_the_last_apply_and_changes_nothing(local, dengbao_cmd, repo):
    missing = drift(dengbao_cmd, local, "d1", "--format", "json")
    assert missing.returncode == 1, missing.stderr
    document = json.loads(missing.stdout)
    assert document["verdict"] == "drift" and document["drifted_hosts"] == ["localhost"]
    [task] = document["tasks"]
    assert task["task"] == "Keep the marker" and task["last_apply"] is None
    assert not local["marker"].exists(), "check mode changed nothing"
    assert "only" in document["scan"]["note"] or "no scan" in document["scan"]["note"]

    applied = subprocess.run(
        ["bash", str(repo / "scripts" / "apply"), "-i", str(local["dir"] / "hosts.yml"),
         str(local["dir"] / "play.yml")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "DENGBAO_LEDGER": str(local["ledger"])},
    )  # fmt: skip
    assert applied.returncode == 0, applied.stdout[-2000:]
    clean = drift(dengbao_cmd, local, "d2")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.startswith("无漂移 / no drift: 0 task(s) on 0 host(s)")

    local["marker"].write_text("edited by hand\n")
    edited = drift(dengbao_cmd, local, "d3", "--format", "markdown")
    assert edited.returncode == 1
    assert local["marker"].read_text() == "edited by hand\n"
    row = next(line for line in edited.stdout.splitlines() if line.startswith("| localhost |"))
    assert f"{local['marker']} (+1 -1)" in row and "last applied in ledger record 1 at" in row
    stored = json.loads((local["dir"] / "d3" / "drift.json").read_text())
    assert stored["tasks"][0]["last_apply"]["seq"] == 1 and stored["ledger"]["chain_intact"] is True
    verified = subprocess.run(
        [*dengbao_cmd, "evidence", "verify", str(local["dir"] / "d3")], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_an_unreachable_host_is_an_error_never_no_drift(local, dengbao_cmd):
    (local["dir"] / "hosts.yml").write_text(
        json.dumps({"all": {"hosts": {"gone": {
            "ansible_host": "192.0.2.1", "ansible_ssh_common_args": "-o ConnectTimeout=2",
            "marker_file": str(local["marker"])}}}})
    )  # fmt: skip
    done = drift(dengbao_cmd, local, "d1")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "检查未完成 / the check did not finish" in done.stdout and "未完成 not checked: gone:" in done.stdout


def test_bad_input_is_refused_before_anything_runs(local, dengbao_cmd):
    done = subprocess.run([*dengbao_cmd, "drift", "-i", str(local["dir"] / "none.yml")], capture_output=True, text=True)
    assert done.returncode == 2 and "no inventory at" in done.stderr
    done = drift(dengbao_cmd, local, "d1", "--playbook", str(local["dir"] / "missing.yml"))
    assert done.returncode == 2 and "no playbook at" in done.stderr
    assert not (local["dir"] / "d1").exists()


def test_a_drifted_task_carries_the_clauses_of_the_checks_its_role_puts_right():
    checks = all_checks()
    sshd = {c.id for c in remediated_by(checks, "sshd", [])}
    assert {"linux.ssh_root_login", "linux.management_access_restricted"} <= sshd
    assert "linux.audit_rules" not in sshd
    assert {c.id for c in remediated_by(checks, "audit", ["audit_rules"])} == {"linux.audit_rules"}
    check = {
        "playbook": "site.yml", "inventory": [], "limit": "", "started": "t0", "ended": "t1", "result": "ok",
        "hosts": {"h": {}}, "failures": [],
        "changes": [
            {"host": "h", "task": "Install sshd_config", "role": "sshd", "action": "template", "tags": [], "diff": []}
        ],
    }  # fmt: skip
    document = drift_document(check, checks, [], None, "no scans")
    assert "8.1.4.4 c)" in document["tasks"][0]["clauses"] and document["verdict"] == "drift"
    finding = ItemRecord(
        "h", "linux", ["his"], "8.1.4.1 a)", 3, None, "8.1.4", "安全计算环境", "computing", "8.1.4.1", "身份鉴别",
        "identification", None, "…", "…", "fail", "不符合", None, True, ["linux.password_complexity"],
        "why", "原因", None,
    )  # fmt: skip
    comparison = Comparison("a", "b", new_findings=[finding])
    assert drift_document(check | {"changes": []}, checks, [], comparison)["verdict"] == "drift"
    assert drift_document(check | {"changes": []}, checks, [], Comparison("a", "b"))["verdict"] == "no_drift"


def test_two_real_scans_are_compared(local, dengbao_cmd, tmp_path):
    runs = local["dir"] / "runs"
    for name in ("s1", "s2"):
        scanned = subprocess.run([*dengbao_cmd, "scan", "--report", "none", "-o", str(runs / name), "--no-progress"],
                                 capture_output=True, text=True, timeout=300)  # fmt: skip
        assert scanned.returncode in (0, 1), scanned.stderr
    local["marker"].write_text("declared\n")
    local["marker"].chmod(0o644)
    done = drift(dengbao_cmd, local, "d1", "--format", "json")
    document = json.loads(done.stdout)
    assert document["scan"]["before"] == "s1" and document["scan"]["after"] == "s2"
    assert document["scan"]["new_findings"] == [] and done.returncode == 0, done.stdout[-2000:]
