"""Every automated check, run by a real scan against lab hosts made compliant and then broken.

Each check unit (`compliance/checks/<kind>/<name>/`) holds its compliant-state fragment
(`compliant.sh.j2`) and its scenarios (`scenarios/<situation>.<expected>.sh`, expected: pass,
partial or fail), as ComplianceAsCode lays out rule tests. All are Jinja2 templates rendered
with the host's resolved policy, so a threshold is never restated here.

One host gets the compliant state (`scenarios/harness.sh.j2` around every unit's fragment) and
every `.pass.sh`: all checks must pass there. Four
more hosts get the compliant state plus a share of the other scenarios (never two of one
check on a host); after one scan of all five, each scenario's check must show its
expected verdict on its host. The same hosts then serve the unreachable-host tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest
import report_validation
import yaml
from lab_scan import CONTAINER_LIMITS, render, scan, scenario_host_vars, verdicts

from compliance.checks import all_checks, checks_of
from compliance.lab import cgroups
from compliance.lab.state import load
from compliance.model.host_policy import policy_for_host

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).parent / "scenarios" / "harness.sh.j2"
FIRST = "# runs first"
PACKAGES = "# packages:"
PASS_HOST = "scan-ok"
BREAK_HOSTS = ("scan-b1", "scan-b2", "scan-b3", "scan-b4")
# A cron job that prints what must never reach the evidence: a password, a patient's record
# number in a path and a resident ID number. Its schedule (31 February) never runs.
SECRETS_HOST = "scan-b1"
SECRETS = ("S3cret-Pacs-2026", "MRN00123456", "11010519491231002X")
SECRET_CRON_LINE = f"0 0 31 2 * root /usr/bin/true --password={SECRETS[0]} /data/pacs/{SECRETS[1]}/ {SECRETS[2]}"


@dataclass(frozen=True)
class Scenario:
    check: str
    name: str
    expected: str
    path: Path


def scenarios() -> list[Scenario]:
    """The lab scenarios of the Linux checks (device checks are judged on configurations: docs/devices.md)."""
    found = []
    for check in checks_of("linux").values():
        for path in sorted((check.unit / "scenarios").glob("*.sh")):
            situation, expected = path.name.removesuffix(".sh").rsplit(".", 1)
            found.append(Scenario(check.id, situation, expected, path))
    return found


def compliant_script(policy: dict) -> str:
    """The harness around every unit's compliant fragment, in check order (`# runs first` ones before)."""
    fragments = [
        render(check.unit / "compliant.sh.j2", policy)
        for check in checks_of("linux").values()
        if (check.unit / "compliant.sh.j2").is_file()
    ]
    ordered = [f for f in fragments if f.startswith(FIRST)] + [f for f in fragments if not f.startswith(FIRST)]
    packages = sorted(
        {
            name
            for fragment in fragments
            for line in fragment.splitlines()
            if line.startswith(PACKAGES)
            for name in line.removeprefix(PACKAGES).split()
        }
    )
    harness = jinja2.Template(HARNESS.read_text(), undefined=jinja2.StrictUndefined)
    return harness.render(packages=packages, fragments="\n".join(ordered))


def assignment() -> dict[str, list[Scenario]]:
    """Pass scenarios on the compliant host; the others spread so no host breaks one check twice."""
    hosts: dict[str, list[Scenario]] = {PASS_HOST: [], **{h: [] for h in BREAK_HOSTS}}
    by_check: dict[str, list[Scenario]] = {}
    for scenario in scenarios():
        if scenario.expected == "pass":
            hosts[PASS_HOST].append(scenario)
        else:
            by_check.setdefault(scenario.check, []).append(scenario)
    for offset, check in enumerate(sorted(by_check)):
        for index, scenario in enumerate(by_check[check]):
            hosts[BREAK_HOSTS[(offset + index) % len(BREAK_HOSTS)]].append(scenario)
    return hosts


def test_every_check_has_a_failing_scenario_and_a_passing_one():
    checks = set(checks_of("linux"))
    failing = {s.check for s in scenarios() if s.expected == "fail"}
    unknown = {s.check for s in scenarios()} - checks
    assert not unknown, f"scenarios for checks that do not exist: {unknown}"
    assert checks <= failing, f"checks without a failing scenario: {sorted(checks - failing)}"
    # The passing side is the compliant host, where every check must pass (tested below).
    assert set(CONTAINER_LIMITS) <= checks


@pytest.fixture(scope="module")
def scanned(run_lab, test_lab_env, test_lab_paths, repo, tmp_path_factory, dengbao_cmd):
    run_lab("down")
    run_lab("up", *(f"--host={h}" for h in (PASS_HOST, *BREAK_HOSTS)))
    plan = assignment()

    addresses = {name: running.host.address for name, running in load(test_lab_paths).items()}

    def prepare(host: str) -> subprocess.CompletedProcess[str]:
        policy = policy_for_host(repo, host, scenario_host_vars(addresses[host])).settings
        parts = [compliant_script(policy), *(f"set -eux\n{render(s.path, policy)}" for s in plan[host])]
        if host == SECRETS_HOST:
            parts.append(f"printf '%s\\n' '{SECRET_CRON_LINE}' > /etc/cron.d/pacs-export")
        command = ["ssh", "-F", str(test_lab_paths.ssh_config), host, "sh", "-s"]
        try:
            return subprocess.run(command, input="\n".join(parts), capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as timeout:
            output = [(part or b"").decode(errors="replace") for part in (timeout.stdout, timeout.stderr)]
            return subprocess.CompletedProcess(command, -1, output[0], output[1] + "\n(timed out after 300 s)")

    with ThreadPoolExecutor(max_workers=len(plan)) as pool:
        prepared = dict(zip(plan, pool.map(prepare, plan), strict=True))
    for host, result in prepared.items():
        assert result.returncode == 0, f"preparing {host} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"

    workdir = tmp_path_factory.mktemp("scan")
    inventory = workdir / "hosts.yml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "all": {
                    "hosts": {h: scenario_host_vars(addresses[h]) for h in plan},
                    "vars": {"ansible_user": "root", "ansible_ssh_args": f"-F {test_lab_paths.ssh_config}"},
                }
            }
        )
    )
    result = scan(dengbao_cmd, test_lab_env, inventory, workdir / "run")
    document = json.loads((workdir / "run" / "results.json").read_text())
    if os.environ.get("DENGBAO_RECORD_FIXTURES"):
        record_fixtures(workdir / "run", plan)
    yield {"plan": plan, "result": result, "document": document, "inventory": inventory, "workdir": workdir}
    run_lab("down")


# Probes every fixture keeps whether or not the check read them: the facts layer reads them for
# the distribution family and the container test without recording them.
ALWAYS_RECORDED = ("os_release", "virtualization")


def record_fixtures(run: Path, plan: dict[str, list[Scenario]]) -> None:
    """Write each check's fast-tier fixtures from this real scan: the probes it read on each scenario's host.

    `DENGBAO_RECORD_FIXTURES=1 scripts/test tests/scan/test_check_scenarios.py` records them anew
    into each unit's `fixtures/`; the fast tier (tests/scan/test_check_fixtures.py) judges each again.
    """
    document = json.loads((run / "results.json").read_text())
    situations = {PASS_HOST: [("compliant", check) for check in checks_of("linux")]}
    for host, assigned in plan.items():
        situations.setdefault(host, []).extend((s.name, s.check) for s in assigned if s.expected != "pass")
    for host, entries in situations.items():
        [record] = [h for h in document["hosts"] if h["name"] == host]
        evidence = json.loads((run / record["evidence_file"]).read_text())
        checks = {c["check"]: c for c in record["checks"]}
        for situation, check_id in entries:
            result = checks[check_id]
            names = sorted({*result["evidence"], *ALWAYS_RECORDED})
            fixture = {
                "recorded_from": f"lab host {host}, scenario {situation}, {document['run']['started']}",
                "host_clock_utc": evidence["host_clock_utc"],
                "verdict": result["verdict"],
                "probes": {name: evidence["probes"][name] for name in names},
            }
            target = all_checks()[check_id].unit / "fixtures" / f"{situation}.{result['verdict']}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")


def test_the_compliant_host_passes_every_check(scanned):
    observed = verdicts(scanned["document"], PASS_HOST)
    expected = {check: CONTAINER_LIMITS.get(check, "pass") for check in checks_of("linux")}
    assert observed == expected


@pytest.mark.parametrize(
    "scenario", [s for s in scenarios() if s.expected != "pass"], ids=lambda s: s.path.parent.name + "/" + s.name
)
def test_a_broken_host_gets_the_expected_verdict(scanned, scenario):
    [host] = [h for h, assigned in scanned["plan"].items() if scenario in assigned]
    assert verdicts(scanned["document"], host)[scenario.check] == scenario.expected


def test_the_stored_lab_run_judged_again_gives_the_same_verdicts(scanned, dengbao_cmd, test_lab_env):
    """--from-run on real hosts' evidence: every check and item verdict as in the live scan."""
    again = scanned["workdir"] / "again"
    result = subprocess.run(
        [*dengbao_cmd, "scan", "--from-run", str(scanned["workdir"] / "run"), "-o", str(again), "--report", "none"],
        env=test_lab_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    judged = json.loads((again / "results.json").read_text())
    for host in scanned["plan"]:
        assert verdicts(judged, host) == verdicts(scanned["document"], host), host
    assert [(i["object"], i["item"], i["verdict"]) for i in judged["items"]] == [
        (i["object"], i["item"], i["verdict"]) for i in scanned["document"]["items"]
    ]
    assert judged["run"]["source_run"]["run"] == "run"
    assert "judged again, no host contacted" in result.stdout


def test_two_awx_slices_of_the_lab_merge_into_one_run_with_the_verdicts_of_one_scan(scanned, dengbao_cmd, test_lab_env):
    """playbooks/awx/scan.yml run twice, as AWX job slicing would run it (each slice a share of the hosts),
    then playbooks/awx/merge.yml on all of them: one sealed run, every host's verdicts as in the live scan."""
    root = scanned["workdir"] / "awx"
    settings = [
        "-e", "dengbao_hosts=all", "-e", f"dengbao_inventory={scanned['inventory']}",
        "-e", f"dengbao_evidence_root={root}", "-e", f"dengbao_command={dengbao_cmd[0]}",
    ]  # fmt: skip

    def playbook(name: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ansible-playbook", "-i", str(scanned["inventory"]), f"playbooks/awx/{name}.yml", *settings, *extra],
            cwd=REPO, env=dict(test_lab_env, ANSIBLE_FORCE_COLOR="0"), capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip

    hosts = sorted(scanned["plan"])
    halves = (hosts[:2], hosts[2:])
    for half in halves:
        sliced = playbook("scan", "--limit", ",".join(half))
        assert sliced.returncode == 0, sliced.stdout[-3000:]
    merged = playbook("merge", "-e", "dengbao_fail_on_findings=false", "-e", "dengbao_reports=none")
    assert merged.returncode == 0, merged.stdout[-3000:]

    (run,) = (root / "reports").iterdir()
    document = json.loads((run / "results.json").read_text())
    assert sorted(h["name"] for h in document["hosts"]) == hosts
    for host in hosts:
        assert verdicts(document, host) == verdicts(scanned["document"], host), host
    slices = document["run"]["source_run"]["slices"]
    assert sorted(s["run"] for s in slices) == sorted(half[0] for half in halves)
    kept = root / "slices" / "merged" / run.name
    assert sorted(p.name for p in kept.iterdir()) == sorted(half[0] for half in halves)
    assert not any((root / "slices" / "pending").iterdir())
    verified = subprocess.run(
        [*dengbao_cmd, "evidence", "verify", str(run)], env=test_lab_env, capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The morning inspection as AWX runs it: its sealed run on the evidence volume; the job fails when anything
    # is amber or red, so its notification fires.
    inspected = playbook("inspect")
    (inspection,) = (root / "inspections").iterdir()
    overall = json.loads((inspection / "inspection.json").read_text())["run"]["overall"]
    assert (inspected.returncode == 0) == (overall == "green"), (overall, inspected.stdout[-2000:])
    verified = subprocess.run(
        [*dengbao_cmd, "evidence", "verify", str(inspection)], env=test_lab_env, capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The merge names every host of its play: a slice that never arrived stops it (exit 2), nothing is written.
    only_one = playbook("scan", "--limit", ",".join(halves[0]))
    assert only_one.returncode == 0, only_one.stdout[-3000:]
    missing = playbook("merge", "-e", "dengbao_fail_on_findings=false", "-e", "dengbao_reports=none")
    assert missing.returncode != 0
    assert "no stored run holds" in missing.stdout and "缺少分片" in missing.stdout
    assert len(list((root / "reports").iterdir())) == 1


def test_findings_make_the_scan_exit_1_and_every_item_is_accounted_for(scanned):
    result, document = scanned["result"], scanned["document"]
    assert result.returncode == 1, result.stderr
    assert document["run"]["exit_code"] == 1
    assert "符合率" in result.stdout and "合计 total" in result.stdout
    ok_items = [i for i in document["items"] if i["object"] == PASS_HOST]
    checks = all_checks()
    for item in ok_items:
        clause = item["item"] if item["level"] == 3 else item["twin"]
        if item["verdict"] == "partial":
            # Met by every check, but a check that sees only part of the item says what is missing.
            assert any(clause in checks[c].partly for c in item["checks"]), item
            assert "evaluator must still see" in item["reason_en"] and "还需核查" in item["reason_zh"]
        else:
            assert item["verdict"] in ("pass", "manual", "not_applicable"), item
    assert any(i["item"] == "8.1.4.1 a)" and i["verdict"] == "pass" for i in ok_items)
    broken = [i for i in document["items"] if i["object"] in BREAK_HOSTS and i["finding"]]
    assert broken and all(i["reason_en"] and i["reason_zh"] for i in broken)
    # The unit listing asked systemd for the units the checks read only (docs/performance.md), and said which.
    evidence = json.loads((scanned["workdir"] / "run" / "evidence" / f"{PASS_HOST}.json").read_text())
    command = evidence["probes"]["unit_files"]["command"]
    assert command.startswith("systemctl list-unit-files --no-legend --no-pager -- ") and "telnet.socket" in command


def _sshd_pids(test_lab_paths, host: str) -> list[int]:
    running = load(test_lab_paths)[host]
    machine = test_lab_paths.machine_name(running.host.name)
    pids = cgroups.members(cgroups.host_groups(test_lab_paths.bridge, machine))
    return [pid for pid in pids if Path(f"/proc/{pid}/comm").read_text().strip() == "sshd"]


def test_hosts_that_stop_answering_are_unreachable_and_the_others_complete(
    scanned, test_lab_env, test_lab_paths, run_lab, dengbao_cmd
):
    """scan-b4's sshd is stopped while the scan runs (one host at a time, after the first is done);
    scan-b3's sshd is frozen, so its connection hangs until the per-host deadline."""
    frozen = _sshd_pids(test_lab_paths, "scan-b3")
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    try:
        process = subprocess.Popen(
            [
                *dengbao_cmd,
                "scan",
                "-i",
                str(scanned["inventory"]),
                "-o",
                str(scanned["workdir"] / "partial"),
                "--workers",
                "1",
                "--timeout",
                "4",
            ],
            env=test_lab_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        first = process.stderr.readline()
        assert first.startswith("[1/5]"), first
        run_lab("ssh", "scan-b4", "systemctl stop ssh.service; pkill -x sshd", check=False)
        stdout, _ = process.communicate(timeout=120)
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
    document = json.loads((scanned["workdir"] / "partial" / "results.json").read_text())
    status = {h["name"]: (h["status"], h["error"]) for h in document["hosts"]}
    assert status["scan-b4"][0] == "unreachable", status
    assert status["scan-b3"][0] == "unreachable" and "4 s" in status["scan-b3"][1], status
    assert {name for name, (state, _) in status.items() if state == "collected"} == {PASS_HOST, "scan-b1", "scan-b2"}
    assert process.returncode == 1
    assert "不可达 unreachable: scan-b4" in stdout and "不可达 unreachable: scan-b3" in stdout
    unreachable_items = [i for i in document["items"] if i["object"] == "scan-b4" and i["checks"]]
    assert unreachable_items and all(i["verdict"] == "unreachable" for i in unreachable_items)


def test_the_lab_run_is_sealed_redacted_and_every_report_reads_back(scanned, dengbao_cmd):
    run_dir = scanned["workdir"] / "run"
    stored = [p for p in run_dir.rglob("*") if p.is_file()]
    for path in stored:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret} reached {path.relative_to(run_dir)}"
    evidence = json.loads((run_dir / "evidence" / f"{SECRETS_HOST}.json").read_text())
    crontabs = evidence["probes"]["crontabs"]["output"]
    for kind in ("secret", "patient identifier (病案号 medical_record_number)", "resident ID number"):
        assert f"[已脱敏 redacted: {kind}]" in crontabs, kind
    assert "/data/pacs/" in crontabs, "only the identifiers are taken out, not the line"
    provenance = json.loads((run_dir / "provenance.json").read_text())
    assert provenance["redactions"]["resident ID number"] >= 1
    report_validation.check_all(run_dir)
    hosts = {h["name"] for h in scanned["document"]["hosts"]}
    assert {p.stem for p in (run_dir / "evidence").iterdir()} == hosts
    verified = subprocess.run(
        [*dengbao_cmd, "evidence", "verify", str(run_dir)], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
