"""PAM: the shared auth/account/password stacks, pwquality.conf and faillock.conf."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compliance.kinds.linux.facts.text import file_texts, parse_key_values, split_file_lines


@dataclass(frozen=True)
class PamLine:
    file: str
    kind: str  # auth, account, password, session
    control: str
    module: str
    arguments: tuple[str, ...]

    def argument(self, key: str) -> str | None:
        """`key=value` → value, a bare `key` → "", absent → None."""
        for argument in self.arguments:
            if argument == key:
                return ""
            if argument.startswith(key + "="):
                return argument.split("=", 1)[1]
        return None

    def arguments_as_settings(self) -> dict[str, str]:
        settings = {}
        for argument in self.arguments:
            key, _, value = argument.partition("=")
            settings[key] = value
        return settings


def parse_pam(output: str) -> list[PamLine]:
    lines = []
    for path, text in split_file_lines(output):
        text = text.strip()
        if text.startswith("@include") or not text:
            continue
        # `[success=1 default=ignore]` is one control field even though it has spaces.
        match = re.match(r"^-?(\w+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$", text)
        if match:
            kind, control, module, rest = match.groups()
            lines.append(PamLine(path, kind, control, module.rsplit("/", 1)[-1], tuple(rest.split())))
    return lines


def parse_pwquality(output: str) -> dict[str, str]:
    return parse_key_values("\n".join(file_texts(output)), "=")


def parse_faillock(output: str) -> dict[str, str]:
    """faillock.conf settings; a bare flag such as `even_deny_root` maps to ""."""
    values = {}
    for line in file_texts(output):
        key, sep, value = line.partition("=")
        values[key.strip()] = value.strip() if sep else ""
    return values
