"""Shapes of text the Linux probes print, shared by the parsers: `path:line` pairs, key/value lines, numbers."""

from __future__ import annotations

import re


def as_int(text: str | None) -> int | None:
    """An integer written in the text (leading minus allowed), else None: never a guess."""
    if text is None:
        return None
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def split_file_lines(output: str) -> list[tuple[str, str]]:
    """`path:line` pairs as the `_files` probes print them (paths never contain a colon here)."""
    pairs = []
    for line in output.splitlines():
        path, sep, rest = line.partition(":")
        if sep and path.startswith("/"):
            pairs.append((path, rest))
    return pairs


def file_texts(output: str) -> list[str]:
    """The lines of a `_files` probe without their file names."""
    return [text for _path, text in split_file_lines(output)]


def parse_key_values(output: str, separator: str | None = None) -> dict[str, str]:
    """`KEY value` or `key = value` lines (last one wins, as the daemons read them)."""
    values: dict[str, str] = {}
    for raw in output.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if separator and separator in line:
            key, value = line.split(separator, 1)
        else:
            parts = line.split(None, 1)
            key, value = parts[0], (parts[1] if len(parts) > 1 else "")
        values[key.strip()] = value.strip()
    return values
