"""Policy schedules as systemd OnCalendar expressions (compliance.model.schedule), for the roles' timers.

`dengbao_oncalendar`: a cron line (antivirus scan_schedule); `dengbao_window_oncalendar`: when a
maintenance window opens (patching maintenance_window). The patching role links to this file.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from compliance.model.schedule import ScheduleError, oncalendar, window_oncalendar


def dengbao_oncalendar(cron: str) -> str:
    try:
        return oncalendar(str(cron))
    except (ScheduleError, ValueError) as error:
        raise AnsibleFilterError(f"scan schedule: {error}") from error


def dengbao_window_oncalendar(window: dict) -> str:
    try:
        return window_oncalendar(dict(window))
    except (ScheduleError, ValueError, KeyError) as error:
        raise AnsibleFilterError(f"maintenance window: {error}") from error


class FilterModule:
    def filters(self) -> dict:
        return {"dengbao_oncalendar": dengbao_oncalendar, "dengbao_window_oncalendar": dengbao_window_oncalendar}
