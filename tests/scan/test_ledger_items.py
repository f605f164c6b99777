"""The change ledger as evidence for 8.1.10.10 b), 8.1.10.6 e) and g), per system: an intact chain with
records for the system's hosts is 部分符合 naming what the evaluator must still see; an altered chain fails
8.1.10.6 g); no ledger, or no record for the system's hosts, leaves the items manual. The summary is stored
in the run and a re-judged run reads it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.evidence.redact import Redactor
from compliance.evidence.store import write_run
from compliance.evidence.stored import load_stored_evidence
from compliance.evidence.trust import Trust
from compliance.ledger import append
from compliance.results.model import ScanRun
from compliance.results.verdicts import Verdict
from compliance.scan.evaluate import evaluate_system
from compliance.scan.ledger_items import LEDGER_FILE, LEDGER_ITEMS, ledger_evidence

HIS_HOSTS = {"his-app-01", "his-db-01"}


def record(host: str, **extra: object) -> dict:
    return {
        "kind": "apply",
        "who": "li.na",
        "merge_request": "",
        "pipeline": "https://gitlab.hospital.example/xxzx/dengbao/-/pipelines/7",
        "commit": "c0ffee" * 6 + "c0ff",
        "uncommitted_changes": False,
        "hosts": {host: {"changed": 1}},
        "changes": [{"host": host, "task": "Install the hardened settings", "role": "sshd"}],
        "result": "ok",
        "started": "2026-12-01T02:00:00+00:00",
        "ended": "2026-12-01T02:03:00+00:00",
        **extra,
    }


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "changes.jsonl"
    append(path, record("his-app-01"))
    append(path, record("pacs-app-01"))
    append(path, record("his-db-01", pipeline="", who="zhang.wei", uncommitted_changes=True))
    return path


def ledger_rows(evidence: dict | None, level: int = 3, hosts: set[str] = HIS_HOSTS) -> dict[str, tuple[Verdict, str]]:
    rows = evaluate_system("his", level, evidence, hosts)
    return {row.item.id: (row.verdict, row.reason_en + " || " + row.reason_zh) for row in rows}


def test_an_intact_ledger_with_the_systems_records_is_partial_naming_what_is_still_to_see(ledger):
    rows = ledger_rows(ledger_evidence(ledger))
    for item in LEDGER_ITEMS:
        verdict, reason = rows[item]
        assert verdict is Verdict.PARTIAL, item
        assert "2 apply run(s) on record" in reason and "chain intact" in reason, "pacs-app-01's record is not his"
        assert "latest: record 3" in reason and "zhang.wei" in reason and "The evaluator must still see" in reason
        assert "run by hand, not from the pipeline: record(s) 3" in reason
        assert "applied uncommitted edits (never reviewed): record(s) 3" in reason
        assert "测评仍需查看" in reason
    assert "approval of each change" in rows["8.1.10.6 g)"][1]
    assert rows["8.1.10.10 a)"][0] is Verdict.MANUAL, "a change plan's review is not in the ledger"


def test_an_altered_ledger_fails_the_unalterable_audit_log(ledger, tmp_path):
    lines = ledger.read_text().splitlines()
    edited = json.loads(lines[0])
    edited["who"] = "somebody.else"
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join([json.dumps(edited, sort_keys=True), *lines[1:]]) + "\n")
    rows = ledger_rows(ledger_evidence(tampered))
    verdict, reason = rows["8.1.10.6 g)"]
    assert verdict is Verdict.FAIL and "the change ledger was altered" in reason and "line 1" in reason
    assert "变更台账被改动" in reason
    assert rows["8.1.10.10 b)"][0] is Verdict.PARTIAL and "its chain broken" in rows["8.1.10.10 b)"][1]


def test_no_ledger_or_no_record_for_the_system_leaves_the_items_manual(ledger, tmp_path):
    for evidence, hosts in ((ledger_evidence(tmp_path / "none.jsonl"), HIS_HOSTS), (None, HIS_HOSTS)):
        rows = ledger_rows(evidence, hosts=hosts)
        assert {rows[item][0] for item in LEDGER_ITEMS} == {Verdict.MANUAL}
    rows = ledger_rows(ledger_evidence(ledger), hosts={"lis-app-01"})
    assert {rows[item][0] for item in LEDGER_ITEMS} == {Verdict.MANUAL}


def test_at_level_2_only_the_operations_log_item_has_a_twin(ledger):
    rows = ledger_rows(ledger_evidence(ledger), level=2)
    assert rows["7.1.10.6 e)"][0] is Verdict.PARTIAL
    assert not any(item.startswith("7.1.10.10") and verdict is Verdict.PARTIAL for item, (verdict, _) in rows.items())


def test_an_unreadable_ledger_is_an_error_and_garbled_bytes_break_the_chain(ledger, tmp_path):
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    assert {ledger_rows(ledger_evidence(folder))[item][0] for item in LEDGER_ITEMS} == {Verdict.ERROR}
    garbled = tmp_path / "garbled.jsonl"
    garbled.write_bytes(ledger.read_bytes().replace(b"li.na", b"li.\xffa", 1))
    rows = ledger_rows(ledger_evidence(garbled))
    assert rows["8.1.10.6 g)"][0] is Verdict.FAIL and "altered after it was written" in rows["8.1.10.6 g)"][1]


def test_the_summary_is_stored_in_the_run_and_read_back_when_judged_again(ledger, tmp_path):
    evidence = ledger_evidence(ledger)
    run = ScanRun(started="2026-12-03T00:00:00+00:00", change_ledger=evidence)
    directory = tmp_path / "run"
    write_run(run, directory, "summary\n", None, Redactor.from_policy([]))
    stored = json.loads((directory / LEDGER_FILE).read_text())
    assert [r["seq"] for r in stored["records"]] == [1, 2, 3] and "changes" not in stored["records"][0]
    provenance = json.loads((directory / "provenance.json").read_text())["change_ledger"]
    assert provenance["records"] == 3 and provenance["last"]["hash"] == stored["records"][-1]["hash"]
    assert load_stored_evidence(directory, Trust.from_policy({"trusted_keys": []})).change_ledger == stored
