"""A small on-disk cache for work that only depends on file contents: the validated model,
the catalog, an inventory's scan targets.

An entry's key is the SHA-256 of everything the result depends on: the bytes of the input
files, this package's own source (so a code change invalidates every entry) and any extra
words the caller adds. Nothing is ever looked up by time stamp, so an edited file can never
be served stale. Entries are pickles in a directory only the current user can write
(`$DENGBAO_CACHE`, else `$XDG_CACHE_HOME/dengbao`, else `~/.cache/dengbao`); a directory
owned by someone else, or writable by others, is not used. Any failure to read or write
the cache just means the work is done again. `DENGBAO_CACHE=off` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    configured = os.environ.get("DENGBAO_CACHE", "")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dengbao"


@cache
def source_digest() -> str:
    """The SHA-256 of this package's Python source and data: the code that builds every entry."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".yml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def files_digest(paths: Iterable[Path], base: Path | None = None) -> str:
    """The SHA-256 of each file's name (relative to `base`) and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        name = str(path.relative_to(base)) if base is not None else str(path)
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def _private(directory: Path) -> bool:
    info = directory.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


MISSING = object()


def _entry(kind: str, key_parts: Iterable[str]) -> Path | None:
    directory = cache_dir()
    if directory is None:
        return None
    digest = hashlib.sha256(source_digest().encode())
    for part in key_parts:
        digest.update(part.encode() + b"\0")
    return directory / kind / f"{digest.hexdigest()}.pickle"


def lookup(kind: str, key_parts: Iterable[str]) -> Any:
    """The value stored under the kind and key parts, or MISSING."""
    entry = _entry(kind, key_parts)
    try:
        if entry is not None and entry.is_file() and _private(entry.parent):
            with entry.open("rb") as handle:
                return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    return MISSING


def store(kind: str, key_parts: Iterable[str], value: object) -> None:
    """Keep the value under the kind and key parts (atomically; silently not, if the cache cannot be written)."""
    entry = _entry(kind, key_parts)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if _private(entry.parent):
            with tempfile.NamedTemporaryFile(dir=entry.parent, delete=False, suffix=".tmp") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            Path(handle.name).replace(entry)
    except OSError:
        pass


def cached(kind: str, key_parts: Iterable[str], build: Callable[[], T]) -> T:
    """`build()`, or its result from an earlier call with the same kind and key parts."""
    parts = list(key_parts)
    value = lookup(kind, parts)
    if value is MISSING:
        value = build()
        store(kind, parts, value)
    return value
