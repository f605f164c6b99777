"""Linux servers (HIS, EMR, PACS, LIS): one batched shell collector over SSH or locally, HostFacts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from compliance.kinds import Kind, register
from compliance.kinds.collection import Collected, Collection
from compliance.kinds.linux.probes import SSH_SERVER_UNITS

# Units whose enablement the checks read whatever the policy: the SSH server's (whether one is installed) and
# auditd's (linux.auditd_running); linux.unneeded_services adds the policy's forbidden services.
UNITS_ALWAYS_ASKED = SSH_SERVER_UNITS | {"auditd.service"}


def units_to_ask(settings: Iterable[dict[str, Any]]) -> set[str]:
    """The units a scan asks the enablement of, for hosts with these policy settings."""
    units = set(UNITS_ALWAYS_ASKED)
    for host in settings:
        units.update(host.get("host_hardening", {}).get("forbidden_services", ()))
    return units


def _collect(
    targets: list[Any], settings: dict[str, dict[str, Any]] | None = None, **options: Any
) -> dict[str, Collected]:
    # pyinfra and gevent are imported only when a live scan collects, not to re-judge a stored run.
    from compliance.kinds.linux.probes import scan_probes
    from compliance.kinds.linux.transport import collect

    if settings is not None:
        options["probes"] = scan_probes(units_to_ask(settings[t.name] for t in targets if t.name in settings))
    return collect(targets, **options)


def _facts(collection: Collection) -> Any:
    from compliance.kinds.linux.facts import HostFacts

    return HostFacts(collection)


def _identity(collection: Collection) -> dict[str, Any]:
    """Host name, machine-id, addresses and SSH host keys of the host that answered."""
    from compliance.kinds.linux.facts.system import parse_host_identity

    probe = collection.probes.get("host_identity")
    return parse_host_identity(probe.output).as_dict() if probe is not None else {}


LINUX = register(
    Kind(
        name="linux",
        evidence="host",
        title_zh="Linux 服务器",
        title_en="Linux server",
        guidance_zh="在主机上核查相关配置并留存命令输出",
        guidance_en="inspect the host's settings and keep the command output",
        collect=_collect,
        facts=_facts,
        identity=_identity,
    )
)
