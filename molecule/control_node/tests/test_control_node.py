"""Verify the control node's nightly drift check on a real systemd: the timer runs at the policy's time,
and a run started by systemd runs this checkout's `dengbao drift` against a server nobody has hardened,
keeps a sealed run, and leaves the service failed with drift's exit code 1."""

import json
from pathlib import Path

import yaml

from compliance.model.schedule import oncalendar

testinfra_hosts = ["ansible://mol-control"]

REPO = Path(__file__).resolve().parents[3]
POLICY = yaml.safe_load((REPO / "policies" / "operations.yml").read_text())["settings"]


def test_the_timer_runs_at_the_policys_time(host):
    timer = host.service("dengbao-drift.timer")
    assert timer.is_enabled and timer.is_running
    calendar = host.check_output("systemctl show -P TimersCalendar dengbao-drift.timer")
    assert f"OnCalendar={oncalendar(POLICY['drift_schedule'])}" in calendar
    assert host.check_output("systemctl show -P NextElapseUSecRealtime dengbao-drift.timer").strip()


def test_the_units_are_valid_for_systemd(host):
    units = " ".join(f"/etc/systemd/system/dengbao-drift.{suffix}" for suffix in ("service", "timer"))
    verified = host.run(f"systemd-analyze verify {units}")
    assert verified.rc == 0, verified.stderr


def test_a_scheduled_run_finds_the_unhardened_server_and_fails_the_service(host):
    started = host.run("systemctl start dengbao-drift.service")
    assert started.rc != 0, "drift found, so the one-shot service fails"
    shown = host.check_output("systemctl show -p Result -p ExecMainStatus dengbao-drift.service")
    assert "Result=exit-code" in shown and "ExecMainStatus=1" in shown, shown
    document = json.loads(host.file("/var/lib/dengbao/drift/latest/drift.json").content_string)
    assert document["verdict"] == "drift" and document["drifted_hosts"] == ["mol-drift-target"]
    [settings] = [t for t in document["tasks"] if t["task"].startswith("Install the hardened settings")]
    assert settings["role"] == "sshd" and "8.1.4.1 b)" in settings["clauses"]
    assert host.file("/var/lib/dengbao/drift/latest/manifest.json").exists, "the run is sealed"
    journal = host.check_output("journalctl -u dengbao-drift.service --no-pager -o cat")
    assert "发现漂移 / drift" in journal
