"""Device drift: running against intended by section and line, with the clauses the checks say it touches;
from a saved configuration and from a simulated device, whose configurations are kept in a git history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import dengbao_command
from fake_devices import PASSWORD, free_ports, start_devices, write_inventory

from compliance.devices.drift import device_drift, keep_history
from compliance.model.host_policy import policy_for_host

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
FIXTURES = Path(__file__).resolve().parents[2] / "compliance" / "kinds" / "network_device" / "fixtures"
VRP = (FIXTURES / "huawei_vrp" / "intended-core-sw-01.cfg").read_text()
DRIFTED = (
    VRP.replace("undo telnet server enable", "telnet server enable")
    .replace(" idle-timeout 10 0", " idle-timeout 30 0")
    .replace("info-center loghost 10.10.90.11\n", "")
    .replace(" rule 5 permit source", " rule 1 permit source any\n rule 5 permit source")
    + "vlan batch 10 20\n"
)


def test_each_difference_is_named_with_its_section_and_the_clauses_its_checks_decide(repo):
    found = device_drift("huawei_vrp", VRP, DRIFTED, policy_for_host(repo, "core-sw-01").settings)
    shown = {(d.kind, d.section, d.intended, d.running): d.clauses for d in found}
    assert shown == {
        ("missing", (), "info-center loghost 10.10.90.11", None): ("8.1.4.3 c)", "8.1.5.4 d)"),
        ("contrary", (), "undo telnet server enable", "telnet server enable"): ("8.1.4.1 c)", "8.1.5.4 b)"),
        # It lets anyone in (8.1.4.4 c), 8.1.5.4 a)), and hides the list's own rules (8.1.3.2 b)).
        ("extra", ("acl number 2000",), None, "rule 1 permit source any"): ("8.1.3.2 b)", "8.1.4.4 c)", "8.1.5.4 a)"),
        ("contrary", ("user-interface con 0",), "idle-timeout 10 0", "idle-timeout 30 0"): ("8.1.4.1 b)",),
        ("contrary", ("user-interface vty 0 4",), "idle-timeout 10 0", "idle-timeout 30 0"): ("8.1.4.1 b)",),
    }, "a VLAN no check reads is not drift"


def test_order_does_not_matter_and_the_intended_configuration_has_no_drift(repo):
    settings = policy_for_host(repo, "core-sw-01").settings
    assert device_drift("huawei_vrp", VRP, VRP, settings) == []
    blocks = VRP.split("#\n")
    reordered = "#\n".join([blocks[0], *reversed(blocks[1:-1]), blocks[-1]])
    assert reordered != VRP
    assert device_drift("huawei_vrp", VRP, reordered, settings) == []


def test_a_difference_no_check_reads_is_reported_without_a_clause(repo):
    renamed = VRP.replace("sysname core-sw-01", "sysname old-name")
    (difference,) = device_drift("huawei_vrp", VRP, renamed, policy_for_host(repo, "core-sw-01").settings)
    assert difference.kind == "contrary" and difference.clauses == ()
    assert "no clause (baseline only)" in difference.shown()


def test_the_history_commits_a_configuration_only_when_it_changed(tmp_path):
    history = tmp_path / "configs"
    assert keep_history(history, "core-sw-01", VRP, "2026-12-03T00:00:00+00:00")
    assert not keep_history(history, "core-sw-01", VRP, "2026-12-03T01:00:00+00:00")
    assert keep_history(history, "core-sw-01", DRIFTED, "2026-12-03T02:00:00+00:00")
    log = subprocess.run(["git", "-C", str(history), "log", "--format=%s"], capture_output=True, text=True, check=True)
    assert log.stdout.splitlines() == [
        "core-sw-01: running configuration collected 2026-12-03T02:00:00+00:00",
        "core-sw-01: running configuration collected 2026-12-03T00:00:00+00:00",
    ]


def test_drift_on_a_live_device_is_reported_with_its_clauses_and_kept_in_the_history(repo, tmp_path):
    config = tmp_path / "running.cfg"
    secret = " local-user noc password irreversible-cipher $1c$SECRETHASH0123$\n"
    config.write_text(DRIFTED.replace("aaa\n", "aaa\n" + secret, 1))
    (port,) = free_ports(1)
    fake = start_devices({"core-sw-01": ("huawei_vrp", port, config)})
    try:
        inventory = write_inventory(tmp_path / "devices.yml", {"core-sw-01": ("huawei_vrp", port)})
        command = [*dengbao_command(), "device", "drift", "core-sw-01", "-i", str(inventory), "--format", "json"]
        env = dict(os.environ, DENGBAO_DEVICE_PASSWORD=PASSWORD)
        shown = subprocess.run(
            [*command, "--history", str(tmp_path / "history")],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
        )
    finally:
        fake.stop()
    assert shown.returncode == 1, shown.stdout + shown.stderr
    document = json.loads(shown.stdout[shown.stdout.index("{") :])
    assert {c for d in document["drift"] for c in d["clauses"]} == {
        "8.1.3.2 b)",
        "8.1.4.1 b)",
        "8.1.4.1 c)",
        "8.1.4.3 c)",
        "8.1.4.4 c)",
        "8.1.5.4 a)",
        "8.1.5.4 b)",
        "8.1.5.4 d)",
    }
    kept = (tmp_path / "history" / "core-sw-01.cfg").read_text()
    # The history keeps the configuration as the sealed evidence does: the secret's form, not its value.
    assert "SECRETHASH0123" not in kept and "password irreversible-cipher [已脱敏" in kept
    assert kept.replace(kept.splitlines()[kept.splitlines().index("aaa") + 1] + "\n", "").strip() == DRIFTED.strip()


def test_a_saved_configuration_that_matches_has_no_drift(repo):
    saved = FIXTURES / "huawei_vrp" / "intended-core-sw-01.cfg"
    shown = subprocess.run(
        [*dengbao_command(), "device", "drift", "core-sw-01", "--config", str(saved)],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0 and "matches its intended configuration" in shown.stdout, shown.stdout + shown.stderr


NOTHING_TO_DO = """\
- name: Nothing on hosts
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Say so
      ansible.builtin.debug:
        msg: nothing
"""


def test_the_nightly_drift_reads_every_device_and_never_calls_an_unread_one_clean(repo, tmp_path):
    config = tmp_path / "running.cfg"
    config.write_text(DRIFTED)
    port, dead = free_ports(2)
    fake = start_devices({"core-sw-01": ("huawei_vrp", port, config)})
    try:
        inventory = write_inventory(
            tmp_path / "devices.yml",
            {"core-sw-01": ("huawei_vrp", port), "core-sw-02": ("huawei_vrp", dead), "fw-01": ("fortios", dead)},
        )
        (tmp_path / "play.yml").write_text(NOTHING_TO_DO)
        shown = subprocess.run(
            [*dengbao_command(), "drift", "-i", str(inventory), "--playbook", str(tmp_path / "play.yml"),
             "--ledger", str(tmp_path / "ledger.jsonl"), "--runs", str(tmp_path / "runs"), "-o", str(tmp_path / "d"),
             "--format", "json", "--device-timeout", "10"],
            cwd=repo, capture_output=True, text=True, timeout=300, check=False,
            env=dict(os.environ, DENGBAO_DEVICE_PASSWORD=PASSWORD),
        )  # fmt: skip
    finally:
        fake.stop()
    assert shown.returncode == 2, shown.stdout + shown.stderr  # a device could not be read: unfinished
    document = json.loads(shown.stdout)
    devices = {d["device"]: d for d in document["devices"]}
    assert document["verdict"] == "error" and document["drifted_devices"] == ["core-sw-01"]
    assert devices["core-sw-01"]["status"] == "checked"
    assert {"8.1.4.1 c)", "8.1.4.4 c)"} <= set(devices["core-sw-01"]["clauses"])
    assert devices["core-sw-02"]["status"] == "not_checked" and devices["core-sw-02"]["message"]
    assert devices["fw-01"]["status"] == "not_covered"
    markdown = (tmp_path / "d" / "drift.md").read_text()
    assert "## 网络设备 / Network devices (1 of 3 drifted)" in markdown and "telnet server enable" in markdown


def test_a_device_whose_vaulted_password_cannot_be_read_is_named_not_checked(repo, tmp_path):
    vault = tmp_path / "vault-password"
    vault.write_text("a-vault-password\n")
    encrypted = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-vault"), "encrypt_string", "--vault-password-file", str(vault),
         "device-secret", "--name", "ansible_password"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    port, other = free_ports(2)
    inventory = write_inventory(
        tmp_path / "devices.yml", {"core-sw-01": ("huawei_vrp", port), "acc-sw-office-01": ("h3c_comware", other)}
    )
    lines = inventory.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "core-sw-01:")
    indent = " " * (len(lines[at + 1]) - len(lines[at + 1].lstrip()))
    lines[at + 1 : at + 1] = [indent + line for line in encrypted.splitlines()]
    inventory.write_text("\n".join(lines) + "\n")
    (tmp_path / "play.yml").write_text(NOTHING_TO_DO)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_VAULT", "DENGBAO_DEVICE"))}
    shown = subprocess.run(
        [*dengbao_command(), "drift", "-i", str(inventory), "--playbook", str(tmp_path / "play.yml"),
         "--limit", "core-*", "--ledger", str(tmp_path / "ledger.jsonl"), "--runs", str(tmp_path / "runs"),
         "-o", str(tmp_path / "d"), "--format", "json"],
        cwd=repo, capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert shown.returncode == 2, shown.stdout + shown.stderr
    devices = {d["device"]: d for d in json.loads(shown.stdout)["devices"]}
    assert set(devices) == {"core-sw-01"}, "only the devices the limit names"
    assert devices["core-sw-01"]["status"] == "not_checked" and "vault" in devices["core-sw-01"]["message"]
