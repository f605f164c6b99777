"""Verify the admin_roles role on the scenario's lab host: groups, and what sudo really allows."""

import pytest

testinfra_hosts = ["ansible://all"]


@pytest.mark.parametrize("group", ["superadmin", "sysadmin", "secadmin", "auditadmin", "operator"])
def test_every_role_has_its_group(host, group):
    assert host.group(group).exists


def test_role_holders_are_in_their_groups_only(host):
    assert "sysadmin" in host.user("zhang").groups and "auditadmin" not in host.user("zhang").groups
    assert "auditadmin" in host.user("li").groups


def allowed(host, user: str, command: str) -> bool:
    return host.run(f"sudo -l -U {user} {command}").rc == 0


def test_the_blanket_grant_is_gone(host):
    assert not allowed(host, "zhang", "/bin/bash"), "membership of the sudo group no longer grants everything"
    assert host.run("grep -E '^%sudo' /etc/sudoers").rc == 1


@pytest.mark.parametrize(
    ("user", "command", "expected"),
    [
        ("zhang", "/usr/bin/systemctl restart ssh", True),
        ("zhang", "/usr/sbin/ausearch -m USER_LOGIN", False),
        ("li", "/usr/bin/apt-get install nmap", False),
        ("wang", "/usr/bin/systemctl status ssh", True),
        ("wang", "/usr/bin/systemctl stop ssh", False),
    ],
)
def test_each_role_runs_only_its_commands(host, user, command, expected):
    assert allowed(host, user, command) is expected


def test_no_password_less_grant_and_sudo_logs(host):
    rules = host.file("/etc/sudoers.d/dengbao-roles")
    assert rules.mode == 0o440 and "NOPASSWD" not in rules.content_string
    assert 'logfile="/var/log/sudo.log"' in rules.content_string
    assert host.run("visudo -c").rc == 0


def test_the_auditor_may_run_only_the_audit_tools(host):
    """ausearch is not installed here (no auditd in the scenario), so read the grant list instead."""
    listing = host.check_output("sudo -l -U li")
    granted = listing.split("may run the following commands")[1]
    assert "/usr/sbin/ausearch" in granted and "/usr/sbin/aureport" in granted
    assert "apt-get" not in granted and "systemctl" not in granted
