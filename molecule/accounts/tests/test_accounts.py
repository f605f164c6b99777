"""Verify the accounts role on the scenario's lab host, over SSH: files, and real PAM logins."""

import pytest

testinfra_hosts = ["ansible://all"]

PASSWORD = "Lab-Passw0rd-2026"


def login(host, user: str, password: str):
    return host.run(f"printf '%s\\n' '{password}' | pamtester login {user} authenticate")


def test_pam_stack_locks_out_and_refuses_empty_passwords(host):
    auth = host.file("/etc/pam.d/common-auth").content_string
    assert "pam_faillock.so preauth" in auth and "pam_faillock.so authfail" in auth
    assert "nullok" not in auth
    password = host.file("/etc/pam.d/common-password").content_string
    assert "pam_pwquality.so" in password and "pam_pwhistory.so remember=5" in password


def test_a_wrong_password_five_times_locks_the_account_even_for_the_right_one(host):
    host.run("faillock --user alice --reset")
    assert login(host, "alice", PASSWORD).rc == 0, "the right password works before any failure"
    for _ in range(5):
        assert login(host, "alice", "wrong-password").rc != 0
    locked = login(host, "alice", PASSWORD)
    assert locked.rc != 0, "the account is locked after five failures"
    host.run("faillock --user alice --reset")
    assert login(host, "alice", PASSWORD).rc == 0


def test_password_quality_and_lockout_settings(host):
    quality = host.file("/etc/security/pwquality.conf").content_string
    assert "minlen = 10" in quality and "minclass = 3" in quality
    faillock = host.file("/etc/security/faillock.conf").content_string
    assert "deny = 5" in faillock and "unlock_time = 1800" in faillock and "even_deny_root" in faillock


@pytest.mark.parametrize(("key", "value"), [("PASS_MAX_DAYS", "90"), ("PASS_MIN_DAYS", "1"), ("PASS_WARN_AGE", "7")])
def test_new_accounts_age(host, key, value):
    assert host.run(f"awk '$1 == \"{key}\" {{print $2}}' /etc/login.defs").stdout.strip() == value


def test_existing_accounts_age_and_expire_when_unused(host):
    fields = host.run("getent shadow alice").stdout.strip().split(":")
    assert fields[3:7] == ["1", "90", "7", "90"]
    assert "INACTIVE=90" in host.run("useradd -D").stdout


def test_default_and_system_accounts_cannot_log_in(host):
    games = host.user("games")
    assert games.shell == "/usr/sbin/nologin"
    assert host.run("getent shadow games").stdout.split(":")[1].startswith("!")
    assert host.user("daemon").shell == "/usr/sbin/nologin"


def test_idle_login_shells_time_out_and_cannot_lift_it(host):
    assert host.run("bash -lc 'echo $TMOUT'").stdout.strip() == "600"
    lifted = host.run("bash -lc 'TMOUT=0'")
    assert lifted.rc != 0 and "readonly" in lifted.stderr
