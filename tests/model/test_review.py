"""`dengbao review --base REF` on a throw-away git copy of the model: a change to one zone's SSH policy
lists exactly that zone's hosts and the SSH clauses, waivers added and expiring are listed, the Code
Quality report points at the changed line, and bad input (unknown base, uncommitted or invalid model)
exits 2."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from broken_cases import waiver

from compliance.model.host_policy import repository

DMZ_OVERRIDE = "  - when: {zone: dmz}\n    settings:\n      max_auth_tries: 3\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)  # fmt: skip


def review(dengbao_cmd: list[str], root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*dengbao_cmd, "review", *args], cwd=root, capture_output=True, text=True, timeout=120)


@pytest.fixture
def committed(model_copy: Path) -> Path:
    git(model_copy, "init", "-q")
    git(model_copy, "add", "-A")
    git(model_copy, "commit", "-qm", "base")
    return model_copy


def test_one_zones_ssh_change_lists_that_zones_hosts_and_the_ssh_clauses(committed, dengbao_cmd, tmp_path):
    policy = committed / "policies" / "ssh.yml"
    text = policy.read_text()
    policy.write_text(text.replace("overrides:\n", "overrides:\n" + DMZ_OVERRIDE, 1))
    git(committed, "commit", "-qam", "dmz: fewer SSH tries")
    report = tmp_path / "gl-code-quality-report.json"
    done = review(dengbao_cmd, committed, "--base", "HEAD~1", "--format", "json", "--code-quality", str(report))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    dmz = sorted(
        h for h, body in repository(committed).inventories["example-hospital"].hosts.items() if body.zone == "dmz"
    )
    assert dmz and sorted(h["host"] for h in document["hosts"]) == dmz
    assert {t for h in document["hosts"] for t in h["topics"]} == {"ssh"}
    assert "linux.ssh_login_limits" in document["checks"] and "8.1.4.1 b)" in document["clauses"]
    assert not any(c.startswith("8.1.4.3") for c in document["clauses"]), "audit clauses are not touched"
    assert document["keys"] == ["ssh.max_auth_tries"]
    assert document["roles"] == ["sshd"], "baseline reads the banner only"
    assert document["checks"] == ["linux.ssh_login_limits"], "the one check whose expected values name the key"
    [entry] = json.loads(report.read_text())
    changed_line = text.splitlines().index("overrides:") + 2
    assert entry["location"] == {"path": "policies/ssh.yml", "lines": {"begin": changed_line}}
    assert entry["severity"] == "info" and f"{len(dmz)} host(s)" in entry["description"]


def test_waivers_added_and_expiring_are_listed(committed, dengbao_cmd, tmp_path):
    waivers = committed / "policies" / "waivers"
    soon = date.today() + timedelta(days=10)
    (waivers / "w-soon.yml").write_text(waiver(expires=soon).replace("W-TEST", "W-SOON"))
    git(committed, "add", "-A")
    git(committed, "commit", "-qm", "a waiver")
    base = subprocess.run(["git", "-C", str(committed), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    (waivers / "w-new.yml").write_text(waiver(expires=date.today() + timedelta(days=200)).replace("W-TEST", "W-NEW"))
    git(committed, "add", "-A")
    git(committed, "commit", "-qm", "another waiver")
    report = tmp_path / "cq.json"
    done = review(dengbao_cmd, committed, "--base", base.strip(), "--code-quality", str(report))
    assert done.returncode == 0, done.stderr
    assert "- added 新增: W-NEW (8.1.4.5 a))" in done.stdout
    assert f"- expiring 即将到期: W-SOON on {soon}" in done.stdout
    assert "**0 host(s) / 台主机**" in done.stdout
    entries = {e["check_name"]: e for e in json.loads(report.read_text())}
    assert entries["dengbao.review.waiver"]["location"]["path"] == "policies/waivers/w-new.yml"
    assert entries["dengbao.review.waiver_expiring"]["severity"] == "minor"


def test_records_added_changed_and_removed_are_listed_with_the_items_they_move(committed, dengbao_cmd):
    records = committed / "records" / "example-hospital"
    drill = records / "drill" / "drill-2026-06-his-db-failover.yml"
    drill.write_text(
        drill.read_text(encoding="utf-8").replace("participants: 14", "participants: 15"), encoding="utf-8"
    )
    (records / "meeting" / "meeting-2026-09.yml").unlink()
    git(committed, "add", "-A")
    git(committed, "commit", "-qm", "records")
    done = review(dengbao_cmd, committed, "--base", "HEAD~1", "--format", "json")
    assert done.returncode == 0, done.stderr
    changes = {(r["status"], r["id"]): r["items"] for r in json.loads(done.stdout)["records"]}
    assert changes == {
        ("changed", "drill-2026-06-his-db-failover"): ["8.1.10.13 c)"],
        ("removed", "meeting-2026-09"): ["8.1.7.4 a)"],
    }
    text = review(dengbao_cmd, committed, "--base", "HEAD~1").stdout
    assert "- removed 移除: example-hospital/meeting-2026-09 (meeting, 2026-09-05), items 测评项: 8.1.7.4 a)" in text


def test_bad_input_exits_2_and_names_the_reason(committed, dengbao_cmd, tmp_path):
    unknown = review(dengbao_cmd, committed, "--base", "no-such-branch")
    assert unknown.returncode == 2 and "names no commit here" in unknown.stderr

    policy = committed / "policies" / "ssh.yml"
    policy.write_text(policy.read_text().replace("max_auth_tries: 4", "max_auth_tries: 40"))
    uncommitted = review(dengbao_cmd, committed, "--base", "HEAD")
    assert uncommitted.returncode == 2 and "uncommitted changes to the model (M policies/ssh.yml)" in uncommitted.stderr

    git(committed, "commit", "-qam", "too many tries")
    report = tmp_path / "cq.json"
    invalid = review(dengbao_cmd, committed, "--base", "HEAD~1", "--code-quality", str(report))
    assert invalid.returncode == 2 and "校验未通过 / The model does not validate" in invalid.stdout
    majors = [e for e in json.loads(report.read_text()) if e["severity"] == "major"]
    assert majors and majors[0]["location"]["path"] == "policies/ssh.yml"


def test_check_on_an_inventory_without_the_affected_hosts_says_so(committed, dengbao_cmd, tmp_path):
    policy = committed / "policies" / "ssh.yml"
    policy.write_text(policy.read_text().replace("overrides:\n", "overrides:\n" + DMZ_OVERRIDE, 1))
    git(committed, "commit", "-qam", "dmz: fewer SSH tries")
    elsewhere = tmp_path / "elsewhere.yml"
    elsewhere.write_text("all:\n  hosts:\n    nobody: {ansible_connection: local}\n")
    done = review(dengbao_cmd, committed, "--base", "HEAD~1", "--check-on", str(elsewhere))
    assert done.returncode == 0, done.stderr
    assert f"### 检查模式 / Check mode on `{elsewhere}`" in done.stdout
    assert "none of the affected hosts is in this inventory" in done.stdout
    missing = review(dengbao_cmd, committed, "--base", "HEAD~1", "--check-on", str(tmp_path / "none.yml"))
    assert missing.returncode == 2 and "no inventory at" in missing.stderr
