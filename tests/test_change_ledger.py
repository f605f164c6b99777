"""The change ledger (8.1.10.10, 8.1.10.6): real ansible-playbook runs on this machine append
hash-chained records through the dengbao_runs callback; a check run appends nothing; an edited,
removed or reordered record is found by `dengbao ledger verify`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.cli import main as dengbao
from compliance.ledger import read

REPO = Path(__file__).resolve().parents[1]
PLAY = """\
- name: Ledger trial
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Write the marker
      ansible.builtin.copy:
        dest: "{{ playbook_dir }}/marker"
        content: "{{ marker }}\\n"
        mode: "0644"
    - name: Fail when asked
      ansible.builtin.fail:
        msg: the post-check failed
      when: fail_now | default(false) | bool
"""


def outside_ci() -> dict[str, str]:
    """This process's environment without what CI or an earlier run would add to a record."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CI_", "GITLAB_", "DENGBAO_"))}


def apply(work: Path, ledger: Path, marker: str, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    """ansible-playbook --diff with the repository's ansible.cfg, as scripts/apply runs it."""
    clean = outside_ci()
    return subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "--diff", "-i", "localhost,", str(work / "play.yml"),
         "-e", f"ansible_python_interpreter={sys.executable}", "-e", f"marker={marker}", *extra],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**clean, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "DENGBAO_LEDGER": str(ledger), **env},
    )  # fmt: skip


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """Four runs: a change from a clean commit through scripts/apply, a check run, a change from uncommitted work by CI
    for a merge request, and a failing run."""
    work = tmp_path_factory.mktemp("ledger")
    (work / "play.yml").write_text(PLAY)
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "play.yml"], check=True)
    subprocess.run([*git, "commit", "-qm", "play"], check=True)
    ledger = work / "ledger" / "changes.jsonl"
    by_hand = subprocess.run(
        ["bash", str(REPO / "scripts" / "apply"), "-i", "localhost,", str(work / "play.yml"),
         "-e", f"ansible_python_interpreter={sys.executable}", "-e", "marker=one"],
        capture_output=True, text=True, timeout=120,
        env={**outside_ci(), "DENGBAO_LEDGER": str(ledger), "DENGBAO_OPERATOR": "zhang.wei"},
    )  # fmt: skip
    assert by_hand.returncode == 0, by_hand.stderr
    assert apply(work, ledger, "two", "--check").returncode == 0
    (work / "play.yml").write_text(PLAY + "\n")
    ci = {"GITLAB_USER_LOGIN": "li.na", "CI_MERGE_REQUEST_IID": "42", "CI_COMMIT_SHA": "c0ffee" * 6 + "c0ff"}
    assert apply(work, ledger, "three", **ci).returncode == 0
    assert apply(work, ledger, "three", "-e", "fail_now=true").returncode != 0
    records, problems = read(ledger)
    assert problems == []
    return ledger, records


def test_each_apply_run_is_one_record_and_a_check_run_none(applied):
    _, records = applied
    assert [r["seq"] for r in records] == [1, 2, 3]
    first, by_ci, _ = records
    assert first["who"] == "zhang.wei" and first["merge_request"] == "" and first["result"] == "ok"
    head = subprocess.run(["git", "-C", str(Path(first["playbook"]).parent), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert first["commit"] == head and first["uncommitted_changes"] is False
    assert [(c["host"], c["task"]) for c in first["changes"]] == [("localhost", "Write the marker")]
    assert first["changes"][0]["diff"] == [
        {"file": str(Path(first["playbook"]).parent / "marker"), "lines_added": 1, "lines_removed": 0}
    ]
    assert by_ci["who"] == "li.na" and by_ci["merge_request"] == "42" and by_ci["commit"].startswith("c0ffee")
    assert by_ci["changes"][0]["diff"][0]["lines_removed"] == 1, "two → three: one line replaced"
    assert by_ci["previous"] == first["hash"]


def test_a_failed_run_is_recorded_with_what_failed(applied):
    failing = applied[1][2]
    assert failing["result"] == "failed" and failing["changes"] == []
    assert failing["failures"] == [
        {"host": "localhost", "task": "Fail when asked", "role": "", "action": "ansible.builtin.fail",
         "tags": [], "message": "the post-check failed"}
    ]  # fmt: skip
    assert failing["hosts"]["localhost"]["failures"] == 1


def test_an_uncommitted_playbook_is_marked_when_applied_by_hand(tmp_path):
    work = tmp_path
    (work / "play.yml").write_text(PLAY)
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "play.yml"], check=True)
    subprocess.run([*git, "commit", "-qm", "play"], check=True)
    (work / "play.yml").write_text(PLAY + "\n")
    assert apply(work, work / "ledger.jsonl", "x").returncode == 0
    assert read(work / "ledger.jsonl")[0][0]["uncommitted_changes"] is True


def test_the_ledger_is_inert_without_a_path(tmp_path):
    (tmp_path / "play.yml").write_text(PLAY)
    done = apply(tmp_path, tmp_path / "unused.jsonl", "x", DENGBAO_LEDGER="")
    assert done.returncode == 0 and "变更台账" not in done.stdout
    assert not (tmp_path / "unused.jsonl").exists()


def test_verify_finds_an_edited_a_removed_and_a_reordered_record(applied, tmp_path, capsys):
    ledger, _ = applied
    assert dengbao(["ledger", "verify", "--ledger", str(ledger)]) == 0
    lines = ledger.read_text().splitlines()

    edited = json.loads(lines[0]) | {"who": "someone.else"}
    (tmp_path / "edited.jsonl").write_text("\n".join([json.dumps(edited), *lines[1:]]) + "\n")
    capsys.readouterr()
    assert dengbao(["ledger", "verify", "--ledger", str(tmp_path / "edited.jsonl")]) == 1
    assert "edited.jsonl:1: 写入后被修改 / altered after it was written" in capsys.readouterr().err

    (tmp_path / "removed.jsonl").write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert dengbao(["ledger", "verify", "--ledger", str(tmp_path / "removed.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "removed.jsonl:2: 此处应为第 2 条，实为第 3 条 / record 3 where 2 was due" in err
    assert "removed.jsonl:2: 未链接到前一条记录" in err

    (tmp_path / "swapped.jsonl").write_text("\n".join([lines[1], lines[0], lines[2]]) + "\n")
    assert dengbao(["ledger", "verify", "--ledger", str(tmp_path / "swapped.jsonl")]) == 1


def test_show_lists_the_records_for_a_merge_request_comment(applied, capsys):
    ledger, _ = applied
    capsys.readouterr()
    assert dengbao(["ledger", "show", "--ledger", str(ledger), "--format", "markdown", "--last", "2"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("| # | ended 结束 | who 操作人")
    assert (
        rows[2].startswith("| 2 |")
        and "| li.na | !42 | c0ffeec0ff |" in rows[2]
        and "1 task(s) on localhost" in rows[2]
    )
    assert rows[3].startswith("| 3 |") and rows[3].endswith("| failed |")
    assert dengbao(["ledger", "show", "--ledger", str(ledger.parent / "none.jsonl")]) == 2


def test_a_scan_seals_the_ledgers_last_hash_into_its_evidence(applied, dengbao_cmd, tmp_path):
    """The scan's provenance names the ledger, its chain state and its last record: sealed into the run,
    that hash anchors the ledger's end, so records cut off later are missed against it."""
    ledger, records = applied
    run = tmp_path / "run"
    scanned = subprocess.run(
        [*dengbao_cmd, "scan", "--report", "none", "--no-progress", "-o", str(run)],
        env={**outside_ci(), "DENGBAO_LEDGER": str(ledger)}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert scanned.returncode in (0, 1), scanned.stderr
    cited = json.loads((run / "provenance.json").read_text())["change_ledger"]
    assert cited["records"] == 3 and cited["chain_intact"] is True
    assert cited["last"]["hash"] == records[-1]["hash"] and cited["last"]["result"] == "failed"

    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(ledger.read_text().splitlines(keepends=True)[:2]))
    assert read(cut)[1] == [], "records cut off the end leave a chain that holds by itself"
    assert read(cut)[0][-1]["hash"] != cited["last"]["hash"], "but no longer ends at the hash the run sealed"
