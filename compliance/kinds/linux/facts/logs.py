"""System logs: where rsyslog forwards to, and how long logrotate keeps each log."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from compliance.kinds.linux.facts.text import file_texts

ROTATE_PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}
SCRIPT_STARTS = ("postrotate", "prerotate", "firstaction", "lastaction", "preremove")


@dataclass(frozen=True)
class ForwardTarget:
    host: str
    port: int
    protocol: str  # tcp | udp | relp …

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.protocol}"


@dataclass
class Logrotate:
    """Global directives, and the directives that apply to each named log file."""

    defaults: dict[str, str] = field(default_factory=dict)
    files: dict[str, dict[str, str]] = field(default_factory=dict)

    def days_kept(self, path: str) -> int | None:
        """rotate × period for a log that has a rule, else None."""
        if path not in self.files:
            return None
        settings = {**self.defaults, **self.files[path]}
        rotations = settings.get("rotate", "0")
        count = int(rotations) if rotations.isdigit() else 0
        return count * ROTATE_PERIOD_DAYS.get(settings.get("period", "weekly"), 7)


def parse_syslog_forwarding(output: str) -> list[ForwardTarget]:
    """Every rsyslog forwarding action, in the legacy `@@host:port` and the RainerScript forms."""
    lines = file_texts(output)
    targets = []
    for line in lines:
        legacy = re.search(r"\s(@@?)(?:\(\S*\))?\[?([\w.:-]+?)\]?(?::(\d+))?\s*$", line)
        if legacy and not line.strip().startswith("$"):
            protocol = "tcp" if legacy.group(1) == "@@" else "udp"
            targets.append(ForwardTarget(legacy.group(2), int(legacy.group(3) or 514), protocol))
    # RainerScript actions may span lines: read them from the joined text.
    for action in re.findall(r"action\s*\(([^)]*omfwd[^)]*)\)", " ".join(lines)):
        host = re.search(r'target\s*=\s*"([^"]+)"', action)
        port = re.search(r'port\s*=\s*"?(\d+)', action)
        protocol = re.search(r'protocol\s*=\s*"(\w+)"', action)
        if host:
            targets.append(
                ForwardTarget(
                    host.group(1),
                    int(port.group(1)) if port else 514,
                    protocol.group(1).lower() if protocol else "udp",
                )
            )
    return targets


def parse_logrotate(output: str) -> Logrotate:
    """logrotate.conf and its drop-ins; a block may list its files over several lines, scripts are skipped."""
    rotate = Logrotate()
    pending: list[str] = []
    current: list[str] | None = None
    in_script = False
    for raw in file_texts(output):
        words = raw.strip().split()
        if not words:
            continue
        if in_script:
            in_script = words[0] != "endscript"
            continue
        if words[0] in SCRIPT_STARTS:
            in_script = True
            continue
        if words[-1] == "{":
            current, pending = pending + words[:-1], []
            continue
        if words[0] == "}":
            current = None
            continue
        if current is None and words[0].startswith("/"):
            pending.extend(words)
            continue
        key, value = ("period", words[0]) if words[0] in ROTATE_PERIOD_DAYS else (words[0], " ".join(words[1:]))
        if current is None:
            rotate.defaults[key] = value
        else:
            for name in current:
                rotate.files.setdefault(name, {})[key] = value
    return rotate
