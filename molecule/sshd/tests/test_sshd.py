"""Verify the sshd role on the scenario's lab host, over SSH (a fresh connection each run)."""

import pytest

testinfra_hosts = ["ansible://all"]


def effective(host, spec: str = "") -> dict[str, str]:
    command = "sshd -T" + (f" -C {spec}" if spec else "")
    lines = host.check_output(command).splitlines()
    values: dict[str, str] = {}
    for line in lines:
        key, _, value = line.partition(" ")
        values[key] = f"{values[key]} {value}" if key in values else value
    return values


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("permitrootlogin", "no"),
        ("passwordauthentication", "no"),
        ("permitemptypasswords", "no"),
        ("maxauthtries", "4"),
        ("clientaliveinterval", "100"),
        ("clientalivecountmax", "3"),
        ("authenticationmethods", "publickey,keyboard-interactive"),
        ("ciphers", "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr"),
        ("macs", "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com"),
        ("x11forwarding", "no"),
        ("banner", "/etc/issue.net"),
    ],
)
def test_policy_values_are_in_effect(host, key, value):
    assert effective(host)[key] == value


def test_only_administrator_groups_from_the_management_zone(host):
    values = effective(host)
    assert values["allowgroups"].split() == ["sysadmin", "secadmin", "auditadmin", "operator"]
    assert values["allowusers"] == "*@10.0.10.0/24"


def test_the_run_keeps_key_only_root_access_from_where_it_ran(host):
    source = host.check_output("echo ${SSH_CLIENT%% *}")
    kept = effective(host, f"user=root,addr={source},host=controller")
    assert kept["permitrootlogin"] == "without-password" and kept["authenticationmethods"] == "publickey"
    elsewhere = effective(host, "user=root,addr=10.0.10.7,host=bastion")
    assert elsewhere["permitrootlogin"] == "no"


def test_sshd_runs_with_the_checked_configuration(host):
    assert host.service("ssh").is_running
    assert host.run("sshd -t").rc == 0
    assert host.file("/etc/ssh/sshd_config.d/50-dengbao.conf").mode == 0o600
