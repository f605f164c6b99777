"""Verify the hardening role on the scenario's lab host, from a start with telnet, rpcbind and open files."""

import pytest

testinfra_hosts = ["ansible://all"]


@pytest.mark.parametrize("package", ["inetutils-telnetd", "inetutils-inetd", "openbsd-inetd"])
def test_forbidden_packages_are_gone(host, package):
    assert not host.package(package).is_installed


def test_forbidden_services_are_stopped_and_masked(host):
    assert not host.service("rpcbind").is_running
    assert host.run("systemctl is-enabled rpcbind.service rpcbind.socket").stdout.split() == ["masked", "masked"]


@pytest.mark.parametrize("port", [23, 111])
def test_high_risk_ports_are_closed(host, port):
    assert not host.socket(f"tcp://0.0.0.0:{port}").is_listening


@pytest.mark.parametrize(
    ("path", "mode"),
    [
        ("/etc/shadow", 0o640),  # was 0644
        ("/etc/crontab", 0o600),  # was 04666: the setuid bit goes too
        ("/etc/cron.d", 0o700),  # was 0777
        ("/etc/group", 0o600),  # was 0600, stricter than the policy's 0644: left as it is
        ("/etc/passwd", 0o644),
        ("/etc/sudoers", 0o440),
    ],
)
def test_key_files_allow_no_more_than_the_policy(host, path, mode):
    key_file = host.file(path)
    assert (key_file.mode, key_file.user) == (mode, "root")


def test_login_shells_get_the_policy_umask(host):
    assert host.check_output("runuser -l alice -c umask") == "0027"
    assert host.file("/etc/login.defs").contains("^UMASK[[:space:]]*027$")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("net.ipv4.conf.all.accept_redirects", "0"),
        ("net.ipv4.conf.all.rp_filter", "1"),
        ("net.ipv4.tcp_syncookies", "1"),
        ("net.ipv4.conf.all.send_redirects", "0"),
    ],
)
def test_network_kernel_settings_are_in_effect(host, key, value):
    assert host.check_output(f"sysctl -n {key}") == value


def test_all_kernel_settings_are_kept_for_the_next_boot(host):
    saved = host.file("/etc/sysctl.d/60-dengbao.conf")
    assert saved.contains("^kernel.randomize_va_space = 2$") and saved.contains("^fs.suid_dumpable = 0$")
    assert saved.contains("^net.ipv4.conf.all.accept_redirects = 0$")
