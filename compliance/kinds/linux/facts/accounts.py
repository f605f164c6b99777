"""Accounts: passwd, group, the shadow states (never a hash), login.defs and useradd's defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compliance.kinds.linux.facts.text import as_int, parse_key_values

INTERACTIVE_SHELL = re.compile(r"/(ba|z|k|c|tc|da|fi)?sh$")
FIRST_REGULAR_UID = 1000


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: str
    shell: str

    @property
    def interactive(self) -> bool:
        return bool(INTERACTIVE_SHELL.search(self.shell))


@dataclass(frozen=True)
class ShadowEntry:
    name: str
    state: str  # hash | locked | empty
    last_change: int | None
    min_days: int | None
    max_days: int | None
    warn_days: int | None
    inactive_days: int | None
    expire_day: int | None


def parse_passwd(output: str) -> list[Account]:
    accounts = []
    for line in output.splitlines():
        fields = line.split(":")
        if len(fields) >= 7 and fields[2].isdigit() and fields[3].isdigit():
            accounts.append(Account(fields[0], int(fields[2]), int(fields[3]), fields[5], fields[6]))
    return accounts


def parse_groups(output: str) -> dict[str, list[str]]:
    """group name → its listed members."""
    groups = {}
    for line in output.splitlines():
        fields = line.split(":")
        if len(fields) >= 4:
            groups[fields[0]] = [m for m in fields[3].split(",") if m]
    return groups


def parse_shadow(output: str) -> dict[str, ShadowEntry]:
    """The probe's reduced shadow lines (name:state:lastchg:min:max:warn:inactive:expire)."""
    entries = {}
    for line in output.splitlines():
        fields = line.split(":")
        if len(fields) >= 8:
            numbers = [as_int(f) for f in fields[2:8]]
            entries[fields[0]] = ShadowEntry(fields[0], fields[1], *numbers)
    return entries


def parse_login_defs(output: str) -> dict[str, str]:
    return parse_key_values(output)


def parse_useradd_defaults(output: str) -> dict[str, str]:
    return parse_key_values(output, "=")
