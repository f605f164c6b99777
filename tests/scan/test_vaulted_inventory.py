"""Ansible-vault values in inventories: validated without decrypting, decrypted by the scan in memory only.

The vault password is generated here, at test time; nothing committed can decrypt anything.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.scan.targets import TargetError, inventory_targets, start_listing

PASSWORD = "Vaulted-Become-" + secrets.token_hex(4)


@pytest.fixture
def vault(tmp_path, monkeypatch) -> Path:
    password_file = tmp_path / "vault-password"
    password_file.write_text(secrets.token_urlsafe(24) + "\n")
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(password_file))
    monkeypatch.setenv("DENGBAO_CACHE", str(tmp_path / "cache"))
    return password_file


def _tool_env() -> dict[str, str]:
    """ansible-vault's environment without the vault password variable, which --vault-password-file repeats."""
    return {k: v for k, v in os.environ.items() if k != "ANSIBLE_VAULT_PASSWORD_FILE"}


def encrypt_string(vault: Path, value: str) -> str:
    return subprocess.run(
        [
            "ansible-vault",
            "encrypt_string",
            "--vault-password-file",
            str(vault),
            value,
            "--name",
            "ansible_become_password",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=_tool_env(),
    ).stdout


def encrypt_file(vault: Path, path: Path) -> None:
    subprocess.run(
        ["ansible-vault", "encrypt", "--vault-password-file", str(vault), str(path)],
        check=True,
        capture_output=True,
        env=_tool_env(),
    )


def inventory(tmp_path: Path, host_vars: str) -> Path:
    directory = tmp_path / "inv"
    (directory / "group_vars").mkdir(parents=True)
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    his-app-01:\n      ansible_host: 10.9.9.9\n      ansible_user: scanops\n"
        "      ansible_become: true\n" + host_vars
    )
    return directory


def test_an_inline_vaulted_become_password_is_decrypted_for_the_scan_and_never_cached(vault, tmp_path):
    indented = "".join("      " + line + "\n" for line in encrypt_string(vault, PASSWORD).splitlines())
    [target] = inventory_targets(inventory(tmp_path, indented))
    assert target.data["_sudo_password"] == PASSWORD
    assert PASSWORD not in repr(target)
    cached = "".join(p.read_text(errors="replace") for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert "ansible_become_password" not in cached and PASSWORD not in cached


def test_a_password_in_a_vaulted_file_is_decrypted_by_ansible_and_used(vault, tmp_path):
    directory = inventory(tmp_path, "")
    secret_file = directory / "group_vars" / "all.yml"
    secret_file.write_text(f"ansible_become_password: {PASSWORD}\n")
    encrypt_file(vault, secret_file)
    assert secret_file.read_text().startswith("$ANSIBLE_VAULT;")
    [target] = inventory_targets(directory, None, start_listing(directory))
    assert target.data["_sudo_password"] == PASSWORD


def test_a_wrong_vault_password_is_a_clear_error(vault, tmp_path, monkeypatch):
    indented = "".join("      " + line + "\n" for line in encrypt_string(vault, PASSWORD).splitlines())
    directory = inventory(tmp_path, indented)
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(wrong))
    with pytest.raises(TargetError) as raised:
        inventory_targets(directory)
    assert "cannot be decrypted" in raised.value.english and "无法解密" in raised.value.chinese


def test_validate_accepts_vaulted_values_and_files_without_decrypting(model_copy, vault, monkeypatch, capsys):
    secret_file = model_copy / "inventory" / "example-hospital" / "group_vars" / "all" / "secrets.yml"
    secret_file.write_text("ansible_become_password: x\n")
    encrypt_file(vault, secret_file)
    monkeypatch.delenv("ANSIBLE_VAULT_PASSWORD_FILE")  # validate needs no vault password
    assert main(["validate", str(model_copy)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", ["policies/time.yml", "inventory/example-hospital/hosts.yml"])
def test_a_vaulted_policy_or_hosts_file_is_refused(name, model_copy, vault, capsys):
    encrypt_file(vault, model_copy / name)
    assert main(["validate", str(model_copy)]) == 2
    errors = capsys.readouterr().err
    assert f"{name}:1:1" in errors and ("cannot be vaulted" in errors or "encrypted with ansible-vault" in errors)
