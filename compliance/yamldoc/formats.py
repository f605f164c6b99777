"""Value formats a schema can ask for with `check_with`: a five-field cron line, a host address, a duration,
an IPv4 network.

Each returns None when the value is well formed, else (English, Chinese) saying what is wrong.
"""

from __future__ import annotations

import ipaddress
import re

CRON_FIELDS = (  # name (en, zh), lowest, highest, names accepted in place of numbers
    ("minute", "分钟", 0, 59, ()),
    ("hour", "小时", 0, 23, ()),
    ("day of month", "日", 1, 31, ()),
    ("month", "月", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day of week", "星期", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
CRON_PART = re.compile(r"^(\*|[0-9a-z]+(-[0-9a-z]+)?)(/[0-9]+)?$")
DOTTED_QUAD = re.compile(r"^[0-9]+(\.[0-9]+){3}$")
DURATION = re.compile(r"^([1-9][0-9]*)([mhd])$")
DURATION_MINUTES = {"m": 1, "h": 60, "d": 1440}


def cron_problem(value: str) -> tuple[str, str] | None:
    """`'30 2 * * *'` is fine; `'99 99 99 99 99'` names the first field out of range."""
    fields = value.split()
    if len(fields) != len(CRON_FIELDS):
        return (
            f"a cron schedule has five fields (minute hour day month weekday), this has {len(fields)}",
            f"cron 表达式应有五段（分 时 日 月 周），此处为 {len(fields)} 段",
        )
    for text, (name_en, name_zh, low, high, names) in zip(fields, CRON_FIELDS, strict=True):
        for part in text.lower().split(","):
            match = CRON_PART.match(part)
            if not match:
                return (f"{name_en} field {text!r} is not cron syntax", f"{name_zh}字段“{text}”不是 cron 语法")
            base = match.group(1)
            if base == "*":
                continue
            for bound in base.split("-"):
                number = names.index(bound) + (1 if name_en == "month" else 0) if bound in names else None
                if number is None and not bound.isdigit():
                    return (f"{name_en} field {text!r}: {bound!r} is not a value", f"{name_zh}字段“{text}”取值无效")
                number = int(bound) if number is None else number
                if not low <= number <= high:
                    return (
                        f"{name_en} {number} is out of range {low}-{high}",
                        f"{name_zh}取值 {number} 超出范围 {low}-{high}",
                    )
    return None


def cron_values(value: str) -> list[set[int]]:
    """The values each of a well-formed cron line's five fields allows (`*/15` → {0, 15, 30, 45});
    day of week 7 is folded to 0 (Sunday). Call cron_problem first: this raises ValueError on bad input."""
    if cron_problem(value) is not None:
        raise ValueError(f"not a cron schedule: {value!r}")
    allowed: list[set[int]] = []
    for text, (name_en, _zh, low, high, names) in zip(value.split(), CRON_FIELDS, strict=True):
        values: set[int] = set()
        for part in text.lower().split(","):
            base, _, step = part.partition("/")
            if base == "*":
                first, last = low, high
            else:
                bounds = [
                    names.index(b) + (1 if name_en == "month" else 0) if b in names else int(b) for b in base.split("-")
                ]
                first, last = bounds[0], bounds[-1] if len(bounds) > 1 or not step else high
            values.update(range(first, last + 1, int(step) if step else 1))
        if name_en == "day of week" and 7 in values:
            values = (values - {7}) | {0}
        allowed.append(values)
    return allowed


def timer_problem(value: str) -> tuple[str, str] | None:
    """A cron line a systemd timer can run: cron fires when *either* a restricted day of month or a
    restricted day of week matches, a timer only when both do, so both may not be restricted."""
    problem = cron_problem(value)
    if problem is not None:
        return problem
    fields = value.split()
    if fields[2] != "*" and fields[4] != "*":
        return (
            "restrict the day of month or the day of week, not both (a systemd timer cannot say 'either')",
            "日与星期只能限定其一（systemd 定时器无法表达“二者任一”）",
        )
    return None


def host_address_problem(value: str) -> tuple[str, str] | None:
    """A host name, or an IPv4/IPv6 address that exists (`999.999.999.999` does not)."""
    if DOTTED_QUAD.match(value):
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            return (
                f"{value} is not an IPv4 address (each part is 0-255)",
                f"{value} 不是合法的 IPv4 地址（每段须为 0-255）",
            )
        return None
    if ":" in value:
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            return (f"{value} is not an IPv6 address", f"{value} 不是合法的 IPv6 地址")
    return None


def ipv4_network_problem(value: str) -> tuple[str, str] | None:
    """`10.10.20.0/24` is a network; `10.10.20.5/24` (host bits set), `10.10.20.0` and `10.10.300.0/24` are not."""
    if "/" not in value:
        return (
            f"{value!r} is not a network: write address/prefix, e.g. 10.10.20.0/24",
            f"“{value}”不是网段：应写作 地址/前缀长度，如 10.10.20.0/24",
        )
    try:
        ipaddress.IPv4Network(value)
    except ValueError as error:
        return (f"{value!r} is not an IPv4 network: {error}", f"“{value}”不是合法的 IPv4 网段：{error}")
    return None


def duration_problem(value: str) -> tuple[str, str] | None:
    """`30m`, `26h` and `2d` are durations; `26 hours`, `1.5h` and `0h` are not."""
    if DURATION.match(value):
        return None
    return (
        f"{value!r} is not a duration: a whole number and m, h or d (30m, 26h, 2d)",
        f"“{value}”不是时长：应为正整数加单位 m、h 或 d（如 30m、26h、2d）",
    )


def duration_minutes(value: str) -> int:
    """`26h` → 1560. Call duration_problem first: this raises ValueError on bad input."""
    match = DURATION.match(value)
    if not match:
        raise ValueError(f"not a duration: {value!r}")
    return int(match.group(1)) * DURATION_MINUTES[match.group(2)]
