"""Verify the firewall with real packets across the lab's zones: what the matrix allows gets through,
everything else is refused, HIS hosts never reach the Internet stand-in (not even with a route to
it), and a rule set that would cut administration is refused before loading or rolled back by itself."""

import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import testinfra
import yaml

from compliance.checks import all_checks
from compliance.kinds.collection import stored_collection
from compliance.kinds.linux.facts import HostFacts
from compliance.model.host_policy import policy_for_host

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
CONVERGED = ("his-db-01", "his-app-01", "bastion-01", "web-01", "oa-app-01")
testinfra_hosts = [f"ansible://{name}" for name in CONVERGED]
INTERNET = "198.18.113.10"
REPO = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"])


def on(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


def address(name):
    return yaml.safe_load(Path(INVENTORY).read_text())["all"]["hosts"][name]["ansible_host"]


def answer(source, target, port, timeout=3):
    """What a new TCP connection from host `source` to `target`:`port` gets: the first bytes of an
    answer ('' when the service waits for the client), or the error that stopped it."""
    script = (
        "import socket,sys\n"
        "try:\n"
        f" s=socket.create_connection(({target!r},{port}),timeout={timeout}); s.settimeout(1)\n"
        " try: print('open', s.recv(8).decode(errors='replace'))\n"
        " except socket.timeout: print('open')\n"
        "except OSError as e: print('refused', type(e).__name__)\n"
    )
    return on(source).check_output(f"python3 -c {shlex.quote(script)}")


def reaches(source, target, port):
    return answer(source, target, port).startswith("open")


def loaded_table(name):
    return on(name).check_output("nft list table inet dengbao")


def counter(name, comment):
    """Packets counted by the rule of the table with this comment."""
    for entry in json.loads(on(name).check_output("nft -j list table inet dengbao"))["nftables"]:
        rule = entry.get("rule")
        if rule and rule.get("comment") == comment:
            return next(e["counter"]["packets"] for e in rule["expr"] if "counter" in e)
    raise AssertionError(f"no rule with comment {comment!r} on {name}")


def test_the_table_is_loaded_as_confirmed_and_boots_the_same(host):
    state = json.loads(host.check_output("dengbao-firewall state"))
    assert state == {"loaded": True, "matches_record": True, "rollback_armed": False}
    assert host.service("dengbao-firewall").is_enabled
    assert host.file("/etc/dengbao/firewall.nft").mode == 0o600
    events = host.file("/var/lib/dengbao-firewall/events.jsonl").content_string.split("\n")
    assert [json.loads(line)["event"] for line in events if line][:2] == ["applied", "confirmed"]


def test_ssh_to_a_his_host_works_from_the_bastion_and_is_refused_from_an_office_host():
    his_app = address("his-app-01")
    assert answer("bastion-01", his_app, 22).startswith("open SSH-2.0"), "SSH from the management zone"
    assert not reaches("oa-app-01", his_app, 22), "SSH from the office zone"
    assert not reaches("web-01", his_app, 22), "SSH from the DMZ"


def test_the_database_port_answers_his_application_hosts_only():
    database = address("his-db-01")
    assert reaches("his-app-01", database, 5432)
    for source in ("web-01", "oa-app-01", "bastion-01"):
        assert not reaches(source, database, 5432), source


def test_a_port_no_rule_opens_is_dropped_and_counted():
    before = counter("his-db-01", "default deny")
    assert not reaches("his-app-01", address("his-db-01"), 8080)
    assert counter("his-db-01", "default deny") > before
    # Counting is not drift: the next run does not reload the table.
    assert json.loads(on("his-db-01").check_output("dengbao-firewall state"))["matches_record"] is True


def test_the_internet_stand_in_reaches_the_dmz_on_https_only():
    web = address("web-01")
    assert reaches("internet-01", web, 443)
    assert not reaches("internet-01", web, 8080)
    assert not reaches("internet-01", web, 22)


def test_the_internet_stand_in_is_reached_from_the_dmz_and_never_from_his_hosts():
    assert reaches("web-01", INTERNET, 80)
    assert reaches("oa-app-01", INTERNET, 80), "the office is allowed out"
    his_app = on("his-app-01")
    # Even with a route out (a mistake, or a rogue change), the firewall keeps it in.
    his_app.check_output("ip route add default via 10.77.30.1")
    try:
        before = counter("his-app-01", "no Internet from zone app")
        assert not reaches("his-app-01", INTERNET, 80)
        assert counter("his-app-01", "no Internet from zone app") > before
        assert reaches("his-app-01", address("his-db-01"), 5432), "inside the hospital it still works"
    finally:
        his_app.check_output("ip route del default via 10.77.30.1")


def test_other_tables_are_left_alone():
    db = on("his-db-01")
    db.check_output("nft add table ip keepme; nft add chain ip keepme c")
    result = playbook("converge.yml")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "keepme" in db.check_output("nft list tables")


def playbook(name, *extra, root=REPO):
    """A playbook of this scenario, run as molecule runs it; the model (policies, inventories) is `root`'s."""
    return subprocess.run(
        ["ansible-playbook", "-i", INVENTORY, str(root / "molecule" / "firewall" / name), *extra],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=dict(os.environ, ANSIBLE_ROLES_PATH=str(REPO / "roles"), ANSIBLE_FORCE_COLOR="0"),
    )


def test_a_new_rule_in_the_matrix_changes_both_the_loaded_rules_and_the_check_s_expectation(tmp_path):
    """office → app on 8080, added to a copy of the model's policy: the role opens it, and the check judges
    the host against the copy as met, against the repository's policy as drifted (naming the pair)."""
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("ansible.cfg", "pyproject.toml"):
        shutil.copy(REPO / name, copy / name)
    for name in ("policies", "plugins", "inventory", "molecule/firewall"):
        shutil.copytree(REPO / name, copy / name)
    policy = copy / "policies" / "access_rules.yml"
    policy.write_text(
        policy.read_text().replace(
            "  rules:\n",
            '  rules:\n    - {from: office, to: app, protocol: tcp, ports: [8080], purpose: "测试 / test"}\n',
        )
    )
    his_app, address_ = "his-app-01", address("his-app-01")
    assert not reaches("oa-app-01", address_, 8080)
    try:
        result = playbook("converge.yml", "--limit", his_app, root=copy)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert reaches("oa-app-01", address_, 8080), "the role loaded the new allowance"
        assert not reaches("web-01", address_, 8080), "and opened it to the office only"
        assert judged(copy, his_app).verdict.value == "pass"
        drifted = judged(REPO, his_app)
        assert drifted.verdict.value == "fail"
        assert "office → app" in drifted.reason_en and "tcp 8080 from 10.77.60.0/24" in drifted.reason_en
    finally:
        restored = playbook("converge.yml", "--limit", his_app)
        assert restored.returncode == 0, restored.stdout[-3000:]
    assert not reaches("oa-app-01", address_, 8080)
    assert judged(REPO, his_app).verdict.value == "pass"


def judged(root, name):
    """linux.firewall_rules_match_policy on the host's loaded rule set, with the policy of the model at `root`."""
    probes = {
        probe: {"command": command, "output": on(name).run(command).stdout, "exit_code": 0}
        for probe, command in (
            ("nftables", "nft -j list ruleset"),
            ("os_release", "cat /etc/os-release"),
            ("virtualization", "systemd-detect-virt || true"),
        )
    }
    settings = policy_for_host(root, name, {"ansible_host": address(name)}).settings
    clock = on(name).check_output("date -u +%Y-%m-%dT%H:%M:%SZ")
    facts = HostFacts(stored_collection(clock, probes))
    return all_checks()["linux.firewall_rules_match_policy"].function(facts, settings)


def test_rules_that_would_cut_the_management_path_are_refused_before_loading(tmp_path):
    before = loaded_table("his-app-01")
    rules = policy_rules("his-app-01")
    rules["inbound"] = [a for a in rules["inbound"] if a["source_zone"] != "mgmt"]
    extra = tmp_path / "cut.json"
    extra.write_text(json.dumps({"firewall_rules": rules}))
    result = playbook("converge.yml", "--limit", "his-app-01", "-e", f"@{extra}")
    assert result.returncode != 0
    assert "cut administration off" in result.stdout + result.stderr
    assert loaded_table("his-app-01") == before


def policy_rules(name):
    """The rules the vars plugin gives the host (what the role rendered)."""
    listed = subprocess.run(
        ["ansible-inventory", "-i", INVENTORY, "--host", name],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    return json.loads(listed.stdout)["dengbao_policy"]["host_firewall"]


def test_a_load_that_loses_the_controller_rolls_back_by_itself():
    his_app = on("his-app-01")
    before = loaded_table("his-app-01")
    boot_before = his_app.file("/etc/dengbao/firewall.nft").content_string
    # Drop every new inbound connection: the controller's existing SSH session lives on (established),
    # but a new one, as the role opens to confirm, does not get through.
    cut = (
        "table inet dengbao\ndelete table inet dengbao\ntable inet dengbao {\n"
        " chain input { type filter hook input priority filter; policy drop;\n"
        "  ct state established,related accept; }\n}\n"
    )
    his_app.check_output(f"printf '%s' {shlex.quote(cut)} > /root/cut.nft")
    his_app.check_output("dengbao-firewall apply /root/cut.nft --rollback-seconds 8")
    # A second load before the first is confirmed: the table to come back to is still the one before both.
    his_app.check_output("dengbao-firewall apply /root/cut.nft --rollback-seconds 8")
    assert not reaches_from_controller(address("his-app-01"), 22), "the cut rule set is loaded"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not reaches_from_controller(address("his-app-01"), 22):
        time.sleep(1)
    assert reaches_from_controller(address("his-app-01"), 22), "the timer restored the previous table"
    assert loaded_table("his-app-01") == before
    events = his_app.file("/var/lib/dengbao-firewall/events.jsonl").content_string.strip().split("\n")
    assert json.loads(events[-1])["event"] == "rolled_back"
    # What boots is the table that was in effect, not the cut one; the next run puts the rendered file back.
    assert "policy drop; ct state" not in his_app.file("/etc/dengbao/firewall.nft").content_string
    assert json.loads(his_app.check_output("dengbao-firewall state"))["matches_record"] is False
    result = playbook("converge.yml", "--limit", "his-app-01")
    assert result.returncode == 0, result.stdout[-3000:]
    assert his_app.file("/etc/dengbao/firewall.nft").content_string == boot_before
    assert json.loads(his_app.check_output("dengbao-firewall state"))["matches_record"] is True


def reaches_from_controller(target, port):
    import socket

    try:
        socket.create_connection((target, port), timeout=2).close()
    except OSError:
        return False
    return True
