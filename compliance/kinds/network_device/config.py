"""A device's running configuration as a tree of lines, for Huawei VRP, H3C Comware and Cisco IOS.

All three print a configuration as indented lines: a line indented deeper than the one before it
belongs to that line's section (`user-interface vty 0 4` → ` idle-timeout 10 0`). VRP and
Comware separate sections with `#` and end with `return`; Comware indents its global commands by
one space, so the first line after a `#` is a top-level line whatever its indent. IOS separates
with `!` and ends with `end`. Login banners may span lines between delimiters (`banner login ^C … ^C`,
`header login %…%`, `header login information "…"`); they are kept as one line. Every line keeps its
number in the output, so a finding can name the line an evaluator should look at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PLATFORMS = ("huawei_vrp", "h3c_comware", "cisco_ios")
BANNER = re.compile(r"^(?:banner|header)\s+\S+(?:\s+information)?\s+(?P<rest>.*)$")


@dataclass(frozen=True)
class ConfigLine:
    text: str  # without its indent
    number: int  # 1-based, in the output as collected
    children: tuple[ConfigLine, ...] = ()

    @property
    def words(self) -> list[str]:
        return self.text.split()

    def starts(self, *words: str) -> bool:
        """Whether the line's first words are these (whole words, not prefixes of words; older VRP prints
        some keywords in capitals, `FTP server enable`, so case does not matter)."""
        return [w.lower() for w in self.words[: len(words)]] == [w.lower() for w in words]

    def children_starting(self, *words: str) -> list[ConfigLine]:
        return [child for child in self.children if child.starts(*words)]

    def child(self, *words: str) -> ConfigLine | None:
        found = self.children_starting(*words)
        return found[-1] if found else None


@dataclass
class _Open:
    indent: int
    text: str
    number: int
    children: list[_Open] = field(default_factory=list)

    def closed(self) -> ConfigLine:
        return ConfigLine(self.text, self.number, tuple(child.closed() for child in self.children))


@dataclass(frozen=True)
class DeviceConfig:
    platform: str
    lines: tuple[ConfigLine, ...]  # the top-level lines, in order

    def starting(self, *words: str) -> list[ConfigLine]:
        """The top-level lines whose first words are these."""
        return [line for line in self.lines if line.starts(*words)]

    def first(self, *words: str) -> ConfigLine | None:
        found = self.starting(*words)
        return found[0] if found else None

    def has(self, *words: str) -> bool:
        return bool(self.starting(*words))


def _banner_end(text: str) -> str | None:
    """For a banner's first line, the delimiter that must close it, or None when it closes on this line."""
    match = BANNER.match(text)
    if match is None:
        return None
    rest = match.group("rest")
    delimiter = "^C" if rest.startswith("^C") else rest[:1]
    if not delimiter or delimiter.isalnum():
        return None
    body = rest[len(delimiter) :]
    return None if delimiter in body else delimiter


IOS_PREAMBLE = re.compile(r"^(Building configuration\.\.\.|Current configuration : \d+ bytes)$")


def parse_config(platform: str, text: str) -> DeviceConfig:
    """The running configuration `text` of a device of `platform` as a tree of lines."""
    if platform not in PLATFORMS:
        raise ValueError(f"no configuration parser for platform {platform!r}; known: {', '.join(PLATFORMS)}")
    separator, end = ("!", "end") if platform == "cisco_ios" else ("#", "return")
    top: list[_Open] = []
    stack: list[_Open] = []
    raw = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(raw):
        line, number = raw[index].rstrip(), index + 1
        index += 1
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0 and stripped == end:
            break
        if platform == "cisco_ios" and indent == 0 and IOS_PREAMBLE.match(stripped):
            continue  # `show running-config` prints these before the configuration; they are not part of it
        if stripped.startswith(separator) and (stripped == separator or platform != "cisco_ios" or indent == 0):
            if indent == 0 or platform != "cisco_ios":
                stack.clear()  # a section ends: the next line is top-level, whatever its indent
            continue
        closing = _banner_end(stripped)
        if closing is not None:
            while index < len(raw) and closing not in raw[index]:
                stripped += "\n" + raw[index].rstrip()
                index += 1
            if index < len(raw):
                stripped += "\n" + raw[index].rstrip()
                index += 1
        while stack and stack[-1].indent >= indent:
            stack.pop()
        node = _Open(indent, stripped, number)
        (stack[-1].children if stack else top).append(node)
        stack.append(node)
    return DeviceConfig(platform, tuple(node.closed() for node in top))
