"""The lab for real: hosts boot, answer SSH with pinned keys, stay isolated, and leave nothing behind.

These tests need root and start real Debian hosts (systemd-nspawn) on the test lab network.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from compliance.lab.cgroups import lab_groups
from compliance.lab.machine import lab_mounts
from compliance.lab.network import lab_veths, link_exists
from compliance.lab.paths import LabPaths
from compliance.lab.process import find_processes, process_exited

pytestmark = pytest.mark.lab
REPO = Path(__file__).resolve().parents[2]


def ssh(paths: LabPaths, host: str, command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ssh", "-F", str(paths.ssh_config), host, command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def lab_traces(paths: LabPaths) -> dict[str, list]:
    """Everything of this lab that could outlive it on the machine: processes, mounts, links, state."""
    markers = ("--machine=" + paths.machine_prefix, str(paths.apt_proxy_dir), str(paths.ssh_dir / "cm-"))
    return {
        "processes": find_processes(lambda argv: any(m in a for a in argv for m in markers)),
        "mounts": lab_mounts(paths),
        "veths": lab_veths(paths),
        "bridge": [zone.bridge for zone in paths.layout.zones if link_exists(zone.bridge)],
        "router": [paths.router_namespace] if paths.router_namespace in netns_list().split() else [],
        "cgroups": [group for group in lab_groups(paths.bridge) if group.exists()],
        "state": sorted(p.name for p in paths.state.iterdir() if p.name != "lock") if paths.state.exists() else [],
    }


NOTHING_LEFT = {"processes": [], "mounts": [], "veths": [], "bridge": [], "router": [], "cgroups": [], "state": []}


def netns_list() -> str:
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def three_hosts(run_lab, test_lab_paths):
    run_lab("down")
    namespaces_before = netns_list()
    run_lab("up", "3")
    yield namespaces_before
    run_lab("down")


def test_hosts_answer_ssh_with_their_own_name_and_pinned_host_keys(three_hosts, test_lab_paths):
    for name, address in [("his-db-01", "10.77.20.20"), ("his-app-01", "10.77.30.30"), ("bastion-01", "10.77.10.10")]:
        result = ssh(test_lab_paths, name, "hostname; hostname -I")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [name, address]
    known = test_lab_paths.known_hosts.read_text()
    assert known.count("ssh-ed25519") == 3
    keys = {line.split()[2] for line in known.splitlines()}
    assert len(keys) == 3, "every host has its own host key"


def test_lab_ssh_runs_a_command_on_the_named_host(three_hosts, run_lab):
    result = run_lab("ssh", "his-app-01", "hostname")
    assert result.stdout.strip() == "his-app-01"
    assert run_lab("ssh", "no-such-host", "true", check=False).returncode == 1


def test_hosts_boot_a_real_systemd_with_sshd_and_no_failed_units(three_hosts, test_lab_paths):
    result = ssh(test_lab_paths, "his-db-01", "systemctl is-system-running --wait; systemctl is-active ssh")
    assert result.stdout.split() == ["running", "active"], result.stdout + result.stderr


def test_hosts_reach_only_the_lab_s_zones(three_hosts, test_lab_paths):
    routes = [line.split()[0] for line in ssh(test_lab_paths, "his-db-01", "ip -4 route").stdout.splitlines()]
    assert "default" not in routes, "a HIS database host has no route out of the hospital"
    assert "10.77.30.0/24" in routes and "10.77.10.0/24" in routes, "it routes to the other zones"
    outside = ssh(
        test_lab_paths,
        "his-db-01",
        "python3 -c 'import socket; socket.create_connection((\"192.0.2.1\", 80), timeout=2)'",
    )
    assert outside.returncode != 0
    assert "Network is unreachable" in outside.stderr
    across_zones = ssh(
        test_lab_paths,
        "his-db-01",
        "python3 -c 'import socket; socket.create_connection((\"10.77.30.30\", 22), timeout=2)'",
    )
    assert across_zones.returncode == 0, across_zones.stderr


def test_an_image_s_empty_package_index_never_looks_fresh(three_hosts, test_lab_paths):
    """#12: the image ships no package lists, and its index directory dates from 1970, not from the build."""
    listing = "find /var/lib/apt/lists -maxdepth 1 -type f | wc -l; stat -c %Y /var/lib/apt/lists"
    index = ssh(test_lab_paths, "his-db-01", listing)
    assert index.returncode == 0, index.stderr
    assert index.stdout.split() == ["0", "0"]


def test_packages_come_through_the_lab_apt_proxy(three_hosts, test_lab_paths):
    proxy = ssh(test_lab_paths, "his-app-01", "apt-config dump Acquire::http::Proxy").stdout
    assert 'Acquire::http::Proxy "http://10.77.10.254:3142"' in proxy, "the controller's address in the management zone"
    update = ssh(test_lab_paths, "his-app-01", "apt-get update -q", timeout=300)
    assert update.returncode == 0, update.stdout + update.stderr
    assert "http://deb.debian.org" in update.stdout or "Hit:" in update.stdout or "Get:" in update.stdout


def test_the_written_inventory_reaches_every_host_through_ansible(three_hosts, test_lab_env):
    inventory = test_lab_env["DENGBAO_LAB_INVENTORY"]
    graph = subprocess.run(
        ["ansible-inventory", "-i", inventory, "--graph"], env=test_lab_env, capture_output=True, text=True, check=True
    ).stdout
    for group in ("@zone_core_db:", "@zone_app:", "@zone_mgmt:", "@system_his:"):
        assert group in graph
    ping = subprocess.run(
        ["ansible", "-i", inventory, "all", "-m", "ansible.builtin.ping", "-o"],
        env=test_lab_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert ping.stdout.count("SUCCESS") == 3


# Secrets a careless administrator leaves in files the scan reads, each in a common form.
PLANTED_CRON = """# planted by the test: the scan must store none of these secrets
0 1 * * * postgres PGPASSWORD=Pg-Planted-1 pg_dump his
5 1 * * * root DB_PASSWORD='Db-Planted-2' /opt/his/backup
10 1 * * * root MYSQL_PWD=My-Planted-3 mysqldump his
15 1 * * * root mysqldump -uroot -pMy-Planted-4 his
20 1 * * * root sshpass -p Ssh-Planted-5 rsync -a /data backup:/
25 1 * * * root curl -s -u ops:Curl-Planted-6 https://10.0.0.7/api
30 1 * * * root curl -H "Authorization: Bearer Tok-Planted-7" https://10.0.0.7/api
35 1 * * * root AWS_ACCESS_KEY_ID=AKIAPLANTED000000008 aws s3 ls
"""
PLANTED_CONFIG = """-- planted by the test, in the forms of other configuration languages
bindpw Ldap-Planted-9
ldap_default_authtok = Sssd-Planted-10
aws_secret_access_key = Aws-Planted-11
db_password: Yaml-Planted-12
password = Ini-Planted-13
{"db_password": "Json-Planted-14"}
"""
# A file the scan reads (the syslog_config probe), in a folder made for it where rsyslog is not installed;
# never loaded: rsyslog is not restarted while it is there.
PLANTED_CONFIG_FILE = "/etc/rsyslog.d/99-dengbao-planted.conf"
PLANTED = [f"Planted-{n}" for n in range(1, 15)]
BECOME_PASSWORD = "Become-Vaulted-Secret-77"


def _files_of(directory):
    return [path for path in directory.rglob("*") if path.is_file()]


@pytest.fixture
def vaulted_host(three_hosts, test_lab_env, test_lab_paths, tmp_path):
    """his-app-01 with an account that needs its password for sudo, and secrets planted in its files;
    an inventory reaching it as that account, whose become password is an ansible-vault value."""
    host = "his-app-01"
    setup = (
        "id scanops >/dev/null 2>&1 || useradd -m -s /bin/bash scanops;"
        f" echo 'scanops:{BECOME_PASSWORD}' | chpasswd;"
        " echo 'scanops ALL=(ALL:ALL) ALL' > /etc/sudoers.d/scanops; chmod 0440 /etc/sudoers.d/scanops;"
        " install -d -m 0700 -o scanops -g scanops ~scanops/.ssh;"
        " install -m 0600 -o scanops -g scanops /root/.ssh/authorized_keys ~scanops/.ssh/authorized_keys;"
        f" mkdir -p {PLANTED_CONFIG_FILE.rsplit('/', 1)[0]}"
    )
    assert ssh(test_lab_paths, host, setup).returncode == 0
    for path, text in (("/etc/cron.d/dengbao-planted", PLANTED_CRON), (PLANTED_CONFIG_FILE, PLANTED_CONFIG)):
        result = subprocess.run(
            ["ssh", "-F", str(test_lab_paths.ssh_config), host, f"cat > {path}"],
            input=text,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
    vault_password = tmp_path / "vault-password"
    vault_password.write_text(secrets.token_urlsafe(24) + "\n")
    vault_password.chmod(0o600)
    encrypted = subprocess.run(
        [
            "ansible-vault",
            "encrypt_string",
            "--vault-password-file",
            str(vault_password),
            BECOME_PASSWORD,
            "--name",
            "ansible_become_password",
        ],
        env=test_lab_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lab = yaml.safe_load(Path(test_lab_env["DENGBAO_LAB_INVENTORY"]).read_text())
    address = next(
        hosts[host]["ansible_host"]
        for group in lab["all"]["children"].values()
        for hosts in [group.get("hosts") or {}]
        if (hosts.get(host) or {}).get("ansible_host")
    )
    indented = "\n".join("      " + line for line in encrypted.strip().splitlines())
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        "all:\n  vars:\n"
        f"    ansible_ssh_args: -F {test_lab_paths.ssh_config}\n"
        "    ansible_python_interpreter: /usr/bin/python3\n"
        "  hosts:\n"
        f"    {host}:\n"
        f"      ansible_host: {address}\n"
        "      ansible_user: scanops\n"
        "      ansible_become: true\n"
        f"{indented}\n"
    )
    env = dict(test_lab_env, ANSIBLE_VAULT_PASSWORD_FILE=str(vault_password), DENGBAO_CACHE=str(tmp_path / "cache"))
    yield {"host": host, "inventory": inventory, "env": env, "vault_password": vault_password.read_text().strip()}
    ssh(
        test_lab_paths,
        host,
        f"userdel -r scanops; rm -f /etc/sudoers.d/scanops /etc/cron.d/dengbao-planted {PLANTED_CONFIG_FILE}",
    )


def test_a_vaulted_become_password_works_for_a_playbook(vaulted_host, tmp_path):
    playbook = tmp_path / "whoami.yml"
    playbook.write_text(
        "- hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n"
        "    - {ansible.builtin.command: id -u, register: uid, changed_when: false}\n"
        "    - ansible.builtin.assert: {that: uid.stdout == '0'}\n"
    )
    result = subprocess.run(
        ["ansible-playbook", "-i", str(vaulted_host["inventory"]), str(playbook)],
        env=vaulted_host["env"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(rf"{vaulted_host['host']}\s+: ok=2 ", result.stdout), "both tasks ran on the host, as root"
    assert BECOME_PASSWORD not in result.stdout + result.stderr


def test_a_vaulted_become_password_works_for_a_scan_and_no_secret_reaches_the_run(vaulted_host, tmp_path, dengbao_cmd):
    run_dir = tmp_path / "run"
    result = subprocess.run(
        [*dengbao_cmd, "scan", "-i", str(vaulted_host["inventory"]), "-o", str(run_dir), "--no-progress"],
        cwd=REPO,
        env=vaulted_host["env"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    evidence = json.loads((run_dir / "evidence" / f"{vaulted_host['host']}.json").read_text())
    assert evidence["status"] == "collected", evidence.get("error")
    shadow = evidence["probes"]["shadow"]
    assert shadow["exit_code"] == 0 and "root" in shadow["output"], "sudo with the vaulted password reached root"
    stored = "\n".join(path.read_bytes().decode("utf-8", "replace") for path in _files_of(run_dir))
    cached = "\n".join(path.read_bytes().decode("utf-8", "replace") for path in _files_of(tmp_path / "cache"))
    everything = stored + cached + result.stdout + result.stderr
    for secret in (BECOME_PASSWORD, vaulted_host["vault_password"], *PLANTED):
        assert secret not in everything, f"{secret} reached the run, the cache or the output"
    crontabs = evidence["probes"]["crontabs"]["output"]
    assert crontabs.count("[已脱敏 redacted:") >= 8, "the planted command lines were read and redacted"
    syslog_config = evidence["probes"]["syslog_config"]["output"]
    assert syslog_config.count("[已脱敏 redacted:") >= 6, "the planted configuration lines were read and redacted"


def test_a_vaulted_become_password_without_the_vault_password_stops_before_the_scan(
    vaulted_host, tmp_path, dengbao_cmd
):
    env = {k: v for k, v in vaulted_host["env"].items() if k != "ANSIBLE_VAULT_PASSWORD_FILE"}
    result = subprocess.run(
        [*dengbao_cmd, "scan", "-i", str(vaulted_host["inventory"]), "-o", str(tmp_path / "run")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no vault password is given" in result.stderr and "ANSIBLE_VAULT_PASSWORD_FILE" in result.stderr
    assert not (tmp_path / "run").exists()


def test_up_again_keeps_the_running_hosts(three_hosts, run_lab, test_lab_paths):
    before = json.loads(test_lab_paths.state_file.read_text())
    run_lab("up", "3")
    assert json.loads(test_lab_paths.state_file.read_text()) == before


def test_a_host_whose_machine_died_is_reported_and_restarted(three_hosts, run_lab, test_lab_paths):
    recorded = {h["name"]: h for h in json.loads(test_lab_paths.state_file.read_text())["hosts"]}
    nspawn = recorded["bastion-01"]["pid"]
    children = subprocess.run(["pgrep", "-P", str(nspawn)], capture_output=True, text=True, check=True).stdout
    (old_init,) = [int(pid) for pid in children.split()]
    os.kill(nspawn, signal.SIGKILL)
    time.sleep(0.5)
    status = run_lab("status", "--json", check=False)
    rows = {row["name"]: row for row in json.loads(status.stdout)}
    assert status.returncode == 0
    assert rows["bastion-01"]["running"] is False
    assert run_lab("status", check=False).returncode == 1
    run_lab("up", "3")
    assert process_exited(old_init), "the orphaned systemd of the killed machine is gone"
    assert ssh(test_lab_paths, "bastion-01", "true").returncode == 0
    assert len(test_lab_paths.known_hosts.read_text().splitlines()) == 3


def test_down_leaves_no_process_mount_link_namespace_or_state(three_hosts, run_lab, test_lab_paths):
    assert lab_traces(test_lab_paths)["processes"], "the lab is running before down"
    run_lab("down", "his-app-01")
    assert ssh(test_lab_paths, "his-db-01", "true").returncode == 0, "other hosts keep running"
    run_lab("down")
    assert lab_traces(test_lab_paths) == NOTHING_LEFT
    assert netns_list() == three_hosts


def test_a_failed_up_cleans_up_after_itself(run_lab, test_lab_paths):
    run_lab("down")
    failed = run_lab("up", "2", "--timeout", "0.01", check=False)
    assert failed.returncode == 1
    assert "SSH did not come up in time" in failed.stderr
    assert "以下主机的 SSH 未能在规定时间内就绪" in failed.stderr
    assert lab_traces(test_lab_paths) == NOTHING_LEFT


def test_twenty_hosts_run_at_once_and_all_answer(run_lab, test_lab_paths):
    run_lab("down")
    try:
        started = run_lab("up", "20", "--json")
        hosts = [row["instance"] for row in json.loads(started.stdout)]
        assert len(hosts) == 20
        with ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(lambda h: ssh(test_lab_paths, h, "cat /etc/hostname"), hosts))
        assert [r.stdout.strip() for r in results] == hosts
    finally:
        run_lab("down")
    assert lab_traces(test_lab_paths)["processes"] == []
