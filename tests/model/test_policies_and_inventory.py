"""Policy overrides by level and zone, host levels from systems, and the `dengbao inventory` table."""

from __future__ import annotations

import json
from pathlib import Path

from compliance.cli import main
from compliance.model.host_policy import policy_for_host
from compliance.model.validate import load_repository

REPO = Path(__file__).resolve().parents[2]


def test_overrides_apply_in_file_order_by_level_and_zone():
    policies = load_repository(REPO).policies
    assert policies.effective(2, "app")["accounts"]["password_min_length"] == 8
    assert policies.effective(3, "app")["accounts"]["password_min_length"] == 10
    assert policies.effective(2, "dmz")["accounts"]["idle_timeout_seconds"] == 300
    assert policies.effective(3, "dmz")["accounts"]["idle_timeout_seconds"] == 300
    assert policies.effective(3, "app")["accounts"]["idle_timeout_seconds"] == 600
    assert policies.effective(2, "app")["backup"]["realtime_offsite"] is False
    assert policies.effective(3, "app")["backup"]["realtime_offsite"] is True


def test_resolving_does_not_change_the_base_settings():
    policies = load_repository(REPO).policies
    policies.effective(3, "dmz")
    assert policies.policies["accounts"].settings["password_min_length"] == 8


def test_a_host_takes_the_highest_level_of_its_systems():
    inventory = load_repository(REPO).inventories["example-hospital"]
    assert inventory.hosts["web-01"].level == 2
    assert inventory.hosts["clin-ws-01"].systems == ["emr", "his"]
    assert inventory.hosts["clin-ws-01"].level == 3
    assert inventory.hosts["office-pc-01"].level == 2


def test_an_unknown_host_uses_its_declared_level_and_zone_or_the_strictest():
    assert policy_for_host(REPO, "mol-x").level == 3
    declared = policy_for_host(REPO, "mol-y", {"dengbao_level": 2, "dengbao_zone": "dmz"})
    assert (declared.level, declared.zone) == (2, "dmz")
    assert declared.settings["accounts"]["idle_timeout_seconds"] == 300


def test_inventory_table_lists_systems_zones_and_hosts(capsys):
    assert main(["inventory", "-i", "example-hospital"]) == 0
    out = capsys.readouterr().out
    assert "his              3" in out
    assert "web              2" in out
    assert "core_db      his-db-01          3      server       kylin" in out
    assert "32 台主机 hosts, 8 个定级对象 systems, 7 个区域 zones" in out


def test_inventory_json_is_machine_readable(capsys):
    assert main(["inventory", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hosts"]["ih-gw-01"] == {
        "zone": "dmz",
        "systems": ["ih"],
        "level": 3,
        "os": "anolis",
        "device": "server",
    }


def test_both_inventories_parse_with_ansible():
    import subprocess

    for name in ("example-hospital", "lab"):
        result = subprocess.run(
            ["ansible-inventory", "-i", str(REPO / "inventory" / name), "--graph"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "@all:" in result.stdout


def test_validating_one_policy_file_of_an_unknown_topic_reports_it(tmp_path, capsys):
    policy = tmp_path / "policies" / "firewall.yml"
    policy.parent.mkdir()
    policy.write_text("---\npolicy: firewall\n")
    assert main(["validate", str(policy)]) == 2
    err = capsys.readouterr().err
    assert "firewall.yml:1:1" in err
    assert "unknown policy topic 'firewall'" in err and "未知的策略主题" in err
