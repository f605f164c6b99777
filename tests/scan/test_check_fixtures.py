"""The fast tier: every check judged again on probe outputs recorded from real lab hosts, both verdicts.

Fixtures sit in each check unit, `compliance/checks/<kind>/<name>/fixtures/<situation>.<verdict>.json`:
the probes the check read on the host of one of the unit's scenarios (or on the compliant host),
as the scan stored them, redacted. They are recorded by the lab scenario test (`DENGBAO_RECORD_FIXTURES`, see
`record_fixtures` there), so a fixture is real output, never typed by hand; the lab scenarios stay
the proof on real hosts. These tests need no root and no lab and run in about a second.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from lab_scan import scenario_host_vars

from compliance.checks import all_checks
from compliance.kinds import kind_of
from compliance.kinds.collection import Collection, stored_collection
from compliance.kinds.network_device.collect import saved_collection
from compliance.model.host_policy import policy_for_host

# The lab host a fixture came from is not in the model: it gets level 3 and the lab's management zone,
# as in the lab (any address of the zone's ad-hoc pool selects the same rules).
SCENARIO_HOST = "scan-ok"
SCENARIO_ADDRESS = "10.77.10.100"
# Device checks are judged under a device's settings: the example hospital's core switch (level 3, management zone).
SCENARIO_DEVICE = "core-sw-01"
DEVICE_CONFIGS = Path(__file__).resolve().parents[2] / "compliance" / "kinds" / "network_device" / "fixtures"
# A finding: the verdicts a check's failing side may show.
FINDINGS = {"fail", "partial"}


def fixtures() -> list[tuple[str, Path]]:
    return [(c.id, path) for c in all_checks().values() for path in sorted((c.unit / "fixtures").glob("*.json"))]


def device_fixtures() -> list[tuple[str, str, str]]:
    """(check, configuration, verdict) for the device checks: each unit's `fixtures/verdicts.yml` names its
    verdict on every configuration of compliance/kinds/network_device/fixtures (its README says where they
    come from)."""
    found = []
    for c in all_checks().values():
        table = c.unit / "fixtures" / "verdicts.yml"
        if table.is_file():
            found += [(c.id, name, verdict) for name, verdict in yaml.safe_load(table.read_text()).items()]
    return found


def device_collection(name: str) -> Collection:
    """A device configuration of the fixtures as a collection: `platform/file` (without .cfg)."""
    platform, _, _ = name.partition("/")
    return saved_collection(platform, (DEVICE_CONFIGS / f"{name}.cfg").read_text())


def load(path: Path) -> tuple[Collection, str]:
    recorded = json.loads(path.read_text())
    verdict = path.name.removesuffix(".json").rsplit(".", 1)[1]
    return stored_collection(recorded["host_clock_utc"], recorded["probes"]), verdict


@pytest.fixture(scope="module")
def settings(repo):
    return policy_for_host(repo, SCENARIO_HOST, scenario_host_vars(SCENARIO_ADDRESS)).settings


@pytest.mark.parametrize(("check_id", "path"), fixtures(), ids=lambda v: v if isinstance(v, str) else v.stem)
def test_a_check_gives_its_recorded_verdict_again(check_id, path, settings):
    check = all_checks()[check_id]
    collection, expected = load(path)
    facts = kind_of(check.kind).facts(collection)
    outcome = check.function(facts, settings)
    assert outcome.verdict.value == expected, f"{outcome.reason_en}"
    assert outcome.reason_en and outcome.reason_zh
    assert "None" not in outcome.reason_en + outcome.reason_zh, "a Python None reached a person"
    assert facts.used <= set(collection.probes), "the check read a probe the fixture lacks"


@pytest.fixture(scope="module")
def device_settings(repo):
    """A configuration's settings: an intended one (`intended-<device>`) is judged as that device of the example
    hospital, every other under core-sw-01's."""
    found: dict[str, dict] = {}

    def settings_for(name: str) -> dict:
        _, _, stem = name.partition("/")
        device = stem.removeprefix("intended-") if stem.startswith("intended-") else SCENARIO_DEVICE
        if device not in found:
            found[device] = policy_for_host(repo, device).settings
        return found[device]

    return settings_for


@pytest.mark.parametrize(("check_id", "name", "expected"), device_fixtures(), ids=lambda v: str(v))
def test_a_device_check_gives_its_listed_verdict_on_each_configuration(check_id, name, expected, device_settings):
    check = all_checks()[check_id]
    collection = device_collection(name)
    facts = kind_of(check.kind).facts(collection)
    outcome = check.function(facts, device_settings(name))
    assert outcome.verdict.value == expected, f"{name}: {outcome.reason_en}"
    assert outcome.reason_en and outcome.reason_zh
    assert "None" not in outcome.reason_en + outcome.reason_zh, "a Python None reached a person"
    assert facts.used == {"platform", "running_config"}


def test_every_device_check_is_judged_on_every_device_configuration():
    names = {f"{path.parent.name}/{path.stem}" for path in DEVICE_CONFIGS.glob("*/*.cfg")}
    for check in (c for c in all_checks().values() if c.kind == "network_device"):
        listed = {name for check_id, name, _ in device_fixtures() if check_id == check.id}
        assert listed == names, f"{check.id}: fixtures/verdicts.yml lists {sorted(listed ^ names)} wrongly"


def test_every_check_has_fixtures_for_both_sides():
    sides: dict[str, set[str]] = {}
    for check_id, path in fixtures():
        sides.setdefault(check_id, set()).add(path.stem.rsplit(".", 1)[1])
    for check_id, _, verdict in device_fixtures():
        sides.setdefault(check_id, set()).add(verdict)
    for check_id in all_checks():
        found = sides.get(check_id, set())
        assert found & FINDINGS, f"{check_id}: no fixture of a finding"
        assert found - FINDINGS, f"{check_id}: no fixture of its passing (or not applicable) side"
