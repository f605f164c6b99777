"""Verify the baseline role on the scenario's lab hosts, over SSH."""

import pytest

testinfra_hosts = ["ansible://all"]

BANNER_FILES = ["/etc/issue", "/etc/issue.net", "/etc/motd"]


def test_localtime_points_at_the_configured_zone(host):
    localtime = host.file("/etc/localtime")
    assert localtime.is_symlink
    assert localtime.linked_to == "/usr/share/zoneinfo/Asia/Urumqi"


def test_timezone_file_names_the_zone(host):
    assert host.file("/etc/timezone").content_string == "Asia/Urumqi\n"


def test_clock_reports_the_zone_offset(host):
    assert host.run("date +%z").stdout.strip() == "+0600"


@pytest.mark.parametrize("path", BANNER_FILES)
def test_banner_is_bilingual_and_root_owned(host, path):
    banner = host.file(path)
    assert banner.user == "root"
    assert banner.mode == 0o644
    assert "本系统仅限授权人员使用" in banner.content_string
    assert "Authorised users only" in banner.content_string
    assert "Debian GNU/Linux" not in banner.content_string
