"""Time: the configured time zone, and the sources the time clients are told to use."""

from __future__ import annotations

from dataclasses import dataclass

from compliance.kinds.linux.facts.text import file_texts

SOURCE_KEYWORDS = ("server", "pool", "NTP", "peer")


@dataclass(frozen=True)
class TimeSources:
    servers: frozenset[str]  # short host names (the part before the first dot)
    local_clock: bool  # chrony `local`: the host serves its own clock when it has no source


def parse_timezone(output: str) -> str | None:
    """The zone /etc/localtime links to (`readlink` prints …/zoneinfo/Asia/Shanghai), or None."""
    lines = output.splitlines()
    return lines[0].split("zoneinfo/", 1)[-1] if lines and lines[0].strip() else None


def parse_time_sources(output: str) -> TimeSources:
    """Sources from chrony, timesyncd and ntpd configurations."""
    servers: set[str] = set()
    local_clock = False
    for text in file_texts(output):
        words = text.replace("=", " ").split()
        if words and words[0] in SOURCE_KEYWORDS:
            servers.update(word.split(".")[0] for word in words[1:] if not word.startswith(("iburst", "prefer")))
        local_clock = local_clock or words[:1] == ["local"]
    return TimeSources(frozenset(servers), local_clock)
