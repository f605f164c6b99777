"""Every molecule scenario converges real lab hosts, is idempotent, passes check mode, and verifies."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.parent.name for p in (REPO / "molecule").glob("*/molecule.yml"))

pytestmark = [pytest.mark.lab, pytest.mark.molecule]


def test_every_role_is_converged_by_a_scenario():
    roles = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "tasks" / "main.yml").exists())
    assert roles, "no roles found"
    converged = set()
    for scenario in SCENARIOS:
        for play in yaml.safe_load((REPO / "molecule" / scenario / "converge.yml").read_text()):
            converged.update(entry["role"] for entry in play.get("roles", []))
    assert set(roles) <= converged, f"roles no molecule scenario converges: {set(roles) - converged}"
    # Server roles are converged together with their clients: loghost in logging, signature_mirror in antivirus.
    assert set(roles) - {"loghost", "signature_mirror"} <= set(SCENARIOS), "a role's own scenario is named after it"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario_passes(scenario, test_lab_env, run_lab):
    result = subprocess.run(
        ["molecule", "test", "-s", scenario],
        cwd=REPO,
        env=dict(test_lab_env, ANSIBLE_FORCE_COLOR="0", PY_COLORS="0", NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "idempotence" in output
    assert " passed" in output and " failed" not in output.split("passed")[-1].split("\n")[0]
