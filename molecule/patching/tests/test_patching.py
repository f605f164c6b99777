"""Verify the patching role on a host with real security updates pending: every download through the
internal package mirror (and that mirror serving Debian's archives only), unattended-upgrades
limited to security origins by codename, upgrades only from the window timer, the first run on
record with real versions, a declared hold kept and an undeclared one released, and the apt hook
recording what is still pending."""

import json
import os
import time

import pytest
import testinfra

testinfra_hosts = ["ansible://mol-patch"]
INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
MIRROR = "mol-patch-mirror"

STATE = "/var/lib/dengbao/patching"


def apt_config(host, name):
    return host.check_output(f"apt-config dump --no-empty {name}")


def version(host, package):
    return host.check_output(f"dpkg-query -W -f='${{Version}}' {package}")


@pytest.fixture(scope="module")
def first_run(host):
    return json.loads(host.file(f"{STATE}/last-run.json").content_string)


@pytest.fixture(scope="module")
def mirror():
    return testinfra.get_host(f"ansible://{MIRROR}?ansible_inventory={INVENTORY}")


def test_every_download_goes_through_the_internal_mirror(host):
    for scheme in ("http", "https"):
        assert f'Acquire::{scheme}::Proxy "http://{MIRROR}:3142";' in apt_config(host, f"Acquire::{scheme}::Proxy")


def test_the_first_run_fetched_its_fix_from_the_mirror(host, mirror, first_run):
    (libexpat1,) = [entry for entry in first_run["upgraded"] if entry["package"] == "libexpat1"]
    fetched = mirror.check_output("cat /var/log/apt-cacher-ng/apt-cacher.log")
    address = host.check_output("ip -4 -o addr show host0").split()[3].split("/")[0]
    version = libexpat1["to"].replace(":", "%3a")
    assert any(f"libexpat1_{version}_" in line and address in line for line in fetched.splitlines()), fetched[-2000:]


def test_the_mirror_serves_the_distribution_only_and_is_no_open_proxy(host):
    helper = "/usr/lib/apt/apt-helper download-file"
    refused = host.run(f"{helper} http://www.example.com/index.html /tmp/fetched-elsewhere")
    assert refused.rc != 0 and "403" in refused.stdout + refused.stderr, refused.stdout + refused.stderr
    targets = host.check_output("apt-get indextargets --format '$(REPO_URI)dists/$(RELEASE)/InRelease' | sort -u")
    served = host.run(f"{helper} {targets.split()[0]} /tmp/fetched-release")
    assert served.rc == 0, served.stdout + served.stderr


def test_only_security_origins_matched_by_codename(host):
    patterns = apt_config(host, "Unattended-Upgrade::Origins-Pattern")
    prefix = "Unattended-Upgrade::Origins-Pattern:: "
    lines = [line.removeprefix(prefix) for line in patterns.splitlines() if line.startswith(prefix)]
    assert lines == [
        '"origin=Debian,codename=${distro_codename}-security,label=Debian-Security";',
        '"origin=Debian,codename=${distro_codename},label=Debian-Security";',
    ]
    assert '"tzdata$"' in apt_config(host, "Unattended-Upgrade::Package-Blacklist")


def test_upgrades_run_only_from_the_window_timer(host):
    assert 'APT::Periodic::Unattended-Upgrade "0";' in apt_config(host, "APT::Periodic::Unattended-Upgrade")
    assert 'APT::Periodic::Update-Package-Lists "1";' in apt_config(host, "APT::Periodic::Update-Package-Lists")
    calendar = host.check_output("systemctl show -P TimersCalendar dengbao-patch.timer")
    assert "OnCalendar=Sun *-*-* 02:00:00" in calendar  # policies/patching.yml: sun 02:00
    assert host.check_output("systemctl is-active dengbao-patch.timer") == "active"
    assert host.check_output("systemctl is-enabled dengbao-patch.timer") == "enabled"
    assert "restart} = 'l'" in host.file("/etc/needrestart/conf.d/50dengbao.conf").content_string


def test_the_first_convergence_patched_on_record_with_real_versions(host, first_run):
    assert first_run["run_id"] == "first-convergence"
    assert first_run["succeeded"] is True and first_run["upgrade_exit"] == 0
    assert first_run["in_window"] is False  # started by the role, outside the window, and the record says so
    upgraded = {entry["package"]: entry for entry in first_run["upgraded"]}
    assert set(upgraded) == {"libexpat1"}, upgraded
    for name, entry in upgraded.items():
        assert entry["from"] != entry["to"]
        assert version(host, name) == entry["to"], name
    assert len(host.file(f"{STATE}/runs").listdir()) == 1
    assert "reboot" in first_run and first_run["reboot"] == "not needed"  # a container runs its host's kernel


def test_an_undeclared_hold_is_released_and_patched(host, first_run):
    assert "libexpat1" not in host.check_output("apt-mark showhold").split()
    assert "libexpat1" in {entry["package"] for entry in first_run["upgraded"]}


def test_a_declared_hold_is_kept_and_its_pending_fix_recorded(host, first_run):
    assert host.check_output("apt-mark showhold").split() == ["tzdata"]
    assert "tzdata" not in {entry["package"] for entry in first_run["upgraded"]}
    assert first_run["pending_security_after"] == ["tzdata"]
    assert first_run["held"] == [
        {"package": "tzdata", "reason": "kept for the scenario: a declared hold with a pending security update"}
    ]
    pending = json.loads(host.file(f"{STATE}/pending.json").content_string)
    (tzdata,) = [entry for entry in pending["updates"] if entry["package"] == "tzdata"]
    assert tzdata["security"] is True and tzdata["held"] is True
    assert tzdata["installed"] == version(host, "tzdata") != tzdata["candidate"]
    assert "Debian-Security" in tzdata["origin"]
    assert tzdata["first_seen"] <= time.time()


def test_the_hook_records_after_every_index_refresh_and_keeps_first_seen(host):
    before = json.loads(host.file(f"{STATE}/pending.json").content_string)
    time.sleep(1.1)
    host.check_output("apt-get update -qq")
    after = json.loads(host.file(f"{STATE}/pending.json").content_string)
    assert after["recorded"] > before["recorded"]
    assert after["index_refreshed"] is not None
    seen_before = {entry["package"]: entry["first_seen"] for entry in before["updates"]}
    assert {entry["package"]: entry["first_seen"] for entry in after["updates"]} == seen_before


def test_each_run_reports_to_syslog(host):
    journal = host.check_output("journalctl -t dengbao-patching --no-pager -o cat")
    assert "patch run first-convergence: succeeded" in journal
