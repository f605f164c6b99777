"""playbooks/site.yml converges lab hosts through the generated inventory, then changes nothing."""

from __future__ import annotations

import re
import subprocess

import pytest

pytestmark = pytest.mark.lab


def changed_counts(output: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", output, re.M)}


def test_site_converges_then_is_idempotent_and_check_mode_sees_no_drift(run_lab, test_lab_env, run_playbook):
    def play(*extra: str) -> subprocess.CompletedProcess[str]:
        return run_playbook(test_lab_env["DENGBAO_LAB_INVENTORY"], "site", *extra)

    run_lab("down")
    run_lab("up", "2")
    try:
        first = play()
        assert first.returncode == 0, first.stdout[-4000:]
        assert all(count > 0 for count in changed_counts(first.stdout).values())
        second = play()
        assert second.returncode == 0, second.stdout[-4000:]
        assert changed_counts(second.stdout) == {"his-app-01": 0, "his-db-01": 0}
        drift = play("--check", "--diff")
        assert drift.returncode == 0, drift.stdout[-4000:]
        assert changed_counts(drift.stdout) == {"his-app-01": 0, "his-db-01": 0}
    finally:
        run_lab("down")
