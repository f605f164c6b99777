"""Every role documents exactly the variables it defaults, with the same defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
ROLES = sorted(p for p in (REPO / "roles").iterdir() if (p / "tasks" / "main.yml").exists())


def _defaults(role: str) -> dict:
    return yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text()) or {}


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_defaults_and_argument_specs_agree(role):
    defaults = _defaults(role.name)
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]
    required = {name for name, option in options.items() if option.get("required")}
    assert set(defaults) == set(options) - required, "variables missing from defaults or from argument_specs"
    assert not required & set(defaults), "a required variable has no default"
    for name, option in options.items():
        assert option.get("default") == defaults.get(name), f"{name}: default differs"
        assert option.get("description"), f"{name}: no description"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_every_variable_carries_the_role_prefix(role):
    defaults = _defaults(role.name)
    assert all(name.startswith(role.name + "_") for name in defaults)


def test_servers_reach_the_mirrors_on_the_ports_the_mirror_roles_serve():
    package_port = _defaults("package_mirror")["package_mirror_port"]
    assert _defaults("patching")["patching_mirror_proxy"].endswith(f":{package_port}")
    signature_port = _defaults("signature_mirror")["signature_mirror_port"]
    assert f":{signature_port}/" in _defaults("antivirus")["antivirus_mirror_url"]


def test_host_firewalls_open_the_ports_the_mirror_roles_serve():
    access = yaml.safe_load((REPO / "policies" / "access_rules.yml").read_text())["settings"]
    opened = {service["host_from"]: service.get("ports") for service in access["services"]}
    assert opened["patching.mirror_host"] == [_defaults("package_mirror")["package_mirror_port"]]
    assert opened["antivirus.mirror_host"] == [_defaults("signature_mirror")["signature_mirror_port"]]


def test_the_lab_package_mirror_chains_to_the_lab_s_own_apt_proxy():
    from compliance.lab.paths import APT_PROXY_PORT, LAB_MIRROR_NAME

    upstream = _defaults("package_mirror")["package_mirror_upstream_proxy"]
    assert f"'http://{LAB_MIRROR_NAME}:{APT_PROXY_PORT}' if dengbao_lab" in upstream


def test_the_backup_host_s_sshd_lets_in_the_account_the_backups_log_in_as():
    account = _defaults("backup_server")["backup_server_account"]
    assert _defaults("backup")["backup_repository_account"] == account
    assert f"['{account}']" in _defaults("sshd")["sshd_service_accounts"]
    # sshd runs a forced command through the account's shell: the accounts role leaves it one.
    assert account in _defaults("accounts")["accounts_system_shell_exceptions"]
