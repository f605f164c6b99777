"""One source of truth: a threshold changed in policies/ changes what roles enforce and what checks expect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from compliance.model.host_policy import policy_for_host

PROBE = """---
- name: Show what the roles would enforce on his-db-01
  hosts: his-db-01
  connection: local
  gather_facts: false
  vars:
    # The example's become password is vaulted with a key nobody has; nothing here needs root.
    ansible_become: false
    ansible_become_password: ""
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  roles:
    - role: baseline
      vars:
        baseline_timezone_enabled: false
        baseline_banner_enabled: false
  tasks:
    - name: Write the role's variable and the policy values
      ansible.builtin.copy:
        content: "{{ {'role_timezone': baseline_timezone, 'min_length': dengbao_policy.accounts.password_min_length,
                     'level': dengbao_level, 'zone': dengbao_zone} | to_json }}"
        dest: "{{ playbook_dir }}/probe.json"
        mode: "0644"
      tags: [probe]
"""


def run_probe(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the probe play on his-db-01 of the copy's example hospital (no connection is made).

    Only the probe task runs: the roles' variables resolve, and none of their tasks (the package
    index refresh, /etc/hosts) touches the machine running the tests.
    """
    (root / "probe.yml").write_text(PROBE)
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(root / "ansible.cfg"),
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    )
    return subprocess.run(
        [
            "ansible-playbook",
            "-i",
            "inventory/example-hospital",
            "probe.yml",
            "--tags",
            "probe",
            "--skip-tags",
            "always",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def enforced(root: Path) -> dict:
    """What Ansible resolves for his-db-01: the role's variable and the policy values."""
    result = run_probe(root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((root / "probe.json").read_text())


def test_changing_a_policy_changes_both_the_role_variable_and_the_checked_value(model_copy):
    before = enforced(model_copy)
    assert before == {"role_timezone": "Asia/Shanghai", "min_length": 10, "level": 3, "zone": "core_db"}
    assert policy_for_host(model_copy, "his-db-01").settings["time"]["timezone"] == "Asia/Shanghai"

    time_policy = model_copy / "policies" / "time.yml"
    time_policy.write_text(time_policy.read_text().replace("timezone: Asia/Shanghai", "timezone: Asia/Urumqi"))
    accounts = model_copy / "policies" / "accounts.yml"
    accounts.write_text(accounts.read_text().replace("      password_min_length: 10", "      password_min_length: 12"))

    after = enforced(model_copy)
    assert after["role_timezone"] == "Asia/Urumqi"
    assert after["min_length"] == 12
    expected = policy_for_host(model_copy, "his-db-01").settings
    assert expected["time"]["timezone"] == "Asia/Urumqi"
    assert expected["accounts"]["password_min_length"] == 12


def test_an_invalid_model_stops_a_playbook_before_any_task(model_copy):
    audit = model_copy / "policies" / "audit.yml"
    audit.write_text(audit.read_text().replace("log_retention_days: 180", "log_retention_days: 30"))
    result = run_probe(model_copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "模型校验失败 / the model does not validate" in output
    assert "policies/audit.yml:13:3 [settings.log_retention_days]" in output
    assert "TASK [Write the role's variable" not in output
    assert not (model_copy / "probe.json").exists()
