"""Pushing intended configurations: the plan and its rollback, and pushes to simulated devices that take
configuration (tests/devices/fake_devices.py, ConfigurableShell) over real SSH sessions.

Each live case starts from the intended configuration with a drift written into it, the way a device
drifts: a dry run shows the change and leaves the device as it was; a push applies it and a second push
finds nothing to do; a push whose post-check fails, or that the device refuses part way, is rolled back
and the configuration read afterwards is the one saved before.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import dengbao_command
from fake_devices import PASSWORD, ConfigurableShell, device_target, free_ports, start_devices, write_inventory

from compliance.devices.push import Plan, differences, negate, plan_changes, plan_removals, push, setting_key
from compliance.kinds.network_device.config import parse_config
from compliance.model.host_policy import policy_for_host

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
FIXTURES = Path(__file__).resolve().parents[2] / "compliance" / "kinds" / "network_device" / "fixtures"
VRP = (FIXTURES / "huawei_vrp" / "intended-core-sw-01.cfg").read_text()
COMWARE = (FIXTURES / "h3c_comware" / "intended-acc-sw-office-01.cfg").read_text()
DRIFTED_VRP = VRP.replace("undo telnet server enable", "telnet server enable").replace(
    " idle-timeout 10 0", " idle-timeout 30 0"
)
IOS = (FIXTURES / "cisco_ios" / "intended-wan-rt-01.cfg").read_text()
DRIFTED_IOS = IOS.replace("transport input ssh", "transport input telnet ssh", 1).replace(
    "no ip http server", "ip http server"
)
# A rule the merge leaves in place: a push cannot make this device compliant, so its post-check fails.
OPEN_COMWARE = COMWARE.replace(" rule 5 permit source", " rule 1 permit source any\n rule 5 permit source").replace(
    " idle-timeout 10 0", " idle-timeout 30 0"
)


def test_a_plan_replaces_a_setting_in_its_section_and_its_rollback_sends_the_old_line_back():
    plan = plan_changes(parse_config("huawei_vrp", DRIFTED_VRP), parse_config("huawei_vrp", VRP))
    assert [(c.section, c.line, c.replaces) for c in plan.changes] == [
        ((), "undo telnet server enable", "telnet server enable"),
        (("user-interface con 0",), "idle-timeout 10 0", "idle-timeout 30 0"),
        (("user-interface vty 0 4",), "idle-timeout 10 0", "idle-timeout 30 0"),
    ]
    assert plan.commands()[:4] == ["undo telnet server enable", "user-interface con 0", "idle-timeout 10 0", "quit"]
    assert plan.rollback()[:3] == ["user-interface vty 0 4", "idle-timeout 30 0", "quit"]
    assert plan.rollback(1) == ["telnet server enable"]
    assert not plan_changes(parse_config("huawei_vrp", VRP), parse_config("huawei_vrp", VRP)).changes


def test_a_new_line_is_rolled_back_by_its_negation_and_a_new_section_by_removing_it():
    running = parse_config("cisco_ios", "hostname r1\n!\nend\n")
    intended = parse_config(
        "cisco_ios",
        "hostname r1\nntp server 10.10.90.14\nip access-list standard MGMT\n permit 10.10.90.0 0.0.0.255\nend\n",
    )
    plan = plan_changes(running, intended)
    assert plan.rollback() == [
        "ip access-list standard MGMT",
        "no permit 10.10.90.0 0.0.0.255",
        "exit",
        "no ip access-list standard MGMT",
        "no ntp server 10.10.90.14",
    ]
    assert negate("huawei_vrp", "undo ftp server enable") == "ftp server enable"
    assert setting_key("huawei_vrp", "undo telnet server enable") == setting_key("huawei_vrp", "telnet server enable")
    assert setting_key("h3c_comware", "rule 5 permit source any") == ("rule", "5")


def test_a_removal_takes_a_rule_out_by_its_number_and_its_rollback_sends_the_line_back():
    vrp = Plan("huawei_vrp", plan_removals("huawei_vrp", [(("acl number 2000",), "rule 1 permit source any")]))
    assert vrp.commands() == ["acl number 2000", "undo rule 1", "quit"]
    assert vrp.rollback() == ["acl number 2000", "rule 1 permit source any", "quit"]
    assert vrp.changes[0].shown() == "acl number 2000 > - rule 1 permit source any   (undo rule 1)"
    ios = Plan("cisco_ios", plan_removals("cisco_ios", [(("ip access-list extended X",), "permit ip any any")]))
    assert ios.commands() == ["ip access-list extended X", "no permit ip any any", "exit"]


def test_differences_name_each_line_with_its_section():
    before = parse_config("huawei_vrp", VRP)
    assert differences(before, before) == []
    assert differences(before, parse_config("huawei_vrp", DRIFTED_VRP)) == [
        "- undo telnet server enable",
        "- user-interface con 0 > idle-timeout 10 0",
        "- user-interface vty 0 4 > idle-timeout 10 0",
        "+ telnet server enable",
        "+ user-interface con 0 > idle-timeout 30 0",
        "+ user-interface vty 0 4 > idle-timeout 30 0",
    ]


@pytest.fixture
def device(tmp_path):
    """Start one configurable simulated device: (name, platform, text) → its target."""
    started = []

    def start(name: str, platform: str, text: str, refused: tuple[str, ...] = ()):
        config = tmp_path / f"{name}.cfg"
        config.write_text(text)
        (port,) = free_ports(1)
        started.append(start_devices({name: (platform, port, config)}, configurable=True))
        ConfigurableShell.REFUSED[name] = refused
        return device_target(name, platform, port)

    yield start
    for fake in started:
        fake.stop()
    ConfigurableShell.REFUSED.clear()


def running(target) -> str:
    from compliance.kinds.network_device.collect import collect_one

    got = collect_one(target, 15)
    assert got.collection is not None, got.error
    return got.collection.probes["running_config"].output


def test_a_dry_run_shows_the_change_set_and_leaves_the_device_as_it_was(repo, device, tmp_path):
    target = device("core-sw-01", "huawei_vrp", DRIFTED_VRP)
    before = running(target)
    result = push(target, VRP, policy_for_host(repo, "core-sw-01").settings, tmp_path / "ev", dry_run=True)
    assert result.outcome == "dry-run" and result.exit_code == 0
    assert len(result.changes) == 3 and "was: telnet server enable" in result.changes[0]
    assert running(target) == before
    assert (tmp_path / "ev" / "before.cfg").read_text() == before
    assert json.loads((tmp_path / "ev" / "push.json").read_text())["before_sha256"] == result.before_sha256


def test_a_push_applies_the_change_set_passes_its_post_check_and_a_second_push_has_nothing_to_do(
    repo, device, tmp_path
):
    target = device("core-sw-01", "huawei_vrp", DRIFTED_VRP)
    settings = policy_for_host(repo, "core-sw-01").settings
    result = push(target, VRP, settings, tmp_path / "first", dry_run=False)
    assert result.outcome == "applied", result.reason
    assert set(result.post_check.values()) <= {"pass", "partial"}
    assert result.post_check["network_device.remote_admin_encrypted"] == "pass"
    assert differences(parse_config("huawei_vrp", VRP), parse_config("huawei_vrp", running(target))) == []
    again = push(target, VRP, settings, tmp_path / "second", dry_run=False)
    assert again.outcome == "unchanged" and again.exit_code == 0


def test_a_push_whose_post_check_fails_is_rolled_back_to_the_saved_configuration(repo, device, tmp_path):
    target = device("acc-sw-office-01", "h3c_comware", OPEN_COMWARE)
    before = running(target)
    result = push(target, COMWARE, policy_for_host(repo, "acc-sw-office-01").settings, tmp_path / "ev", dry_run=False)
    assert result.outcome == "rolled-back" and result.exit_code == 1
    # The extra rule lets anyone reach the VTYs and hides the list's own rules.
    assert "post-check failed: network_device.acl_minimal, network_device.management_access_restricted" in result.reason
    assert result.left_over == []
    assert differences(parse_config("h3c_comware", before), parse_config("h3c_comware", running(target))) == []
    assert (tmp_path / "ev" / "after.cfg").is_file() and (tmp_path / "ev" / "after-rollback.cfg").is_file()


def test_a_push_the_device_refuses_part_way_rolls_back_what_it_applied(repo, device, tmp_path):
    target = device("core-sw-01", "huawei_vrp", DRIFTED_VRP, refused=("idle-timeout 10",))
    before = running(target)
    result = push(target, VRP, policy_for_host(repo, "core-sw-01").settings, tmp_path / "ev", dry_run=False)
    assert result.outcome == "rolled-back", result.reason
    assert "refused a command" in result.reason
    assert (tmp_path / "ev" / "rolled-back.txt").read_text().split() == ["telnet", "server", "enable"]
    assert differences(parse_config("huawei_vrp", before), parse_config("huawei_vrp", running(target))) == []


def test_an_ios_push_enters_configuration_mode_applies_its_sections_and_a_second_push_has_nothing_to_do(
    repo, device, tmp_path
):
    target = device("wan-rt-01", "cisco_ios", DRIFTED_IOS)
    settings = policy_for_host(repo, "wan-rt-01").settings
    result = push(target, IOS, settings, tmp_path / "first", dry_run=False)
    assert result.outcome == "applied", result.reason
    assert any("was: transport input telnet ssh" in change for change in result.changes)
    assert result.post_check["network_device.remote_admin_encrypted"] == "pass"
    assert differences(parse_config("cisco_ios", IOS), parse_config("cisco_ios", running(target))) == []
    assert push(target, IOS, settings, tmp_path / "second", dry_run=False).outcome == "unchanged"


def test_an_ios_push_the_device_refuses_part_way_is_rolled_back(repo, device, tmp_path):
    target = device("wan-rt-01", "cisco_ios", DRIFTED_IOS, refused=("transport input ssh",))
    before = running(target)
    result = push(target, IOS, policy_for_host(repo, "wan-rt-01").settings, tmp_path / "ev", dry_run=False)
    assert result.outcome == "rolled-back" and "refused a command" in result.reason, result.reason
    assert differences(parse_config("cisco_ios", before), parse_config("cisco_ios", running(target))) == []


def test_a_device_that_cannot_be_read_is_not_pushed(repo, tmp_path):
    (closed,) = free_ports(1)
    target = device_target("core-sw-01", "huawei_vrp", closed)
    result = push(target, VRP, policy_for_host(repo, "core-sw-01").settings, tmp_path / "ev", dry_run=False)
    assert result.outcome == "not-started" and result.exit_code == 1 and "unreachable" in result.reason


def test_the_push_command_dry_run_prints_the_change_set_and_its_rollback_plan(repo, device, tmp_path):
    target = device("core-sw-01", "huawei_vrp", DRIFTED_VRP)
    inventory = write_inventory(tmp_path / "devices.yml", {"core-sw-01": ("huawei_vrp", target.data["ssh_port"])})
    shown = subprocess.run(
        [
            *dengbao_command(),
            "device",
            "push",
            "core-sw-01",
            "-i",
            str(inventory),
            "--dry-run",
            "-o",
            str(tmp_path / "ev"),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ, DENGBAO_DEVICE_PASSWORD=PASSWORD),
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "+ undo telnet server enable   (was: telnet server enable)" in shown.stdout
    assert "rollback plan" in shown.stdout and "试运行" in shown.stdout


def test_a_push_that_changed_the_device_is_a_record_of_the_change_ledger(repo, device, tmp_path):
    target = device("core-sw-01", "huawei_vrp", DRIFTED_VRP)
    inventory = write_inventory(tmp_path / "devices.yml", {"core-sw-01": ("huawei_vrp", target.data["ssh_port"])})
    ledger = tmp_path / "ledger.jsonl"
    env = dict(os.environ, DENGBAO_DEVICE_PASSWORD=PASSWORD, DENGBAO_LEDGER=str(ledger), DENGBAO_OPERATOR="netops")
    command = [*dengbao_command(), "device", "push", "core-sw-01", "-i", str(inventory), "-o", str(tmp_path / "ev")]
    pushed = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120, check=False, env=env)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    (record,) = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert record["kind"] == "device_push" and record["who"] == "netops" and record["result"] == "ok"
    assert len(record["changes"]) == 3 and record["evidence"] == str(tmp_path / "ev")
    verified = subprocess.run(
        [*dengbao_command(), "ledger", "verify", "--ledger", str(ledger)], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_push_told_to_remove_extra_lines_takes_out_a_permit_added_by_hand(repo, device, tmp_path):
    opened = IOS.replace(
        " remark dengbao-from-dmz\n", " remark dengbao-from-dmz\n permit ip 172.16.10.0 0.0.0.255 any\n", 1
    )
    target = device("wan-rt-01", "cisco_ios", opened)
    settings = policy_for_host(repo, "wan-rt-01").settings
    merged = push(target, IOS, settings, tmp_path / "merge", dry_run=True)
    assert merged.outcome == "unchanged", "a merge leaves a line the intended configuration does not name"
    result = push(target, IOS, settings, tmp_path / "replace", dry_run=False, remove_extra=True)
    assert result.outcome == "applied", result.reason
    assert result.changes == [
        "ip access-list extended DENGBAO_IN_DMZ > - permit ip 172.16.10.0 0.0.0.255 any   (no permit ip 172.16.10.0 "
        "0.0.0.255 any)"
    ]
    assert result.post_check["network_device.zone_filtering"] == "pass"
    assert differences(parse_config("cisco_ios", IOS), parse_config("cisco_ios", running(target))) == []
