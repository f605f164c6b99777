"""linux.central_mirrors on probe outputs the lab does not produce: apt's per-host proxy overrides (measured
on Debian 12: an http per-host "DIRECT" also sends https directly), deb822 stanzas switched off, local
media, dnf repositories with their own proxy, a vendor's anti-malware, and a host with no sources.

The lab proves the compliant and the two failing states end to end (the unit's scenarios)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compliance.checks import all_checks
from compliance.kinds.collection import Collection, ProbeResult
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.sources import apt_proxy_for, parse_package_sources
from compliance.results.model import Verdict

REPO = Path(__file__).resolve().parents[2]
POLICIES = {
    topic: yaml.safe_load((REPO / "policies" / f"{topic}.yml").read_text())["settings"]
    for topic in ("patching", "antivirus")
}
MIRROR = POLICIES["patching"]["mirror_host"]
DEB822 = "/etc/apt/sources.list.d/debian.sources"
THROUGH_MIRROR = f'apt_proxy Acquire::http::Proxy "http://{MIRROR}:3142";'
SIGNATURES_FROM_MIRROR = f"freshclam PrivateMirror http://{MIRROR}:8080/clamav\nfreshclam DatabaseCustomURL http://{MIRROR}:8080/clamav/x.cud"


def deb822(*stanzas: str) -> str:
    return "\n".join(f"{DEB822}:{line}" for stanza in stanzas for line in stanza.strip().splitlines())


DEBIAN = deb822(
    "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main",
    "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main",
)


def judge(sources: str, signatures: str = SIGNATURES_FROM_MIRROR, engine: str = "clamav", packages: str = "clamav\t1"):
    outputs = {
        "package_sources": sources,
        "antivirus": signatures,
        "packages": packages,
        "os_release": "ID=debian",
        "virtualization": "none",
    }
    collection = Collection(
        1_800_000_000, {name: ProbeResult(name, "probe", text, 0) for name, text in outputs.items()}
    )
    settings = {"patching": POLICIES["patching"], "antivirus": dict(POLICIES["antivirus"], engine=engine)}
    return all_checks()["linux.central_mirrors"].function(HostFacts(collection), settings)


def test_sources_fetched_through_the_mirror_and_signatures_from_it_pass():
    outcome = judge(f"{THROUGH_MIRROR}\n{DEBIAN}")
    assert outcome.verdict is Verdict.PASS, outcome.reason_en
    assert len(outcome.observed["package_sources"]) == 2


def test_a_per_host_direct_override_fails_that_source_only():
    override = 'apt_proxy Acquire::http::Proxy::deb.debian.org "DIRECT";'
    outcome = judge(f"{THROUGH_MIRROR}\n{override}\n{DEBIAN}")
    assert outcome.verdict is Verdict.FAIL
    assert "http://deb.debian.org/debian is fetched directly" in outcome.reason_en
    assert "直接下载" in outcome.reason_zh


def test_https_falls_back_to_the_http_settings_as_apt_does():
    proxies = {("http", None): "http://mirror-01:3142", ("http", "vendor.example"): "DIRECT"}
    assert apt_proxy_for("https://repo.example/debian", proxies) == "http://mirror-01:3142"
    assert apt_proxy_for("https://vendor.example/debian", proxies) is None
    proxies[("https", None)] = "http://other:3128"
    assert apt_proxy_for("https://vendor.example/debian", proxies) is None  # per host before scheme-wide
    assert apt_proxy_for("https://repo.example/debian", proxies) == "http://other:3128"


def test_a_source_on_the_mirror_itself_and_local_media_pass_without_a_proxy():
    lines = (
        "/etc/apt/sources.list:deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg]"
        f" http://{MIRROR}.hospital.local/debian bookworm main\n"
        "/etc/apt/sources.list:deb cdrom:[Debian GNU/Linux 12.8.0]/ bookworm main\n"
        "/etc/apt/sources.list.d/local.list:deb file:/srv/repo ./"
    )
    outcome = judge(lines)
    assert outcome.verdict is Verdict.PASS, outcome.reason_en


def test_a_stanza_switched_off_is_not_a_source():
    disabled = deb822("Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nEnabled: no")
    sources = parse_package_sources(f"{THROUGH_MIRROR}\n{disabled}\n" + deb822("Types: deb\nURIs: http://a/ http://b/"))
    assert [source.uri for source in sources.sources] == ["http://a/", "http://b/"]


def test_a_proxy_that_is_not_the_mirror_fails():
    outcome = judge(f'apt_proxy Acquire::http::Proxy "http://10.78.0.1:3142";\n{DEBIAN}')
    assert outcome.verdict is Verdict.FAIL
    assert "through http://10.78.0.1:3142, not through the package mirror" in outcome.reason_en


def test_dnf_repositories_use_their_own_proxy_else_the_main_one():
    lines = (
        f"/etc/dnf/dnf.conf:[main]\n/etc/dnf/dnf.conf:proxy=http://{MIRROR}:3128\n"
        "/etc/yum.repos.d/base.repo:[baseos]\n/etc/yum.repos.d/base.repo:baseurl=http://repo.openeuler.org/os/\n"
        "/etc/yum.repos.d/base.repo:[epol]\n/etc/yum.repos.d/base.repo:baseurl=http://repo.openeuler.org/epol/\n"
        "/etc/yum.repos.d/base.repo:proxy=_none_\n"
        "/etc/yum.repos.d/base.repo:[debuginfo]\n/etc/yum.repos.d/base.repo:enabled=0\n"
        "/etc/yum.repos.d/base.repo:baseurl=http://repo.openeuler.org/debuginfo/"
    )
    sources = parse_package_sources(lines)
    assert sources.manager == "dnf"
    assert [(s.uri, s.via) for s in sources.sources] == [
        ("http://repo.openeuler.org/os/", f"http://{MIRROR}:3128"),
        ("http://repo.openeuler.org/epol/", None),
    ]
    outcome = judge(lines)
    assert outcome.verdict is Verdict.FAIL and "epol" in outcome.reason_en and "/os/" not in outcome.reason_en


def test_no_source_at_all_fails():
    outcome = judge("")
    assert outcome.verdict is Verdict.FAIL
    assert "no package source is configured" in outcome.reason_en


@pytest.mark.parametrize(
    "signatures",
    [
        f"freshclam PrivateMirror http://{MIRROR}:8080/clamav\nfreshclam DatabaseMirror database.clamav.net",
        "freshclam DatabaseCustomURL https://signatures.vendor.example/x.cud",
        "",
    ],
)
def test_signatures_from_anywhere_but_the_mirror_fail(signatures):
    outcome = judge(f"{THROUGH_MIRROR}\n{DEBIAN}", signatures)
    assert outcome.verdict is Verdict.FAIL
    assert "freshclam" in outcome.reason_en


def test_clamav_missing_fails_and_a_vendor_product_is_left_to_its_console():
    assert judge(f"{THROUGH_MIRROR}\n{DEBIAN}", packages="bash\t5").verdict is Verdict.FAIL
    vendor = judge(f"{THROUGH_MIRROR}\n{DEBIAN}", signatures="", engine="vendor_edr", packages="bash\t5")
    assert vendor.verdict is Verdict.PASS
    assert "console" in vendor.observed["signature_sources"]
