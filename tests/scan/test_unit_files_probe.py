"""The unit-files probe asks systemd for the units the checks read, not for every unit file.

`systemctl list-unit-files` works out the enablement of every unit file: about 0.35 s on a server, the costliest
probe (docs/performance.md). A scan asks for the SSH server's units, auditd's and the policy's forbidden services
only (a few milliseconds). Evidence collected that way says which units it asked for, so a check never takes a
unit it did not ask about for one that is not installed: judged again under a policy that forbids more, the
unasked units are an error, not a pass.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from lab_scan import scenario_host_vars

from compliance.checks import all_checks
from compliance.kinds import kind_of
from compliance.kinds.collection import stored_collection
from compliance.kinds.linux import UNITS_ALWAYS_ASKED, units_to_ask
from compliance.kinds.linux.probes import PROBES, asked_units, scan_probes, unit_files_probe
from compliance.model.host_policy import policy_for_host

REPO = Path(__file__).resolve().parents[2]
CHECK = "linux.unneeded_services"


@pytest.fixture(scope="module")
def settings(repo):
    return policy_for_host(repo, "scan-ok", scenario_host_vars("10.77.10.100")).settings


def test_the_probe_names_the_units_it_asks_for_and_refuses_what_is_not_a_unit_name():
    probe = unit_files_probe(["telnet.socket", "auditd.service", "telnet.socket"])
    assert probe.command == "systemctl list-unit-files --no-legend --no-pager -- auditd.service telnet.socket"
    assert asked_units(probe.command) == {"auditd.service", "telnet.socket"}
    assert asked_units(dict((p.name, p) for p in PROBES)["unit_files"].command) is None
    with pytest.raises(ValueError, match="not a systemd unit name"):
        unit_files_probe(["ok.service", "x; rm -rf /"])


def test_a_scan_asks_for_the_ssh_server_auditd_and_every_forbidden_service(settings):
    units = units_to_ask([settings])
    assert units >= UNITS_ALWAYS_ASKED
    assert set(settings["host_hardening"]["forbidden_services"]) <= units
    probes = scan_probes(units)
    assert [p.name for p in probes] == [p.name for p in PROBES]
    changed = [p.name for p, before in zip(probes, PROBES, strict=True) if p != before]
    assert changed == ["unit_files"]
    assert scan_probes(None) == PROBES


def _compliant_collection(asked: set[str] | None):
    """The check's recorded compliant host, its unit listing cut down to `asked` as a named probe answers."""
    recorded = json.loads((all_checks()[CHECK].unit / "fixtures" / "compliant.pass.json").read_text())
    collection = stored_collection(recorded["host_clock_utc"], recorded["probes"])
    if asked is None:
        return collection
    listing = collection.probes["unit_files"]
    lines = [line for line in listing.output.splitlines() if line.split() and line.split()[0] in asked]
    named = unit_files_probe(asked)
    probes = dict(collection.probes, unit_files=replace(listing, command=named.command, output="\n".join(lines)))
    return replace(collection, probes=probes)


def test_the_named_listing_gives_the_verdict_of_the_full_one(settings):
    check = all_checks()[CHECK]
    full = check.function(kind_of("linux").facts(_compliant_collection(None)), settings)
    named = check.function(kind_of("linux").facts(_compliant_collection(units_to_ask([settings]))), settings)
    assert full.verdict.value == named.verdict.value == "pass"
    assert full.observed == named.observed


def test_a_forbidden_service_that_was_not_asked_about_is_an_error_not_a_pass(settings):
    stricter = {**settings, "host_hardening": dict(settings["host_hardening"])}
    forbidden = settings["host_hardening"]["forbidden_services"]
    stricter["host_hardening"]["forbidden_services"] = [*forbidden, "nfs-server.service"]
    facts = kind_of("linux").facts(_compliant_collection(units_to_ask([settings])))
    outcome = all_checks()[CHECK].function(facts, stricter)
    assert outcome.verdict.value == "error"
    assert "nfs-server.service" in outcome.reason_en and "请重新扫描" in outcome.reason_zh
