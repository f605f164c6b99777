"""The host firewall, from `nft list ruleset` and `iptables-save`: default policy and source-limited ports."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Firewall:
    ruleset: str

    @property
    def default_drop(self) -> bool:
        """Whether inbound traffic not accepted by a rule is dropped."""
        return bool(re.search(r"policy drop|-P INPUT DROP|\bdrop\s*$", self.ruleset, re.M))

    def accepts_only_from_sources(self, port: int | str) -> bool:
        """Whether a rule accepts the TCP port only from named source addresses, under a default drop."""
        nft = re.search(rf"saddr\s+\S+.*dport\s+{port}\b.*accept|dport\s+{port}\b.*saddr\s+\S+.*accept", self.ruleset)
        iptables = re.search(rf"-s\s+\S+.*--dport\s+{port}\b.*-j ACCEPT", self.ruleset)
        return bool(nft or iptables) and self.default_drop


def parse_firewall(output: str) -> Firewall:
    return Firewall(output)
