"""`dengbao inspect` on a real lab host: problems induced turn the right items red, and fixing them turns
them green again.

One host gets what the roles leave on a server that the inspection reads (rsyslog, PostgreSQL with
max_connections 20, ClamAV, and the backup and antivirus records as the check units' compliant
fragments write them), and a 20 MiB file system at /srv/data. It is inspected healthy, then with a
filled disk, rsyslog stopped, a stale backup (the backup check's own scenario), a burst of errors in
the journal, the database one connection short of its limit and its certificate three days from expiry;
then with each put right. A host that does not answer is inspected alongside and is red, never green.
The three runs are kept side by side, so they form a chain and the report draws their trends.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from lab_scan import render, scenario_host_vars

from compliance.checks import all_checks
from compliance.lab.state import load
from compliance.model.host_policy import policy_for_host

pytestmark = pytest.mark.lab

FIXTURES = Path(__file__).parent / "fixtures"
HOST = "insp-01"
SILENT = "insp-gone"  # in the inventory at an address nobody answers
SILENT_ADDRESS = "10.77.10.254"
DATA = "/srv/data"
INDUCED = {  # item → what breaks it
    f"disk:{DATA}": "a 20 MiB file system filled with 19 MiB",
    "service:rsyslog": "rsyslog stopped (with its socket)",
    "backup": "the last successful backup older than max_backup_age",
    "log_errors": "250 error entries in the journal",
    "db:connections": "19 of 20 connections in use",
    "certificate:5432": "PostgreSQL serving a certificate that expires in 3 days",
}

PREPARE = """set -eu
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do timeout 60 apt-get update -qq && break; done
apt-get install -y -qq --no-install-recommends rsyslog postgresql clamav clamav-daemon clamdscan >/dev/null
# The lab image lacks the locale file pam_env reads: without it every SSH login logs an error.
touch /etc/default/locale
sed -i 's/^#\\?max_connections = .*/max_connections = 20/' /etc/postgresql/*/main/postgresql.conf
systemctl restart postgresql
mkdir -p {data} && mount -t tmpfs -o size=20m tmpfs {data}
{records}
journalctl --rotate && sleep 1.1 && journalctl --vacuum-time=1s >/dev/null 2>&1
"""
BREAK = """set -eu
cd /
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 -subj "/CN=$(hostname)" \\
  -keyout /etc/postgresql/short.key -out /etc/postgresql/short.pem 2>/dev/null
chown postgres:postgres /etc/postgresql/short.key /etc/postgresql/short.pem
chmod 600 /etc/postgresql/short.key
runuser -u postgres -- psql -XAtq -c "alter system set ssl_cert_file = '/etc/postgresql/short.pem'" \\
  -c "alter system set ssl_key_file = '/etc/postgresql/short.key'" -c "select pg_reload_conf()" >/dev/null
dd if=/dev/zero of={data}/fill bs=1M count=19 status=none
systemctl stop syslog.socket rsyslog.service
{stale_backup}
for i in $(seq 250); do logger -p user.err "HIS interface timeout on order $i"; done
cd /
for i in $(seq 18); do
  setsid runuser -u postgres -- psql -XAtqc 'select pg_sleep(900)' >/dev/null 2>&1 </dev/null &
done
for i in $(seq 50); do
  busy=$(runuser -u postgres -- psql -XAtqc "select count(*) from pg_stat_activity where query like '%pg_sleep%'")
  [ "$busy" -ge 19 ] && break
  sleep 0.2
done
"""
FIX = """set -eu
rm {data}/fill
systemctl start rsyslog.service
{records}
journalctl --rotate && sleep 1.1 && journalctl --vacuum-time=1s >/dev/null 2>&1
# What a DBA does with sessions that hold the connections: end them on the server.
cd /
runuser -u postgres -- psql -XAtqc "select pg_terminate_backend(pid) from pg_stat_activity
  where query like '%pg_sleep(900)%' and pid <> pg_backend_pid()" >/dev/null
runuser -u postgres -- psql -XAtq -c "alter system reset ssl_cert_file" -c "alter system reset ssl_key_file" \\
  -c "select pg_reload_conf()" >/dev/null
"""


@pytest.fixture(scope="module")
def lab(run_lab, test_lab_env, test_lab_paths, repo, tmp_path_factory, dengbao_cmd):
    run_lab("down")
    run_lab("up", f"--host={HOST}")
    address = load(test_lab_paths)[HOST].host.address
    policy = policy_for_host(repo, HOST, scenario_host_vars(address)).settings
    checks = all_checks()
    records = "\n".join(
        render(checks[name].unit / "compliant.sh.j2", policy) for name in ("linux.backup_local", "linux.antivirus")
    )
    stale = render(checks["linux.backup_local"].unit / "scenarios" / "stale_backup.fail.sh", policy)
    workdir = tmp_path_factory.mktemp("inspect")
    inventory = workdir / "hosts.yml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "all": {
                    "hosts": {HOST: scenario_host_vars(address), SILENT: scenario_host_vars(SILENT_ADDRESS)},
                    "vars": {"ansible_user": "root", "ansible_ssh_args": f"-F {test_lab_paths.ssh_config}"},
                }
            }
        )
    )

    def on_host(script: str) -> None:
        result = subprocess.run(
            ["ssh", "-F", str(test_lab_paths.ssh_config), HOST, "sh", "-s"],
            input=script,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, f"{script[:200]}…\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"

    def inspect(name: str) -> dict:
        result = subprocess.run(
            [*dengbao_cmd, "inspect", "-i", str(inventory), "-o", str(workdir / "runs" / name), "--timeout", "20"],
            env=test_lab_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        document = json.loads((workdir / "runs" / name / "inspection.json").read_text())
        return {"result": result, "document": document, "items": _items(document, HOST), "dir": workdir / "runs" / name}

    on_host(PREPARE.format(data=DATA, records=records))
    healthy = inspect("1-healthy")
    on_host(BREAK.format(data=DATA, stale_backup=stale))
    broken = inspect("2-broken")
    on_host(FIX.format(data=DATA, records=records))
    fixed = inspect("3-fixed")
    if os.environ.get("DENGBAO_RECORD_FIXTURES"):
        for name, run in (("broken", broken), ("fixed", fixed)):
            record_fixture(run["dir"], name, address)
    yield {"healthy": healthy, "broken": broken, "fixed": fixed, "dengbao": dengbao_cmd, "env": test_lab_env}
    run_lab("down")


def record_fixture(run: Path, name: str, address: str) -> None:
    """Keep the host's evidence and its item statuses as a fast-tier fixture (tests/inspection/fixtures/):
    `DENGBAO_RECORD_FIXTURES=1 scripts/test tests/inspection/test_inspection_lab.py` records them anew."""
    document = json.loads((run / "inspection.json").read_text())
    evidence = json.loads((run / "evidence" / f"{HOST}.json").read_text())
    fixture = {
        "recorded_from": f"lab host {HOST}, {name}, {document['run']['started']}",
        "address": address,
        "host_clock_utc": evidence["host_clock_utc"],
        "statuses": {item_id: item["status"] for item_id, item in _items(document, HOST).items()},
        "probes": evidence["probes"],
    }
    FIXTURES.mkdir(exist_ok=True)
    (FIXTURES / f"{name}.json").write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")


def _items(document: dict, host: str) -> dict[str, dict]:
    [entry] = [h for h in document["hosts"] if h["name"] == host]
    assert entry["status"] == "collected", entry["error"]
    return {item["id"]: item for item in entry["items"]}


@pytest.mark.parametrize("item", INDUCED)
def test_an_induced_problem_turns_its_item_red_and_the_fix_turns_it_green(lab, item):
    assert lab["healthy"]["items"][item]["status"] == "green", lab["healthy"]["items"][item]
    assert lab["broken"]["items"][item]["status"] == "red", (INDUCED[item], lab["broken"]["items"][item])
    assert lab["fixed"]["items"][item]["status"] == "green", lab["fixed"]["items"][item]


def test_only_the_induced_items_change(lab):
    """Nothing else went red: the problems are told apart, item by item."""
    broken = {i for i, body in lab["broken"]["items"].items() if body["status"] == "red"}
    healthy = {i for i, body in lab["healthy"]["items"].items() if body["status"] == "red"}
    assert broken - healthy == set(INDUCED)


def test_what_the_red_items_say(lab):
    items = lab["broken"]["items"]
    assert items[f"disk:{DATA}"]["value"].startswith("95 %")
    assert "not running: rsyslog.service" in items["service:rsyslog"]["note_en"]
    assert "250× root: HIS interface timeout on order" in items["log_errors"]["note_en"]
    assert re.match(r"19 of 20 \(95 %\)", items["db:connections"]["value"]), items["db:connections"]
    assert items["db:size"]["status"] == "green" and "postgres" in items["db:size"]["value"]


def test_a_host_that_does_not_answer_is_red_and_the_exit_code_says_so(lab):
    for run in ("healthy", "broken", "fixed"):
        document = lab[run]["document"]
        [silent] = [h for h in document["hosts"] if h["name"] == SILENT]
        assert silent["status"] == "unreachable" and silent["overall"] == "red", silent
        assert document["run"]["exit_code"] == 1 == lab[run]["result"].returncode, lab[run]["result"].stderr
    assert f"{SILENT}  主机可达 Host answers" in lab["fixed"]["result"].stdout


def test_the_runs_are_sealed_in_a_chain_and_the_report_draws_their_trends(lab):
    for run in ("healthy", "broken", "fixed"):
        verified = subprocess.run(
            [*lab["dengbao"], "evidence", "verify", str(lab[run]["dir"])],
            env=lab["env"], capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert verified.returncode == 0, verified.stdout + verified.stderr
    manifest = json.loads((lab["fixed"]["dir"] / "manifest.json").read_text())
    assert manifest["previous"]["run"] == "2-broken"
    evidence = json.loads((lab["fixed"]["dir"] / "evidence" / f"{HOST}.json").read_text())
    assert "pg_stat_activity" in evidence["probes"]["postgresql"]["command"]
    dom = _dom(lab["fixed"]["dir"] / "inspection.html")
    row = re.search(rf'<tr class="host" data-host="{HOST}"[^>]*>.*?</tr>', dom, re.S)
    assert row and row.group(0).count('data-points="3"') == 2, "disk and log-error trends over the three runs"
    assert "<polyline" in row.group(0)
    assert not re.search(r'(src|href)="https?://', dom), "the report loads nothing from the network"
    markdown = (lab["broken"]["dir"] / "inspection.md").read_text()
    assert f"| {HOST} | 磁盘空间 {DATA} Disk space {DATA} | 异常 red |" in markdown


def _dom(page: Path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is installed by scripts/install-system-packages --lab"
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
