"""A policy's cron schedule as a systemd timer's `OnCalendar=`, so roles and checks agree on one form.

Policies write schedules as five-field cron lines (`30 2 * * *`); roles run them as systemd
timers. Each field is expanded to its values and written as systemd lists, so `*/15`, ranges,
lists and names keep their meaning. Cron runs a job when *either* a restricted day of month or
a restricted day of week matches; systemd needs both, so a schedule restricting both is refused.
"""

from __future__ import annotations

from compliance.yamldoc.formats import CRON_FIELDS, cron_values, timer_problem

WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


class ScheduleError(ValueError):
    """A cron line that has no systemd equivalent."""


def _listed(values: set[int], everything: range, width: int = 2) -> str:
    if values == set(everything):
        return "*"
    return ",".join(f"{value:0{width}d}" for value in sorted(values))


def oncalendar(cron: str) -> str:
    """`30 2 * * *` → `*-*-* 02:30:00`; `0 1 * * 1-6` → `Mon,Tue,Wed,Thu,Fri,Sat *-*-* 01:00:00`."""
    problem = timer_problem(cron)
    if problem is not None:
        raise ScheduleError(f"{cron!r}: {problem[0]}")
    minutes, hours, days, months, weekdays = cron_values(cron)
    ranges = [range(low, high + 1) for _name, _zh, low, high, _names in CRON_FIELDS]
    every_weekday = set(range(7))
    day_part = "" if weekdays == every_weekday else ",".join(WEEKDAYS[d] for d in sorted(weekdays)) + " "
    date = f"*-{_listed(months, ranges[3])}-{_listed(days, ranges[2])}"
    return f"{day_part}{date} {_listed(hours, ranges[1])}:{_listed(minutes, ranges[0])}:00"
