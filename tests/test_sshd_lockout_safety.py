"""The sshd role on a real lab host: a bad value is refused by `sshd -t` before anything is
installed, sshd keeps running, and the host stays reachable for a fresh SSH connection."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest
import yaml

HOST = "lock-1"
DROP_IN = "/etc/ssh/sshd_config.d/50-dengbao.conf"

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab_host(run_lab, test_lab_paths, tmp_path_factory):
    run_lab("down")
    run_lab("up", f"--host={HOST}")
    inventory = tmp_path_factory.mktemp("lockout") / "hosts.yml"
    ssh_args = f"-F {test_lab_paths.ssh_config}"
    inventory.write_text(
        yaml.safe_dump({"all": {"hosts": {HOST: {"ansible_user": "root", "ansible_ssh_args": ssh_args}}}})
    )
    yield test_lab_paths, inventory
    run_lab("down")


def fresh_ssh(paths, command: str) -> subprocess.CompletedProcess[str]:
    """A new connection, not the multiplexed one Ansible may still hold."""
    options = ["-o", "ControlMaster=no", "-o", "ControlPath=none", "-o", "ConnectTimeout=10"]
    return subprocess.run(
        ["ssh", "-F", str(paths.ssh_config), *options, HOST, command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def drop_in_digest(paths) -> str | None:
    result = fresh_ssh(paths, f"cat {DROP_IN}")
    return hashlib.sha256(result.stdout.encode()).hexdigest() if result.returncode == 0 else None


def test_a_bad_value_is_refused_and_sshd_keeps_running(lab_host, run_playbook):
    paths, inventory = lab_host
    bad = run_playbook(inventory, "ssh", "-e", json.dumps({"sshd_ciphers": ["no-such-cipher"]}), timeout=600)
    assert bad.returncode != 0
    assert "failed to validate" in bad.stdout, bad.stdout[-3000:]
    assert drop_in_digest(paths) is None, "nothing was installed"
    assert fresh_ssh(paths, "systemctl is-active ssh").stdout.strip() == "active"


def test_after_a_good_run_a_bad_one_leaves_the_good_file_and_access(lab_host, run_playbook):
    paths, inventory = lab_host
    good = run_playbook(inventory, "ssh", timeout=600)
    assert good.returncode == 0, good.stdout[-3000:]
    before = drop_in_digest(paths)
    assert before is not None
    reachable = fresh_ssh(paths, "sshd -T | grep -E '^(permitrootlogin|allowgroups) '")
    assert reachable.returncode == 0, "the run's own account still gets in over a new connection"
    assert "permitrootlogin no" in reachable.stdout, "root is refused to everyone else"
    bad = run_playbook(inventory, "ssh", "-e", json.dumps({"sshd_max_auth_tries": "many"}), timeout=600)
    assert bad.returncode != 0
    assert drop_in_digest(paths) == before
    assert fresh_ssh(paths, "systemctl is-active ssh").stdout.strip() == "active"
