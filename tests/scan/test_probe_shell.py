"""The cheap forms of the costliest probes give what the checks read, run by a real POSIX shell here.

Since issue #22 a probe asks once where it used to ask per item: one grep for every configuration file of a probe
(a grep and a sed per file before), one `systemctl show` for every timer of the backups and antivirus probes
(a `systemctl is-active` and a `systemctl show` per timer before, 7 ms each), dpkg's own record of holds
(`apt-mark showhold` read it through apt's cache: 24 ms), the host keys' fingerprints worked out here
(`ssh-keygen -lf`: 8 ms a key). docs/performance.md has the figures. The lab scans run them on real hosts; these
tests pin their output on files and on `systemctl show` output recorded from a lab host.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from compliance.kinds.linux.facts.backups import parse_backups
from compliance.kinds.linux.facts.jobs import parse_antivirus
from compliance.kinds.linux.facts.system import parse_host_identity
from compliance.kinds.linux.probes import _files, timer_lines

# `systemctl show -p Id -p ActiveState -p TimersCalendar dengbao-backup.timer dengbao-restore-test.timer` on a lab
# host whose backup timer has two calendars (systemd 252): each unit a block, its calendars first.
SYSTEMCTL_SHOW = """\
TimersCalendar={ OnCalendar=Sun *-*-* 03:00:00 ; next_elapse=Sun 2026-12-06 03:00:00 UTC }
TimersCalendar={ OnCalendar=*-*-* 01:30:00 ; next_elapse=Sat 2026-12-05 01:30:00 UTC }
Id=dengbao-backup.timer
ActiveState=active

Id=dengbao-restore-test.timer
ActiveState=inactive
"""


def shell(script: str, stdin: str | None = None) -> str:
    result = subprocess.run(["sh", "-c", script], input=stdin, capture_output=True, text=True, check=True)
    return result.stdout


def shown_timers(named: bool) -> str:
    return shell(timer_lines(named), stdin=SYSTEMCTL_SHOW)


def test_one_grep_prints_every_existing_file_s_lines_without_comments_as_path_and_line(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "a.conf").write_text("# a comment\n\nkey = 1\n  # indented comment\nother\n")
    (tmp_path / "d" / "x.conf").write_text("from a glob\n")
    (tmp_path / "d" / "only-comments.conf").write_text("# nothing\n")
    command = _files(f"{tmp_path}/a.conf", f"{tmp_path}/missing.conf", f"{tmp_path}/d/*.conf", f"{tmp_path}/e/*")
    assert shell(command).splitlines() == [
        f"{tmp_path}/a.conf:key = 1",
        f"{tmp_path}/a.conf:other",
        f"{tmp_path}/d/x.conf:from a glob",
    ]
    # No file at all prints nothing, and a probe's exit code stays 0 (grep never reads its standard input).
    nothing = subprocess.run(["sh", "-c", _files(f"{tmp_path}/none")], input=b"stdin\n", capture_output=True)
    assert nothing.stdout == b"" and nothing.returncode == 0


def test_one_systemctl_show_gives_each_timer_s_state_and_every_calendar_on_one_line():
    assert shown_timers(named=True).splitlines() == [
        "timer dengbao-backup active { OnCalendar=Sun *-*-* 03:00:00 ; next_elapse=Sun 2026-12-06 03:00:00 UTC }"
        " { OnCalendar=*-*-* 01:30:00 ; next_elapse=Sat 2026-12-05 01:30:00 UTC }",
        "timer dengbao-restore-test inactive",
    ]
    backups = parse_backups(shown_timers(named=True))
    assert backups.backup_timer.active and backups.backup_timer.calendar == "Sun *-*-* 03:00:00"
    assert not backups.restore_test_timer.active and backups.restore_test_timer.calendar is None
    antivirus = parse_antivirus(shown_timers(named=False).splitlines()[0])
    assert antivirus.timer_active and antivirus.timer_calendar == "Sun *-*-* 03:00:00"


def test_a_host_key_s_fingerprint_is_the_one_ssh_keygen_shows(tmp_path):
    for kind in ("rsa", "ecdsa", "ed25519"):
        key = tmp_path / kind
        subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", str(key)], check=True)
        shown = shell(f"ssh-keygen -lf {key}.pub | awk '{{print $NF, $2}}'").split()
        algorithm, blob = Path(f"{key}.pub").read_text().split()[:2]
        identity = parse_host_identity(f"host_key_pub {algorithm} {blob}\n")
        assert identity.host_keys == (f"{shown[0].strip('()')} {shown[1]}",)
    assert parse_host_identity("host_key_pub ssh-rsa not*base64\n").host_keys == ("RSA unreadable",)
