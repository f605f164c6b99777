"""sudo: the user specifications of /etc/sudoers and /etc/sudoers.d."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compliance.kinds.linux.facts.text import split_file_lines


@dataclass(frozen=True)
class SudoGrant:
    file: str
    who: str  # user name, or %group
    commands: tuple[str, ...]
    nopasswd: bool

    @property
    def group(self) -> str | None:
        return self.who[1:] if self.who.startswith("%") else None


def parse_sudoers(output: str) -> list[SudoGrant]:
    """User specifications (aliases are kept as written, not expanded); Defaults and includes are skipped."""
    grants = []
    for path, text in split_file_lines(output):
        text = text.strip()
        if not text or text.startswith(("Defaults", "@include", "#include")) or re.match(r"^\w+_Alias\b", text):
            continue
        match = re.match(r"^(\S+)\s+[^=\s]+\s*=\s*(?:\([^)]*\)\s*)?(.*)$", text)
        if not match:
            continue
        who, rest = match.groups()
        nopasswd = "NOPASSWD:" in rest
        rest = re.sub(r"\b[A-Z_]+:\s*", "", rest)
        commands = tuple(command.strip() for command in rest.split(",") if command.strip())
        grants.append(SudoGrant(path, who, commands, nopasswd))
    return grants
