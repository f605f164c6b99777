"""A real message logged on the server is found on the central log host, also after an outage."""

import os
import secrets
import time

import pytest
import testinfra

testinfra_hosts = ["ansible://mol-log-client"]

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]


@pytest.fixture(scope="module")
def loghost():
    return testinfra.get_host(f"ansible://mol-log-host?ansible_inventory={INVENTORY}")


def sender_file(host) -> str:
    address = host.check_output("hostname -I").split()[0]
    return f"/var/log/remote/{address}/syslog.log"


def wait_for(loghost, path: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if loghost.run(f"grep -qF {text} {path}").rc == 0:
            return True
        time.sleep(1)
    return False


def test_a_message_logged_here_is_stored_on_the_log_host(host, loghost):
    marker = f"dengbao-forward-{secrets.token_hex(6)}"
    host.check_output(f"logger -t dengbao-test {marker}")
    path = sender_file(host)
    assert wait_for(loghost, path, marker, 30), f"{marker} never reached {path}"
    line = loghost.check_output(f"grep -F {marker} {path}")
    assert "mol-log-client" in line and "dengbao-test" in line


def test_messages_logged_while_the_log_host_is_down_arrive_when_it_is_back(host, loghost):
    marker = f"dengbao-queued-{secrets.token_hex(6)}"
    loghost.check_output("systemctl stop rsyslog.service syslog.socket")
    try:
        host.check_output(f"logger -t dengbao-test {marker}")
        time.sleep(2)
    finally:
        loghost.check_output("systemctl start rsyslog.service")
    assert wait_for(loghost, sender_file(host), marker, 90)


def test_received_logs_are_closed_to_other_users(host, loghost):
    path = sender_file(host)
    assert wait_for(loghost, path, "dengbao", 30)
    stored = loghost.file(path)
    assert (stored.user, stored.mode) == ("root", 0o640)
    assert loghost.file("/var/log/remote").mode == 0o750


def test_received_logs_are_kept_180_days_and_the_rotation_parses(loghost):
    rotation = loghost.file("/etc/logrotate.d/dengbao-remote").content_string
    assert "\trotate 180\n" in rotation and "\tdaily\n" in rotation
    assert loghost.run("logrotate -d /etc/logrotate.d/dengbao-remote").rc == 0


def test_local_system_logs_are_kept_at_least_180_days(host):
    rotation = host.file("/etc/logrotate.d/rsyslog").content_string
    assert "\trotate 26\n" in rotation and "\tweekly\n" in rotation


def test_the_log_host_is_named_from_the_inventory(host):
    assert host.check_output("getent hosts mol-log-host").split()[0] != ""
