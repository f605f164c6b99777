"""A host's firewall rules reach the role and the checks through policy_for_host: from the inventory
that really holds the host (the lab stands in for the hospital under the same names, at its own
addresses), rendered by the role's template into a rule set the kernel accepts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml

from compliance.model.host_policy import HOST_FIREWALL, policy_for_host

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "roles" / "firewall" / "templates" / "firewall.nft.j2"
sys.path.insert(0, str(REPO / "roles" / "firewall" / "filter_plugins"))
from access import keeps_management_from  # noqa: E402  (the role's own filter plugin)


def lab_naming(root: Path, host: str, address: str, zone: str) -> None:
    """A lab hosts file like `dengbao lab up` writes, naming one host of the example hospital."""
    hosts = {
        "all": {
            "children": {
                f"zone_{zone}": {"hosts": {host: {"ansible_host": address}}},
                "system_his": {"hosts": {host: None}},
            }
        }
    }
    (root / "inventory" / "lab" / "hosts.yml").write_text("---\n" + yaml.safe_dump(hosts))


def render(rules: dict, log_drops: bool = True) -> str:
    """As Ansible's template module renders it (trim_blocks)."""
    template = jinja2.Template(TEMPLATE.read_text(), trim_blocks=True, undefined=jinja2.StrictUndefined)
    return template.render(firewall_rules=rules, firewall_log_drops=log_drops)


def test_the_hospital_s_host_gets_the_hospital_s_subnets():
    rules = policy_for_host(REPO, "his-db-01").settings[HOST_FIREWALL]
    assert rules["zone"] == "core_db"
    assert [a["sources"] for a in rules["inbound"] if a["source_zone"] == "app"] == [["10.10.20.0/24"]]


def test_the_lab_s_twin_at_a_lab_address_gets_the_lab_s_subnets(model_copy):
    lab_naming(model_copy, "his-db-01", "10.77.20.20", "core_db")
    lab = policy_for_host(model_copy, "his-db-01", {"ansible_host": "10.77.20.20"}).settings[HOST_FIREWALL]
    assert [a["sources"] for a in lab["inbound"] if a["source_zone"] == "app"] == [["10.77.30.0/24"]]
    hospital = policy_for_host(model_copy, "his-db-01", {"ansible_host": "10.10.10.20"}).settings[HOST_FIREWALL]
    assert [a["sources"] for a in hospital["inbound"] if a["source_zone"] == "app"] == [["10.10.20.0/24"]]


def test_a_host_no_inventory_names_takes_the_subnets_its_address_lies_in():
    rules = policy_for_host(REPO, "scan-x", {"dengbao_zone": "mgmt", "ansible_host": "10.77.10.120"}).settings
    assert rules[HOST_FIREWALL]["internal"][0].startswith("10.77.")
    assert HOST_FIREWALL not in policy_for_host(REPO, "scan-y").settings, "no zone, no rules"


def test_the_filter_keeps_management_from_the_management_zone_only():
    rules = policy_for_host(REPO, "his-app-01").settings[HOST_FIREWALL]
    assert keeps_management_from(rules, "10.10.90.10")
    assert not keeps_management_from(rules, "10.20.10.101")
    assert not keeps_management_from(rules, ""), "an unknown controller address is never taken as kept"


def test_the_template_opens_each_allowance_to_its_source_zone_and_drops_the_rest():
    text = render(policy_for_host(REPO, "his-db-01").settings[HOST_FIREWALL])
    assert "policy drop;" in text
    assert 'ip saddr @zone_app tcp dport { 1521, 5432 } accept comment "app → core_db"' in text
    assert 'ip saddr @zone_mgmt tcp dport { 22 } accept comment "mgmt → core_db"' in text
    assert 'counter reject with icmpx type admin-prohibited comment "no Internet from zone core_db"' in text
    dmz = render(policy_for_host(REPO, "web-01").settings[HOST_FIREWALL], log_drops=False)
    assert 'ip saddr != @internal tcp dport { 443 } accept comment "internet → dmz"' in dmz
    assert "chain output" not in dmz, "the DMZ may reach the Internet"
    assert "log prefix" not in dmz


@pytest.mark.skipif(shutil.which("nft") is None or shutil.which("unshare") is None, reason="nftables not installed")
@pytest.mark.parametrize("host", ["his-db-01", "his-app-01", "web-01", "bastion-01", "office-pc-01", "clin-ws-01"])
def test_the_kernel_accepts_the_rendered_rule_set(host, tmp_path):
    rules = tmp_path / "firewall.nft"
    rules.write_text(render(policy_for_host(REPO, host).settings[HOST_FIREWALL]))
    # A network namespace of its own: `nft -c` asks the kernel, and nothing is loaded anywhere.
    checked = subprocess.run(["unshare", "-n", "nft", "-c", "-f", str(rules)], capture_output=True, text=True)
    if checked.returncode != 0 and "Operation not permitted" in checked.stderr:
        pytest.skip("needs root (CAP_NET_ADMIN) for nft -c")
    assert checked.returncode == 0, checked.stderr
