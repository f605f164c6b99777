"""Every molecule scenario converges real lab hosts, is idempotent, and verifies. Check mode runs in
the scenarios whose roles tests/test_site_playbook.py does not converge; for the others, that test's
site.yml in check mode on the converged hosts is the same run."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.parent.name for p in (REPO / "molecule").glob("*/molecule.yml"))
# Started first so that the two workers finish together (measured: backup 4.8 min, firewall 4.5 min, antivirus 3.5 min,
# patching 3 min).
SLOWEST_FIRST = ("backup", "firewall", "antivirus", "patching", "logging", "sshd", "accounts")
# Scenarios with a role the site test converges on no host: the log host, a time server, the control node.
CHECK_MODE_HERE = {"logging", "timesync", "control_node"}

pytestmark = [pytest.mark.lab, pytest.mark.molecule]


def test_every_role_is_converged_by_a_scenario():
    roles = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "tasks" / "main.yml").exists())
    assert roles, "no roles found"
    converged = set()
    for scenario in SCENARIOS:
        for play in yaml.safe_load((REPO / "molecule" / scenario / "converge.yml").read_text()):
            converged.update(entry["role"] for entry in play.get("roles", []))
    assert set(roles) <= converged, f"roles no molecule scenario converges: {set(roles) - converged}"
    # Server roles are converged together with their clients: loghost in logging, signature_mirror in
    # antivirus, package_mirror in patching, backup_server in backup.
    assert set(roles) - {"loghost", "signature_mirror", "package_mirror", "backup_server"} <= set(SCENARIOS), (
        "a role's own scenario is named after it"
    )


def _molecule_test(scenario: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["molecule", "test", "-s", scenario],
        cwd=REPO,
        env=dict(env, ANSIBLE_FORCE_COLOR="0", PY_COLORS="0", NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


@pytest.fixture(scope="module")
def scenario_runs(request, test_lab_env):
    """Every scenario started at once, MOLECULE_WORKERS (2) at a time, the slowest first.

    Scenarios use hosts of their own on one lab; the lab serialises its starts and stops and
    replaces its ssh_config and inventory whole, so two scenarios never see half of either.
    """
    workers = int(os.environ.get("MOLECULE_WORKERS", "2"))
    selected = {
        item.callspec.params["scenario"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_molecule_scenario_passes"
    }
    rank = {scenario: place for place, scenario in enumerate(SLOWEST_FIRST)}
    order = sorted(selected, key=lambda scenario: (rank.get(scenario, len(rank)), scenario))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield {scenario: pool.submit(_molecule_test, scenario, test_lab_env) for scenario in order}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario_passes(scenario, scenario_runs):
    result = scenario_runs[scenario].result()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "idempotence" in output
    assert ("check: Executed: Successful" in output) == (scenario in CHECK_MODE_HERE), "check mode where it is due"
    assert " passed" in output and " failed" not in output.split("passed")[-1].split("\n")[0]
