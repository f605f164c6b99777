"""Kernel audit: the rules files, auditd.conf, and the modes of the audit log directory and files."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compliance.kinds.linux.facts.text import file_texts


@dataclass(frozen=True)
class FileMode:
    path: str
    mode: int
    owner: str
    group: str

    def __str__(self) -> str:
        return f"{self.path} {self.mode:o} {self.owner}"


def parse_audit_rules(output: str) -> list[str]:
    """Every rule line of rules.d/*.rules and audit.rules, as written."""
    return [text.strip() for text in file_texts(output) if text.strip()]


def rules_locked(rules: list[str]) -> bool:
    """Whether `-e 2` makes the loaded rules immutable until reboot."""
    return any(re.fullmatch(r"-e\s+2", rule) for rule in rules)


def parse_auditd_conf(output: str) -> dict[str, str]:
    settings = {}
    for text in file_texts(output):
        key, sep, value = text.partition("=")
        if sep:
            settings[key.strip()] = value.strip()
    return settings


def parse_file_modes(output: str) -> list[FileMode]:
    """`stat -c '%n %a %U %G'` lines."""
    modes = []
    for line in output.splitlines():
        words = line.split()
        if len(words) == 4 and re.fullmatch(r"[0-7]{3,4}", words[1]):
            modes.append(FileMode(words[0], int(words[1], 8), words[2], words[3]))
    return modes
