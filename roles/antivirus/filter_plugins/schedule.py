"""`dengbao_oncalendar`: a policy's cron line as a systemd OnCalendar expression (compliance.model.schedule)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from compliance.model.schedule import ScheduleError, oncalendar


def dengbao_oncalendar(cron: str) -> str:
    try:
        return oncalendar(str(cron))
    except (ScheduleError, ValueError) as error:
        raise AnsibleFilterError(f"scan schedule: {error}") from error


class FilterModule:
    def filters(self) -> dict:
        return {"dengbao_oncalendar": dengbao_oncalendar}
