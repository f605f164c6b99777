"""Collecting from simulated devices over real SSH: verdicts from live sessions, and every way a device can fail.

The devices are FakeNOS SSH servers on this machine's loopback (tests/devices/fake_devices.py), each
answering with a configuration file as its running configuration: the intended ones of the example hospital,
and a real, non-compliant Comware configuration. netmiko logs in with a password and reads the prompts as it
would on a switch.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import dengbao_command
from fake_devices import PASSWORD, device_target, free_ports, start_devices, write_inventory

from compliance.kinds.network_device.collect import collect
from compliance.model.host_policy import policy_for_host
from compliance.results.verdicts import Verdict
from compliance.scan.evaluate import evaluate_host

# FakeNOS's server thread trips over a session netmiko closes after a refused login; the device is simulated, the
# refusal is what the test reads.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
FIXTURES = Path(__file__).resolve().parents[2] / "compliance" / "kinds" / "network_device" / "fixtures"


@pytest.fixture(scope="module")
def devices(tmp_path_factory):
    """name → (platform, port, configuration) of the running simulated devices."""
    broken = tmp_path_factory.mktemp("broken") / "refuses.cfg"
    broken.write_text("Error: Unrecognized command found at '^' position.\n")
    ports = free_ports(5)
    layout = {
        "core-sw-01": ("huawei_vrp", ports[0], FIXTURES / "huawei_vrp" / "intended-core-sw-01.cfg"),
        "acc-sw-office-01": ("h3c_comware", ports[1], FIXTURES / "h3c_comware" / "intended-acc-sw-office-01.cfg"),
        "wan-rt-01": ("cisco_ios", ports[2], FIXTURES / "cisco_ios" / "intended-wan-rt-01.cfg"),
        "acc-sw-clin-01": ("h3c_comware", ports[3], FIXTURES / "h3c_comware" / "h3c-02.cfg"),
        "core-sw-02": ("huawei_vrp", ports[4], broken),
    }
    fake = start_devices(layout)
    yield layout
    fake.stop()


@pytest.fixture(scope="module")
def collected(devices):
    return collect([device_target(n, p, port) for n, (p, port, _) in devices.items()], workers=5, timeout=15)


def test_a_live_device_s_running_configuration_and_clock_are_kept_verbatim(devices, collected):
    for name in ("core-sw-01", "acc-sw-office-01", "wan-rt-01"):
        got = collected[name]
        assert got.status == "collected", got.error
        probes = got.collection.probes
        assert probes["running_config"].output.strip() == devices[name][2].read_text().strip()
        assert probes["running_config"].command in ("display current-configuration", "show running-config")
        assert probes["clock"].output and probes["platform"].output == devices[name][0]


def test_verdicts_from_live_devices_match_their_configurations(repo, collected):
    for name, wanted in (("core-sw-01", Verdict.PASS), ("wan-rt-01", Verdict.PASS), ("acc-sw-clin-01", Verdict.FAIL)):
        result = evaluate_host(collected[name], policy_for_host(repo, name).settings)
        verdicts = {c.check.id: c.verdict for c in result.checks}
        assert verdicts["network_device.remote_admin_encrypted"] is wanted, name
        assert all(c.evidence for c in result.checks), "each check result carries the probes it read"
        item = next(i for i in result.items if i.item.level3_id == "8.1.4.1 c)")
        assert item.verdict is wanted and "network_device.snmp_secure" in item.checks


def test_a_device_that_answers_a_command_with_an_error_is_an_error_not_a_verdict(collected):
    got = collected["core-sw-02"]
    assert got.status == "error" and "refused a command" in got.error and "display current-configuration" in got.error


def test_a_refused_login_is_an_error_and_a_closed_port_is_unreachable(devices):
    platform, port, _ = devices["core-sw-01"]
    (closed,) = free_ports(1)
    got = collect(
        [device_target("core-sw-01", platform, port, password="wrong"), device_target("core-sw-02", platform, closed)],
        workers=2,
        timeout=5,
    )
    assert got["core-sw-01"].status == "error" and "login refused" in got["core-sw-01"].error
    assert got["core-sw-02"].status == "unreachable" and got["core-sw-02"].collection is None


def test_a_scan_of_an_inventory_of_devices_judges_the_network_items(repo, devices, tmp_path):
    served = {name: (platform, port) for name, (platform, port, _) in devices.items() if name != "core-sw-02"}
    inventory = write_inventory(tmp_path / "devices.yml", served)
    listed = yaml.safe_load(inventory.read_text())
    listed["all"]["hosts"]["fw-01"] = {
        "ansible_host": "127.0.0.1",
        "ansible_port": 1,
        "dengbao_os": "fortios",
        "dengbao_device": "firewall",
    }
    inventory.write_text(yaml.safe_dump(listed))
    run = tmp_path / "run"
    env = dict(os.environ, DENGBAO_DEVICE_PASSWORD=PASSWORD)
    scanned = subprocess.run(
        [
            *dengbao_command(),
            *("scan", "-i", str(inventory), "-o", str(run), "--report", "html,md", "--no-progress"),
            *("--device-history", str(tmp_path / "history")),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert scanned.returncode == 1, scanned.stderr[-2000:]  # acc-sw-clin-01's findings
    results = json.loads((run / "results.json").read_text())
    by_name = {host["name"]: host for host in results["hosts"]}
    assert by_name["core-sw-01"]["status"] == "collected"
    assert by_name["fw-01"]["status"] == "not_collected"  # no collector for FortiOS: its items stay manual
    verdicts = {(item["object"], item["item"]): item["verdict"] for item in results["items"]}
    assert verdicts[("core-sw-01", "8.1.4.1 c)")] == "pass"
    assert verdicts[("acc-sw-clin-01", "8.1.4.1 c)")] == "fail"
    assert verdicts[("fw-01", "8.1.4.1 c)")] == "manual"
    report = (run / "report.html").read_text()  # a device's identity is its name and platform, not a machine-id
    assert "core-sw-01 · huawei_vrp" in report and "平台 platform h3c_comware" in report
    stored = "".join(path.read_text() for path in (run / "evidence").rglob("*.json"))
    assert "community write private" not in stored and "community write [已脱敏 redacted: SNMP community]" in stored
    kept = sorted(path.name for path in (tmp_path / "history").glob("*.cfg"))
    assert kept == ["acc-sw-clin-01.cfg", "acc-sw-office-01.cfg", "core-sw-01.cfg", "wan-rt-01.cfg"], kept
    history = "".join(path.read_text() for path in (tmp_path / "history").glob("*.cfg"))
    assert "community write private" not in history and "[已脱敏 redacted: SNMP community]" in history
    verified = subprocess.run(
        [*dengbao_command(), "evidence", "verify", str(run)], capture_output=True, text=True, timeout=120, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
