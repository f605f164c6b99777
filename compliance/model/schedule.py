"""A policy's cron schedule as a systemd timer's `OnCalendar=`, so roles and checks agree on one form.

Policies write schedules as five-field cron lines (`30 2 * * *`); roles run them as systemd
timers. Each field is expanded to its values and written as systemd lists, so `*/15`, ranges,
lists and names keep their meaning. Cron runs a job when *either* a restricted day of month or
a restricted day of week matches; systemd needs both, so a schedule restricting both is refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from compliance.yamldoc.formats import CRON_FIELDS, cron_values, timer_problem

WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # cron's numbering: 0 is Sunday
SYSTEMD_WEEK = (1, 2, 3, 4, 5, 6, 0)  # systemd's order, Monday first


class ScheduleError(ValueError):
    """A cron line that has no systemd equivalent."""


def _listed(values: set[int], everything: range, width: int = 2) -> str:
    if values == set(everything):
        return "*"
    return ",".join(f"{value:0{width}d}" for value in sorted(values))


def _weekdays(days: set[int]) -> str:
    """Days in systemd's normalized form: Monday first, three or more days in a row as `Mon..Wed`."""
    runs: list[list[int]] = []
    for day in (d for d in SYSTEMD_WEEK if d in days):
        position = SYSTEMD_WEEK.index(day)
        if runs and SYSTEMD_WEEK.index(runs[-1][-1]) == position - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAYS[run[0]]}..{WEEKDAYS[run[-1]]}")
        else:
            parts.extend(WEEKDAYS[day] for day in run)
    return ",".join(parts)


def oncalendar(cron: str) -> str:
    """The timer expression in systemd's normalized form, as `systemctl show` prints it back:
    `30 2 * * *` → `*-*-* 02:30:00`; `0 1 * * 1-6` → `Mon..Sat *-*-* 01:00:00`."""
    problem = timer_problem(cron)
    if problem is not None:
        raise ScheduleError(f"{cron!r}: {problem[0]}")
    minutes, hours, days, months, weekdays = cron_values(cron)
    ranges = [range(low, high + 1) for _name, _zh, low, high, _names in CRON_FIELDS]
    every_weekday = set(range(7))
    day_part = "" if weekdays == every_weekday else _weekdays(weekdays) + " "
    date = f"*-{_listed(months, ranges[3])}-{_listed(days, ranges[2])}"
    return f"{day_part}{date} {_listed(hours, ranges[1])}:{_listed(minutes, ranges[0])}:00"


SCANNED_DAYS = 400  # a year and a month: every monthly and yearly pattern repeats within it
MINUTES_PER_DAY = 1440


def _run_days(days: set[int], months: set[int], weekdays: set[int], first: date) -> list[int]:
    """Offsets from `first` of the days a cron line's day, month and weekday fields allow."""
    every_day = set(range(1, 32))
    found = []
    for offset in range(SCANNED_DAYS):
        day = first + timedelta(days=offset)
        weekday = (day.weekday() + 1) % 7  # cron: 0 is Sunday
        if day.month in months and (days == every_day or day.day in days) and weekday in weekdays:
            found.append(offset)
    return found


def longest_gap_days(cron: str, start: date | None = None) -> int:
    """The most days that can pass between two runs of a cron schedule (1 for a daily one, 7 for a
    weekly one, up to 31 for a monthly one), counted over the coming year."""
    _minutes, _hours, days, months, weekdays = cron_values(cron)
    matching = _run_days(days, months, weekdays, start or date.today())
    if len(matching) < 2:
        return 366
    return max(later - earlier for earlier, later in pairwise(matching))


def longest_gap_minutes(cron: str, start: date | None = None) -> int:
    """The most minutes that can pass between two runs of a cron schedule (60 for an hourly one,
    1440 for a daily one), counted over the coming year and a month."""
    minutes, hours, days, months, weekdays = cron_values(cron)
    times = sorted(hour * 60 + minute for hour in hours for minute in minutes)
    runs = [
        offset * MINUTES_PER_DAY + time
        for offset in _run_days(days, months, weekdays, start or date.today())
        for time in times
    ]
    if len(runs) < 2:
        return 366 * MINUTES_PER_DAY
    return max(later - earlier for earlier, later in pairwise(runs))


def window_cron(window: dict[str, object]) -> str:
    """A maintenance window's start as a cron line: `{weekday: sun, start: "02:00"}` → `00 02 * * sun`."""
    hours, minutes = str(window["start"]).split(":")
    return f"{minutes} {hours} * * {window['weekday']}"


def window_oncalendar(window: dict[str, object]) -> str:
    """When a weekly maintenance window opens, as a timer's `OnCalendar=` (`Sun *-*-* 02:00:00`)."""
    return oncalendar(window_cron(window))
