"""playbooks/site.yml takes fresh Debian lab hosts from their defaults to the policies, proven by the scan.

Four hosts of the default topology (an application server, the bastion, whose address becomes the
management source, the mirror that serves signatures and packages, and the backup host the others back up
to): scanned before, converged, scanned again, then run in check mode with no change and /etc untouched.
After it, 8.1.4.9 a) and b) rest on real backups and a real restore test.

Idempotence of the whole site is shown by that check-mode run (`dengbao drift`): every task of every role,
in site.yml's order, would change nothing on any host. A second real apply (about 3.5 minutes) would add
only what check mode skips, commands, and those are each role's molecule idempotence step's to prove
(ansible-lint's no-changed-when keeps every command's change honest).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from gitlab_pipeline import run_pipeline, scratch_checkout
from lab_scan import CONTAINER_LIMITS, scan
from lab_scan import verdicts as host_verdicts

from compliance.checks import all_checks

pytestmark = pytest.mark.lab

BACKUP_HOST = "backup-01"
HOSTS = ("his-app-01", "bastion-01", "mirror-01", BACKUP_HOST)
BACKUP_CHECKS = ("linux.backup_local", "linux.backup_offsite")
# Everything under /etc, with modes, owners, link targets and content hashes.
ETC_STATE = (
    "find /etc -xdev -printf '%p %M %u %g %l\\n' | sort; find /etc -xdev -type f -exec sha256sum {} + | sort -k 2"
)


# The state of a golden image built a moment ago: no package lists, a directory time of now.
JUST_BUILT_INDEX = "test -z \"$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*')\" && touch /var/lib/apt/lists"
# Packages the roles install that the image does not carry.
ROLE_PACKAGES = ("libpam-pwquality", "rsyslog", "chrony", "auditd")
INSTALLED = "dpkg-query -W -f='${Package} ${db:Status-Status}\\n' " + " ".join(ROLE_PACKAGES)


def changed_counts(output: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", output, re.M)}


@pytest.fixture(scope="module")
def lab(run_lab, test_lab_env, test_lab_paths, dengbao_cmd, tmp_path_factory):
    run_lab("down")
    run_lab("up", *(f"--host={host}" for host in HOSTS))
    workdir = tmp_path_factory.mktemp("site")
    inventory = Path(test_lab_env["DENGBAO_LAB_INVENTORY"])

    def scan_all(name: str) -> dict[str, dict[str, str]]:
        result = scan(dengbao_cmd, test_lab_env, inventory, workdir / name, "--no-progress")
        assert result.returncode in (0, 1), result.stderr[-3000:]
        document = json.loads((workdir / name / "results.json").read_text())
        return {host: host_verdicts(document, host) for host in HOSTS}

    def on_each_host(command: str) -> dict[str, str]:
        return {
            host: subprocess.run(
                ["ssh", "-F", str(test_lab_paths.ssh_config), host, command],
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            ).stdout
            for host in HOSTS
        }

    yield {
        "inventory": inventory,
        "scan": scan_all,
        "on_each_host": on_each_host,
        "workdir": workdir,
        "ssh_config": test_lab_paths.ssh_config,
    }
    run_lab("down")


def drift(dengbao_cmd, env, lab, name: str, *extra: str, runs: str = "") -> subprocess.CompletedProcess[str]:
    """`dengbao drift` on the lab: the scans of `runs` under the work directory (all of them by default),
    the ledger there too, its own run in drift/NAME."""
    return subprocess.run(
        [*dengbao_cmd, "drift", "-i", str(lab["inventory"]), "--runs", str(lab["workdir"] / runs),
         "--ledger", str(lab["workdir"] / "ledger.jsonl"), "-o", str(lab["workdir"] / "drift" / name), *extra],
        env=env, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def converged(lab, run_playbook, dengbao_cmd, test_lab_env):
    """Scan, converge, scan again, then `dengbao drift` (site.yml in check mode with --diff, and the two
    scans compared) between two snapshots of /etc.

    Before the first run every host's empty package index gets the time of a moment ago, as on a
    machine whose lab image was just built (#12): the roles must refresh it all the same.
    """
    before = lab["scan"]("before")
    lab["on_each_host"](JUST_BUILT_INDEX)
    first = run_playbook(lab["inventory"], "site")
    installed = lab["on_each_host"](INSTALLED)
    after = lab["scan"]("after")
    etc_before = lab["on_each_host"](ETC_STATE)
    checked = drift(dengbao_cmd, test_lab_env, lab, "drift-after", "--format", "json")
    etc_after = lab["on_each_host"](ETC_STATE)
    inspected = subprocess.run(
        [*dengbao_cmd, "inspect", "-i", str(lab["inventory"]), "-o", str(lab["workdir"] / "inspection"),
         "--report", "none"],
        env=test_lab_env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return {
        "before": before,
        "after": after,
        "runs": {"first": first, "check": checked},
        "etc": (etc_before, etc_after),
        "installed": installed,
        "inspected": inspected,
    }


def test_debian_defaults_fail_most_host_items_before(converged):
    clauses = {check.id: check.clauses for check in all_checks().values()}
    for host, verdicts in converged["before"].items():
        items = [check for check in verdicts if any(c.startswith("8.1.4") for c in clauses[check])]
        failing = [check for check in items if verdicts[check] in ("fail", "partial")]
        assert len(failing) > len(items) / 2, f"{host}: only {failing} of {items} fail"
        assert verdicts["linux.password_complexity"] == "fail"
        assert verdicts["linux.audit_rules"] == "fail"
        assert verdicts["linux.log_forwarding"] == "fail"


def test_site_converges_every_host_and_check_mode_then_finds_nothing_to_change(converged):
    first, checked = converged["runs"]["first"], converged["runs"]["check"]
    assert first.returncode == 0, first.stdout[-4000:]
    assert set(changed_counts(first.stdout)) == set(HOSTS)
    assert all(count > 0 for count in changed_counts(first.stdout).values())
    assert checked.returncode == 0, (checked.stdout + checked.stderr)[-4000:]
    document = json.loads(checked.stdout)
    assert {host: counts["changed"] for host, counts in document["hosts"].items()} == dict.fromkeys(HOSTS, 0)


def test_a_just_built_image_converges_at_once(converged):
    """#12: an empty index whose directory looks fresh is refreshed, and what the image lacks installs."""
    assert converged["runs"]["first"].returncode == 0, converged["runs"]["first"].stdout[-4000:]
    for host, listing in converged["installed"].items():
        assert sorted(listing.split("\n")[:-1]) == [f"{name} installed" for name in sorted(ROLE_PACKAGES)], host


def test_drift_finds_none_and_leaves_etc_untouched(converged):
    """`dengbao drift`: site.yml in check mode changes nothing on any host, and the scans before and
    after the converge show only fixed findings."""
    checked = converged["runs"]["check"]
    assert checked.returncode == 0, (checked.stdout + checked.stderr)[-4000:]
    document = json.loads(checked.stdout)
    assert document["verdict"] == "no_drift" and sorted(document["hosts"]) == sorted(HOSTS)
    assert all(counts["changed"] == 0 for counts in document["hosts"].values())
    assert (document["scan"]["before"], document["scan"]["after"]) == ("before", "after")
    assert document["scan"]["new_findings"] == [] and len(document["scan"]["fixed_findings"]) > 20
    etc_before, etc_after = converged["etc"]
    for host in HOSTS:
        assert etc_before[host].count("\n") > 500
        differ = set(etc_before[host].splitlines()) ^ set(etc_after[host].splitlines())
        assert not differ, f"{host}: /etc changed in check mode: {sorted(differ)[:10]}"


def test_after_site_every_item_is_met(converged):
    # The backup host backs up nowhere itself: its data are the others' backups (不适用, with the reason);
    # the retention it applies is its own item, and 不适用 on the servers.
    backup_host = dict.fromkeys(BACKUP_CHECKS, "not_applicable")
    for host, verdicts in converged["after"].items():
        expected = {check: "pass" for check in verdicts} | {
            check: verdict for check, verdict in CONTAINER_LIMITS.items() if check in verdicts
        }
        expected |= backup_host if host == BACKUP_HOST else {"linux.backup_retention": "not_applicable"}
        assert verdicts == expected, f"{host}: {Counter(verdicts.values())}"


def test_the_morning_inspection_of_the_converged_hosts_finds_nothing_red(converged, lab):
    """The roles and policies/inspection.yml agree: every service the inspection requires runs after
    site.yml (auditd and chrony not applicable in a container), backups and restore tests are fresh, and
    no item is red or unreadable."""
    assert converged["inspected"].returncode in (0, 1), converged["inspected"].stderr[-3000:]
    document = json.loads((lab["workdir"] / "inspection" / "inspection.json").read_text())
    assert sorted(h["name"] for h in document["hosts"]) == sorted(HOSTS)
    for host in document["hosts"]:
        assert host["status"] == "collected", host["error"]
        statuses = {item["id"]: item["status"] for item in host["items"]}
        services = {item: status for item, status in statuses.items() if item.startswith("service:")}
        assert {services.pop("service:auditd"), services.pop("service:chrony")} == {"not_applicable"}, host["name"]
        assert set(services.values()) == {"green"}, (host["name"], services)
        if host["name"] != BACKUP_HOST:
            assert statuses["backup"] == statuses["restore_test"] == "green", host["name"]
        bad = {item: status for item, status in statuses.items() if status in ("red", "error")}
        assert not bad, (host["name"], bad, [i for i in host["items"] if i["id"] in bad])


def test_backups_were_failing_before_and_rest_on_a_real_backup_and_restore_after(converged, lab):
    for host in HOSTS:
        assert {converged["before"][host][check] for check in BACKUP_CHECKS} == {"fail"}, host
    document = json.loads((lab["workdir"] / "after" / "results.json").read_text())
    [host] = [h for h in document["hosts"] if h["name"] == "his-app-01"]
    results = {c["check"]: c for c in host["checks"]}
    local, offsite = results["linux.backup_local"]["observed"], results["linux.backup_offsite"]["observed"]
    assert local["last_successful_backup"]["target"] == BACKUP_HOST and local["last_successful_backup"]["files"] > 100
    assert local["last_restore_test"]["passed"] is True
    assert local["last_restore_test"]["files"]["compared"] > 100
    assert offsite["append_only_proof"]["refused"] is True
    assert any("403" in answer for answer in offsite["append_only_proof"]["server_responses"])


PATCHED_HOST = "his-app-01"
LISTENER = "compliance/checks/linux/remote_admin_encrypted/scenarios/telnet_port_listening.fail.sh"


def test_a_telnet_port_makes_the_conclusion_poor_until_it_is_gone(converged, lab, dengbao_cmd, test_lab_env):
    """A high-risk condition (a telnet port, 8.1.4.1 c)) on a converged HIS host: the self-assessment of
    its system turns 差 with that finding first; once the listener is gone the conclusion rises again."""
    host, system = PATCHED_HOST, "his"

    def assessed(name: str) -> dict:
        output = lab["workdir"] / "high-risk" / name
        result = scan(dengbao_cmd, test_lab_env, lab["inventory"], output, "--limit", host, "--report", "md")
        assert result.returncode in (0, 1), result.stderr[-3000:]
        document = json.loads((output / "assessment.json").read_text())
        [entry] = [s for s in document["systems"] if s["system"] == system]
        return {"entry": entry, "stdout": result.stdout, "markdown": (output / "report.md").read_text()}

    ssh = ["ssh", "-F", str(lab["ssh_config"]), host]
    listener = Path(__file__).resolve().parents[1] / LISTENER
    subprocess.run([*ssh, "sh", "-s"], input=listener.read_text(), text=True, check=True, timeout=60)
    try:
        broken = assessed("telnet")
    finally:
        subprocess.run([*ssh, "systemctl", "stop", "scenario-telnet"], check=True, timeout=60)
    fixed = assessed("fixed")

    first = broken["entry"]["high_risk"][0]
    assert (first["condition"], first["item"], first["object"], first["status"]) == (
        "plaintext-remote-admin",
        "8.1.4.1 c)",
        host,
        "open",
    )
    # The telnet port is also a high-risk port (8.1.4.4 b)): two conditions, one cause.
    conditions = {f["condition"] for f in broken["entry"]["high_risk"]}
    assert conditions == {"plaintext-remote-admin", "high-risk-ports"} and broken["entry"]["conclusion_zh"] == "差"
    assert broken["stdout"].index("高风险 HIGH RISK his") < broken["stdout"].index("等保测评结果汇总")
    assert broken["markdown"].index("8.1.4.1 c)") < broken["markdown"].index("| 定级对象 system | 符合")
    assert fixed["entry"]["high_risk"] == [] and fixed["entry"]["conclusion_zh"] in ("优", "良", "中")
    assert fixed["entry"]["score"] > broken["entry"]["score"]


def test_a_held_back_fix_fails_and_the_patch_playbook_puts_it_right_on_record(converged, lab, run_playbook, tmp_path):
    """Runs last: it changes a converged host. An administrator downgrades and holds a package with a
    security fix; the scan fails it; an operator's patch run releases the undeclared hold and installs
    the fix; the next scan passes and carries the run's record (what changed, by which run) as evidence."""
    assert converged["after"][PATCHED_HOST]["linux.security_updates"] == "pass"
    ssh = ["ssh", "-F", str(lab["ssh_config"]), PATCHED_HOST]
    subprocess.run(
        [*ssh, "apt-get install -y -qq --allow-downgrades tzdata/bookworm >/dev/null && apt-mark hold tzdata"],
        check=True,
        timeout=300,
    )
    held = lab["scan"]("held")[PATCHED_HOST]
    assert held["linux.security_updates"] == "fail"
    run = run_playbook(
        lab["inventory"],
        "patching",
        "--limit",
        PATCHED_HOST,
        "-e",
        "patching_run_now=true",
        "-e",
        "patching_run_id=CHG-LAB-1",
    )
    assert run.returncode == 0, run.stdout[-4000:]
    patched = lab["scan"]("patched")[PATCHED_HOST]
    assert patched["linux.security_updates"] == "pass"
    document = json.loads((lab["workdir"] / "patched" / "results.json").read_text())
    [host] = [h for h in document["hosts"] if h["name"] == PATCHED_HOST]
    [result] = [c for c in host["checks"] if c["check"] == "linux.security_updates"]
    assert result["observed"]["last_patch_run"]["run_id"] == "CHG-LAB-1"
    raw = [p for p in (lab["workdir"] / "patched").rglob("*") if p.is_file() and b"CHG-LAB-1" in p.read_bytes()]
    assert any(b'"package":"tzdata","from":"' in p.read_bytes() for p in raw), raw


def test_review_of_a_zone_policy_change_shows_the_check_mode_diff_on_the_lab_host(
    converged, lab, dengbao_cmd, test_lab_env, model_copy
):
    """A merge request lowers MaxAuthTries for zone app: the review names his-app-01 among the hospital's
    app hosts and, run on the lab, the sshd task that would rewrite its settings (nothing changes)."""
    shutil.copy(lab["inventory"], model_copy / "inventory" / "lab" / "hosts.yml")
    git = ["git", "-C", str(model_copy), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    policy = model_copy / "policies" / "ssh.yml"
    override = "  - when: {zone: app}\n    settings:\n      max_auth_tries: 3\n"
    policy.write_text(policy.read_text().replace("overrides:\n", "overrides:\n" + override, 1))
    subprocess.run([*git, "commit", "-qam", "app: fewer SSH tries"], check=True)
    done = subprocess.run(
        [*dengbao_cmd, "review", "--base", "HEAD~1", "--check-on", "lab", "--format", "json"],
        cwd=model_copy, env=test_lab_env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    document = json.loads(done.stdout)
    assert PATCHED_HOST in {h["host"] for h in document["hosts"]} and document["check"]["hosts"] == [PATCHED_HOST]
    assert document["check"]["failures"] == [] and document["check"]["roles"] == ["sshd"]
    [task] = [t for t in document["check"]["tasks"] if t["task"].startswith("Install the hardened")]
    assert task["diff"] == [{"file": "/etc/ssh/sshd_config.d/50-dengbao.conf", "lines_added": 1, "lines_removed": 1}]
    assert "8.1.4.1 b)" in task["clauses"] and document["check"]["failures"] == []
    ssh = ["ssh", "-F", str(lab["ssh_config"]), PATCHED_HOST, "sshd -T | grep -i '^maxauthtries'"]
    assert subprocess.run(ssh, capture_output=True, text=True, timeout=60).stdout.strip() != "maxauthtries 3"


def test_a_hand_edit_is_drift_until_applied_again_on_record(converged, lab, dengbao_cmd, test_lab_env, repo, tmp_path):
    """Runs last. An administrator raises MaxAuthTries in the hardened sshd settings by hand: drift names
    the task, the file and the SSH clauses, and exits 1; an apply through scripts/apply puts it back on
    record in the change ledger; the nightly drift pipeline then passes and the edit is gone."""
    ssh = ["ssh", "-F", str(lab["ssh_config"]), PATCHED_HOST]
    settings = "/etc/ssh/sshd_config.d/50-dengbao.conf"
    subprocess.run([*ssh, f"sed -i 's/^MaxAuthTries .*/MaxAuthTries 10/' {settings}"], check=True, timeout=60)
    # The scans are compared in the fixture's test; here only the check run decides (no scans: a note).
    limited = ("--playbook", "playbooks/ssh.yml", "--limit", PATCHED_HOST, "--format", "json")
    edited = drift(dengbao_cmd, test_lab_env, lab, "drift-edited", *limited, runs="no-scans")
    assert edited.returncode == 1, (edited.stdout + edited.stderr)[-4000:]
    document = json.loads(edited.stdout)
    assert {(t["role"], t["task"].split(" |")[0]) for t in document["tasks"]} == {
        ("sshd", "Install the hardened settings, checked with sshd -t first"),
        ("sshd", "Reload sshd"),  # the handler the change would notify
    }
    [task] = [t for t in document["tasks"] if t["diff"]]
    assert task["host"] == PATCHED_HOST
    assert task["diff"] == [{"file": settings, "lines_added": 1, "lines_removed": 1}]
    assert "linux.ssh_login_limits" in task["checks"] and "8.1.4.1 b)" in task["clauses"]
    assert task["last_apply"] is None, "no apply on record yet"

    applied = subprocess.run(
        ["bash", str(repo / "scripts" / "apply"), "-i", str(lab["inventory"]), "playbooks/ssh.yml",
         "--limit", PATCHED_HOST],
        env={**test_lab_env, "DENGBAO_LEDGER": str(lab["workdir"] / "ledger.jsonl"), "DENGBAO_OPERATOR": "ops.lab"},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stdout[-4000:]
    [record] = [json.loads(line) for line in (lab["workdir"] / "ledger.jsonl").read_text().splitlines()]
    assert record["who"] == "ops.lab" and {c["host"] for c in record["changes"]} == {PATCHED_HOST}
    assert task["task"] in {c["task"] for c in record["changes"]}
    # The scan on the control node cites the record for his-app-01's system (8.1.10.10 b), 8.1.10.6 e), g)).
    cited = lab["workdir"] / "scan-ledger"
    scanned = scan(dengbao_cmd, {**test_lab_env, "DENGBAO_LEDGER": str(lab["workdir"] / "ledger.jsonl")},
                   lab["inventory"], cited, "--limit", PATCHED_HOST, "--report", "none", "--no-progress")  # fmt: skip
    assert scanned.returncode in (0, 1), scanned.stderr[-3000:]
    document = json.loads((cited / "results.json").read_text())
    items = {i["item"]: i for i in document["items"] if i["object"] == "system:his"}
    for clause in ("8.1.10.10 b)", "8.1.10.6 e)", "8.1.10.6 g)"):
        assert items[clause]["verdict"] == "partial", items[clause]
        assert "1 apply run(s) on record" in items[clause]["reason_en"] and "ops.lab" in items[clause]["reason_en"]
    assert json.loads((cited / "change_ledger.json").read_text())["records"][0]["hosts"] == [PATCHED_HOST]
    # Then the nightly schedule, as GitLab runs it: .gitlab-ci.yml's drift job on the same host and playbook.
    variables = {
        "CI_PIPELINE_SOURCE": "schedule",
        "DENGBAO_JOB": "drift",
        "DENGBAO_INVENTORY": str(lab["inventory"]),
        "DENGBAO_DRIFT_OPTIONS": f"--playbook playbooks/ssh.yml --limit {PATCHED_HOST}",
        "DENGBAO_LEDGER": str(lab["workdir"] / "ledger.jsonl"),
    }
    checkout = scratch_checkout(repo, tmp_path / "dengbao")
    nightly = run_pipeline(checkout, variables=variables, env=test_lab_env, timeout=900)
    assert nightly.returncode == 0 and "PASS  drift" in nightly.stdout, nightly.stdout[-4000:]
    [report] = (checkout / "drift").glob("*/drift.md")  # drift/<pipeline id>/
    assert report.read_text().startswith("# 配置漂移 / Drift: 无漂移 / no drift")
    assert "MaxAuthTries 10" not in subprocess.run([*ssh, f"cat {settings}"], capture_output=True, text=True).stdout
