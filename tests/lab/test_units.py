"""The lab's pure parts: settings, image recipe, mirror discovery, kernel limits, generated access files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from compliance.lab.access import ensure_device_login, inventory_document, ssh_config_text, write_inventory
from compliance.lab.errors import LabError
from compliance.lab.image import ImageRecipe, configured_mirror
from compliance.lab.limits import raise_kernel_limits
from compliance.lab.machine import network_file_text
from compliance.lab.paths import LabPaths
from compliance.lab.plan import PlannedHost
from compliance.lab.state import RunningHost, load, save
from compliance.lab.zones import load_layout

REPO = Path(__file__).resolve().parents[2]
LAYOUT = load_layout(REPO, "dgblab0")
PATHS = LabPaths(Path("/srv/lab-state"), Path("/srv/lab-cache"), LAYOUT)


def test_a_bridge_prefix_leaves_room_for_the_zone_bridges_and_router_legs():
    with pytest.raises(LabError, match="1 to 11 characters"):
        LabPaths(Path("/s"), Path("/c"), LAYOUT, bridge="a-bridge-name")


def test_machine_names_are_short_and_distinct_per_lab_and_host():
    other = LabPaths(Path("/s"), Path("/c"), LAYOUT, bridge="dgbtest0")
    assert other.machine_name("his-db-01") != PATHS.machine_name("his-db-01")
    assert PATHS.machine_name("his-db-01") != PATHS.machine_name("his-db-02")
    assert PATHS.machine_name("his-db-01").startswith(PATHS.machine_prefix)
    assert len("vb-" + PATHS.machine_name("x" * 63)) <= 15
    assert PATHS.controller == "10.77.10.254"


def test_a_host_of_a_no_internet_zone_gets_routes_to_the_zones_and_no_default_route():
    his = network_file_text(PATHS, PlannedHost("his-db-01", "10.77.20.20", ("zone_core_db",)))
    assert "Address=10.77.20.20/24" in his
    assert "Destination=10.77.30.0/24\nGateway=10.77.20.1" in his
    assert "0.0.0.0/0" not in his
    dmz = network_file_text(PATHS, PlannedHost("web-01", "10.77.50.50", ("zone_dmz",)))
    assert "Destination=0.0.0.0/0\nGateway=10.77.50.1" in dmz


def test_the_image_name_changes_exactly_when_the_recipe_does():
    base = ImageRecipe(mirror="http://mirror.example/debian")
    assert base.digest() == ImageRecipe(mirror="http://mirror.example/debian").digest()
    assert base.digest() != ImageRecipe(mirror="http://other.example/debian").digest()
    assert base.digest() != ImageRecipe(mirror=base.mirror, packages=(*base.packages, "vim")).digest()


def test_the_mirror_is_read_from_deb822_and_one_line_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("DENGBAO_LAB_MIRROR", raising=False)
    deb822 = tmp_path / "debian.sources"
    deb822.write_text(
        "Types: deb\nURIs: http://mirror.hospital.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://mirror.hospital.example/debian/\nSuites: bookworm\n"
    )
    assert configured_mirror((deb822,)) == "http://mirror.hospital.example/debian"
    one_line = tmp_path / "sources.list"
    one_line.write_text("# comment\ndeb [arch=amd64] http://10.1.2.3/debian bookworm main\n")
    assert configured_mirror((tmp_path / "absent", one_line)) == "http://10.1.2.3/debian"
    monkeypatch.setenv("DENGBAO_LAB_MIRROR", "http://override/debian/")
    assert configured_mirror((deb822,)) == "http://override/debian"


def test_kernel_limits_are_raised_when_low_and_never_lowered(tmp_path):
    inotify = tmp_path / "fs" / "inotify"
    inotify.mkdir(parents=True)
    (inotify / "max_user_instances").write_text("128\n")
    (inotify / "max_user_watches").write_text("99999999\n")
    messages: list[str] = []
    changed = raise_kernel_limits(messages.append, proc_sys=tmp_path)
    assert changed == ["fs/inotify/max_user_instances"]
    assert (inotify / "max_user_instances").read_text() == "8192\n"
    assert (inotify / "max_user_watches").read_text() == "99999999\n"
    assert "from 128 to 8192" in messages[0]


HOSTS = [
    PlannedHost("his-db-01", "10.77.20.20", ("zone_core_db", "system_his")),
    PlannedHost("bastion-01", "10.77.10.10", ("zone_mgmt",)),
    PlannedHost("mol-x", "10.77.10.100", ()),
]


def test_the_ssh_config_pins_key_known_hosts_and_one_control_path():
    text = ssh_config_text(PATHS, HOSTS)
    assert "Host his-db-01\n    HostName 10.77.20.20\n" in text
    assert "StrictHostKeyChecking yes" in text
    assert "UserKnownHostsFile /srv/lab-state/ssh/known_hosts" in text
    assert "ControlPath /srv/lab-state/ssh/cm-%C" in text
    assert text.index("Host his-db-01") < text.index("Host *")


def test_the_inventory_groups_hosts_by_zone_and_system_and_reuses_the_ssh_config():
    document = inventory_document(PATHS, HOSTS)
    children = document["all"]["children"]
    assert set(children) == {"system_his", "zone_core_db", "zone_mgmt"}
    assert children["zone_core_db"]["hosts"]["his-db-01"] == {
        "ansible_host": "10.77.20.20",
        "dengbao_os": "debian",
        "dengbao_device": "server",
    }
    assert children["system_his"]["hosts"] == {"his-db-01": None}, "host variables are set in one place"
    assert "mol-x" not in str(document), "hosts without a zone (molecule's) stay out of the lab inventory"
    assert document["all"]["vars"]["ansible_ssh_args"] == "-F /srv/lab-state/ssh/config"
    assert document["all"]["vars"]["dengbao_lab"] is True, "a lab inventory says it is one (the roles' lab defaults)"


def test_the_written_inventory_is_plain_yaml_that_ansible_reads(tmp_path):
    target = tmp_path / "inventory" / "hosts.yml"
    write_inventory(target, PATHS, HOSTS)
    text = target.read_text()
    assert "&id" not in text and "*id" not in text
    assert yaml.safe_load(text)["all"]["children"]["zone_mgmt"]["hosts"]["bastion-01"]
    graph = subprocess.run(
        ["ansible-inventory", "-i", str(target), "--graph"], capture_output=True, text=True, check=True
    ).stdout
    assert "@zone_core_db:" in graph and "his-db-01" in graph


def test_an_empty_lab_removes_its_inventory(tmp_path):
    target = tmp_path / "hosts.yml"
    write_inventory(target, PATHS, HOSTS)
    write_inventory(target, PATHS, [])
    assert not target.exists()


def device_paths(tmp_path: Path) -> LabPaths:
    paths = LabPaths(tmp_path / "state", tmp_path / "cache", LAYOUT)
    ensure_device_login(paths)
    return paths


SWITCH = PlannedHost("core-sw-01", "10.77.10.2", ("zone_mgmt", "system_infra"), "huawei_vrp", "switch")


def test_a_device_s_password_reaches_the_inventory_only_vaulted_and_ansible_hands_it_over(tmp_path):
    paths = device_paths(tmp_path)
    target = tmp_path / "inventory" / "hosts.yml"
    write_inventory(target, paths, [*HOSTS, SWITCH], {"ntp-01": "10.77.10.14"})
    text = target.read_text()
    password = paths.device_password_file.read_text().strip()
    assert password not in text and "ansible_password: !vault |" in text
    for secret in (paths.device_password_file, paths.vault_password_file):
        assert secret.stat().st_mode & 0o777 == 0o600
    listed = subprocess.run(
        ["ansible-inventory", "-i", str(target), "--host", "core-sw-01"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ANSIBLE_VAULT_PASSWORD_FILE": str(paths.vault_password_file)},
    ).stdout
    variables = json.loads(listed)
    assert variables["ansible_user"] == "netadmin" and variables["ansible_network_os"] == "huawei.vrp"
    assert variables["dengbao_os"] == "huawei_vrp" and variables["dengbao_device"] == "switch"
    assert variables["ansible_password"] == {"__ansible_vault": paths.device_password_vaulted.read_text()}
    vault = VaultLib([("default", VaultSecret(paths.vault_password_file.read_text().strip().encode()))])
    assert vault.decrypt(paths.device_password_vaulted.read_text()).decode() == password
    assert yaml.safe_load(text.replace("!vault", ""))["all"]["vars"]["dengbao_addresses"] == {"ntp-01": "10.77.10.14"}


def test_without_devices_the_inventory_names_no_addresses_and_the_ssh_config_leaves_devices_out(tmp_path):
    paths = device_paths(tmp_path)
    assert "dengbao_addresses" not in inventory_document(paths, HOSTS, {"ntp-01": "10.77.10.14"})["all"]["vars"]
    text = ssh_config_text(paths, [*HOSTS, SWITCH])
    assert "Host his-db-01" in text and "core-sw-01" not in text


def test_a_device_keeps_its_platform_and_type_through_the_lab_s_state(tmp_path):
    paths = device_paths(tmp_path)
    save(paths, {SWITCH.name: RunningHost(SWITCH, 4242, "")})
    assert load(paths)[SWITCH.name].host == SWITCH
