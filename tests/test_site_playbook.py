"""playbooks/site.yml converges lab hosts through the generated inventory, then changes nothing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.lab


def play(env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ansible-playbook", "-i", env["DENGBAO_LAB_INVENTORY"], "playbooks/site.yml", *extra],
        cwd=REPO,
        env=dict(env, ANSIBLE_FORCE_COLOR="0"),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def changed_counts(output: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", output, re.M)}


def test_site_converges_then_is_idempotent_and_check_mode_sees_no_drift(run_lab, test_lab_env):
    run_lab("down")
    run_lab("up", "2")
    try:
        first = play(test_lab_env)
        assert first.returncode == 0, first.stdout[-4000:]
        assert all(count > 0 for count in changed_counts(first.stdout).values())
        second = play(test_lab_env)
        assert second.returncode == 0, second.stdout[-4000:]
        assert changed_counts(second.stdout) == {"his-app-01": 0, "his-db-01": 0}
        drift = play(test_lab_env, "--check", "--diff")
        assert drift.returncode == 0, drift.stdout[-4000:]
        assert changed_counts(drift.stdout) == {"his-app-01": 0, "his-db-01": 0}
    finally:
        run_lab("down")
