"""Scheduled work and its state: cron jobs, the anti-malware signature files, the package index and updates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compliance.kinds.linux.facts.text import as_int, file_texts


@dataclass(frozen=True)
class PackageUpdates:
    index_refreshed: int | None  # epoch of the newest Release file, None if the index was never fetched
    pending: tuple[str, ...]  # one line per upgrade apt or dnf would make: "<name> <origin or details>"

    @property
    def security(self) -> list[str]:
        """Names of pending upgrades from a security origin."""
        return sorted({line.split()[0] for line in self.pending if "security" in line.lower()})


def parse_crontabs(output: str) -> list[str]:
    """Every job line of the system and user crontabs (environment assignments left out)."""
    return [text.strip() for text in file_texts(output) if text.strip() and not re.match(r"^\s*\w+=", text)]


@dataclass(frozen=True)
class Replication:
    """A continuous file replicator (lsyncd): the hosts it syncs to, and whether its process runs."""

    targets: tuple[str, ...]
    running: bool


def parse_replication(output: str) -> Replication:
    """lsyncd's configuration (`host = "…"` or `target = "host:/dir"` of its syncs) and its process lines."""
    text = " ".join(line.split("--", 1)[0] for line in file_texts(output))
    hosts = re.findall(r'\bhost\s*=\s*"([^"]+)"', text)
    hosts += [target.split(":", 1)[0] for target in re.findall(r'\btarget\s*=\s*"([^"]+:[^"]*)"', text)]
    running = any(line.startswith("process ") for line in output.splitlines())
    return Replication(tuple(sorted({host.split("@")[-1] for host in hosts})), running)


def parse_clamav_databases(output: str) -> dict[str, float]:
    """Signature file name → modification time (epoch)."""
    databases = {}
    for line in output.splitlines():
        name, _, stamp = line.rpartition(" ")
        try:
            databases[name] = float(stamp)
        except ValueError:
            continue
    return databases


def parse_package_updates(output: str) -> PackageUpdates:
    index: int | None = None
    pending = []
    for line in output.splitlines():
        if line.startswith("index"):
            index = as_int(line[len("index") :])
        elif line.startswith("pending "):
            pending.append(line[len("pending ") :])
    return PackageUpdates(index, tuple(pending))
