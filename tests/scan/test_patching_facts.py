"""linux.security_updates on the patching role's records: how long each fix has waited, holds, the
kernel, the last run; and the patch run's own decisions (window, changes, restarts).

The lab proves the same end to end (tests/test_site_playbook.py, molecule/patching); these cover the
cases a lab cannot reach in a test's time: a fix waiting for weeks, a failed run, a kernel awaiting a
reboot on a machine that is not a container, a record that cannot be read.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from compliance.checks import all_checks
from compliance.kinds.collection import Collection, ProbeResult
from compliance.kinds.linux.facts import HostFacts
from compliance.results.model import Verdict

REPO = Path(__file__).resolve().parents[2]
NOW = 1_800_000_000
DAY = 86_400
SETTINGS = yaml.safe_load((REPO / "policies" / "patching.yml").read_text())["settings"]
MAX_AGE = SETTINGS["security_update_max_age_days"]


def update(package: str, days: float, security: bool = True, held: bool = False) -> dict:
    return {
        "package": package,
        "installed": "1.0-1",
        "candidate": "1.0-1+deb12u1",
        "security": security,
        "origin": "Debian-Security bookworm-security deb.debian.org",
        "held": held,
        "first_seen": int(NOW - days * DAY),
    }


def probe_output(updates: list[dict] | None, *extra: str, index_days: float = 0.5) -> str:
    lines = [f"index {int(NOW - index_days * DAY)}"]
    if updates is not None:
        lines.append("record " + json.dumps({"recorded": NOW, "index_refreshed": NOW, "updates": updates}))
    lines.extend(extra)
    lines += ["runs 1", "kernel_running 6.1.0-28-amd64"]
    return "\n".join(lines) + "\n"


def run_check(check_id: str, output: str, held_packages: list[dict] | None = None, virtualization: str = "none"):
    collection = Collection(
        NOW,
        {
            "package_updates": ProbeResult("package_updates", "probe", output, 0),
            "virtualization": ProbeResult("virtualization", "systemd-detect-virt", virtualization, 0),
        },
    )
    settings = dict(SETTINGS, held_packages=held_packages or [])
    return all_checks()[check_id].function(HostFacts(collection), {"patching": settings})


def judge(output: str, held_packages: list[dict] | None = None, virtualization: str = "none"):
    return run_check("linux.security_updates", output, held_packages, virtualization)


def test_a_fix_within_the_allowed_time_passes_and_is_listed():
    outcome = judge(probe_output([update("libssl3", MAX_AGE - 1), update("vim", 90, security=False)]))
    assert outcome.verdict is Verdict.PASS
    assert outcome.observed["source"] == "record"
    assert outcome.observed["pending_security_updates"][0]["waiting_days"] == MAX_AGE - 1
    assert outcome.observed["pending_updates"] == 2


def test_a_fix_waiting_longer_than_the_policy_allows_fails():
    outcome = judge(probe_output([update("libssl3", MAX_AGE + 2)]))
    assert outcome.verdict is Verdict.FAIL
    assert f"waited {MAX_AGE + 2}.0 days (at most {MAX_AGE})" in outcome.reason_en
    assert "libssl3" in outcome.reason_zh


def test_an_undeclared_hold_on_a_fix_fails_at_once():
    outcome = judge(probe_output([update("libexpat1", 0, held=True)], "hold libexpat1"))
    assert outcome.verdict is Verdict.FAIL
    assert "hold the policy does not declare" in outcome.reason_en


def test_a_hold_the_policy_declares_is_partial_and_names_what_the_evaluator_must_see():
    held = [{"package": "tzdata", "reason": "HIS vendor certifies 2026b"}]
    outcome = judge(probe_output([update("tzdata", MAX_AGE + 30, held=True)], "hold tzdata"), held)
    assert outcome.verdict is Verdict.PARTIAL
    assert "tzdata (HIS vendor certifies 2026b)" in outcome.reason_en
    assert "risk assessment" in outcome.reason_en and "风险的评估记录" in outcome.reason_zh


def test_without_the_record_a_pending_fix_of_unknown_age_fails():
    inst = (
        "pending libssl3 Inst libssl3 [3.0.20-1~deb12u2]"
        " (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])"
    )
    outcome = judge(probe_output(None, inst))
    assert outcome.verdict is Verdict.FAIL
    assert outcome.observed["source"] == "simulation"
    assert "since an unknown date" in outcome.reason_en
    assert judge(probe_output(None)).verdict is Verdict.PASS


def test_a_stale_or_missing_index_fails():
    assert judge(probe_output([], index_days=MAX_AGE + 1)).verdict is Verdict.FAIL
    outcome = judge("runs 0\nkernel_running 6.1.0-28-amd64\n")
    assert outcome.verdict is Verdict.FAIL and "never refreshed" in outcome.reason_en


def test_a_failed_last_run_fails():
    run = {"run_id": "maintenance-window", "finished": "2026-11-29T02:10:00Z", "succeeded": False, "upgraded": []}
    outcome = judge(probe_output([], "last_run " + json.dumps(run)))
    assert outcome.verdict is Verdict.FAIL and "maintenance-window" in outcome.reason_en
    run["succeeded"] = True
    outcome = judge(probe_output([], "last_run " + json.dumps(run)))
    assert outcome.verdict is Verdict.PASS and outcome.observed["last_patch_run"]["run_id"] == "maintenance-window"


def test_a_kernel_awaiting_reboot_fails_after_the_allowed_time_but_not_in_a_container():
    newer = f"kernel_installed 6.1.0-30-amd64 {NOW - (MAX_AGE + 1) * DAY}"
    running = f"kernel_installed 6.1.0-28-amd64 {NOW - 200 * DAY}"
    outcome = judge(probe_output([], newer, running))
    assert outcome.verdict is Verdict.FAIL and "reboot is pending" in outcome.reason_en
    assert judge(probe_output([], newer, running), virtualization="systemd-nspawn").verdict is Verdict.PASS
    recent = f"kernel_installed 6.1.0-30-amd64 {NOW - DAY}"
    assert judge(probe_output([], recent, running)).verdict is Verdict.PASS


def test_a_record_that_cannot_be_read_is_an_error_not_a_fail():
    outcome = judge(f"index {NOW}\nrecord {{not json\nruns 0\n")
    assert outcome.verdict is Verdict.ERROR
    assert "not valid" in outcome.reason_en


def _patch_script():
    path = REPO / "roles" / "patching" / "files" / "dengbao-patch"
    loader = importlib.machinery.SourceFileLoader("dengbao_patch", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("dengbao_patch", loader))
    loader.exec_module(module)
    return module


WINDOW = {"weekday": "sun", "start": "23:00", "duration_minutes": 180}
CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (datetime(2026, 11, 29, 23, 0, tzinfo=CST), True),  # Sunday, the window opens
        (datetime(2026, 11, 30, 1, 59, tzinfo=CST), True),  # past midnight, still open
        (datetime(2026, 11, 30, 2, 0, tzinfo=CST), False),  # closed
        (datetime(2026, 11, 29, 22, 59, tzinfo=CST), False),  # not yet
        (datetime(2026, 12, 2, 23, 30, tzinfo=CST), False),  # a Wednesday
    ],
)
def test_the_run_knows_its_window_even_across_midnight(moment, inside):
    assert _patch_script().window_open(moment, WINDOW) is inside


def test_the_run_records_versions_from_and_to_and_restart_needs():
    script = _patch_script()
    changed = script.changes({"a": "1", "b": "2", "gone": "3"}, {"a": "1", "b": "2.1", "new": "1"})
    assert changed == {
        "upgraded": [{"package": "b", "from": "2", "to": "2.1"}],
        "installed": [{"package": "new", "version": "1"}],
        "removed": [{"package": "gone", "version": "3"}],
    }
    needs = script.restart_needs(
        "NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR: 6.1.0-28-amd64\nNEEDRESTART-KEXP: 6.1.0-30-amd64\n"
        "NEEDRESTART-KSTA: 3\nNEEDRESTART-SVC: ssh.service\n"
    )
    assert needs["kernel_upgrade_pending"] is True and needs["services_to_restart"] == ["ssh.service"]
    assert script.reboot_decision(needs, allowed=True, in_window=True, marker=False) == "scheduled"
    assert script.reboot_decision(needs, allowed=True, in_window=False, marker=False).startswith("needed; deferred")
    assert "does not allow" in script.reboot_decision(needs, allowed=False, in_window=True, marker=False)
    quiet = script.restart_needs("NEEDRESTART-KSTA: 1\n")
    assert script.reboot_decision(quiet, allowed=True, in_window=True, marker=False) == "not needed"
    assert script.reboot_decision(quiet, allowed=True, in_window=True, marker=True) == "scheduled"


def run_record(days_ago: float, succeeded: bool = True) -> str:
    finished = datetime.fromtimestamp(NOW - days_ago * DAY, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    upgraded = [{"package": "libexpat1", "from": "2.5.0-1+deb12u2", "to": "2.5.0-1+deb12u5"}]
    record = {"run_id": "maintenance-window", "finished": finished, "succeeded": succeeded, "upgraded": upgraded}
    return "last_run " + json.dumps(record)


def records(output: str):
    return run_check("linux.patch_records", output)


def test_a_recent_successful_run_on_record_meets_the_host_s_part_of_8_1_10_5_a():
    outcome = records(probe_output([], run_record(2)))
    assert outcome.verdict is Verdict.PASS
    assert outcome.observed["last_run"]["upgraded"][0] == {
        "package": "libexpat1",
        "from": "2.5.0-1+deb12u2",
        "to": "2.5.0-1+deb12u5",
    }
    # The item stays 部分符合 whatever the host shows: testing before production is in the records.
    assert "tested before production" in all_checks()["linux.patch_records"].partly["8.1.10.5 a)"][0]


def test_no_run_on_record_a_missed_window_or_a_failed_run_fails():
    assert records(probe_output([])).verdict is Verdict.FAIL  # nothing on record
    missed = records(probe_output([], run_record(10)))
    assert missed.verdict is Verdict.FAIL and "window's run is missing" in missed.reason_en
    failed = records(probe_output([], run_record(1, succeeded=False)))
    assert failed.verdict is Verdict.FAIL and "maintenance-window" in failed.reason_en
