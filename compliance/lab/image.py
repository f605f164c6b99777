"""The golden Debian 12 root filesystem every lab host boots from (read-only, under an overlay).

The image is built once with debootstrap and cached under a name derived from its recipe,
so it is rebuilt exactly when the recipe changes: the package list, the suite, the
mirror, or the code in this module that configures it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from compliance.lab.errors import LabError
from compliance.lab.paths import LabPaths

SOURCES_FILES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
DEFAULT_MIRROR = "http://deb.debian.org/debian"

BASE_PACKAGES = (
    "openssh-server",
    "python3",
    "python3-apt",
    "iproute2",
    "procps",
    "sudo",
    "ca-certificates",
    "systemd",
    "systemd-sysv",
    "dbus",
    "libpam-systemd",
)


def configured_mirror(sources: tuple[Path, ...] = SOURCES_FILES) -> str:
    """The Debian mirror this machine's apt uses, so lab hosts fetch from the same place."""
    override = os.environ.get("DENGBAO_LAB_MIRROR")
    if override:
        return override.rstrip("/")
    for path in sources:
        if not path.is_file():
            continue
        for match in re.finditer(r"(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", path.read_text(), re.M):
            uri = match.group(1).rstrip("/")
            if uri.startswith("http") and not uri.endswith("-security"):
                return uri
    return DEFAULT_MIRROR


@dataclass(frozen=True)
class ImageRecipe:
    """Everything that decides the content of the golden image."""

    mirror: str
    suite: str = "bookworm"
    packages: tuple[str, ...] = BASE_PACKAGES

    def digest(self) -> str:
        """A short hash of the recipe and of the code that applies it."""
        material = json.dumps(asdict(self), sort_keys=True) + inspect.getsource(sys.modules[__name__])
        return hashlib.sha256(material.encode()).hexdigest()[:16]


def image_dir(paths: LabPaths, recipe: ImageRecipe) -> Path:
    return paths.images_dir / f"golden-{recipe.digest()}"


def ensure_image(paths: LabPaths, recipe: ImageRecipe, log: Callable[[str], None] = print) -> Path:
    """Return the golden image for the recipe, building it first if it is not cached."""
    target = image_dir(paths, recipe)
    if (target / "etc" / "os-release").is_file():
        return target
    paths.images_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    build_log = paths.images_dir / f"{target.name}.log"
    log(f"building golden image {target.name} from {recipe.mirror} (about a minute; log: {build_log})")
    command = [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(recipe.packages)}",
        recipe.suite,
        str(partial),
        recipe.mirror,
    ]
    with build_log.open("w") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise LabError(
            f"debootstrap failed (exit {result.returncode}); see {build_log}",
            f"构建基础镜像失败（debootstrap 退出码 {result.returncode}），见 {build_log}",
        )
    _configure(partial, recipe)
    _apply_security_updates(partial, build_log)
    _clean_package_state(partial)
    partial.rename(target)
    (paths.images_dir / f"{target.name}.json").write_text(json.dumps(asdict(recipe), indent=2) + "\n")
    _remove_stale_images(paths, keep=target)
    return target


def _configure(root: Path, recipe: ImageRecipe) -> None:
    """Make the bootstrapped tree a clean template: no host identity, full Debian sources.

    The apt proxy address is per lab, so it is written into each host, not here.
    """
    for key in (root / "etc" / "ssh").glob("ssh_host_*"):
        key.unlink()
    (root / "etc" / "machine-id").write_text("")
    (root / "etc" / "apt" / "sources.list").unlink(missing_ok=True)
    security = recipe.mirror.rsplit("/", 1)[0] + "/debian-security"
    (root / "etc" / "apt" / "sources.list.d" / "debian.sources").write_text(
        f"Types: deb\nURIs: {recipe.mirror}\nSuites: {recipe.suite} {recipe.suite}-updates\n"
        "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        f"Types: deb\nURIs: {security}\nSuites: {recipe.suite}-security\n"
        "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    )
    subprocess.run(
        ["systemctl", f"--root={root}", "enable", "systemd-networkd.service"],
        check=True,
        capture_output=True,
    )


def _apply_security_updates(root: Path, build_log: Path) -> None:
    """Install the security updates published since the release, as a hospital patches its golden
    image: hosts start patched, and the tests that need a pending update make one by installing
    a package's release version (a real, older build)."""
    script = (
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Options::=--force-confold upgrade"
    )
    with build_log.open("a") as out:
        result = subprocess.run(
            [
                "systemd-nspawn",
                "--quiet",
                "--register=no",
                "--keep-unit",
                "-D",
                str(root),
                "--pipe",
                "sh",
                "-c",
                script,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise LabError(
            f"installing security updates into the image failed (exit {result.returncode}); see {build_log}",
            f"向基础镜像安装安全更新失败（退出码 {result.returncode}），见 {build_log}",
        )


def _clean_package_state(root: Path) -> None:
    """No package lists and no downloaded packages: the image carries no index anyone could take for fresh."""
    lists = root / "var" / "lib" / "apt" / "lists"
    shutil.rmtree(lists, ignore_errors=True)
    (lists / "partial").mkdir(parents=True)
    # An empty index must not look fresh: apt tools that judge its age by the directory's time
    # (Ansible's apt cache_valid_time, with no update stamp) would skip the update it needs.
    for directory in (lists / "partial", lists):
        os.utime(directory, (0, 0))
    for deb in (root / "var" / "cache" / "apt" / "archives").glob("*.deb"):
        deb.unlink()


def _remove_stale_images(paths: LabPaths, keep: Path) -> None:
    """Drop images of older recipes that no running host still uses as its lower layer."""
    in_use = Path("/proc/self/mounts").read_text()
    for old in paths.images_dir.glob("golden-*"):
        if old.is_dir() and old != keep and str(old) not in in_use:
            shutil.rmtree(old, ignore_errors=True)
            for sidecar in (old.with_name(old.name + ".json"), old.with_name(old.name + ".log")):
                sidecar.unlink(missing_ok=True)
