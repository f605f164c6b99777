"""Verify chrony on a time server and a client. Containers may not set the clock, so chronyd runs
here with -x (measure, never set) on the server, and the client only queries (-Q): a real NTP exchange."""

import os
import re
import time

import pytest
import testinfra

testinfra_hosts = ["ansible://mol-time-client"]

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]


@pytest.fixture(scope="module")
def time_server():
    server = testinfra.get_host(f"ansible://mol-ntp?ansible_inventory={INVENTORY}")
    server.check_output("pkill -x chronyd; chronyd -x -f /etc/chrony/chrony.conf")
    # A server answers "not synchronised" until its local reference is selected: wait for that.
    deadline = time.monotonic() + 60
    while "Leap status     : Normal" not in server.run("chronyc tracking").stdout:
        assert time.monotonic() < deadline, server.run("chronyc tracking").stdout
        time.sleep(1)
    yield server
    server.run("pkill -x chronyd")


def test_the_client_uses_only_the_hospital_time_server(host):
    config = host.file("/etc/chrony/chrony.conf").content_string
    sources = re.findall(r"^(server|pool|peer)\s+(\S+)", config, re.M)
    assert sources == [("server", "mol-ntp")]
    assert "makestep 1.000 3" in config


def test_timesyncd_gave_way_to_chrony(host):
    assert host.package("chrony").is_installed
    assert not host.package("systemd-timesyncd").is_installed
    assert host.service("chrony").is_enabled


def test_the_time_server_answers_the_lab_network_on_its_own_clock(time_server):
    config = time_server.file("/etc/chrony/chrony.conf").content_string
    assert "allow 10.0.0.0/8" in config and "local stratum 10" in config
    assert not re.search(r"^server\s+mol-ntp", config, re.M)


def test_the_client_gets_time_from_the_time_server(host, time_server):
    result = host.run("timeout 40 chronyd -Q -t 30 -f /etc/chrony/chrony.conf")
    output = result.stdout + result.stderr
    assert result.rc == 0, output
    assert re.search(r"System clock wrong by -?\d+\.\d+ seconds", output), output
