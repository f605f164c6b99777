"""Command-line arguments that fail in both languages, and checks made before any host is contacted.

argparse reports misuse in English only and, for a `--timeout nan`, not at all. Here every
misuse exits 2 with a Chinese and an English line naming the flag, and an output directory
is proven writable before a scan starts, so a run never dies at the end for want of a place.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from compliance.commands import EXIT_USAGE
from compliance.errors import BilingualError

# argparse's messages (Python 3.11-3.13), each with its Chinese; the groups are carried over.
ARGPARSE_MESSAGES = [
    (r"unrecognized arguments: (?P<a>.*)", "无法识别的参数：{a}"),
    (r"the following arguments are required: (?P<a>.*)", "缺少必需的参数：{a}"),
    (r"argument (?P<a>\S+): invalid choice: (?P<b>.*?) \(choose from (?P<c>.*)\)", "参数 {a} 取值 {b} 无效，可选：{c}"),
    (r"argument (?P<a>\S+): invalid (?P<b>\w+) value: (?P<c>.*)", "参数 {a} 的取值 {c} 不是有效的{b}"),
    (r"argument (?P<a>\S+): expected one argument", "参数 {a} 需要一个取值"),
    (r"argument (?P<a>\S+): expected at least one argument", "参数 {a} 至少需要一个取值"),
    (r"argument (?P<a>\S+): not allowed with argument (?P<b>\S+)", "参数 {a} 不能与 {b} 同时使用"),
    (r"argument (?P<a>\S+): ignored explicit argument (?P<b>.*)", "参数 {a} 不接受取值 {b}"),
    (r"ambiguous option: (?P<a>\S+) could match (?P<b>.*)", "选项 {a} 有歧义，可能是：{b}"),
    (r"argument (?P<a>\S+): (?P<b>.*)", "参数 {a}：{b}"),
]
TYPE_WORDS_ZH = {"int": "整数", "float": "数字"}


def chinese_for(message: str) -> str:
    """The Chinese of an argparse message; argument-type errors carry their own after a NUL."""
    if "\x00" in message:
        return message.split("\x00", 1)[1]
    for pattern, chinese in ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message)
        if match:
            groups = {k: TYPE_WORDS_ZH.get(v, v) for k, v in match.groupdict().items()}
            return chinese.format(**groups)
    return "命令行参数有误"


class BilingualParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are printed in Chinese and English, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        english = message.split("\x00", 1)[0]  # a type function's message carries its Chinese after a NUL
        self.print_usage(sys.stderr)
        print(f"错误：{chinese_for(message)}\nerror: {english}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def positive_number(text: str) -> float:
    """A finite number above zero (`--timeout 30`); `nan`, `inf`, `0` and `-1` are refused."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0\x00{text} 不是大于 0 的秒数")
    return value


def positive_integer(text: str) -> int:
    """A whole number above zero (`--workers 8`)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0\x00{text} 不是大于 0 的整数")
    return value


def writable_new_directory(path: Path, flag: str = "-o") -> None:
    """Refuse an output directory that exists, sits under a file, or cannot be created; before any work."""
    if path.exists() or path.is_symlink():
        raise BilingualError(
            f"{flag} {path} exists already; a run is written to a new directory",
            f"{flag} {path} 已存在；每次运行须写入新的目录",
        )
    parent = path.parent
    while not parent.exists():
        if parent.is_symlink():
            raise BilingualError(f"{flag} {path}: {parent} is a broken link", f"{flag} {path}：{parent} 是失效的链接")
        parent = parent.parent
    if not parent.is_dir():
        raise BilingualError(
            f"{flag} {path} lies under {parent}, which is a file, not a directory",
            f"{flag} {path} 位于文件 {parent} 之下，而非目录",
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BilingualError(
            f"{flag} {path} cannot be created: {parent} is not writable (permissions or a read-only file system)",
            f"{flag} {path} 无法创建：{parent} 不可写（权限不足或只读文件系统）",
        )
