"""Where a host takes its packages from: each package source, and the proxy its downloads go through.

apt: one-line sources (`/etc/apt/sources.list`, `*.list`) and deb822 stanzas (`*.sources`), and the
effective proxy settings from `apt-config dump` (`Acquire::<scheme>::Proxy[::<host>]`). apt looks a
download's proxy up for its host before the scheme-wide value, and an https download falls back to
the http settings (measured on Debian 12's apt 2.6: `Acquire::http::Proxy::<host> "DIRECT"` sends
https to that host directly even where `Acquire::https::Proxy` names a proxy).
dnf/yum: each enabled repository's `baseurl`, `mirrorlist` and `metalink`, through the repository's
`proxy` or else the `[main]` one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from compliance.kinds.linux.facts.text import split_file_lines

LOCAL_SCHEMES = frozenset({"file", "cdrom", "copy"})
APT_PROXY = re.compile(r'^Acquire::(https?|ftp)::Proxy(?:::(\S+))?\s+"([^"]*)";?$', re.IGNORECASE)
NO_PROXY = frozenset({"", "direct", "_none_"})


@dataclass(frozen=True)
class PackageSource:
    """One place packages are fetched from, and the proxy the download goes through (None: directly)."""

    file: str
    uri: str
    via: str | None

    @property
    def local(self) -> bool:
        """Installation media or a local folder: nothing is fetched over the network."""
        return urlsplit(self.uri).scheme.lower() in LOCAL_SCHEMES

    @property
    def host(self) -> str:
        return (urlsplit(self.uri).hostname or "").lower()

    @property
    def via_host(self) -> str | None:
        return None if self.via is None else (urlsplit(self.via).hostname or "").lower()

    def __str__(self) -> str:
        return f"{self.uri} ({self.file}) via {self.via or 'direct'}"


@dataclass(frozen=True)
class PackageSources:
    manager: str  # "apt", "dnf" or "none" (no package manager's sources found)
    sources: tuple[PackageSource, ...]
    proxy_settings: tuple[str, ...]  # the proxy lines as configured, for the evidence


def apt_proxy_for(uri: str, proxies: dict[tuple[str, str | None], str]) -> str | None:
    """The proxy apt uses for a download of `uri`, from (scheme, host or None) → value; None: directly."""
    parts = urlsplit(uri)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    schemes = ("https", "http") if scheme == "https" else (scheme,)
    lookups = [(s, host) for s in schemes] + [(s, None) for s in schemes]
    for key in lookups:
        if key in proxies:
            value = proxies[key]
            return None if value.strip().lower() in NO_PROXY else value.strip()
    return None


def _one_line_uri(text: str) -> str | None:
    """The URI of `deb [options] URI suite components` (options may hold spaces inside the brackets)."""
    text = re.sub(r"\[[^\]]*\]", " ", text.strip())
    words = text.split()
    if len(words) >= 2 and words[0] in ("deb", "deb-src"):
        return words[1]
    return None


def _deb822_uris(lines: list[str]) -> list[str]:
    """URIs of the enabled stanzas of a `.sources` file (the probe drops blank lines: `Types:` opens a stanza)."""
    uris: list[str] = []
    stanza: list[str] = []
    enabled = True

    def close() -> None:
        if enabled:
            uris.extend(stanza)

    for line in lines:
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "types":
            close()
            stanza, enabled = [], True
        elif key == "uris":
            stanza.extend(value.split())
        elif key == "enabled":
            enabled = value.strip().lower() not in ("no", "false", "0")
    close()
    return uris


def _dnf_repositories(by_file: dict[str, list[str]]) -> tuple[list[PackageSource], list[str]]:
    main_proxy: str | None = None
    settings: list[str] = []
    repositories: list[tuple[str, dict[str, str]]] = []
    for path, lines in by_file.items():
        section = ""
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("[") and stripped.endswith("]"):
                section = stripped[1:-1].strip()
                if section != "main":
                    repositories.append((path, {}))
                continue
            key, sep, value = stripped.partition("=")
            if not sep:
                continue
            key, value = key.strip().lower(), value.strip()
            if key == "proxy":
                settings.append(f"{path} [{section}] proxy={value}")
            if section == "main":
                if key == "proxy":
                    main_proxy = value
            elif repositories and repositories[-1][0] == path:
                repositories[-1][1][key] = value
    sources = []
    for path, values in repositories:
        if values.get("enabled", "1").strip() in ("0", "false", "no"):
            continue
        proxy = values.get("proxy", main_proxy)
        via = None if proxy is None or proxy.lower() in NO_PROXY else proxy
        for key in ("baseurl", "mirrorlist", "metalink"):
            for uri in re.split(r"[\s,]+", values.get(key, "")):
                if uri:
                    sources.append(PackageSource(path, uri, via))
    return sources, settings


def parse_package_sources(output: str) -> PackageSources:
    proxies: dict[tuple[str, str | None], str] = {}
    settings: list[str] = []
    for line in output.splitlines():
        if line.startswith("apt_proxy "):
            text = line.removeprefix("apt_proxy ").strip()
            match = APT_PROXY.match(text)
            if match:
                scheme, host, value = match.groups()
                proxies[(scheme.lower(), host.lower() if host else None)] = value
                settings.append(text)
    by_file: dict[str, list[str]] = {}
    for path, text in split_file_lines(output):
        by_file.setdefault(path, []).append(text)
    apt_uris: list[tuple[str, str]] = []
    dnf_files: dict[str, list[str]] = {}
    for path, lines in by_file.items():
        if path.startswith("/etc/apt/"):
            if path.endswith(".sources"):
                apt_uris.extend((path, uri) for uri in _deb822_uris(lines))
            else:
                apt_uris.extend((path, uri) for uri in map(_one_line_uri, lines) if uri)
        else:
            dnf_files[path] = lines
    if apt_uris or proxies:
        sources = tuple(PackageSource(path, uri, apt_proxy_for(uri, proxies)) for path, uri in apt_uris)
        return PackageSources("apt", sources, tuple(settings))
    dnf_sources, dnf_settings = _dnf_repositories(dnf_files)
    return PackageSources("dnf" if dnf_files else "none", tuple(dnf_sources), tuple(dnf_settings))
