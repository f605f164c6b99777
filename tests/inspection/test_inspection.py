"""The daily inspection without lab hosts: its items judged again on what real lab hosts printed (fixtures
recorded by test_inspection_lab.py), its parsers on the edge cases real hosts print, its exit codes, and
the command on this machine."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from lab_scan import scenario_host_vars

from compliance.inspect.items import inspect_facts
from compliance.inspect.run import HostInspection, InspectionRun
from compliance.inspect.status import Status, against
from compliance.kinds.collection import stored_collection
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.health import (
    HealthOutputError,
    parse_audit_failures,
    parse_clock_sync,
    parse_filesystems,
    parse_log_errors,
    parse_memory,
    parse_postgresql,
    parse_services,
)
from compliance.kinds.target import Target
from compliance.model.host_policy import policy_for_host

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.json"))
HOST = "insp-01"


def _fixture(path: Path) -> tuple[dict, HostFacts]:
    fixture = json.loads(path.read_text())
    return fixture, HostFacts(stored_collection(fixture["host_clock_utc"], fixture["probes"]))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_recorded_lab_evidence_is_judged_again_to_the_same_statuses(repo, path):
    fixture, facts = _fixture(path)
    policy = policy_for_host(repo, HOST, scenario_host_vars(fixture["address"])).settings
    judged = {item.id: item.status.value for item in inspect_facts(facts, policy, HOST)}
    assert judged == fixture["statuses"]


def test_the_fixtures_show_each_induced_problem_red_then_green():
    statuses = {path.stem: json.loads(path.read_text())["statuses"] for path in FIXTURES}
    for item in ("disk:/srv/data", "service:rsyslog", "backup", "log_errors", "db:connections", "certificate:5432"):
        assert (statuses["broken"][item], statuses["fixed"][item]) == ("red", "green"), item


def test_a_stricter_threshold_in_the_policy_turns_a_green_disk_amber(repo):
    fixture, facts = _fixture(Path(__file__).parent / "fixtures" / "fixed.json")
    policy = policy_for_host(repo, HOST, scenario_host_vars(fixture["address"])).settings
    root_use = next(fs.used_percent for fs in facts.filesystems if fs.mount == "/")
    strict = {**policy, "inspection": {**policy["inspection"], "disk_used_percent": {"amber": 1, "red": 100}}}
    items = {item.id: item for item in inspect_facts(facts, strict, HOST)}
    assert root_use >= 1 and items["disk:/"].status is Status.AMBER


def test_an_unreadable_probe_is_an_error_item_never_a_verdict(repo):
    fixture, _ = _fixture(Path(__file__).parent / "fixtures" / "fixed.json")
    probes = {**fixture["probes"], "memory": {**fixture["probes"]["memory"], "output": "MemTotal: lots"}}
    facts = HostFacts(stored_collection(fixture["host_clock_utc"], probes))
    policy = policy_for_host(repo, HOST, scenario_host_vars(fixture["address"])).settings
    items = {item.id: item for item in inspect_facts(facts, policy, HOST)}
    assert items["memory"].status is Status.ERROR
    assert "MemTotal" in items["memory"].note_en and items["memory"].probes == ("memory",)
    del probes["postgresql"]
    facts = HostFacts(stored_collection(fixture["host_clock_utc"], probes))
    items = {item.id: item for item in inspect_facts(facts, policy, HOST)}
    assert items["database"].status is Status.ERROR and "missing probe postgresql" in items["database"].note_en


def test_thresholds_are_inclusive():
    threshold = {"amber": 80, "red": 90}
    assert [against(v, threshold) for v in (79, 80, 89, 90)] == [
        Status.GREEN, Status.AMBER, Status.AMBER, Status.RED,
    ]  # fmt: skip


def test_df_rows_keep_mount_points_with_spaces_and_drop_pseudo_file_systems():
    output = (
        "Filesystem Type 1-blocks Used Available Capacity Mounted on\n"
        "/dev/sda1 ext4 1000 900 50 95% /\n"
        "/dev/sdb1 xfs 2000 100 1900 5% /srv/pacs images\n"
        "devtmpfs devtmpfs 10 0 10 0% /dev\n"
        "tmpfs tmpfs 10 1 9 10% /run\n"
        "/dev/sdc1 btrfs 500 100 400 20% /var/lib/pgsql\n"
        "df: /mnt/nfs: Stale file handle\n"
        "--inodes\n"
        "Filesystem Inodes IUsed IFree IUse% Mounted on\n"
        "/dev/sda1 100 95 5 95% /\n"
        "/dev/sdb1 200 2 198 1% /srv/pacs images\n"
        "/dev/sdc1 0 0 0 - /var/lib/pgsql\n"
    )
    found = {fs.mount: fs for fs in parse_filesystems(output)}
    assert list(found) == ["/", "/srv/pacs images", "/var/lib/pgsql"]
    assert found["/"].used_percent == 95 and found["/"].inodes_used_percent == 95
    assert found["/srv/pacs images"].inodes == 200
    assert found["/var/lib/pgsql"].inodes_used_percent is None, "btrfs has no fixed inode table"
    with pytest.raises(HealthOutputError):
        parse_filesystems("df: cannot read table of mounted file systems\n--inodes\n")


def test_parsers_refuse_what_they_cannot_read():
    with pytest.raises(HealthOutputError):
        parse_memory("SwapTotal: 0 kB\n")
    with pytest.raises(HealthOutputError, match="not been booted with systemd"):
        parse_services("System has not been booted with systemd as init system (PID 1). Can't operate.\n")
    with pytest.raises(HealthOutputError):
        parse_log_errors("")


def test_log_error_groups_are_most_frequent_first():
    errors = parse_log_errors("total 12\ngroup 2 kernel: EXT4-fs error\ngroup 10 his: queue stalled 7\n")
    assert errors.total == 12 and errors.groups[0] == (10, "his: queue stalled 7")


def test_chrony_offsets_are_signed():
    fast = parse_clock_sync(
        "NTPSynchronized=yes\nReference ID    : 0A0A5A0E (ntp-01)\n"
        "System time     : 0.001200 seconds fast of NTP time\nLeap status     : Normal\n"
    )
    slow = parse_clock_sync("System time     : 2.5 seconds slow of NTP time\n")
    assert (fast.offset_ms, fast.synchronised, fast.leap_status) == (1.2, True, "Normal")
    assert slow.offset_ms == -2500.0 and slow.synchronised is None


def test_postgresql_absent_down_and_standby():
    assert parse_postgresql("absent").installed is False
    down = parse_postgresql("error psql: error: connection to server on socket failed\n")
    assert down.installed and not down.answering and "connection to server" in (down.error or "")
    standby = parse_postgresql(
        "server|15.20|/var/lib/postgresql/15/main|200|12|t\nstandby|42.5\ndatabase|his|1048576\n"
        "Filesystem Type 1-blocks Used Available Capacity Mounted on\n"
        "/dev/vdb ext4 1000 800 200 80% /var/lib/postgresql\n"
    )
    assert standby.in_recovery and standby.replay_lag_seconds == 42.5 and standby.connections == 12
    assert standby.data_filesystem is not None and standby.data_filesystem.used_percent == 80


def _host(status: str, items: list[Status]) -> HostInspection:
    from compliance.inspect.items import Item

    target = Target("h", "linux", 3, "app", (), "ssh")
    host = HostInspection(target, status, None if status == "collected" else "no answer", None, None)
    host.items = [Item(f"i{n}", "项", "item", s, "v") for n, s in enumerate(items)]
    return host


@pytest.mark.parametrize(
    ("hosts", "code"),
    [
        ([_host("collected", [Status.GREEN, Status.NOT_APPLICABLE])], 0),
        ([_host("collected", [Status.GREEN, Status.AMBER])], 1),
        ([_host("collected", [Status.GREEN]), _host("unreachable", [])], 1),
        ([_host("collected", [Status.RED, Status.ERROR])], 2),
        ([_host("error", [])], 2),
    ],
    ids=["all-green", "amber", "unreachable", "unreadable-item", "collector-error"],
)
def test_exit_codes(hosts, code):
    run = InspectionRun("2026-12-03T08:00:00+00:00", None, {}, hosts)
    assert run.exit_code() == code


def test_inspecting_this_machine_keeps_a_sealed_run_with_both_reports(dengbao_cmd, tmp_path):
    run_dir = tmp_path / "today"
    result = subprocess.run([*dengbao_cmd, "inspect", "-o", str(run_dir)], capture_output=True, text=True,
                            timeout=300, check=False)  # fmt: skip
    document = json.loads((run_dir / "inspection.json").read_text())
    assert result.returncode == document["run"]["exit_code"] and result.returncode in (1, 2), result.stderr
    assert document["schema"] == "dengbao-inspection/1" and len(document["hosts"]) == 1
    assert {"inspection.md", "inspection.html", "manifest.json", "provenance.json", "summary.txt"} <= {
        p.name for p in run_dir.iterdir()
    }
    assert "日常巡检 daily inspection" in result.stdout and f"{run_dir}/inspection.html" in result.stdout
    verified = subprocess.run([*dengbao_cmd, "evidence", "verify", str(run_dir)], capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--report", "pdf"], "unknown report format pdf"),
        (["--limit", "his-*"], "--limit and --system need an inventory"),
        (["-i", "no-such-inventory"], "no such inventory"),
    ],
)
def test_bad_input_exits_2_and_says_why(dengbao_cmd, tmp_path, arguments, says):
    result = subprocess.run([*dengbao_cmd, "inspect", "-o", str(tmp_path / "run"), *arguments],
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert not (tmp_path / "run").exists(), "nothing is written for bad input"


def test_the_audit_probe_counts_the_last_days_failed_events_by_type(tmp_path):
    """The probe's own shell on an audit log with old and recent records, failed and not."""
    from compliance.kinds.linux.probes import AUDIT_FAILURES

    now = int(time.time())
    log = tmp_path / "audit.log"
    log.write_text(
        f'type=USER_LOGIN msg=audit({now - 60}.123:101): pid=4242 uid=0 acct="root" exe="/usr/sbin/sshd" res=failed\'\n'
        f'type=USER_LOGIN msg=audit({now - 120}.456:102): pid=4243 acct="root" exe="/usr/sbin/sshd" res=failed\'\n'
        f'type=SYSCALL msg=audit({now - 30}.001:103): arch=c000003e syscall=257 success=no exit=-13 comm="cat"\n'
        f"type=USER_LOGIN msg=audit({now - 90000}.000:90): pid=1 uid=0 res=failed'\n"
        f"type=USER_START msg=audit({now - 10}.000:104): pid=4244 uid=0 res=success'\n"
    )
    command = AUDIT_FAILURES.replace("/var/log/audit/audit.log", str(log))
    output = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=True).stdout
    failures = parse_audit_failures(output)
    assert (failures.present, failures.failed, failures.kinds) == (True, 3, (("USER_LOGIN", 2), ("SYSCALL", 1)))
    missing = subprocess.run(["sh", "-c", command.replace(str(log), str(tmp_path / "none"))], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    assert parse_audit_failures(missing).present is False


def test_a_port_no_access_rule_opens_is_amber_and_loopback_is_ignored(repo):
    fixture, _ = _fixture(Path(__file__).parent / "fixtures" / "fixed.json")
    listening = "\n".join(
        (
            "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*",
            "tcp LISTEN 0 244 127.0.0.1:5432 0.0.0.0:*",
            "tcp LISTEN 0 244 [::1]:5432 [::]:*",
            "udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*",
        )
    )
    policy = policy_for_host(repo, HOST, scenario_host_vars(fixture["address"])).settings
    for extra, expected in (("", Status.GREEN), ("\ntcp LISTEN 0 244 0.0.0.0:5432 0.0.0.0:*", Status.AMBER)):
        probes = {**fixture["probes"], "listening": {**fixture["probes"]["listening"], "output": listening + extra}}
        facts = HostFacts(stored_collection(fixture["host_clock_utc"], probes))
        item = {i.id: i for i in inspect_facts(facts, policy, HOST)}["listening"]
        assert item.status is expected, item
    assert "5432" in item.note_en and "no access rule opens" in item.note_en


def test_a_service_named_for_one_host_is_required_there_only(repo):
    fixture, facts = _fixture(Path(__file__).parent / "fixtures" / "fixed.json")
    policy = policy_for_host(repo, HOST, scenario_host_vars(fixture["address"])).settings
    mirror = policy["patching"]["mirror_host"]
    assert "service:apt-cacher-ng" not in {item.id for item in inspect_facts(facts, policy, HOST)}
    item = {i.id: i for i in inspect_facts(facts, policy, mirror)}["service:apt-cacher-ng"]
    assert item.status is Status.RED and "package_mirror" in item.en
