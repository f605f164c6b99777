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
