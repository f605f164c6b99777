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

from compliance.evidence.signing import check_signature
from compliance.evidence.store import MANIFEST, SEAL, SIGNATURE, sha256_file
from compliance.evidence.trust import Trust


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
    signers: dict[str, str | None] = field(default_factory=dict)  # run → fingerprint of its valid signature

    @property
    def signer(self) -> str | None:
        """The verified signer of the run asked about (the first checked), None when unsigned or invalid."""
        return self.signers.get(self.runs[0]) if self.runs and self.intact else None

    @property
    def intact(self) -> bool:
        return not self.findings


def _manifest(directory: Path, result: Verification) -> tuple[dict[str, Any], bytes] | None:
    path = directory / MANIFEST
    if not path.exists():
        result.findings.append(
            Finding(
                directory.name,
                "manifest",
                MANIFEST,
                "the manifest is missing: the run's seal was deleted",
                "清单文件缺失：该次运行的封存已被删除",
            )
        )
        return None
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


def _signature(directory: Path, manifest: dict[str, Any], body: bytes, trust: Trust, result: Verification) -> None:
    """The run's signature against its manifest and the trusted keys; the signer is recorded for the chain."""
    run = directory.name
    path = directory / SIGNATURE
    claimed = manifest.get("signed_by")
    if not path.is_file():
        result.signers[run] = None
        if claimed:
            result.findings.append(
                Finding(
                    run,
                    "signature",
                    SIGNATURE,
                    f"the run was sealed with a signature by {claimed}, which is gone",
                    f"该次运行封存时由 {claimed} 签名，签名文件已缺失",
                )
            )
        elif trust.named or trust.signature_required:
            why_en = f"the keys of {trust.source}" if trust.named else "policies/evidence.yml (signature_required)"
            why_zh = f"{trust.source} 中的受信任密钥" if trust.named else "policies/evidence.yml（signature_required）"
            result.findings.append(
                Finding(
                    run,
                    "signature",
                    SIGNATURE,
                    f"the run is not signed, and {why_en} require a signature",
                    f"该次运行没有签名，而{why_zh}要求签名",
                )
            )
        else:
            result.notes.append((f"{run}: not signed", f"{run}：未签名"))
        return
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        document = {"error": str(error)}
    checked = check_signature(document if isinstance(document, dict) else {}, body, None)
    result.signers[run] = checked.fingerprint if checked.valid else None
    if not checked.valid:
        result.findings.append(Finding(run, "signature", SIGNATURE, checked.english, checked.chinese))
        return
    printed = checked.fingerprint or ""
    if claimed and claimed != printed:
        result.findings.append(
            Finding(
                run,
                "signature",
                SIGNATURE,
                f"signed by {printed}, but the manifest records {claimed}",
                f"签名密钥为 {printed}，而清单记录的是 {claimed}",
            )
        )
    elif not trust.trusts(printed):
        result.findings.append(
            Finding(
                run,
                "signature",
                SIGNATURE,
                f"signed by {printed}, which is not a trusted key of {trust.source}",
                f"签名密钥 {printed} 不在 {trust.source} 的受信任密钥之列",
            )
        )
    else:
        shown = trust.describe(printed)
        verb_en, verb_zh = ("a trusted key", "受信任密钥") if trust.named else ("the key it carries", "其自带的密钥")
        result.notes.append((f"{run}: signature valid, by {verb_en} {shown}", f"{run}：签名有效，{verb_zh} {shown}"))


def verify_run(
    directory: Path,
    *,
    trust: Trust | None = None,
    chain: bool = False,
    alone: bool = False,
) -> Verification:
    """Verify a run (with `chain`, every run before it). `alone`: a copy handed over without its
    predecessor, whose missing link is then a note, not a finding."""
    trust = trust or Trust()
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
        _signature(current, manifest, body, trust, result)
        current = _follow_link(current, manifest, chain, alone, trust, result)
    return result


def _follow_link(
    directory: Path, manifest: dict[str, Any], chain: bool, alone: bool, trust: Trust, result: Verification
) -> Path | None:
    """Check the link to the previous run (and that the signing key did not change along it);
    return that run when the whole chain is being walked."""
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
        if alone:
            result.notes.append(
                (
                    f"{directory.name}: {message[0]}; link not checked (--alone)",
                    f"{directory.name}：{message[1]}，按 --alone 未核对链接",
                )
            )
        else:
            result.findings.append(
                Finding(
                    directory.name,
                    "chain",
                    MANIFEST,
                    f"{message[0]}: deleted or moved? (a copy handed over on its own: --alone)",
                    f"{message[1]}：已被删除或移走？（单独移交的副本请用 --alone）",
                )
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
    _key_change(directory, previous, trust, result)
    return previous if chain else None


def _key_change(directory: Path, previous: Path, trust: Trust, result: Verification) -> None:
    """A run signed by a different key than the run before it: a finding unless both keys are trusted."""
    before = _claimed_signer(previous)
    now = result.signers.get(directory.name)
    if before is None or before == now:
        return
    if now is None:
        english = f"not signed, though the run before it ({previous.name}) was signed by {before}"
        chinese = f"未签名，而上一次运行（{previous.name}）由 {before} 签名"
    elif trust.named and trust.trusts(before) and trust.trusts(now):
        result.notes.append(
            (
                f"{directory.name}: key rotated from {trust.describe(before)} to {trust.describe(now)}, both trusted",
                f"{directory.name}：签名密钥由 {trust.describe(before)} 轮换为 {trust.describe(now)}，均受信任",
            )
        )
        return
    else:
        english = f"signed by {now}, but the run before it ({previous.name}) by {before}: the key changed"
        chinese = f"签名密钥为 {now}，而上一次运行（{previous.name}）为 {before}：密钥被更换"
    result.findings.append(Finding(directory.name, "signature", SIGNATURE, english, chinese))


def _claimed_signer(directory: Path) -> str | None:
    try:
        document = json.loads((directory / SIGNATURE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(document.get("fingerprint")) if isinstance(document, dict) and document.get("fingerprint") else None
