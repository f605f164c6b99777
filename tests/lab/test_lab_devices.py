"""The lab's simulated switches and router for real: `dengbao lab up` starts the example hospital's devices in
their zones, running their intended configuration; a lab scan judges their network items instead of leaving
them manual; a change made on a device fails its check and shows as drift with its clause, and a push puts
it back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO, dengbao_command
from netmiko import ConnectHandler

from compliance.lab.devices import DEVICE_USER
from compliance.lab.paths import LabPaths

pytestmark = pytest.mark.lab
DEVICES = {"core-sw-01": "mgmt", "acc-sw-clin-01": "clinical", "wan-rt-01": "dmz"}
# What each check of a device decides, and the verdicts a device running its intended configuration earns:
# partial where the check names what the evaluator must still see on the device itself.
EXPECTED_VERDICTS = {"pass", "partial"}


@pytest.fixture(scope="module")
def device_lab(run_lab, test_lab_paths: LabPaths, test_lab_env: dict[str, str]):
    run_lab("down", *DEVICES)
    run_lab("up", *(f"--host={name}" for name in DEVICES))
    env = dict(test_lab_env, ANSIBLE_VAULT_PASSWORD_FILE=str(test_lab_paths.vault_password_file))
    yield test_lab_paths, env
    run_lab("down", *DEVICES)


def dengbao(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*dengbao_command(), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def scan(env: dict[str, str], run: Path) -> dict:
    limit = ",".join(DEVICES)
    scanned = dengbao(env, "scan", "-i", "inventory/lab", "--limit", limit, "-o", str(run), "--no-progress")
    assert scanned.returncode in (0, 1), scanned.stderr[-3000:]
    assert "Traceback" not in scanned.stderr, scanned.stderr[-3000:]
    return json.loads((run / "results.json").read_text())


def configure(paths: LabPaths, address: str, *commands: str) -> None:
    """Type commands at a VRP device over SSH, as an administrator would."""
    session = ConnectHandler(
        device_type="huawei",
        host=address,
        username=DEVICE_USER,
        password=paths.device_password_file.read_text().strip(),
        fast_cli=True,
    )
    try:
        for command in commands:
            session.send_command_timing(command)
    finally:
        session.disconnect()


def check_verdicts(results: dict) -> dict[tuple[str, str], str]:
    """(device, check) → the check's own verdict (an item's verdict combines every check claiming it)."""
    return {(host["name"], c["check"]): c["verdict"] for host in results["hosts"] for c in host["checks"]}


def test_devices_sit_in_their_zones_and_the_inventory_holds_their_password_only_vaulted(device_lab):
    paths, env = device_lab
    text = (REPO / "inventory" / "lab" / "hosts.yml").read_text()
    hosts = {}
    for group in yaml.safe_load(text.replace("!vault", ""))["all"]["children"].values():
        hosts |= {name: variables for name, variables in (group.get("hosts") or {}).items() if variables}
    for name, zone in DEVICES.items():
        assert paths.layout.zone_of(hosts[name]["ansible_host"]).name == zone
        assert hosts[name]["ansible_user"] == DEVICE_USER
    password = paths.device_password_file.read_text().strip()
    assert password not in text and text.count("$ANSIBLE_VAULT;1.1;AES256") == len(DEVICES)
    assert oct(paths.device_password_file.stat().st_mode & 0o777) == "0o600"
    validated = dengbao(env, "validate")  # the generated inventory is part of the model, and valid
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_a_lab_scan_judges_the_example_hospital_s_device_items_instead_of_leaving_them_manual(device_lab, tmp_path):
    _, env = device_lab
    results = scan(env, tmp_path / "run")
    by_name = {host["name"]: host for host in results["hosts"]}
    for name in DEVICES:
        assert by_name[name]["status"] == "collected", by_name[name]
        judged = {check: verdict for (device, check), verdict in check_verdicts(results).items() if device == name}
        assert len(judged) == 14 and all(check.startswith("network_device.") for check in judged), judged
        assert set(judged.values()) <= EXPECTED_VERDICTS, (name, judged)
        assert judged["network_device.remote_admin_encrypted"] == "pass"  # SSH only: decided, not manual
        assert judged["network_device.zone_filtering"] == "pass"  # its zone interfaces filter by the matrix
        # The device side of 8.1.4 (identification, lockout and time-outs, encrypted management, logging, time,
        # management access, unneeded services, stored secrets, default accounts), the boundary items of 8.1.3
        # (controlled ports, rules by the policy, minimal, by address, port and protocol), the zones' addressing
        # (8.1.2.1 c)) and the device side of central management (8.1.5.4 a) b) d)) have verdicts, not "manual".
        items = {r["item"]: r["verdict"] for r in results["items"] if r["object"] == name and r["checks"]}
        assert len(items) == 17 and "manual" not in items.values(), (name, items)
        assert items["8.1.3.2 a)"] == "pass" and items["8.1.3.1 a)"] == "partial", items
        assert items["8.1.2.1 c)"] == "partial", items  # the address plan is a document
    verified = dengbao(env, "evidence", "verify", str(tmp_path / "run"))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_telnet_and_an_open_filter_at_a_device_fail_their_checks_show_as_drift_and_a_push_puts_them_back(
    device_lab, tmp_path
):
    paths, env = device_lab
    address = paths.layout.address("mgmt", 2)
    # Telnet on; the application zone's filter opened to everything ahead of its rules; that zone's gateway
    # moved to an address outside the zone; a local account under a factory name.
    configure(
        paths,
        address,
        "system-view",
        "telnet server enable",
        "acl number 3002",
        "rule 1 permit ip",
        "quit",
        "interface Vlanif20",
        "ip address 192.0.2.1 255.255.255.0",
        "quit",
        "aaa",
        "local-user admin password irreversible-cipher Lab@Factory1",
        "return",
    )

    results = scan(env, tmp_path / "changed")
    verdicts = check_verdicts(results)
    assert verdicts[("core-sw-01", "network_device.remote_admin_encrypted")] == "fail"
    assert verdicts[("acc-sw-clin-01", "network_device.remote_admin_encrypted")] == "pass"
    assert verdicts[("core-sw-01", "network_device.zone_filtering")] == "fail"
    assert verdicts[("core-sw-01", "network_device.acl_minimal")] == "fail"  # every later rule is now unreachable
    assert verdicts[("core-sw-01", "network_device.zone_addressing")] == "fail"
    assert verdicts[("core-sw-01", "network_device.default_accounts")] == "fail"
    assert verdicts[("acc-sw-clin-01", "network_device.default_accounts")] == "pass"
    items = {r["item"]: r["verdict"] for r in results["items"] if r["object"] == "core-sw-01"}
    assert items["8.1.3.2 a)"] == "fail" and items["8.1.3.2 b)"] == "fail", items
    assert items["8.1.2.1 c)"] == "fail" and items["8.1.4.2 b)"] == "fail", items

    drift = dengbao(env, "device", "drift", "core-sw-01", "-i", "inventory/lab")
    assert drift.returncode == 1, drift.stdout + drift.stderr
    assert "telnet server enable" in drift.stdout and "8.1.4.1 c)" in drift.stdout
    assert "rule 1 permit ip" in drift.stdout and "8.1.3.2 a)" in drift.stdout
    assert "ip address 192.0.2.1" in drift.stdout and "8.1.2.1 c)" in drift.stdout
    assert "local-user admin" in drift.stdout and "8.1.4.2 b)" in drift.stdout

    # A merge puts Telnet off and the gateway's address back; --remove-extra also takes the added rule out
    # (undo rule 1) and the factory account (undo local-user admin …).
    push = ["device", "push", "core-sw-01", "-i", "inventory/lab", "--remove-extra", "-o", str(tmp_path / "push")]
    pushed = dengbao(env, *push)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    document = json.loads((tmp_path / "push" / "push.json").read_text())
    assert document["outcome"] == "applied" and any("- rule 1 permit ip" in c for c in document["changes"])
    assert any("- local-user admin" in c for c in document["changes"]), document["changes"]
    again = dengbao(env, "device", "drift", "core-sw-01", "-i", "inventory/lab")
    assert again.returncode == 0, again.stdout + again.stderr


def test_down_removes_a_device_s_namespace_and_its_link(device_lab, run_lab):
    paths, _ = device_lab
    run_lab("down", "acc-sw-clin-01")
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert paths.machine_name("acc-sw-clin-01") not in namespaces
    assert not Path("/sys/class/net", "vd-" + paths.machine_name("acc-sw-clin-01")).exists()
    assert "acc-sw-clin-01" not in (REPO / "inventory" / "lab" / "hosts.yml").read_text()
    run_lab("up", "--host=acc-sw-clin-01")  # back, for whatever runs after
    assert (paths.host_dir("acc-sw-clin-01") / "running.cfg").exists()
