"""`dengbao validate` on broken models: every error names the file, line and field, and exits 2.

Each case edits one file of a copy of the real model. The expected line is the line of a
marker text in the edited file, so the cases follow the files as they change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from broken_cases import DIRECTORY, HOSTS, MODEL, MORE_CASES, SELF_LINK, ZONES, Broken

from compliance.cli import main

CASES = [
    Broken(
        "redaction_pattern_not_a_regex",
        "policies/evidence.yml",
        r"'(?i)\bACC[-_]?\d{8,14}\b'",
        r"'(?i)\bACC[-_?\d{8,14}\b'",
        "ACC[-_?",
        "settings.patient_identifiers[3].regex",
        "not a valid regular expression",
    ),
    # syntax and structure
    Broken(
        "yaml_syntax",
        "policies/time.yml",
        "ntp_servers: [ntp-01]",
        "ntp_servers: [ntp-01\nmax: 1",
        "max: 1",
        "",
        "YAML syntax error",
    ),
    Broken(
        "duplicate_key",
        "policies/accounts.yml",
        "  password_history: 5\n",
        "  password_history: 5\n  password_history: 6\n",
        "password_history: 6",
        "settings.password_history",
        "duplicate key 'password_history'",
    ),
    Broken(
        "bad_indentation",
        HOSTS,
        "      hosts:\n        his-db-01: {",
        "      hosts:\n       his-db-01: {",
        "his-db-02: {",
        "",
        "YAML syntax error",
    ),  # PyYAML reports the token after the bad indentation
    Broken(
        "merge_key",
        "policies/time.yml",
        "  max_offset_ms: 1000",
        "  <<: {max_offset_ms: 5}\n  max_offset_ms: 1000",
        "<<:",
        "settings",
        "merge keys",
    ),
    # types
    Broken(
        "string_for_integer",
        "policies/accounts.yml",
        "password_min_length: 8",
        "password_min_length: eight",
        "password_min_length: eight",
        "settings.password_min_length",
        "expected an integer, found eight",
    ),
    Broken(
        "integer_for_boolean",
        "policies/accounts.yml",
        "lockout_include_root: true",
        "lockout_include_root: 1",
        "lockout_include_root: 1",
        "settings.lockout_include_root",
        "expected true or false, found 1",
    ),
    Broken(
        "boolean_for_integer",
        "policies/accounts.yml",
        "lockout_deny: 5",
        "lockout_deny: true",
        "lockout_deny: true",
        "settings.lockout_deny",
        "expected an integer, found true",
    ),
    Broken(
        "string_in_port_list",
        "policies/access_rules.yml",
        'ports: [443], purpose: "临床',
        'ports: ["443"], purpose: "临床',
        'ports: ["443"]',
        "settings.rules[1].ports[0]",
        'expected an integer, found "443"',
    ),
    Broken(
        "list_for_mapping",
        ZONES,
        "dengbao_zones:\n",
        "dengbao_zones: [core_db]\nunused_zones:\n",
        "dengbao_zones: [core_db]",
        "dengbao_zones",
        "expected a mapping",
    ),
    # ranges and allowed values
    Broken(
        "below_minimum",
        "policies/accounts.yml",
        "password_min_length: 8",
        "password_min_length: 6",
        "password_min_length: 6",
        "settings.password_min_length",
        "6 is below the minimum 8",
    ),
    Broken(
        "above_maximum",
        "policies/accounts.yml",
        "idle_timeout_seconds: 600",
        "idle_timeout_seconds: 7200",
        "idle_timeout_seconds: 7200",
        "settings.idle_timeout_seconds",
        "7200 is above the maximum 1800",
    ),
    Broken(
        "log_retention_below_law",
        "policies/audit.yml",
        "log_retention_days: 180",
        "log_retention_days: 90",
        "log_retention_days: 90",
        "settings.log_retention_days",
        "Cybersecurity Law art. 21",
    ),
    Broken(
        "backup_retention_below_rule",
        "policies/backup.yml",
        "retention_years: 10",
        "retention_years: 5",
        "retention_years: 5",
        "settings.retention_years",
        "at least 10 years",
    ),
    Broken(
        "root_login_allowed",
        "policies/ssh.yml",
        'permit_root_login: "no"',
        'permit_root_login: "yes"',
        "permit_root_login",
        "settings.permit_root_login",
        '"yes" is not allowed',
    ),
    Broken(
        "empty_passwords_allowed",
        "policies/ssh.yml",
        "permit_empty_passwords: false",
        "permit_empty_passwords: true",
        "permit_empty_passwords",
        "settings.permit_empty_passwords",
        "empty passwords are never allowed",
    ),
    Broken(
        "weak_cipher",
        "policies/ssh.yml",
        "aes128-gcm@openssh.com, aes256-ctr]",
        "aes128-gcm@openssh.com, 3des-cbc]",
        "3des-cbc",
        "settings.ciphers[3]",
        "3des-cbc is not allowed",
    ),
    Broken(
        "bad_cron",
        "policies/antivirus.yml",
        'scan_schedule: "30 2 * * *"',
        'scan_schedule: "daily"',
        "scan_schedule",
        "settings.scan_schedule",
        "five-field cron",
    ),
    Broken(
        "bad_clause_id", "policies/time.yml", '"8.1.4.3 b)"', '"8.1.4.3b"', "clauses:", "clauses[0]", "item ids such as"
    ),
    Broken(
        "named_host_address_out_of_range",
        ZONES,
        "dengbao_zones:",
        "dengbao_addresses:\n  ntp-01: 10.10.90.999\ndengbao_zones:",
        "ntp-01: 10.10.90.999",
        "dengbao_addresses.ntp-01",
        "not an IPv4 address",
    ),
    Broken(
        "zone_interface_of_unknown_zone",
        HOSTS,
        "dengbao_zone_interfaces: {office: Vlan-interface10}",
        "dengbao_zone_interfaces: {offices: Vlan-interface10}",
        "dengbao_zone_interfaces: {offices",
        "all.children.zone_office.hosts.acc-sw-office-01.dengbao_zone_interfaces.offices",
        "is not declared in dengbao_zones",
    ),
    Broken(
        "zone_address_outside_the_zone",
        HOSTS,
        "dengbao_zone_addresses: {office: 10.20.10.1/24}",
        "dengbao_zone_addresses: {office: 10.30.10.1/24}",
        "dengbao_zone_addresses: {office: 10.30",
        "all.children.zone_office.hosts.acc-sw-office-01.dengbao_zone_addresses.office",
        "is not a host address of a subnet of zone office",
    ),
    Broken(
        "zone_address_without_its_interface",
        HOSTS,
        "dengbao_zone_addresses: {clinical: 10.30.10.1/24}",
        "dengbao_zone_addresses: {clinical: 10.30.10.1/24, office: 10.20.10.9/24}",
        "dengbao_zone_addresses: {clinical: 10.30.10.1/24, office",
        "all.children.zone_clinical.hosts.acc-sw-clin-01.dengbao_zone_addresses.office",
        "has no interface in dengbao_zone_interfaces",
    ),
    Broken(
        "zone_interfaces_on_a_server",
        HOSTS,
        "ntp-01: {ansible_host: 10.10.90.14,",
        "ntp-01: {dengbao_zone_interfaces: {mgmt: eth0}, ansible_host: 10.10.90.14,",
        "ntp-01: {dengbao_zone_interfaces",
        "all.children.zone_mgmt.hosts.ntp-01.dengbao_zone_interfaces",
        "is for switches, routers and firewalls",
    ),
    Broken(
        "level_four_system",
        MODEL,
        "    level: 2\n    owner: 宣传科",
        "    level: 4\n    owner: 宣传科",
        "level: 4",
        "dengbao_systems.web.level",
        "level 2 or 3",
    ),
    Broken(
        "bad_address",
        HOSTS,
        "ansible_host: 10.10.90.14,",
        "ansible_host: 10.10.90.14/24,",
        "10.10.90.14/24",
        "all.children.zone_mgmt.hosts.ntp-01.ansible_host",
        "does not have the expected form",
    ),
    # unknown and missing keys
    Broken(
        "misspelt_setting",
        "policies/accounts.yml",
        "  password_history: 5\n",
        "  password_history: 5\n  password_min_lenght: 12\n",
        "password_min_lenght",
        "settings.password_min_lenght",
        "unknown field 'password_min_lenght'; expected one of:",
    ),
    Broken(
        "missing_setting",
        "policies/accounts.yml",
        "  password_history: 5\n",
        "",
        "settings:",
        "settings.password_history",
        "required field is missing",
    ),
    Broken(
        "unknown_policy_key",
        "policies/time.yml",
        "title_en: Time synchronisation\n",
        "title_en: Time synchronisation\nowner: it\n",
        "owner: it",
        "owner",
        "unknown field 'owner'",
    ),
    Broken(
        "unknown_host_variable",
        HOSTS,
        "ansible_host: 10.10.10.21, dengbao_os: kylin",
        "ansible_host: 10.10.10.21, dengbao_sys: kylin",
        "dengbao_sys",
        "all.children.zone_core_db.hosts.emr-db-01.dengbao_sys",
        "unknown field 'dengbao_sys'",
    ),
    Broken(
        "missing_zones_declaration",
        ZONES,
        "dengbao_zones:\n",
        "unused_zones:\n",
        "unused_zones",
        "unused_zones",
        "unknown field 'unused_zones'",
    ),
    Broken(
        "override_unknown_setting",
        "policies/accounts.yml",
        "      idle_timeout_seconds: 300",
        "      idle_timeout: 300",
        "idle_timeout: 300",
        "overrides[1].settings.idle_timeout",
        "unknown field 'idle_timeout'",
    ),
    Broken(
        "override_bad_level",
        "policies/accounts.yml",
        "  - when: {level: 3}",
        "  - when: {level: 4}",
        "level: 4",
        "overrides[0].when.level",
        "4 is not allowed",
    ),
    Broken(
        "override_empty_when",
        "policies/accounts.yml",
        "  - when: {zone: dmz}",
        "  - when: {}",
        "when: {}",
        "overrides[1].when",
        "must not be empty",
    ),
    Broken(
        "unknown_admin_role",
        "policies/admin_roles.yml",
        "    operator:\n",
        "    operators:\n",
        "operators:",
        "settings.roles.operators",
        "operators is not allowed",
    ),
    Broken(
        "policy_topic_mismatch",
        "policies/time.yml",
        "policy: time",
        "policy: clock",
        "policy: clock",
        "policy",
        "clock is not allowed",
    ),
    # files
    Broken("missing_policy_file", "policies/patching.yml", None, None, None, "", "policy file patching.yml is missing"),
    Broken(
        "unknown_policy_file",
        "policies/firewall.yml",
        None,
        "---\npolicy: firewall\n",
        None,
        "",
        "unknown policy topic 'firewall'",
    ),
    Broken(
        "group_vars_for_unknown_group",
        "inventory/example-hospital/group_vars/databases.yml",
        None,
        "---\nansible_port: 22\n",
        "ansible_port",
        "",
        "group_vars for unknown group 'databases'",
    ),
    Broken(
        "host_vars_for_unknown_host",
        "inventory/example-hospital/host_vars/his-db-99.yml",
        None,
        "---\nansible_port: 22\n",
        "ansible_port",
        "",
        "host_vars for unknown host 'his-db-99'",
    ),
    # references and membership
    Broken(
        "rule_names_unknown_zone",
        "policies/access_rules.yml",
        "{from: office, to: internet",
        "{from: ofice, to: internet",
        "ofice",
        "settings.rules[7].from",
        "zone 'ofice' is not declared in inventory example-hospital",
    ),
    Broken(
        "backup_target_not_a_host",
        "policies/backup.yml",
        "offsite_target_host: backup-01",
        "offsite_target_host: backup-02",
        "backup-02",
        "settings.offsite_target_host",
        "host 'backup-02' is not in inventory example-hospital",
    ),
    Broken(
        "his_zone_reaches_internet",
        "policies/access_rules.yml",
        "{from: office, to: internet",
        "{from: core_db, to: internet",
        "from: core_db, to: internet",
        "settings.rules[7].to",
        "may not reach the Internet",
    ),
    Broken(
        "override_names_unknown_zone",
        "policies/patching.yml",
        "  - when: {zone: dmz}",
        "  - when: {zone: dmzz}",
        "dmzz",
        "overrides[0].when.zone",
        "zone 'dmzz' is not declared",
    ),
    Broken(
        "host_in_two_zones",
        HOSTS,
        "    zone_app:\n      hosts:\n",
        "    zone_app:\n      hosts:\n        his-db-01:\n",
        "his-db-01: {",
        "all.children.zone_core_db.hosts.his-db-01",
        "exactly one zone_* group; it is in: app, core_db",
    ),
    Broken(
        "host_without_system",
        HOSTS,
        "    system_oa:\n      hosts:\n        oa-app-01:\n",
        "    system_oa:\n      hosts:\n",
        "oa-app-01: {",
        "all.children.zone_app.hosts.oa-app-01",
        "belongs to no system_* group",
    ),
    Broken(
        "undeclared_system_group",
        HOSTS,
        "    system_lis:",
        "    system_lab:",
        "system_lab:",
        "all.children.system_lab",
        "system 'lab' is not declared",
    ),
    Broken(
        "invalid_host_name",
        HOSTS,
        "        ntp-01: {ansible_host",
        "        NTP_01: {ansible_host",
        "NTP_01",
        "all.children.zone_mgmt.hosts.NTP_01",
        "not a valid hostname",
    ),
    Broken(
        "host_vars_set_twice",
        HOSTS,
        "    system_web:\n      hosts:\n        web-01:\n",
        "    system_web:\n      hosts:\n        web-01: {dengbao_os: ubuntu}\n",
        "web-01: {dengbao_os: ubuntu}",
        "all.children.system_web.hosts.web-01",
        "already set in",
    ),
]


ALL_CASES = [*CASES, *MORE_CASES]


def apply(root: Path, case: Broken) -> Path:
    """Make the case's edit; text is written as UTF-8, with lone surrogates as the raw bytes they stand for."""
    target = root / case.file
    if case.old is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        if case.new == DIRECTORY:
            target.mkdir()
        elif case.new == SELF_LINK:
            target.symlink_to(target.name)
        elif case.new is not None:
            target.write_bytes(case.new.encode("utf-8", "surrogateescape"))
        return target
    text = target.read_text()
    assert text.count(case.old) == 1, f"{case.id}: the text to replace must occur once in {case.file}"
    target.write_bytes(text.replace(case.old, case.new or "").encode("utf-8", "surrogateescape"))
    return target


def expected_line(target: Path, marker: str | None) -> int:
    if marker is None:
        return 1
    for number, line in enumerate(target.read_bytes().decode("utf-8", "surrogateescape").split("\n"), start=1):
        if marker in line:
            return number
    raise AssertionError(f"marker {marker!r} not in {target}")


def test_there_are_at_least_a_hundred_distinct_cases():
    assert len({case.id for case in ALL_CASES}) == len(ALL_CASES) >= 100


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_broken_input_is_reported_with_file_line_and_field(case, model_copy, capsys):
    target = apply(model_copy, case)
    assert main(["validate", str(model_copy)]) == 2
    output = capsys.readouterr().err
    reported = case.reported_file or case.file
    marked = model_copy / reported if case.reported_file else target  # the marker is in the file reported
    line = expected_line(marked, case.line_of) if marked.is_file() else 1
    headers = re.findall(r"^(\S+):(\d+):(\d+)(?: \[(.*)\])?$", output, re.M)
    matching = [h for h in headers if h[0] == reported and int(h[1]) == line and h[3] == case.field]
    assert matching, f"no error at {reported}:{line} [{case.field}] in:\n{output}"
    block = output.split(f"{reported}:{line}:", 1)[1].split("\n")
    assert block[1].startswith("  错误："), "the Chinese message comes first"
    assert block[2].startswith("  error: ")
    assert case.says in output
    assert "problem(s) in" in output


def test_the_real_model_is_valid(model_copy, capsys):
    assert main(["validate", str(model_copy)]) == 0
    assert "valid" in capsys.readouterr().out
