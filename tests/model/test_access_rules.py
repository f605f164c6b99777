"""A host's firewall rules from the zone matrix and the zones' subnets (the example hospital's)."""

from __future__ import annotations

from pathlib import Path

import yaml

from compliance.model.access import host_rules

REPO = Path(__file__).resolve().parents[2]
ACCESS = yaml.safe_load((REPO / "policies" / "access_rules.yml").read_text())["settings"]
ZONES = yaml.safe_load((REPO / "inventory/example-hospital/group_vars/all/zones.yml").read_text())["dengbao_zones"]


def flows(zone: str) -> set[tuple[str, str, tuple[int, ...]]]:
    return {(a.source_zone, a.protocol, a.ports) for a in host_rules(ACCESS, ZONES, zone).inbound}


def test_a_database_host_accepts_the_applications_and_administration_and_nothing_else():
    assert flows("core_db") == {("app", "tcp", (1521, 5432)), ("mgmt", "tcp", (22,))}
    rules = host_rules(ACCESS, ZONES, "core_db")
    from_apps = next(a for a in rules.inbound if a.source_zone == "app")
    assert from_apps.sources == ("10.10.20.0/24",)
    assert from_apps.pair("core_db") == "app → core_db"


def test_only_the_dmz_accepts_the_internet_and_only_on_https():
    internet = [z for z in ZONES if any(a.source_zone == "internet" for a in host_rules(ACCESS, ZONES, z).inbound)]
    assert internet == ["dmz"]
    assert ("internet", "tcp", (443,)) in flows("dmz")
    assert next(a for a in host_rules(ACCESS, ZONES, "dmz").inbound if a.source_zone == "internet").sources == ()


def test_no_internet_zones_send_only_to_the_hospital_s_own_addresses():
    his = host_rules(ACCESS, ZONES, "app")
    assert his.internet_denied
    assert "10.10.0.0/18" not in his.internal and "10.10.10.0/24" in his.internal
    assert "172.16.10.0/24" in his.internal, "the DMZ is the hospital's too"
    assert not host_rules(ACCESS, ZONES, "dmz").internet_denied
    assert not host_rules(ACCESS, ZONES, "office").internet_denied


def test_the_management_path_is_kept_from_the_management_zone_and_only_from_it():
    rules = host_rules(ACCESS, ZONES, "app")
    assert rules.keeps_management_from("10.10.90.10"), "the bastion"
    assert not rules.keeps_management_from("10.20.10.101"), "an office PC"


def test_the_management_subnets_are_those_of_the_ssh_policys_zones():
    assert host_rules(ACCESS, ZONES, "app").management_subnets == (), "no settings: none known"
    rules = host_rules(ACCESS, ZONES, "app", "his-app-01", {"ssh": {"management_zones": ["mgmt"]}})
    assert rules.management_subnets == ("10.10.90.0/24",)
    assert type(rules).from_dict(rules.as_dict()) == rules


def test_changing_the_matrix_changes_the_rules():
    changed = dict(
        ACCESS,
        rules=[
            *ACCESS["rules"],
            {"from": "office", "to": "app", "protocol": "tcp", "ports": [8080], "purpose": "test"},
        ],
    )
    assert ("office", "tcp", (8080,)) in {
        (a.source_zone, a.protocol, a.ports) for a in host_rules(changed, ZONES, "app").inbound
    }
    assert ("office", "tcp", (8080,)) not in flows("app")


def services(host: str, settings: dict) -> set[tuple[str, str, tuple[int, ...]]]:
    rules = host_rules(ACCESS, ZONES, "mgmt", host, settings)
    return {(a.source_zone, a.protocol, a.ports) for a in rules.inbound if a.source_zone == "hospital"}


def test_the_information_center_s_hosts_serve_every_zone_on_the_policies_ports():
    settings = {
        "audit": {"central_log_host": "loghost-01", "central_log_port": 6514},
        "time": {"ntp_servers": ["ntp-01", "ntp-02"]},
        "patching": {"mirror_host": "mirror-01"},
        "antivirus": {"mirror_host": "mirror-01"},
        "backup": {"offsite_target_host": "backup-01"},
    }
    assert services("loghost-01", settings) == {("hospital", "tcp", (6514,))}
    assert services("ntp-02", settings) == {("hospital", "udp", (123,))}
    assert services("mirror-01", settings) == {("hospital", "tcp", (3142,)), ("hospital", "tcp", (8080,))}
    assert services("bastion-01", settings) == set()
    moved = dict(settings, audit={"central_log_host": "loghost-01", "central_log_port": 514})
    assert services("loghost-01", moved) == {("hospital", "tcp", (514,))}, "the port follows the audit policy"
    served = next(a for a in host_rules(ACCESS, ZONES, "mgmt", "loghost-01", settings).inbound if a.ports == (6514,))
    assert "10.10.20.0/24" in served.sources and "172.16.10.0/24" in served.sources
