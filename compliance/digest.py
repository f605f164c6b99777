"""The SHA-256 of a file, as every sealed or recorded thing is named: runs, records, attachments, packages."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
