"""The SSH server's effective settings, as `sshd -T` prints them."""

from __future__ import annotations

import re


def parse_sshd(output: str) -> dict[str, list[str]]:
    """keyword → values (keywords that repeat, like listenaddress, keep all); {} when sshd gave none."""
    values: dict[str, list[str]] = {}
    for line in output.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2 and re.fullmatch(r"[a-z0-9]+", parts[0]):
            values.setdefault(parts[0], []).append(parts[1])
    return values
