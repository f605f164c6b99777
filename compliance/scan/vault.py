"""Ansible-vault values in an inventory, decrypted the way Ansible does, and only in memory.

A host's become password may be written as an inline `!vault` value or sit in a vaulted
file. `ansible-inventory --list` decrypts vaulted files (given a vault password) and passes
inline values through as `{"__ansible_vault": ciphertext}`; these are decrypted here with the
vault passwords Ansible itself would use: `ANSIBLE_VAULT_PASSWORD_FILE` or `ANSIBLE_VAULT_IDENTITY_LIST`
(or `vault_password_file` / `vault_identity_list` in ansible.cfg). A plain value is used as it is.
The result lives in the scan's memory only: it is never cached, stored, logged or shown.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

from compliance.errors import BilingualError

VAULT_KEY = "__ansible_vault"


class VaultError(BilingualError):
    """A vaulted value cannot be decrypted."""


def is_vaulted(value: Any) -> bool:
    return isinstance(value, dict) and VAULT_KEY in value


def _import_ansible_vault() -> None:
    """Import Ansible's vault quietly: on import, Ansible probes `socket.getaddrinfo` with an int subclass and
    handles the failure itself, but under gevent's patched socket (the scan) the probe fails in a resolver
    thread, which prints it as a traceback the user would take for a broken scan."""
    with contextlib.redirect_stderr(io.StringIO()):
        import ansible.parsing.vault  # noqa: F401


def _secrets() -> list[tuple[str, Any]]:
    import ansible.constants as C
    from ansible.parsing.dataloader import DataLoader
    from ansible.parsing.vault import get_file_vault_secret

    # The environment is read now, not when Ansible's constants were first imported in this process (as
    # Ansible does, the environment wins over ansible.cfg).
    password_file = os.environ.get("ANSIBLE_VAULT_PASSWORD_FILE") or C.DEFAULT_VAULT_PASSWORD_FILE
    listed = os.environ.get("ANSIBLE_VAULT_IDENTITY_LIST")
    identities = [i.strip() for i in listed.split(",") if i.strip()] if listed else C.DEFAULT_VAULT_IDENTITY_LIST
    sources: list[tuple[str, str]] = []
    if password_file:
        sources.append(("default", str(password_file)))
    for identity in identities or []:
        vault_id, _, source = str(identity).rpartition("@")
        sources.append((vault_id or "default", source))
    loader = DataLoader()
    secrets = []
    for vault_id, source in sources:
        try:
            secret = get_file_vault_secret(filename=source, vault_id=vault_id, loader=loader)
            secret.load()
        except Exception as error:  # Ansible raises its own AnsibleError family
            raise VaultError(
                f"vault password {source} cannot be read: {error}", f"无法读取 vault 密码 {source}：{error}"
            ) from error
        secrets.append((vault_id, secret))
    return secrets


def reveal(host: str, variable: str, value: Any) -> str:
    """The plain text of a (possibly vaulted) value of `host`'s `variable`."""
    if not is_vaulted(value):
        return str(value)
    _import_ansible_vault()
    from ansible.parsing.vault import VaultLib

    secrets = _secrets()
    if not secrets:
        raise VaultError(
            f"{host}: {variable} is vaulted, and no vault password is given; set ANSIBLE_VAULT_PASSWORD_FILE",
            f"{host}：{variable} 已用 ansible-vault 加密，但未提供 vault 密码；请设置 ANSIBLE_VAULT_PASSWORD_FILE",
        )
    try:
        return VaultLib(secrets).decrypt(str(value[VAULT_KEY])).decode("utf-8")
    except Exception as error:
        raise VaultError(
            f"{host}: {variable} cannot be decrypted with the vault passwords given ({type(error).__name__})",
            f"{host}：给定的 vault 密码无法解密 {variable}",
        ) from error
