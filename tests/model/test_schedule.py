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
    ("0 1 * * 1-6", "Mon..Sat *-*-* 01:00:00", "Mon..Sat *-*-* 01:00:00"),
    ("0 1 * * 0,1,2", "Mon,Tue,Sun *-*-* 01:00:00", "Mon,Tue,Sun *-*-* 01:00:00"),
    ("0 1 * * 1,3-5", "Mon,Wed..Fri *-*-* 01:00:00", "Mon,Wed..Fri *-*-* 01:00:00"),
    ("*/15 * * * *", "*-*-* *:00,15,30,45:00", "*-*-* *:00,15,30,45:00"),
    ("0 3 1,15 * *", "*-*-01,15 03:00:00", "*-*-01,15 03:00:00"),
    ("0 2 * jan-mar mon", "Mon *-01,02,03-* 02:00:00", "Mon *-01,02,03-* 02:00:00"),
    ("5 0-23/6 * * *", "*-*-* 00,06,12,18:05:00", "*-*-* 00,06,12,18:05:00"),
]


@pytest.mark.parametrize(("cron", "expected", "normalized"), CASES, ids=[c[0] for c in CASES])
def test_a_cron_line_becomes_the_same_systemd_calendar_in_its_normalized_form(cron, expected, normalized):
    assert oncalendar(cron) == expected == normalized
    if shutil.which("systemd-analyze"):
        shown = subprocess.run(["systemd-analyze", "calendar", expected], capture_output=True, text=True, check=True)
        assert f"Normalized form: {normalized}" in shown.stdout


def test_a_schedule_restricting_both_day_of_month_and_weekday_is_refused():
    with pytest.raises(ScheduleError, match="not both"):
        oncalendar("0 2 1 * mon")


@pytest.mark.parametrize(
    ("cron", "days"),
    [("30 2 * * *", 1), ("*/15 * * * *", 1), ("0 1 * * 0", 7), ("0 1 * * 1-5", 3), ("0 3 1 * *", 31)],
)
def test_the_longest_gap_between_runs(cron, days):
    from datetime import date

    from compliance.model.schedule import longest_gap_days

    assert longest_gap_days(cron, date(2026, 12, 1)) == days
