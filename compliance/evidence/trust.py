"""Whose signatures a verification accepts, and whether a run must be signed at all.

A hospital names its evidence keys in `policies/evidence.yml` (`trusted_keys`); an evaluator
may name keys on the command line (`--public-key`) instead. Either way the run must then be
signed by one of them. With no key named anywhere, a signature is checked against the key it
carries, and only the manifest's own record (`signed_by`) or the policy's `signature_required`
makes an unsigned run a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compliance.evidence.signing import Ed25519PublicKey, SigningError, fingerprint, load_public_key


@dataclass(frozen=True)
class Trust:
    names: dict[str, str] = field(default_factory=dict)  # fingerprint → the name the hospital gave the key
    signature_required: bool = False
    source: str = ""  # where the keys were named, for messages

    @property
    def named(self) -> bool:
        return bool(self.names)

    def trusts(self, printed: str | None) -> bool:
        return printed is not None and (not self.named or printed in self.names)

    def describe(self, printed: str) -> str:
        name = self.names.get(printed)
        return f"{printed} ({name})" if name else printed

    @classmethod
    def from_policy(cls, settings: dict[str, Any], shown_as: str = "policies/evidence.yml") -> Trust:
        names = {}
        for index, entry in enumerate(settings.get("trusted_keys") or []):
            try:
                key = load_public_key(str(entry["public_key"]))
            except SigningError as error:
                raise SigningError(
                    f"{shown_as}: trusted_keys[{index}]: {error.english}",
                    f"{shown_as}：trusted_keys[{index}]：{error.chinese}",
                ) from error
            names[fingerprint(key)] = str(entry["name"])
        return cls(names, bool(settings.get("signature_required")), shown_as if names else "")

    @classmethod
    def from_keys(cls, keys: list[Ed25519PublicKey], signature_required: bool) -> Trust:
        return cls({fingerprint(key): "--public-key" for key in keys}, signature_required, "--public-key")
