"""Verify ClamAV fed by the internal mirror: signatures from the mirror only, clamd running on them, and
a scheduled scan that really finds the EICAR test file, quarantines it, and reports it through syslog
to the central log host."""

import datetime
import os
import pathlib
import re
import time

import jinja2
import pytest
import testinfra
import yaml

testinfra_hosts = ["ansible://mol-av"]

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]


@pytest.fixture(scope="module")
def loghost():
    return testinfra.get_host(f"ansible://mol-av-mirror?ansible_inventory={INVENTORY}")


# The EICAR anti-malware test file: harmless, and detected by every engine (here by the mirror's test database).
EICAR = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_freshclam_takes_signatures_from_the_internal_mirror_only(host):
    config = host.file("/etc/clamav/freshclam.conf").content_string
    assert re.findall(r"^PrivateMirror (\S+)", config, re.M) == ["http://mol-av-mirror:8080/clamav"]
    assert "DatabaseMirror" not in config and "clamav.net" not in config
    assert re.findall(r"^DatabaseCustomURL (\S+)", config, re.M) == ["http://mol-av-mirror:8080/clamav/dengbao.cud"]


def test_the_signatures_came_from_the_mirror_and_say_when_they_were_built(host):
    info = host.run("sigtool --info=/var/lib/clamav/dengbao.cud")
    assert info.rc == 0, info.stderr
    assert re.search(r"^Build time: \d{2} \w{3} \d{4} \d{2}:\d{2}", info.stdout, re.M)
    assert "Signatures: 1" in info.stdout


def test_clamd_and_freshclam_run_and_the_scan_timer_follows_the_policy(host):
    for service in ("clamav-daemon", "clamav-freshclam"):
        assert host.service(service).is_running, service
        assert host.service(service).is_enabled, service
    timer = host.file("/etc/systemd/system/dengbao-antivirus-scan.timer").content_string
    assert "OnCalendar=*-*-* 02:30:00" in timer  # policies/antivirus.yml: "30 2 * * *"
    assert host.service("dengbao-antivirus-scan.timer").is_enabled
    assert host.run("systemctl is-active dengbao-antivirus-scan.timer").stdout.strip() == "active"


@pytest.fixture
def planted(host):
    host.run("rm -f /var/lib/dengbao/quarantine/eicar.com")
    host.check_output(f"printf '%s' '{EICAR}' > /tmp/eicar.com")
    yield "/tmp/eicar.com"
    host.run("rm -f /tmp/eicar.com /var/lib/dengbao/quarantine/eicar.com")


def test_the_scheduled_scan_quarantines_the_eicar_file_and_reports_it_to_the_log_host(host, planted, loghost):
    since = host.check_output("date -u '+%Y-%m-%d %H:%M:%S'")
    deadline = time.monotonic() + 60
    while host.run("clamdscan --ping 1").rc != 0:  # clamd answers once its databases are loaded
        assert time.monotonic() < deadline, "clamd does not answer"
        time.sleep(1)
    run = host.run("systemctl start dengbao-antivirus-scan.service")
    assert run.rc == 0, host.run("journalctl -u dengbao-antivirus-scan -n 20 --no-pager").stdout
    assert not host.file(planted).exists
    assert host.file("/var/lib/dengbao/quarantine/eicar.com").exists
    assert host.file("/var/lib/dengbao/quarantine").mode == 0o700
    record = host.file("/var/lib/dengbao/antivirus/last-scan").content_string
    assert "detections 1" in record and "exit 1" in record
    journal = host.check_output(f"journalctl -t dengbao-antivirus --since '{since}' --no-pager -o cat")
    assert "malware detected and quarantined" in journal and "Dengbao.Test.EICAR" in journal
    received = f"/var/log/remote/{host.check_output('hostname -I').split()[0]}/syslog.log"
    deadline = time.monotonic() + 30
    while loghost.run(f"grep -q 'dengbao-antivirus.*Dengbao.Test.EICAR' {received}").rc != 0:
        assert time.monotonic() < deadline, f"the detection never reached the log host's {received}"
        time.sleep(1)


def test_a_clean_scan_is_recorded_as_clean(host):
    assert host.run("systemctl start dengbao-antivirus-scan.service").rc == 0
    record = host.file("/var/lib/dengbao/antivirus/last-scan").content_string
    assert "exit 0" in record and "detections 0" in record


REPO = pathlib.Path(os.environ["MOLECULE_PROJECT_DIRECTORY"])
POLICY = yaml.safe_load((REPO / "policies" / "antivirus.yml").read_text())["settings"]


def _scenario(name):
    """A check scenario of linux.antivirus, rendered with the policy as the scenario harness renders it."""
    template = REPO / "compliance" / "checks" / "linux" / "antivirus" / "scenarios" / f"{name}.fail.sh"
    return jinja2.Template(template.read_text()).render(policy={"antivirus": POLICY})


def test_signatures_set_back_on_the_mirror_reach_the_server_stale(host, loghost):
    """Runs last. The mirror stops getting fresh databases: its published copy's declared build time
    is set back past the policy's maximum age. freshclam on the server takes it, and the server's
    database now says it is stale. The check scenario `stale_signatures` shows that linux.antivirus
    fails on such a database."""
    published = "/srv/mirror/clamav/dengbao.cud"
    set_back = loghost.run(f"DENGBAO_DATABASE={published} sh -s <<'EOF'\n{_scenario('stale_signatures')}\nEOF")
    assert set_back.rc == 0, set_back.stderr
    old = set_back.stdout.split("Build time:")[1].strip()
    host.run("systemctl stop clamav-freshclam")
    update = host.run("freshclam --stdout")
    host.run("systemctl start clamav-freshclam")
    assert update.rc == 0, update.stdout[-2000:]
    info = host.check_output("sigtool --info=/var/lib/clamav/dengbao.cud")
    assert f"Build time: {old}" in info, update.stdout[-2000:]
    built = datetime.datetime.strptime(old, "%d %b %Y %H:%M %z")
    age = datetime.datetime.now(datetime.UTC) - built
    assert age > datetime.timedelta(days=POLICY["signature_max_age_days"])
