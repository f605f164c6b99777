"""The access checks on recorded lab output, beyond their scenarios: a host the model places in no zone
(this machine, scanned without an inventory), a policy change that moves the expectation, and rule sets
the lab does not produce (a widened source set, an output chain that lets out everything)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lab_scan import scenario_host_vars

from compliance.checks import all_checks
from compliance.kinds.collection import stored_collection
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.nftables import NftRule
from compliance.model.access import host_rules
from compliance.model.host_policy import HOST_FIREWALL, policy_for_host, repository

REPO = Path(__file__).resolve().parents[2]
RULES = "linux.firewall_rules_match_policy"
EGRESS = "linux.no_internet_egress"
UNITS = REPO / "compliance" / "checks" / "linux"


def recorded(check: str, situation: str) -> dict:
    found = next((UNITS / check.split(".")[1] / "fixtures").glob(f"{situation}.*.json"))
    return json.loads(found.read_text())


def judge(check: str, fixture: dict, settings: dict, ruleset: str | None = None):
    probes = dict(fixture["probes"])
    if ruleset is not None:
        probes["nftables"] = dict(probes["nftables"], output=ruleset)
    facts = HostFacts(stored_collection(fixture["host_clock_utc"], probes))
    return all_checks()[check].function(facts, settings)


@pytest.fixture(scope="module")
def lab_settings() -> dict:
    return policy_for_host(REPO, "scan-ok", scenario_host_vars("10.77.10.100")).settings


def test_a_host_in_no_zone_is_judged_on_default_deny_only():
    zoneless = policy_for_host(REPO, "scan-ok").settings
    assert HOST_FIREWALL not in zoneless
    loaded = judge(RULES, recorded(RULES, "compliant"), zoneless)
    assert loaded.verdict.value == "partial" and "no zone of the model" in loaded.reason_en
    gone = judge(RULES, recorded(RULES, "table_removed"), zoneless)
    assert gone.verdict.value == "fail" and "not denied by default" in gone.reason_en
    egress = judge(EGRESS, recorded(EGRESS, "compliant"), zoneless)
    assert egress.verdict.value == "not_applicable" and "zone_*" in egress.reason_en


def test_a_service_added_for_the_host_moves_the_expectation(lab_settings):
    """The same loaded table, judged after the policy makes this host the log host: the log port is missing."""
    as_log_host = dict(lab_settings, audit=dict(lab_settings["audit"], central_log_host="scan-ok"))
    settings = policy_for_host(REPO, "scan-ok", scenario_host_vars("10.77.10.100")).settings
    assert judge(RULES, recorded(RULES, "compliant"), settings).verdict.value == "pass"

    zones = repository(REPO).inventories["lab"].zones
    moved = dict(
        settings,
        **{HOST_FIREWALL: host_rules(settings["access_rules"], zones, "mgmt", "scan-ok", as_log_host).as_dict()},
    )
    outcome = judge(RULES, recorded(RULES, "compliant"), moved)
    assert outcome.verdict.value == "fail"
    assert "missing hospital → mgmt: tcp 6514 from 10.77.10.0/24" in outcome.reason_en


def test_a_widened_source_set_is_a_rule_not_in_the_matrix(lab_settings):
    fixture = recorded(RULES, "compliant")
    widened = fixture["probes"]["nftables"]["output"].replace(
        '"addr": "10.77.10.0", "len": 24', '"addr": "10.77.0.0", "len": 16'
    )
    assert widened != fixture["probes"]["nftables"]["output"], "the fixture's mgmt set holds 10.77.10.0/24"
    outcome = judge(RULES, fixture, lab_settings, widened)
    assert outcome.verdict.value == "fail"
    assert "tcp 22 from 10.77.0.0/16" in outcome.reason_en and "missing mgmt → mgmt" in outcome.reason_en


def test_an_unreadable_rule_set_is_an_error_never_a_fail(lab_settings):
    fixture = recorded(RULES, "compliant")
    denied = "Error: Operation not permitted (you must be root)"
    for check in (RULES, EGRESS):
        assert (
            judge(
                check,
                fixture | {"probes": fixture["probes"] | recorded(EGRESS, "compliant")["probes"]},
                lab_settings,
                denied,
            ).verdict.value
            == "error"
        )


MANAGEMENT = "linux.management_access_restricted"
SSH_FROM_MGMT = '"right": "@zone_mgmt"'


def ssh_opened_to_the_hospital(fixture: dict) -> str:
    """The recorded table with SSH opened to every hospital subnet, as the backup host's is for its
    forced-command account."""
    output = fixture["probes"]["nftables"]["output"]
    assert output.count(SSH_FROM_MGMT) == 1, "the recorded table opens SSH from the management zone's set"
    return output.replace(SSH_FROM_MGMT, '"right": "@internal"')


def with_sshd(fixture: dict, *lines: str) -> dict:
    sshd = fixture["probes"]["sshd"]
    return fixture | {"probes": fixture["probes"] | {"sshd": sshd | {"output": "\n".join([sshd["output"], *lines])}}}


def test_management_sources_are_judged_against_the_management_zone(lab_settings):
    fixture = recorded(MANAGEMENT, "compliant")
    assert lab_settings[HOST_FIREWALL]["management_subnets"] == ["10.77.10.0/24"]
    outcome = judge(MANAGEMENT, fixture, lab_settings)
    assert outcome.verdict.value == "pass" and "firewall inet dengbao input" in outcome.reason_en

    hospital = ssh_opened_to_the_hospital(fixture)
    opened = judge(MANAGEMENT, fixture, lab_settings, hospital)
    assert opened.verdict.value == "partial"
    assert "not restricted to the management zone's subnets (10.77.10.0/24)" in opened.reason_en
    assert "firewall inet dengbao input also lets in 10.77.20.0/24" in opened.reason_en

    zoneless = policy_for_host(REPO, "scan-ok").settings
    assert judge(MANAGEMENT, fixture, zoneless, hospital).verdict.value == "pass", "no zone: any named source counts"


def test_sshd_limits_sources_when_every_allowusers_entry_names_an_address(lab_settings):
    """The backup host's shape: its firewall opens SSH to the hospital, sshd lets administrators in only
    from the bastion."""
    fixture = recorded(MANAGEMENT, "compliant")
    hospital = ssh_opened_to_the_hospital(fixture)
    bastion = judge(MANAGEMENT, with_sshd(fixture, "allowusers *@10.77.10.5"), lab_settings, hospital)
    assert bastion.verdict.value == "pass" and "(sshd AllowUsers)" in bastion.reason_en
    assert "sshd AllowUsers: 10.77.10.5" in bastion.observed["source_limits"]

    outside = judge(MANAGEMENT, with_sshd(fixture, "allowusers *@192.0.2.7"), lab_settings, hospital)
    assert outside.verdict.value == "partial" and "sshd AllowUsers also lets in 192.0.2.7" in outside.reason_en
    one_unbound = with_sshd(fixture, "allowusers admin@10.77.10.5", "allowusers ops")
    assert judge(MANAGEMENT, one_unbound, lab_settings, hospital).verdict.value == "partial"


def test_management_sources_unreadable_rule_set(lab_settings):
    fixture = recorded(MANAGEMENT, "compliant")
    denied = "Error: Operation not permitted (you must be root)"
    assert judge(MANAGEMENT, fixture, lab_settings, denied).verdict.value == "error"
    by_sshd = with_sshd(fixture, "allowusers *@10.77.10.5")
    assert judge(MANAGEMENT, by_sshd, lab_settings, denied).verdict.value == "pass", "sshd alone decides it"


def test_an_accept_of_new_connections_opens_every_port():
    replies = NftRule("accept", conditions=('{"ct": {"key": "state"}} in established,related',))
    new = NftRule("accept", conditions=('{"ct": {"key": "state"}} in established,new',))
    tcp = NftRule("accept", conditions=('{"meta": {"key": "l4proto"}} == tcp',))
    assert replies.is_generic and not replies.opens("tcp", 22)
    assert new.opens("tcp", 22) and tcp.opens("tcp", 22)
