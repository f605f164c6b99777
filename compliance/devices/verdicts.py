"""Every device check's verdict on one configuration given as text: for pushes, drift and the tests."""

from __future__ import annotations

from typing import Any

from compliance.checks import checks_of
from compliance.kinds import kind_of
from compliance.kinds.network_device.collect import saved_collection
from compliance.results.verdicts import Verdict


def configuration_verdicts(platform: str, text: str, settings: dict[str, Any]) -> dict[str, Verdict]:
    """Check id → verdict of each network device check on this running configuration, under these settings."""
    facts = kind_of("network_device").facts(saved_collection(platform, text))
    return {
        check_id: check.function(facts, settings).verdict for check_id, check in checks_of("network_device").items()
    }
