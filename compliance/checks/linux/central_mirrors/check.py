"""linux.central_mirrors, 8.1.5.4 e): Packages and anti-malware signatures come only from the central mirrors.

软件包与病毒特征库仅取自集中管理的内部镜像。

8.1.5.4 e) asks that security policy, malicious-code protection and patch upgrades be managed
centrally. The host shows the part of it that lives on the host: every package source is fetched
through the policy's package mirror (`patching.mirror_host`: the source's own host, or the proxy its
downloads go through), and freshclam names no source but the policy's signature mirror
(`antivirus.mirror_host`). Local media count as central: nothing is fetched. The check compares host
names (the roles write the mirror's name, resolved through /etc/hosts from the inventory).

What the host cannot show is how the central policy itself is managed: who approves a change to the
policies and roles and how it reaches the hosts (the change records), and, for a vendor's
anti-malware product, how its console distributes signatures. The evaluator must still see that,
so met here the item is 部分符合.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts

CLAMAV_UPDATER = ("clamav-freshclam", "clamav")


def short(name: str | None) -> str:
    return (name or "").lower().split(".")[0]


def _package_problems(facts: HostFacts, mirror: str, problems: Problems) -> list[str]:
    sources = facts.package_sources
    if not sources.sources:
        problems.add(
            f"no package source is configured ({sources.manager}): the host takes no updates from the mirror",
            f"未配置软件源（{sources.manager}）：主机无法从镜像获取更新",
        )
    for source in sources.sources:
        if source.local or short(source.host) == mirror or short(source.via_host) == mirror:
            continue
        route = f"through {source.via}" if source.via else "directly"
        route_zh = f"经由 {source.via}" if source.via else "直接"
        problems.add(
            f"{source.file}: {source.uri} is fetched {route}, not through the package mirror {mirror}",
            f"{source.file}：{source.uri} {route_zh}下载，未经软件包镜像 {mirror}",
        )
    return [str(source) for source in sources.sources]


def _signature_problems(facts: HostFacts, engine: str, mirror: str, problems: Problems) -> list[str] | str:
    if engine != "clamav":
        return f"{engine}: a vendor product; its console distributes the signatures"
    if not any(package in facts.packages for package in CLAMAV_UPDATER):
        problems.add(
            "ClamAV is not installed: no signatures come from the signature mirror",
            "未安装 ClamAV：病毒特征库未从特征库镜像获取",
        )
        return []
    sources = facts.antivirus.freshclam_source_hosts()
    if not sources:
        problems.add("freshclam names no signature source", "freshclam 未配置特征库来源")
    for source, host in sources:
        if short(host) != mirror:
            problems.add(
                f"freshclam takes signatures from outside the signature mirror {mirror}: {source}",
                f"freshclam 从特征库镜像 {mirror} 以外获取特征库：{source}",
            )
    return [source for source, _host in sources]


@check(
    id="linux.central_mirrors",
    clauses=("8.1.5.4 e)",),
    policies=("patching", "antivirus"),
    zh="软件包与病毒特征库仅取自集中管理的内部镜像",
    en="Packages and anti-malware signatures come only from the central mirrors",
    high_risk=False,
    remediation=("patching:package_mirror", "antivirus:antivirus"),
    partly={
        "8.1.5.4 e)": (
            "how changes to the central policies and roles are approved and reach the hosts (the change records),"
            " and for a vendor's anti-malware product how its console distributes signatures",
            "集中策略与角色的变更如何审批、如何下发到主机（变更记录），以及商用防恶意代码产品的控制台如何分发特征库",
        )
    },
)
def central_mirrors(facts: HostFacts, policy: Settings) -> Outcome:
    package_mirror = short(policy["patching"]["mirror_host"])
    signature_mirror = short(policy["antivirus"]["mirror_host"])
    problems = Problems()
    observed = {
        "package_sources": _package_problems(facts, package_mirror, problems),
        "package_proxy_settings": list(facts.package_sources.proxy_settings),
        "signature_sources": _signature_problems(facts, policy["antivirus"]["engine"], signature_mirror, problems),
    }
    expected = {
        "package_sources": f"each fetched from or through {package_mirror}, or local media",
        "signature_sources": f"only {signature_mirror} (PrivateMirror, DatabaseCustomURL)",
    }
    return problems.outcome(
        observed, expected, "packages and signatures come from the central mirrors", "软件包与特征库均取自集中镜像"
    )
