"""Scheduled work and its state: cron jobs, anti-malware (signatures, scan timer, last scan)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from compliance.kinds.linux.facts.text import file_texts


def parse_crontabs(output: str) -> list[str]:
    """Every job line of the system and user crontabs (environment assignments left out)."""
    return [text.strip() for text in file_texts(output) if text.strip() and not re.match(r"^\s*\w+=", text)]


@dataclass(frozen=True)
class SignatureDatabase:
    name: str
    modified: float  # epoch of the file
    built: float | None  # epoch of the build time a container (.cvd/.cld/.cud) declares, None for plain files

    @property
    def age_from(self) -> float:
        """When the signatures were made: the declared build time, else the file's time."""
        return self.built if self.built is not None else self.modified


@dataclass(frozen=True)
class Antivirus:
    """ClamAV as the antivirus role leaves it: databases, freshclam's sources, the scan timer, the last scan."""

    databases: tuple[SignatureDatabase, ...]
    freshclam_sources: tuple[str, ...]  # "PrivateMirror http://…", "DatabaseCustomURL …"
    timer_active: bool
    timer_calendar: str | None  # systemd's OnCalendar of the scan timer, as `systemctl show` prints it
    last_scan: dict[str, str]  # started, finished, exit, detections

    def newest(self) -> SignatureDatabase | None:
        return max(self.databases, key=lambda d: d.age_from, default=None)

    def freshclam_source_hosts(self) -> tuple[tuple[str, str], ...]:
        """(source line, host it names) for each freshclam source: a URL's host, or `DatabaseMirror`'s bare name."""
        hosts = []
        for source in self.freshclam_sources:
            value = source.partition(" ")[2].strip()
            host = urlsplit(value).hostname if "://" in value else value.split("/")[0].split(":")[0]
            hosts.append((source, (host or "").lower()))
        return tuple(hosts)


def _build_time(text: str) -> float | None:
    """sigtool's `Build time: 01 Dec 2026 18:51 +0000`."""
    try:
        return datetime.strptime(text.strip(), "%d %b %Y %H:%M %z").timestamp()
    except ValueError:
        return None


def parse_antivirus(output: str) -> Antivirus:
    databases, sources, last_scan = [], [], {}
    timer_active, calendar = False, None
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "database":
            parts = rest.split(" ", 2)
            if len(parts) >= 2 and parts[1].isdigit():
                built = _build_time(parts[2]) if len(parts) == 3 and parts[2].strip() else None
                databases.append(SignatureDatabase(parts[0], float(parts[1]), built))
        elif kind == "freshclam":
            sources.append(rest.strip())
        elif kind == "timer":
            state, _, shown = rest.partition(" ")
            timer_active = state == "active"
            match = re.search(r"OnCalendar=([^;]+?)\s*;", shown)
            calendar = match.group(1).strip() if match else None
        elif kind == "last_scan":
            key, _, value = rest.partition(" ")
            last_scan[key] = value.strip()
    return Antivirus(tuple(databases), tuple(sources), timer_active, calendar, last_scan)
