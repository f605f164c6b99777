"""A device's intended configuration, rendered from the model: one Jinja2 template folder per platform.

The values come from the device's effective policy settings (`policy_for_host`, as for hosts): accounts.yml's
password, lockout and idle-timeout thresholds, audit.yml's log host, time.yml's NTP servers, ssh.yml's
management zones and banner, network_devices.yml's protocols and SNMP version. They are turned into each
vendor's units here (minutes for VRP's lock, wildcard masks for access lists), and a value a vendor cannot
express is an error naming the policy file and field, before anything is rendered. A rendered line that is
not plain ASCII (outside the banner) or still holds template syntax is an error too.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from compliance.errors import BilingualError
from compliance.kinds.network_device.config import PLATFORMS, parse_config
from compliance.model.host_policy import HOST_FIREWALL, NAMED_HOSTS
from compliance.model.zone_filters import ZONE_FILTERS, ZoneFilter, unresolved_services

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "baseline.cfg.j2"
# The access list every template applies to the VTYs and the SSH server: a VRP/Comware basic list
# (2000-2999), an IOS standard one (1-99).
MANAGEMENT_ACL = {"huawei_vrp": 2000, "h3c_comware": 2000, "cisco_ios": 10}
# A zone's filter on VRP and Comware: advanced list 3001 for the first zone of dengbao_zones, and so on.
ZONE_ACL_BASE = 3001


class IntendedConfigError(BilingualError):
    """A device's intended configuration cannot be rendered: no template, a value the vendor cannot express, or a
    bad rendered line."""


@dataclass(frozen=True)
class Limit:
    topic: str
    field: str
    low: int
    high: int


# What each platform accepts, from the vendors' command references (values in the policy's own units).
LIMITS: dict[str, tuple[Limit, ...]] = {
    "huawei_vrp": (
        Limit("accounts", "lockout_deny", 3, 65535),
        Limit("accounts", "lockout_unlock_seconds", 5 * 60, 65535 * 60),
        Limit("accounts", "idle_timeout_seconds", 1, 35791 * 60),
        Limit("accounts", "password_max_age_days", 1, 999),
        Limit("accounts", "password_history", 0, 12),
    ),
    "h3c_comware": (
        Limit("accounts", "lockout_deny", 2, 10),
        Limit("accounts", "lockout_unlock_seconds", 60, 360 * 60),
        Limit("accounts", "idle_timeout_seconds", 1, 35791 * 60),
        Limit("accounts", "password_min_length", 4, 32),
        Limit("accounts", "password_min_classes", 1, 4),
        Limit("accounts", "password_max_age_days", 1, 365),
        Limit("accounts", "password_history", 2, 15),
    ),
    "cisco_ios": (
        Limit("accounts", "lockout_deny", 1, 65535),
        Limit("accounts", "idle_timeout_seconds", 1, 35791 * 60),
        Limit("accounts", "password_min_length", 1, 64),
        Limit("accounts", "password_min_classes", 1, 4),
        Limit("accounts", "password_max_age_days", 1, 65535),
    ),
}
# Values VRP and Comware take in whole minutes.
IN_MINUTES = {"huawei_vrp": ("lockout_unlock_seconds",), "h3c_comware": ("lockout_unlock_seconds",)}


def _refuse(device: str, topic: str, field: str, value: Any, why_en: str, why_zh: str) -> IntendedConfigError:
    where = f"policies/{topic}.yml: settings.{field}"
    return IntendedConfigError(f"{device}: {where} = {value}: {why_en}", f"{device}：{where} = {value}：{why_zh}")


def _wildcard(subnet: str) -> tuple[str, str]:
    network = ipaddress.ip_network(subnet, strict=False)
    return str(network.network_address), str(network.hostmask)


def device_values(device: str, platform: str, settings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the templates fill in, checked against what the platform can express."""
    if platform not in PLATFORMS:
        raise IntendedConfigError(
            f"{device}: no template for platform {platform!r} (dengbao_os); have: {', '.join(PLATFORMS)}",
            f"{device}：平台 {platform!r}（dengbao_os）没有配置模板；现有：{'、'.join(PLATFORMS)}",
        )
    for limit in LIMITS[platform]:
        value = settings[limit.topic][limit.field]
        if not limit.low <= value <= limit.high:
            raise _refuse(
                device,
                limit.topic,
                limit.field,
                value,
                f"{platform} accepts {limit.low}..{limit.high}",
                f"{platform} 仅支持 {limit.low}..{limit.high}",
            )
    for field in IN_MINUTES.get(platform, ()):
        if settings["accounts"][field] % 60:
            raise _refuse(
                device,
                "accounts",
                field,
                settings["accounts"][field],
                f"{platform} takes whole minutes",
                f"{platform} 仅支持整分钟",
            )
    named = settings.get(NAMED_HOSTS, {})
    log_host = settings["audit"]["central_log_host"]
    ntp = settings["time"]["ntp_servers"]
    unresolved = [name for name in (log_host, *ntp) if name not in named]
    if unresolved:
        raise IntendedConfigError(
            f"{device}: the inventory gives no address (ansible_host) for {', '.join(unresolved)}, named by "
            "policies/audit.yml central_log_host or policies/time.yml ntp_servers; a device needs addresses",
            f"{device}：清单中没有 {'、'.join(unresolved)} 的地址（ansible_host），"
            "它们由 policies/audit.yml central_log_host 或 policies/time.yml ntp_servers 指定；设备配置需要地址",
        )
    subnets = settings.get(HOST_FIREWALL, {}).get("management_subnets", [])
    if not subnets:
        raise IntendedConfigError(
            f"{device}: no management subnets for its zone (policies/ssh.yml management_zones and the inventory's "
            "dengbao_zones): its VTYs would be open to everyone",
            f"{device}：其区域没有可用的管理网段（policies/ssh.yml management_zones 与清单 dengbao_zones），"
            "VTY 将对所有地址开放",
        )
    accounts = settings["accounts"]
    devices = settings["network_devices"]
    filters = [ZoneFilter.from_dict(f) for f in settings.get(ZONE_FILTERS, [])]
    if filters:
        missing = unresolved_services(settings["access_rules"], settings, named)
        if missing:
            raise IntendedConfigError(
                f"{device}: the inventory gives no address (ansible_host or dengbao_addresses) for "
                f"{', '.join(missing)}, whose services policies/access_rules.yml opens to every zone; its zone filters "
                "(dengbao_zone_interfaces) need them",
                f"{device}：清单中没有 {'、'.join(missing)} 的地址（ansible_host 或 dengbao_addresses），"
                "policies/access_rules.yml 向各区域开放其服务；区域过滤（dengbao_zone_interfaces）需要这些地址",
            )
    return {
        "zone_filters": [_filter_values(platform, f) for f in filters],
        "name": device,
        "platform": platform,
        "accounts": accounts,
        "idle": divmod(accounts["idle_timeout_seconds"], 60),
        "lock_minutes": accounts["lockout_unlock_seconds"] // 60,
        "log_host": named[log_host],
        "ntp_servers": [named[name] for name in ntp],
        "management_acl": MANAGEMENT_ACL[platform],
        "management_sources": [_wildcard(subnet) for subnet in subnets],
        "snmp_v3": devices["snmp_version"] == "v3",
        "https": "https" in devices["management_protocols"],
        "ssh_port": devices["ssh_port"],
        "banner": settings["ssh"]["banner_text"].strip() if devices["login_banner"] else "",
    }


def zone_acl(platform: str, zone_filter: ZoneFilter) -> str:
    """The access list a zone's interface applies: an advanced list (3001-3999) on VRP and Comware, a named
    extended list on IOS."""
    if platform == "cisco_ios":
        return f"DENGBAO_IN_{zone_filter.zone.upper()}"
    return str(ZONE_ACL_BASE + zone_filter.index)


def _end(prefix: str) -> dict[str, Any]:
    """A rule's source or destination for the templates: any, a host, or an address with its wildcard."""
    network = ipaddress.ip_network(prefix)
    if network.prefixlen == 0:
        return {"any": True}
    return {
        "any": False,
        "host": network.prefixlen == 32,
        "address": str(network.network_address),
        "wildcard": str(network.hostmask),
    }


def _filter_values(platform: str, zone_filter: ZoneFilter) -> dict[str, Any]:
    address = ipaddress.IPv4Interface(zone_filter.address) if zone_filter.address else None
    return {
        "zone": zone_filter.zone,
        "interface": zone_filter.interface,
        "address": (str(address.ip), str(address.netmask)) if address else None,
        "acl": zone_acl(platform, zone_filter),
        "rules": [
            {
                "action": rule.action,
                "protocol": rule.protocol,
                "source": _end(rule.source),
                "destination": _end(rule.destination),
                "ports": rule.ports,
                "source_ports": rule.source_ports,
                "established": rule.established,
            }
            for rule in zone_filter.rules
        ],
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # device configuration, not HTML
    )


def render(device: str, platform: str, settings: dict[str, dict[str, Any]]) -> str:
    """The intended running configuration of one device."""
    values = device_values(device, platform, settings)
    template = f"{platform}/{TEMPLATE}"
    try:
        text = _environment().get_template(template).render(**values)
    except jinja2.TemplateError as error:
        raise IntendedConfigError(
            f"{device}: compliance/devices/templates/{template}: {error}",
            f"{device}：compliance/devices/templates/{template}：{error}",
        ) from error
    _check_lines(device, template, platform, text)
    return text


def _check_lines(device: str, template: str, platform: str, text: str) -> None:
    """Every line a device will be sent is plain ASCII without template syntax (the banner may hold Chinese)."""
    for line in parse_config(platform, text).lines:
        if line.text.startswith(("header", "banner")):
            continue
        for part in [line, *line.children]:
            bad = "{{" in part.text or "{%" in part.text or not part.text.isascii() or not part.text.isprintable()
            if bad:
                raise IntendedConfigError(
                    f"{device}: compliance/devices/templates/{template} renders an invalid line {part.number}: "
                    f"{part.text!r}",
                    f"{device}：compliance/devices/templates/{template} 第 {part.number} 行渲染结果无效：{part.text!r}",
                )
