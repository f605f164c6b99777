"""Which hosts a lab plans, from the default topology, an inventory, or names: pure data, no root."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from compliance.lab.errors import LabError
from compliance.lab.paths import LabPaths
from compliance.lab.plan import (
    adhoc_hosts,
    default_topology,
    first_hosts,
    hosts_from_inventory,
    named_hosts_elsewhere,
    topology_devices,
)
from compliance.lab.zones import load_layout

REPO = Path(__file__).resolve().parents[2]
PATHS = LabPaths(Path("/nonexistent/state"), Path("/nonexistent/cache"), load_layout(REPO, "dgblab0"))


def test_default_topology_has_twenty_unique_hosts_each_in_its_zone_s_subnet():
    hosts = default_topology(PATHS)
    assert len(hosts) == 20
    assert len({h.name for h in hosts}) == 20
    assert len({h.address for h in hosts}) == 20
    for host in hosts:
        zone = next(g.removeprefix("zone_") for g in host.groups if g.startswith("zone_"))
        assert ipaddress.IPv4Address(host.address) in PATHS.layout.zone(zone).subnet, host
    routers = {zone.router for zone in PATHS.layout.zones}
    assert not ({PATHS.controller} | routers) & {h.address for h in hosts}


def test_every_default_host_has_exactly_one_zone_group():
    for host in default_topology(PATHS):
        assert len([g for g in host.groups if g.startswith("zone_")]) == 1, host


def test_a_small_lab_still_spans_database_application_management_and_dmz():
    zones = {g for h in first_hosts(PATHS, 5) for g in h.groups if g.startswith("zone_")}
    assert zones == {"zone_core_db", "zone_app", "zone_mgmt", "zone_dmz"}


@pytest.mark.parametrize("count", [0, 21, -1])
def test_asking_for_more_hosts_than_the_topology_has_is_refused_in_both_languages(count):
    with pytest.raises(LabError) as caught:
        first_hosts(PATHS, count)
    assert "1 to 20" in caught.value.english
    assert "1 至 20" in caught.value.chinese


def test_adhoc_hosts_take_free_management_addresses_and_topology_names_keep_theirs():
    taken = {"10.77.10.100"}
    planned = adhoc_hosts(PATHS, ["mol-a", "his-db-01", "mol-b", "internet-01"], taken)
    assert [h.address for h in planned] == ["10.77.10.101", "10.77.20.20", "10.77.10.102", "198.18.113.10"]
    assert planned[0].groups == ("adhoc",)
    assert planned[3].groups == ("lab_internet",), "the Internet stand-in is in no zone of the hospital"


def test_the_lab_zones_are_the_lab_model_s_and_the_internet_stand_in_lies_outside_them():
    layout = PATHS.layout
    assert {z.name for z in layout.zones} == {"app", "clinical", "core_db", "dmz", "mgmt", "office", "pacs", "internet"}
    internet = layout.zone("internet").subnet
    assert not any(internet.overlaps(subnet) for subnet in layout.internal)
    assert layout.routes_of(layout.zone("dmz")) == ["0.0.0.0/0"]
    assert "0.0.0.0/0" not in layout.routes_of(layout.zone("app"))
    assert len(layout.routes_of(layout.zone("app"))) == len(layout.internal) - 1


@pytest.mark.parametrize("name", ["Bad_Name", "-lead", "x" * 64, "dot.ted"])
def test_an_invalid_hostname_is_refused_with_its_origin(name):
    with pytest.raises(LabError, match="--host"):
        adhoc_hosts(PATHS, [name], set())


def test_an_inventory_becomes_lab_hosts_with_nested_groups_and_without_network_devices(tmp_path):
    inventory = tmp_path / "hospital.yml"
    inventory.write_text(
        """
all:
  children:
    zone_core_db:
      hosts:
        his-db-01: {}
    system_his:
      children:
        zone_core_db: {}
      hosts:
        his-app-01: {}
    network:
      hosts:
        core-sw-01: {ansible_connection: ansible.netcommon.network_cli, ansible_network_os: huawei.vrp}
        wan-rt-01: {ansible_connection: network_cli}
    windows:
      hosts:
        office-pc-01: {ansible_connection: winrm}
"""
    )
    planned = hosts_from_inventory(PATHS, inventory, taken=set())
    assert [h.name for h in planned] == ["his-app-01", "his-db-01"]
    by_name = {h.name: h for h in planned}
    assert by_name["his-db-01"].groups == ("system_his", "zone_core_db")
    assert by_name["his-app-01"].groups == ("system_his",)
    assert len({h.address for h in planned}) == 2


def test_an_unreadable_inventory_names_the_file(tmp_path):
    missing = tmp_path / "nope.yml"
    with pytest.raises(LabError) as caught:
        hosts_from_inventory(PATHS, missing, taken=set())
    assert str(missing) in caught.value.english


def test_the_topology_s_devices_sit_in_their_zones_below_the_hosts_offsets_with_their_platforms():
    devices = {d.name: d for d in topology_devices(PATHS)}
    assert set(devices) == {"core-sw-01", "core-sw-02", "acc-sw-office-01", "acc-sw-clin-01", "wan-rt-01"}
    assert {d.os for d in devices.values()} == {"huawei_vrp", "h3c_comware", "cisco_ios"}
    assert all(d.is_device for d in devices.values()) and not any(h.is_device for h in default_topology(PATHS))
    assert devices["acc-sw-clin-01"].address == "10.77.70.2" and devices["wan-rt-01"].device == "router"
    taken = {h.address for h in default_topology(PATHS)} | {z.router for z in PATHS.layout.zones}
    assert not taken & {d.address for d in devices.values()}
    named = adhoc_hosts(PATHS, ["core-sw-01"], set())
    assert named == [devices["core-sw-01"]], "a device named on the command line keeps its place and platform"


def test_a_device_names_the_hosts_the_policies_name_by_address_even_when_they_do_not_run():
    # The log host and NTP server in its own settings; the mirror and backup hosts in its zone filters.
    assert named_hosts_elsewhere(PATHS, topology_devices(PATHS)) == {
        "loghost-01": "10.77.10.11",
        "ntp-01": "10.77.10.14",
        "mirror-01": "10.77.10.13",
        "backup-01": "10.77.10.12",
    }
    running = [*topology_devices(PATHS), *first_hosts(PATHS, 5)]  # loghost-01 is among the first five
    assert named_hosts_elsewhere(PATHS, running) == {
        "ntp-01": "10.77.10.14",
        "mirror-01": "10.77.10.13",
        "backup-01": "10.77.10.12",
    }
