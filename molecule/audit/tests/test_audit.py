"""Verify the audit role on the scenario's lab host (level 3 policy: every category, rules locked)."""

import pytest

testinfra_hosts = ["ansible://all"]

RULES = "/etc/audit/rules.d/50-dengbao.rules"


def rule_lines(host) -> list[str]:
    return [line for line in host.file(RULES).content_string.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("logins", "-w /var/log/lastlog -p wa -k logins"),
        ("identity", "-w /etc/shadow -p wa -k identity"),
        ("privileged_commands", "-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=unset"),
        ("sudo", "-w /etc/sudoers.d -p wa -k sudo"),
        ("time_change", "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time_change"),
        ("audit_config", "-w /etc/audit/ -p wa -k audit_config"),
        ("permission_change", "-F arch=b64 -S chmod,fchmod,fchmodat"),
        ("kernel_modules", "-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k kernel_modules"),
    ],
)
def test_each_policy_category_has_its_rules(host, category, expected):
    assert any(expected in line and line.endswith(f"-k {category}") for line in rule_lines(host))


def test_every_setuid_program_is_audited(host):
    programs = host.check_output("find /usr -xdev -type f -perm -4000").split()
    audited = " ".join(rule_lines(host))
    assert programs and all(f"path={p} " in audited for p in programs)


def test_rules_are_locked_until_reboot(host):
    assert host.file("/etc/audit/rules.d/99-dengbao-finalize.rules").contains("^-e 2$")


def test_rules_compile_into_one_file_with_the_lock_last(host):
    host.run_expect([0, 1], "augenrules --check")
    merged = host.check_output("augenrules --load >/dev/null 2>&1; cat /etc/audit/audit.rules").splitlines()
    assert merged[-1] == "-e 2"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("max_log_file", "64"),
        ("num_logs", "10"),
        ("space_left_action", "EMAIL"),
        ("max_log_file_action", "ROTATE"),
        ("log_group", "auditadmin"),
    ],
)
def test_auditd_conf_has_the_policy_values(host, key, value):
    assert host.file("/etc/audit/auditd.conf").contains(f"^{key} = {value}$")


def test_only_root_writes_and_only_auditors_read_the_logs(host):
    directory = host.file("/var/log/audit")
    assert (directory.user, directory.group, directory.mode) == ("root", "auditadmin", 0o750)
    old = host.file("/var/log/audit/audit.log.1")
    assert (old.user, old.group, old.mode) == ("root", "auditadmin", 0o640)
    assert host.run("runuser -u li -- cat /var/log/audit/audit.log.1").rc == 0
    assert host.run("runuser -u zhang -- cat /var/log/audit/audit.log.1").rc != 0


def test_auditd_is_enabled_at_boot(host):
    assert host.service("auditd").is_enabled
