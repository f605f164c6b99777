"""Ed25519 signatures over a run's manifest.

The private key comes from `--sign-key FILE` or `DENGBAO_EVIDENCE_KEY` (a path, or the key
text itself, as CI secret variables hold it), never from the repository; a passphrase, if
the key has one, from `DENGBAO_EVIDENCE_KEY_PASSPHRASE`. Keys made by
`ssh-keygen -t ed25519` and PKCS#8 PEM keys both work. The signature file names the public
key in OpenSSH form and its `SHA256:` fingerprint, as `ssh-keygen -lf` prints it, so an
evaluator can compare it with the key the hospital registered.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from compliance.errors import BilingualError

KEY_ENVIRONMENT = "DENGBAO_EVIDENCE_KEY"
PASSPHRASE_ENVIRONMENT = "DENGBAO_EVIDENCE_KEY_PASSPHRASE"
SCHEMA = "dengbao-signature/1"


class SigningError(BilingualError):
    """A signing or public key cannot be loaded."""


def openssh_public(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def fingerprint(key: Ed25519PublicKey) -> str:
    """`SHA256:…` of the key's wire form, as `ssh-keygen -lf` shows it."""
    blob = base64.b64decode(openssh_public(key).split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _key_text(source: str) -> bytes:
    if "PRIVATE KEY-----" in source or source.startswith("ssh-"):
        return source.encode()
    path = Path(source)
    if not path.is_file():
        raise SigningError(f"signing key {source}: no such file", f"签名密钥 {source} 不存在")
    return path.read_bytes()


def load_private_key(source: str | None) -> Ed25519PrivateKey | None:
    """The key named by `source` (a path or key text), else by the environment; None when neither is set."""
    source = source or os.environ.get(KEY_ENVIRONMENT) or None
    if source is None:
        return None
    text = _key_text(source)
    passphrase = os.environ.get(PASSPHRASE_ENVIRONMENT)
    password = passphrase.encode() if passphrase else None
    try:
        if b"OPENSSH PRIVATE KEY" in text:
            key = serialization.load_ssh_private_key(text, password)
        else:
            key = serialization.load_pem_private_key(text, password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise SigningError(f"signing key cannot be read: {error}", f"无法读取签名密钥：{error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError("the signing key must be an Ed25519 key", "签名密钥必须是 Ed25519 密钥")
    return key


def load_public_key(source: str) -> Ed25519PublicKey:
    """An Ed25519 public key from a file or text: an OpenSSH `ssh-ed25519 …` line or a PEM block."""
    text = _key_text(source)
    try:
        key = (
            serialization.load_ssh_public_key(text.strip())
            if text.lstrip().startswith(b"ssh-")
            else serialization.load_pem_public_key(text)
        )
    except (ValueError, UnsupportedAlgorithm) as error:
        raise SigningError(f"public key cannot be read: {error}", f"无法读取公钥：{error}") from error
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError("the public key must be an Ed25519 key", "公钥必须是 Ed25519 密钥")
    return key


def sign(key: Ed25519PrivateKey, manifest: bytes) -> dict[str, Any]:
    public = key.public_key()
    return {
        "schema": SCHEMA,
        "algorithm": "ed25519",
        "signed_file": "manifest.json",
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "public_key": openssh_public(public),
        "fingerprint": fingerprint(public),
        "signature": base64.b64encode(key.sign(manifest)).decode(),
    }


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    fingerprint: str | None
    english: str
    chinese: str


def check_signature(
    document: dict[str, Any], manifest: bytes, trusted: list[Ed25519PublicKey] | None
) -> SignatureCheck:
    """Whether the signature is over these manifest bytes, by its key, and that key is trusted (if given)."""
    try:
        public = serialization.load_ssh_public_key(str(document["public_key"]).encode())
        signature = base64.b64decode(str(document["signature"]))
    except (KeyError, ValueError, UnsupportedAlgorithm) as error:
        return SignatureCheck(False, None, f"signature file unreadable: {error}", f"签名文件无法解析：{error}")
    if not isinstance(public, Ed25519PublicKey):
        return SignatureCheck(False, None, "signature key is not Ed25519", "签名密钥不是 Ed25519")
    printed = fingerprint(public)
    try:
        public.verify(signature, manifest)
    except InvalidSignature:
        return SignatureCheck(
            False,
            printed,
            f"signature does not match manifest.json (key {printed})",
            f"签名与 manifest.json 不符（密钥 {printed}）",
        )
    if trusted is not None and printed not in {fingerprint(key) for key in trusted}:
        return SignatureCheck(
            False, printed, f"signed by an untrusted key {printed}", f"签名密钥 {printed} 不在受信任的公钥之列"
        )
    return SignatureCheck(True, printed, f"signature valid (key {printed})", f"签名有效（密钥 {printed}）")
