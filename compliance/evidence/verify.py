"""Checking a sealed run: every file's hash, nothing added or removed, the chain link, the signature.

A finding names the file and what happened to it (changed, added, removed), or which link or
signature failed, in Chinese and English. With `chain=True` the previous runs are walked back
to the first one, each verified the same way, and a missing link is a finding too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.evidence.signing import Ed25519PublicKey, check_signature
from compliance.evidence.store import MANIFEST, SEAL, SIGNATURE, sha256_file


@dataclass(frozen=True)
class Finding:
    run: str
    kind: str  # changed | added | removed | manifest | chain | signature
    path: str
    english: str
    chinese: str

    def render(self) -> str:
        return f"{self.run}/{self.path}: {self.kind}\n  {self.chinese}\n  {self.english}"


@dataclass
class Verification:
    runs: list[str] = field(default_factory=list)  # the runs checked, newest first
    findings: list[Finding] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (English, Chinese)

    @property
    def intact(self) -> bool:
        return not self.findings


def _manifest(directory: Path, result: Verification) -> tuple[dict[str, Any], bytes] | None:
    path = directory / MANIFEST
    try:
        body = path.read_bytes()
        manifest = json.loads(body)
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
            raise ValueError("no file list")
    except (OSError, ValueError) as error:
        result.findings.append(
            Finding(directory.name, "manifest", MANIFEST, f"manifest unreadable: {error}", f"清单无法读取：{error}")
        )
        return None
    return manifest, body


def _files(directory: Path, manifest: dict[str, Any], result: Verification) -> None:
    run = directory.name
    listed: dict[str, Any] = manifest["files"]
    present = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    for name, entry in sorted(listed.items()):
        path = directory / name
        if name not in present:
            result.findings.append(
                Finding(run, "removed", name, "listed in the manifest but missing", "清单中有此文件，但文件已缺失")
            )
        elif sha256_file(path) != entry.get("sha256"):
            result.findings.append(
                Finding(
                    run,
                    "changed",
                    name,
                    "content differs from its SHA-256 in the manifest",
                    "内容与清单中的 SHA-256 不符，已被修改",
                )
            )
    for name in sorted(present - set(listed) - set(SEAL)):
        result.findings.append(
            Finding(run, "added", name, "not listed in the manifest", "清单中没有此文件，为事后添加")
        )


def _signature(
    directory: Path, body: bytes, trusted: list[Ed25519PublicKey] | None, required: bool, result: Verification
) -> None:
    path = directory / SIGNATURE
    if not path.is_file():
        if required or trusted is not None:
            result.findings.append(
                Finding(directory.name, "signature", SIGNATURE, "the run is not signed", "该次运行没有签名")
            )
        else:
            result.notes.append((f"{directory.name}: not signed", f"{directory.name}：未签名"))
        return
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        document = {"error": str(error)}
    checked = check_signature(document, body, trusted)
    if checked.valid:
        result.notes.append((f"{directory.name}: {checked.english}", f"{directory.name}：{checked.chinese}"))
    else:
        result.findings.append(Finding(directory.name, "signature", SIGNATURE, checked.english, checked.chinese))


def verify_run(
    directory: Path,
    *,
    trusted: list[Ed25519PublicKey] | None = None,
    require_signature: bool = False,
    chain: bool = False,
) -> Verification:
    result = Verification()
    current: Path | None = directory
    while current is not None:
        if current.name in result.runs:
            # Only a rewritten manifest can link back to a later run.
            result.findings.append(
                Finding(
                    result.runs[-1],
                    "chain",
                    MANIFEST,
                    f"the chain loops back to {current.name}: a run was sealed again after later runs",
                    f"链回到了 {current.name}：某次运行在之后的运行之后被重新封存",
                )
            )
            break
        result.runs.append(current.name)
        loaded = _manifest(current, result)
        if loaded is None:
            break
        manifest, body = loaded
        _files(current, manifest, result)
        _signature(current, body, trusted, require_signature, result)
        current = _follow_link(current, manifest, chain, result)
    return result


def _follow_link(directory: Path, manifest: dict[str, Any], chain: bool, result: Verification) -> Path | None:
    """Check the link to the previous run; return that run when the whole chain is being walked."""
    link = manifest.get("previous")
    if not link:
        result.notes.append((f"{directory.name}: first run of its chain", f"{directory.name}：链中的第一次运行"))
        return None
    previous = directory.parent / str(link.get("run", ""))
    if not (previous / MANIFEST).is_file():
        message = (
            f"previous run {link.get('run')} is not beside this one",
            f"上一次运行 {link.get('run')} 不在同一目录中",
        )
        if chain:
            result.findings.append(Finding(directory.name, "chain", MANIFEST, *message))
        else:
            result.notes.append(
                (f"{directory.name}: {message[0]}; link not checked", f"{directory.name}：{message[1]}，未核对链接")
            )
        return None
    if sha256_file(previous / MANIFEST) != link.get("manifest_sha256"):
        result.findings.append(
            Finding(
                directory.name,
                "chain",
                MANIFEST,
                f"previous run {previous.name}: its manifest no longer matches the hash this run recorded",
                f"上一次运行 {previous.name} 的清单与本次记录的哈希不符，链已断开",
            )
        )
    return previous if chain else None
