"""Backups as the backup role leaves them: its settings, the last run, the last successful run, the
last restore test, how many records are kept, and the two timers; on the backup host, the
backup_server role's settings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

RECORDS = ("settings", "server_settings", "last_backup", "last_successful_backup", "last_restore_test")


@dataclass(frozen=True)
class Timer:
    active: bool
    calendar: str | None  # systemd's OnCalendar, as `systemctl show` prints it


@dataclass(frozen=True)
class Backups:
    settings: dict[str, Any] | None  # /etc/dengbao/backup.json
    last_backup: dict[str, Any] | None
    last_successful_backup: dict[str, Any] | None
    last_restore_test: dict[str, Any] | None
    run_records: int
    restore_test_records: int
    backup_timer: Timer
    restore_test_timer: Timer
    server_settings: dict[str, Any] | None = None  # /etc/dengbao/backup-server.json: this is the backup host
    server_records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # action → server → record
    prune_timer: Timer = Timer(False, None)
    check_timer: Timer = Timer(False, None)
    unreadable: str | None = None  # which record is present but not JSON

    @property
    def configured(self) -> bool:
        return self.settings is not None

    @property
    def is_backup_host(self) -> bool:
        """The host serves the servers' repositories (backup_server role) and backs up nowhere itself."""
        return self.server_settings is not None and self.settings is None


def _timer(rest: str) -> Timer:
    state, _, shown = rest.partition(" ")
    match = re.search(r"OnCalendar=([^;]+?)\s*;", shown)
    return Timer(state == "active", match.group(1).strip() if match else None)


def parse_backups(output: str) -> Backups:
    records: dict[str, dict[str, Any] | None] = dict.fromkeys(RECORDS)
    counts = {"runs": 0, "restore_tests": 0}
    names = ("dengbao-backup", "dengbao-restore-test", "dengbao-backup-prune", "dengbao-backup-check")
    timers = dict.fromkeys(names, Timer(False, None))
    server_records: dict[str, dict[str, dict[str, Any]]] = {}
    unreadable = []
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind in records:
            try:
                value = json.loads(rest)
            except ValueError:
                unreadable.append(kind)
                continue
            if isinstance(value, dict):
                records[kind] = value
            else:
                unreadable.append(kind)
        elif kind == "server_record":
            action, _, rest = rest.partition(" ")
            server, _, text = rest.partition(" ")
            try:
                server_records.setdefault(action, {})[server] = json.loads(text)
            except ValueError:
                unreadable.append(f"{action} record of {server}")
        elif kind in counts and rest.strip().isdigit():
            counts[kind] = int(rest)
        elif kind == "timer":
            name, _, state = rest.partition(" ")
            if name in timers:
                timers[name] = _timer(state)
    return Backups(
        settings=records["settings"],
        last_backup=records["last_backup"],
        last_successful_backup=records["last_successful_backup"],
        last_restore_test=records["last_restore_test"],
        run_records=counts["runs"],
        restore_test_records=counts["restore_tests"],
        backup_timer=timers["dengbao-backup"],
        restore_test_timer=timers["dengbao-restore-test"],
        server_settings=records["server_settings"],
        server_records=server_records,
        prune_timer=timers["dengbao-backup-prune"],
        check_timer=timers["dengbao-backup-check"],
        unreadable=", ".join(unreadable) or None,
    )
