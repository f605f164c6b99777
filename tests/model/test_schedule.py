"""Cron lines of the policies as systemd OnCalendar expressions: each checked by `systemd-analyze calendar`."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from compliance.model.schedule import ScheduleError, oncalendar

CASES = [
    ("30 2 * * *", "*-*-* 02:30:00", "*-*-* 02:30:00"),
    ("0 1 * * 0", "Sun *-*-* 01:00:00", "Sun *-*-* 01:00:00"),
    ("0 1 * * 7", "Sun *-*-* 01:00:00", "Sun *-*-* 01:00:00"),
    ("0 1 * * 1-6", "Mon,Tue,Wed,Thu,Fri,Sat *-*-* 01:00:00", "Mon..Sat *-*-* 01:00:00"),
    ("*/15 * * * *", "*-*-* *:00,15,30,45:00", "*-*-* *:00,15,30,45:00"),
    ("0 3 1,15 * *", "*-*-01,15 03:00:00", "*-*-01,15 03:00:00"),
    ("0 2 * jan-mar mon", "Mon *-01,02,03-* 02:00:00", "Mon *-01,02,03-* 02:00:00"),
    ("5 0-23/6 * * *", "*-*-* 00,06,12,18:05:00", "*-*-* 00,06,12,18:05:00"),
]


@pytest.mark.parametrize(("cron", "expected", "normalized"), CASES, ids=[c[0] for c in CASES])
def test_a_cron_line_becomes_the_same_systemd_calendar(cron, expected, normalized):
    assert oncalendar(cron) == expected
    if shutil.which("systemd-analyze"):
        shown = subprocess.run(["systemd-analyze", "calendar", expected], capture_output=True, text=True, check=True)
        assert f"Normalized form: {normalized}" in shown.stdout


def test_a_schedule_restricting_both_day_of_month_and_weekday_is_refused():
    with pytest.raises(ScheduleError, match="not both"):
        oncalendar("0 2 1 * mon")
