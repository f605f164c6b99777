"""linux.minimal_installation, 8.1.4.4 a): Minimal installation (none of the forbidden packages).

最小安装（无策略禁止的软件包）。
"""

from __future__ import annotations

from compliance.checks import (
    Outcome,
    Settings,
    check,
    failed,
    passed,
)
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.minimal_installation",
    clauses=("8.1.4.4 a)",),
    policies=("host_hardening",),
    zh="最小安装（无策略禁止的软件包）",
    en="Minimal installation (none of the forbidden packages)",
    high_risk=False,
    remediation=("hardening:minimal_installation",),
)
def minimal_installation(facts: HostFacts, policy: Settings) -> Outcome:
    forbidden = policy["host_hardening"]["forbidden_packages"]
    found = sorted(name for name in forbidden if name in facts.packages)
    observed, expected = {"forbidden_installed": found, "packages": len(facts.packages)}, {"forbidden_installed": []}
    if found:
        return failed(
            observed,
            expected,
            f"forbidden packages installed: {', '.join(found)}",
            f"安装了禁止的软件包：{', '.join(found)}",
        )
    return passed(observed, expected, "no forbidden package is installed", "未安装禁止的软件包")
