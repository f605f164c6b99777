"""Scanning lab hosts from a test: run `dengbao scan`, read each host's verdicts back.

Shared by the check scenarios (tests/scan/test_check_scenarios.py) and the before/after test of
playbooks/site.yml (tests/test_site_playbook.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import jinja2

from compliance.model.schedule import oncalendar

REPO = Path(__file__).resolve().parents[1]


def scenario_host_vars(address: str) -> dict[str, str]:
    """The scenario hosts are ad-hoc lab hosts: no inventory names them; they sit in the lab's management
    zone, whose rules (the zone matrix on the lab's subnets) their address selects."""
    return {"ansible_host": address, "dengbao_zone": "mgmt"}


# Checks whose passing side a container cannot show, with the verdict a compliant lab host gets instead.
CONTAINER_LIMITS = {"linux.auditd_running": "not_applicable"}


def scan(
    command: list[str], env: dict[str, str], inventory: Path, output: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "scan", "-i", str(inventory), "-o", str(output), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def verdicts(document: dict, host: str) -> dict[str, str]:
    """Each check's verdict on `host`, from a run's results.json; the host must have answered."""
    [found] = [h for h in document["hosts"] if h["name"] == host]
    assert found["status"] == "collected", found["error"]
    return {c["check"]: c["verdict"] for c in found["checks"]}


def render(path: Path, policy: dict) -> str:
    """A fragment with the host's policy, the policy's schedules as systemd timers write them, and the
    roles' own templates (`role_template`), so a fragment writes a file exactly as its role does."""
    template = jinja2.Template(path.read_text(), undefined=jinja2.StrictUndefined)
    return template.render(policy=policy, oncalendar=oncalendar, role_template=role_template)


def role_template(role: str, name: str, **variables: object) -> str:
    """A role's template rendered as Ansible's template module does (trim_blocks)."""
    path = REPO / "roles" / role / "templates" / name
    template = jinja2.Template(path.read_text(), trim_blocks=True, undefined=jinja2.StrictUndefined)
    return template.render(**variables)
