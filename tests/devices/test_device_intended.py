"""Intended device configurations: golden files, every device check met on them, each variant failing its check.

The intended configuration of each device of the example hospital is rendered from the model; the three
kept in compliance/kinds/network_device/fixtures (one per platform) must be what the templates render
today. Every device check passes on every rendered configuration, and a one-line variant of each fails
exactly the check that reads it, on each platform. Bad input is refused naming the file and field.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from compliance.checks import checks_of
from compliance.devices import intended
from compliance.devices.intended import IntendedConfigError, render
from compliance.devices.verdicts import configuration_verdicts
from compliance.model.host_policy import NAMED_HOSTS, named_addresses, policy_for_host, repository
from compliance.model.inventory import Host, Inventory
from compliance.results.verdicts import Verdict

FIXTURES = Path(__file__).resolve().parents[2] / "compliance" / "kinds" / "network_device" / "fixtures"
POSTGRES_FROM_APP = "permit tcp source 10.10.20.0 0.0.0.255 destination 10.10.10.0 0.0.0.255 destination-port eq 5432"
GOLDEN = {"core-sw-01": "huawei_vrp", "acc-sw-office-01": "h3c_comware", "wan-rt-01": "cisco_ios"}
# VRP checks a new password's length and classes itself: no configuration line to read, so 部分符合.
FIRMWARE_RULES = {("huawei_vrp", "network_device.password_policy")}


def devices(repo: Path) -> dict[str, str]:
    """Every VRP, Comware and IOS device of the example hospital: name → platform."""
    hosts = repository(repo).inventories["example-hospital"].hosts
    return {
        name: str(h.variables["dengbao_os"])
        for name, h in hosts.items()
        if h.variables.get("dengbao_os") in ("huawei_vrp", "h3c_comware", "cisco_ios")
    }


judged = configuration_verdicts


@pytest.mark.parametrize(("name", "platform"), GOLDEN.items())
def test_the_kept_intended_configuration_is_what_the_templates_render(repo, name, platform):
    kept = FIXTURES / platform / f"intended-{name}.cfg"
    rendered = render(name, platform, policy_for_host(repo, name).settings)
    assert rendered == kept.read_text(), f"render it again: dengbao device intended {name} -o {kept}"


def test_every_device_check_is_met_on_every_device_s_intended_configuration(repo):
    found = devices(repo)
    assert len(found) == 5  # two VRP core switches, two Comware access switches, one IOS router
    for name, platform in found.items():
        settings = policy_for_host(repo, name).settings
        for check_id, verdict in judged(platform, render(name, platform, settings), settings).items():
            wanted = Verdict.PARTIAL if (platform, check_id) in FIRMWARE_RULES else Verdict.PASS
            assert verdict is wanted, f"{name} ({platform}): {check_id} gives {verdict.value}"


def test_a_zone_s_stricter_idle_timeout_reaches_the_rendered_lines(repo):
    assert "exec-timeout 5 0" in render("wan-rt-01", "cisco_ios", policy_for_host(repo, "wan-rt-01").settings)
    assert "idle-timeout 10 0" in render("core-sw-01", "huawei_vrp", policy_for_host(repo, "core-sw-01").settings)


# check → platform → (a line of the intended configuration, what it becomes): a device that drifted one way.
VARIANTS: dict[str, dict[str, tuple[str, str]]] = {
    "network_device.remote_admin_encrypted": {
        "huawei_vrp": ("undo telnet server enable", "telnet server enable"),
        "h3c_comware": (" undo telnet server enable", " telnet server enable"),
        "cisco_ios": (" transport input ssh", " transport input telnet ssh"),
    },
    "network_device.snmp_secure": {
        "huawei_vrp": ("snmp-agent sys-info version v3", "snmp-agent sys-info version v2c v3"),
        "h3c_comware": (" snmp-agent sys-info version v3", " snmp-agent community read cipher REDACTED"),
        "cisco_ios": ("snmp-server group dengbao-nms v3 priv access 10", "snmp-server community public RO 10"),
    },
    "network_device.session_timeout": {
        "huawei_vrp": (" idle-timeout 10 0", " idle-timeout 0 0"),
        "h3c_comware": (" idle-timeout 10 0", " idle-timeout 30 0"),
        "cisco_ios": (" exec-timeout 5 0", " exec-timeout 0 0"),
    },
    "network_device.login_failure_lockout": {
        "huawei_vrp": ("block-time 30", "block-time 5"),
        "h3c_comware": ("exceed lock-time 30", "exceed lock-time 5"),
        "cisco_ios": ("aaa local authentication attempts max-fail 5", "aaa local authentication attempts max-fail 10"),
    },
    "network_device.management_access_restricted": {
        "huawei_vrp": (" rule 5 permit source 10.10.90.0 0.0.0.255", " rule 5 permit source 10.0.0.0 0.255.255.255"),
        "h3c_comware": (" rule 5 permit source 10.10.90.0 0.0.0.255", " rule 5 permit source 10.0.0.0 0.255.255.255"),
        "cisco_ios": ("access-list 10 permit 10.10.90.0 0.0.0.255", "access-list 10 permit 10.0.0.0 0.255.255.255"),
    },
    "network_device.remote_logging": {
        "huawei_vrp": ("info-center loghost 10.10.90.11", "info-center loghost 10.20.10.5"),
        "h3c_comware": (" info-center loghost 10.10.90.11 facility local6", " undo info-center enable"),
        "cisco_ios": ("logging host 10.10.90.11", "logging host 10.20.10.5"),
    },
    "network_device.time_sync": {
        "huawei_vrp": ("ntp-service unicast-server 10.10.90.14", "ntp-service unicast-server 203.0.113.1"),
        "h3c_comware": (" ntp-service enable", " undo ntp-service enable"),
        "cisco_ios": ("ntp server 10.10.90.14", "ntp server 203.0.113.1"),
    },
    "network_device.passwords_hashed": {
        "huawei_vrp": (
            " authentication-scheme default",
            " local-user noc password cipher REDACTED\n authentication-scheme default",
        ),
        "h3c_comware": ("line con 0", "local-user noc class manage\n password simple REDACTED\n#\nline con 0"),
        "cisco_ios": ("ip ssh version 2", "username noc password 7 REDACTED\nip ssh version 2"),
    },
    "network_device.password_policy": {
        "huawei_vrp": ("  password expire 90", "  password expire 0"),
        "h3c_comware": (" password-control aging 90", " password-control aging 180"),
        "cisco_ios": (" lifetime days 90", " lifetime days 365"),
    },
    "network_device.unneeded_services": {
        "huawei_vrp": ("undo ftp server enable", "ftp server enable"),
        "h3c_comware": (" undo ftp server enable", " ftp server enable"),
        "cisco_ios": ("no service tcp-small-servers", "service tcp-small-servers"),
    },
    # A rule opening what the matrix does not (RDP to the databases or the applications), an interface
    # filtering the wrong way.
    "network_device.zone_filtering": {
        "huawei_vrp": (
            " rule 5 permit tcp source 10.10.20.0 0.0.0.255 destination 10.10.10.0 0.0.0.255 destination-port eq 1521",
            " rule 5 permit tcp source 10.10.20.0 0.0.0.255 destination 10.10.10.0 0.0.0.255 destination-port eq 3389",
        ),
        "h3c_comware": (" packet-filter 3006 inbound", " packet-filter 3006 outbound"),
        "cisco_ios": (
            " permit tcp 172.16.10.0 0.0.0.255 10.10.20.0 0.0.0.255 eq 8443",
            " permit tcp 172.16.10.0 0.0.0.255 10.10.20.0 0.0.0.255 eq 3389",
        ),
    },
    # A zone interface on another zone's addresses, or not on the model's.
    "network_device.zone_addressing": {
        "huawei_vrp": (" ip address 10.10.20.1 255.255.255.0", " ip address 10.10.30.5 255.255.255.0"),
        "h3c_comware": (" ip address 10.20.10.1 255.255.255.0", " ip address 10.20.10.9 255.255.255.0"),
        "cisco_ios": (" ip address 172.16.10.1 255.255.255.0", " ip address 10.10.20.1 255.255.255.0"),
    },
    # The vendor's factory account kept.
    "network_device.default_accounts": {
        "huawei_vrp": (
            " authentication-scheme default",
            " local-user admin privilege level 15\n authentication-scheme default",
        ),
        "h3c_comware": ("line con 0", "local-user admin class manage\n#\nline con 0"),
        "cisco_ios": ("ip ssh version 2", "username cisco privilege 15 secret 9 $9$REDACTED\nip ssh version 2"),
    },
    # The same rule twice: the second is never reached.
    "network_device.acl_minimal": {
        "huawei_vrp": (f" rule 10 {POSTGRES_FROM_APP}", f" rule 10 {POSTGRES_FROM_APP}\n rule 11 {POSTGRES_FROM_APP}"),
        "h3c_comware": (
            " rule 15 permit tcp source 10.20.10.0 0.0.0.255 destination 10.10.90.13 0 destination-port eq 3142",
            " rule 15 permit tcp source 10.20.10.0 0.0.0.255 destination 10.10.90.13 0 destination-port eq 3142\n"
            " rule 16 permit tcp source 10.20.10.0 0.0.0.255 destination 10.10.90.13 0 destination-port eq 3142",
        ),
        "cisco_ios": (
            " permit tcp 172.16.10.0 0.0.0.255 host 10.10.90.11 eq 6514",
            " permit tcp 172.16.10.0 0.0.0.255 host 10.10.90.11 eq 6514\n"
            " permit tcp 172.16.10.0 0.0.0.255 host 10.10.90.11 eq 6514",
        ),
    },
}


def test_every_device_check_has_a_variant_on_every_platform():
    assert set(VARIANTS) == set(checks_of("network_device"))
    assert all(set(platforms) == set(GOLDEN.values()) for platforms in VARIANTS.values())


@pytest.mark.parametrize(
    ("check_id", "platform"), [(c, p) for c, platforms in VARIANTS.items() for p in platforms], ids=lambda v: v
)
def test_a_variant_fails_its_own_check_and_no_other(repo, check_id, platform):
    name = next(n for n, p in GOLDEN.items() if p == platform)
    settings = policy_for_host(repo, name).settings
    text = (FIXTURES / platform / f"intended-{name}.cfg").read_text()
    old, new = VARIANTS[check_id][platform]
    assert f"{old}\n" in text, f"the intended configuration no longer holds {old!r}"
    before = judged(platform, text, settings)
    after = judged(platform, text.replace(f"{old}\n", f"{new}\n"), settings)
    assert after[check_id] is Verdict.FAIL, f"{check_id} gives {after[check_id].value} on {new!r}"
    changed = {c for c in after if after[c] is not before[c]}
    assert changed == {check_id}, f"{new!r} also changed {sorted(changed - {check_id})}"


def _settings(repo: Path, name: str, topic: str, **values: object) -> dict:
    settings = policy_for_host(repo, name).settings
    return {**settings, topic: {**settings[topic], **values}}


@pytest.mark.parametrize(
    ("name", "platform", "topic", "field", "value", "said"),
    [
        ("acc-sw-office-01", "h3c_comware", "accounts", "lockout_deny", 20, "h3c_comware accepts 2..10"),
        ("core-sw-01", "huawei_vrp", "accounts", "lockout_unlock_seconds", 1000, "whole minutes"),
        ("core-sw-01", "huawei_vrp", "accounts", "password_max_age_days", 0, "huawei_vrp accepts 1..999"),
        ("wan-rt-01", "cisco_ios", "accounts", "password_min_classes", 5, "cisco_ios accepts 1..4"),
    ],
)
def test_a_policy_value_a_platform_cannot_express_is_refused_naming_the_file_and_field(
    repo, name, platform, topic, field, value, said
):
    with pytest.raises(IntendedConfigError) as refused:
        render(name, platform, _settings(repo, name, topic, **{field: value}))
    assert f"policies/{topic}.yml: settings.{field} = {value}" in refused.value.english
    assert said in refused.value.english and name in refused.value.english
    assert f"policies/{topic}.yml" in refused.value.chinese


def test_a_device_without_a_template_or_without_addresses_is_refused(repo):
    settings = policy_for_host(repo, "fw-01").settings
    with pytest.raises(IntendedConfigError, match="no template for platform 'fortios'"):
        render("fw-01", "fortios", settings)
    unnamed = {**policy_for_host(repo, "core-sw-01").settings, NAMED_HOSTS: {}}
    with pytest.raises(IntendedConfigError, match=r"no address .* for loghost-01, ntp-01"):
        render("core-sw-01", "huawei_vrp", unnamed)
    nowhere = {**policy_for_host(repo, "core-sw-01").settings, "host_firewall": {}}
    with pytest.raises(IntendedConfigError, match="no management subnets"):
        render("core-sw-01", "huawei_vrp", nowhere)


def test_a_template_that_renders_an_invalid_line_is_refused(repo, tmp_path, monkeypatch):
    (tmp_path / "huawei_vrp").mkdir()
    (tmp_path / "huawei_vrp" / "baseline.cfg.j2").write_text(
        "#\nsysname {{ name }}\ninfo-center loghost 日志\nreturn\n"
    )
    monkeypatch.setattr(intended, "TEMPLATES", tmp_path)
    with pytest.raises(IntendedConfigError, match="renders an invalid line 3"):
        render("core-sw-01", "huawei_vrp", policy_for_host(repo, "core-sw-01").settings)


def test_the_limits_name_real_policy_fields(repo):
    settings = policy_for_host(repo, "core-sw-01").settings
    for limits in intended.LIMITS.values():
        for limit in limits:
            assert limit.field in settings[limit.topic], dataclasses.asdict(limit)


def test_a_named_host_the_inventory_does_not_list_is_found_in_its_addresses():
    listed = Host("loghost-01", "mgmt", ["infra"], 3, {"ansible_host": "10.1.2.4"})
    inventory = Inventory(Path("inventory/x"), addresses={"ntp-01": "10.1.2.3"}, hosts={"loghost-01": listed})
    settings = {"audit": {"central_log_host": "loghost-01"}, "time": {"ntp_servers": ["ntp-01", "ntp-02"]}}
    # A listed host's own address first; an appliance the inventory does not manage from dengbao_addresses;
    # a name found nowhere stays unresolved (rendering refuses it, naming it).
    assert named_addresses(settings, inventory) == {"loghost-01": "10.1.2.4", "ntp-01": "10.1.2.3"}
