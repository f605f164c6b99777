"""Ansible filters over a host's firewall rules (`dengbao_policy.host_firewall`), from the model's own code.

The firewall role asks `dengbao_keeps_management_from` before it loads anything, with the same
function `dengbao validate` and the access checks rely on, so the three cannot disagree.
"""

from __future__ import annotations

from typing import Any

from compliance.model.access import HostRules


def keeps_management_from(rules: dict[str, Any], address: str) -> bool:
    """Whether a controller at `address` still reaches every management port once `rules` load."""
    return HostRules.from_dict(rules).keeps_management_from(address)


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"dengbao_keeps_management_from": keeps_management_from}
