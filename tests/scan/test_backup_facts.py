"""linux.backup_local and linux.backup_offsite on the backup role's records, at both levels: what the
lab scenarios cannot reach in a test's time (a backup an hour too old at level 3 that level 2
accepts, a restore test past its interval) and records that cannot be read.

Real backups, restores and the refused delete are proven on lab hosts in molecule/backup.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from compliance.checks import all_checks
from compliance.kinds.collection import Collection, ProbeResult
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.backups import parse_backups
from compliance.model.policies import load_policies
from compliance.model.schedule import oncalendar
from compliance.results.model import Verdict

REPO = Path(__file__).resolve().parents[2]
NOW = 1_800_000_000
MINUTE = 60
POLICIES = load_policies(REPO / "policies", REPO)


def policy(level: int) -> dict:
    return POLICIES.effective(level, "core_db")


def stamp(minutes_ago: float) -> str:
    return datetime.fromtimestamp(NOW - minutes_ago * MINUTE, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def output(level: int, backup_minutes: float = 10, test_days: float = 1, **changes: object) -> str:
    backup = policy(level)["backup"]
    settings = {"host": "his-db-01", "target": backup["offsite_target_host"], "repository_display": "x"}
    run = {"finished": stamp(backup_minutes), "succeeded": True, "snapshot": "5c3f2a1b", "errors": []}
    test = {
        "finished": stamp(test_days * 1440),
        "passed": True,
        "append_only": {"refused": True, "server_responses": ["403 Forbidden (403)"]},
        "errors": [],
    }
    records = {"settings": settings, "last_backup": run, "last_successful_backup": run, "last_restore_test": test}
    for key, value in changes.items():
        records[key] = value
    lines = [f"{key} {json.dumps(value)}" for key, value in records.items() if value is not None]
    lines += ["runs 3", "restore_tests 1"]
    for timer, schedule in (("dengbao-backup", "schedule"), ("dengbao-restore-test", "restore_test_schedule")):
        lines.append(f"timer {timer} active {{ OnCalendar={oncalendar(backup[schedule])} ; next_elapse=x }}")
    return "\n".join(lines) + "\n"


def judge(check: str, level: int, text: str):
    collection = Collection(NOW, {"backups": ProbeResult("backups", "probe", text, 0)})
    return all_checks()[f"linux.{check}"].function(HostFacts(collection), policy(level))


@pytest.mark.parametrize("check", ["backup_local", "backup_offsite"])
def test_a_fresh_backup_and_a_recent_restore_test_pass_at_both_levels(check):
    for level in (2, 3):
        assert judge(check, level, output(level)).verdict is Verdict.PASS


@pytest.mark.parametrize("check", ["backup_local", "backup_offsite"])
def test_a_backup_three_hours_old_is_stale_at_level_3_and_current_at_level_2(check):
    assert judge(check, 3, output(3, backup_minutes=180)).verdict is Verdict.FAIL
    assert judge(check, 2, output(2, backup_minutes=180)).verdict is Verdict.PASS


@pytest.mark.parametrize("check", ["backup_local", "backup_offsite"])
def test_a_backup_age_is_judged_to_the_minute(check):
    # 90 minutes is within level 3's 2h; 150 minutes is not (a tenth of a day, 144 minutes, would say otherwise).
    assert judge(check, 3, output(3, backup_minutes=90)).verdict is Verdict.PASS
    outcome = judge(check, 3, output(3, backup_minutes=150))
    assert outcome.verdict is Verdict.FAIL and "150 minutes ago" in outcome.reason_en


def test_a_restore_test_older_than_the_interval_fails_backup_local():
    interval = policy(3)["backup"]["restore_test_interval_days"]
    outcome = judge("backup_local", 3, output(3, test_days=interval + 2))
    assert outcome.verdict is Verdict.FAIL
    assert f"more than the policy's {interval}" in outcome.reason_en


def test_no_proof_of_append_only_fails_backup_offsite_but_not_backup_local():
    text = output(3, last_restore_test={"finished": stamp(60), "passed": True, "errors": []})
    assert judge("backup_offsite", 3, text).verdict is Verdict.FAIL
    assert judge("backup_local", 3, text).verdict is Verdict.PASS


def test_a_host_without_the_backup_role_fails_both():
    text = "runs 0\nrestore_tests 0\ntimer dengbao-backup inactive \ntimer dengbao-restore-test inactive \n"
    for check in ("backup_local", "backup_offsite"):
        outcome = judge(check, 3, text)
        assert outcome.verdict is Verdict.FAIL and "backup role" in outcome.reason_en


def test_a_record_that_is_not_json_leaves_both_undecided():
    text = output(3).replace('last_backup {"finished"', 'last_backup {"finished', 1)
    assert parse_backups(text).unreadable == "last_backup"
    for check in ("backup_local", "backup_offsite"):
        assert judge(check, 3, text).verdict is Verdict.ERROR


def test_the_backup_host_itself_is_not_applicable_with_what_it_serves():
    server = {"clients": ["his-db-01", "his-app-01"], "keep": {"daily": 31}, "retention_years": 10}
    text = f"server_settings {json.dumps(server)}\nruns 0\nrestore_tests 0\n"
    assert parse_backups(text).is_backup_host
    for check in ("backup_local", "backup_offsite"):
        outcome = judge(check, 3, text)
        assert outcome.verdict is Verdict.NOT_APPLICABLE
        assert outcome.observed["backup_host_for"] == ["his-db-01", "his-app-01"]


def server_output(level: int, days: float = 1, **changes: object) -> str:
    backup = policy(level)["backup"]
    settings = {"clients": ["his-db-01"], "keep": backup["keep"], "retention_years": backup["retention_years"]}
    settings.update(changes)
    lines = [f"server_settings {json.dumps(settings)}"]
    for action in ("prune", "check"):
        record = {"finished": stamp(days * 1440), "succeeded": True}
        lines.append(f"server_record {action} his-db-01 {json.dumps(record)}")
    for timer, schedule in (
        ("dengbao-backup-prune", "prune_schedule"),
        ("dengbao-backup-check", "repository_check_schedule"),
    ):
        lines.append(f"timer {timer} active {{ OnCalendar={oncalendar(backup[schedule])} ; next_elapse=x }}")
    return "\n".join(lines) + "\n"


def test_the_backup_host_applying_the_policy_s_retention_passes():
    assert judge("backup_retention", 3, server_output(3)).verdict is Verdict.PASS


def test_a_shorter_retention_and_a_prune_not_run_for_weeks_fail():
    assert judge("backup_retention", 3, server_output(3, retention_years=5)).verdict is Verdict.FAIL
    outcome = judge("backup_retention", 3, server_output(3, days=20))
    assert outcome.verdict is Verdict.FAIL and "20.0 days ago" in outcome.reason_en


def test_a_server_has_its_retention_decided_on_the_backup_host():
    outcome = judge("backup_retention", 3, output(3))
    assert outcome.verdict is Verdict.NOT_APPLICABLE and "backup-01" in outcome.reason_en
