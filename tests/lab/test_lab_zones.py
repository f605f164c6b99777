"""The lab's zones for real: packets cross zones through the lab's router, and the Internet
stand-in is reached from zones allowed out and from no zone that must never reach it."""

from __future__ import annotations

import subprocess

import pytest

from compliance.lab.paths import LabPaths

pytestmark = pytest.mark.lab
HOSTS = ("his-db-01", "web-01", "oa-app-01", "internet-01")
INTERNET_HOST = "198.18.113.10"


def ssh(paths: LabPaths, host: str, command: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ssh", "-F", str(paths.ssh_config), host, command], capture_output=True, text=True, timeout=timeout
    )


def connect(paths: LabPaths, host: str, address: str, port: int) -> subprocess.CompletedProcess[str]:
    script = f"import socket; socket.create_connection(('{address}', {port}), timeout=3); print('open')"
    return ssh(paths, host, f'python3 -c "{script}"')


@pytest.fixture(scope="module")
def zones_lab(run_lab, test_lab_paths):
    run_lab("down")
    run_lab("up", *(f"--host={name}" for name in HOSTS))
    # The Internet stand-in serves a web page, as a site on the Internet would.
    started = ssh(
        test_lab_paths,
        "internet-01",
        "systemd-run --unit=lab-web python3 -m http.server 80 --directory /etc >/dev/null 2>&1;"
        " for i in $(seq 50); do ss -ltn | grep -q ':80 ' && exit 0; sleep 0.1; done; exit 1",
    )
    assert started.returncode == 0, started.stderr
    yield test_lab_paths
    run_lab("down")


def test_each_host_sits_in_its_zone_s_subnet_and_the_stand_in_outside_the_hospital(zones_lab):
    for name in HOSTS:
        address = ssh(zones_lab, name, "hostname -I").stdout.split()[0]
        zone = zones_lab.layout.zone_of(address)
        expected = {"his-db-01": "core_db", "web-01": "dmz", "oa-app-01": "office", "internet-01": "internet"}
        assert zone.name == expected[name], (name, address)


def test_the_internet_stand_in_answers_the_dmz_and_the_office(zones_lab):
    for name in ("web-01", "oa-app-01"):
        result = connect(zones_lab, name, INTERNET_HOST, 80)
        assert result.stdout.strip() == "open", (name, result.stderr)


def test_a_his_host_has_no_route_to_the_internet_stand_in(zones_lab):
    result = connect(zones_lab, "his-db-01", INTERNET_HOST, 80)
    assert result.returncode != 0
    assert "Network is unreachable" in result.stderr


def test_zones_reach_each_other_through_the_router(zones_lab):
    path = ssh(zones_lab, "web-01", "ip -4 route get 10.77.20.20").stdout
    assert "via 10.77.50.1" in path, "the DMZ reaches the database zone through the lab's router"
    assert connect(zones_lab, "web-01", "10.77.20.20", 22).stdout.strip() == "open"


def test_the_internet_stand_in_gets_no_answer_from_a_his_host(zones_lab):
    """The router forwards its packets, but the HIS host has no route back to outside addresses."""
    result = connect(zones_lab, "internet-01", "10.77.20.20", 22)
    assert result.returncode != 0
    assert "timed out" in result.stderr
