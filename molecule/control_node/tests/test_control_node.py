"""Verify the control node's nightly drift check and daily inspection on a real systemd: the timers run at
the policies' times, and runs started by systemd run this checkout's `dengbao drift` and `dengbao inspect`
against a server nobody has hardened, keep sealed runs, and leave the services failed with exit code 1;
the inspection's first line becomes the node's login message."""

import json
import os
import subprocess
from pathlib import Path

import yaml

from compliance.model.schedule import oncalendar

testinfra_hosts = ["ansible://mol-control"]

REPO = Path(__file__).resolve().parents[3]
SCHEDULES = {
    "dengbao-drift.timer": yaml.safe_load((REPO / "policies" / "operations.yml").read_text())["settings"][
        "drift_schedule"
    ],
    "dengbao-inspect.timer": yaml.safe_load((REPO / "policies" / "inspection.yml").read_text())["settings"]["schedule"],
}


def test_the_timers_run_at_the_policies_times(host):
    for name, schedule in SCHEDULES.items():
        timer = host.service(name)
        assert timer.is_enabled and timer.is_running, name
        calendar = host.check_output(f"systemctl show -P TimersCalendar {name}")
        assert f"OnCalendar={oncalendar(schedule)}" in calendar, name
        assert host.check_output(f"systemctl show -P NextElapseUSecRealtime {name}").strip()


def test_the_units_are_valid_for_systemd(host):
    units = " ".join(
        f"/etc/systemd/system/dengbao-{job}.{suffix}" for job in ("drift", "inspect") for suffix in ("service", "timer")
    )
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


def test_a_morning_inspection_finds_the_unhardened_server_red_and_says_so_at_login(host):
    started = host.run("systemctl start dengbao-inspect.service")
    assert started.rc != 0, "red items, so the one-shot service fails"
    shown = host.check_output("systemctl show -p Result -p ExecMainStatus dengbao-inspect.service")
    assert "Result=exit-code" in shown and "ExecMainStatus=1" in shown, shown
    document = json.loads(host.file("/var/lib/dengbao/inspections/latest/inspection.json").content_string)
    [target] = document["hosts"]
    assert target["name"] == "mol-drift-target" and target["status"] == "collected", target
    items = {item["id"]: item["status"] for item in target["items"]}
    assert items["service:rsyslog"] == "red" and items["backup"] == "red" and items["service:ssh"] == "green"
    assert host.file("/var/lib/dengbao/inspections/latest/manifest.json").exists, "the run is sealed"
    motd = host.file("/etc/motd.d/dengbao-inspection").content_string
    assert motd.startswith("日常巡检 daily inspection: 异常 red") and "inspection.html  (exit 1)" in motd


def test_an_engineer_logging_in_sees_the_mornings_result_first():
    """A new interactive SSH session (not the multiplexed one testinfra uses) prints the login message."""
    ssh_config = Path(os.environ.get("DENGBAO_LAB_STATE", "/var/lib/dengbao-lab")) / "ssh" / "config"
    login = subprocess.run(
        ["ssh", "-F", str(ssh_config), "-o", "ControlPath=none", "-o", "LogLevel=ERROR", "-tt", "mol-control"],
        input="exit\n", capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert "日常巡检 daily inspection: 异常 red" in login.stdout, login.stdout[-2000:]
