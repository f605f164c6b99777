"""Redaction: secrets and personal data are removed before evidence is stored, and evidence
that merely looks similar (sshd keywords, PAM stacks, package versions) is left intact."""

from __future__ import annotations

import pytest

from compliance.evidence.redact import Redactor, is_resident_id
from compliance.model.host_policy import repository


@pytest.fixture(scope="module")
def redactor(repo) -> Redactor:
    policy = repository(repo).policies.effective(3, "")["evidence"]
    return Redactor.from_policy(policy["patient_identifiers"])


REMOVED = [
    (
        "yescrypt hash",
        "admin:$y$j9T$F5Jx5fExrKuJdHhu8MLmR/$8F3QbVPRbPi3BJ1KHHcNVOUzHPRHCPbJaVDXXhQT5e2:19000:0:90:7:::",
        "$y$j9T$F5Jx5fExrKuJdHhu8MLmR",
        "password hash",
    ),
    ("sha512 hash", "x:$6$saltsalt$" + "A" * 86 + ":1:0", "$6$saltsalt$", "password hash"),
    (
        "private key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXk",
        "private key",
    ),
    ("option", "/etc/cron.d/dump:0 2 * * * root mysqldump --password=Hosp1tal! his", "Hosp1tal!", "secret"),
    ("config", "/etc/ldap.conf:bindpw = s3cr3t-LDAP", "s3cr3t-LDAP", "secret"),
    ("yaml", "/etc/app/config.yml:token: eyJhbGciOi", "eyJhbGciOi", "secret"),
    ("url", "rsync -a rsync://backup:Pa55w0rd@10.0.0.5/his /data", "Pa55w0rd", "password in URL"),
    ("resident id", "/data/emr/scan-11010519491231002X.pdf", "11010519491231002X", "resident ID number"),
    ("medical record number", "/data/pacs/export/MRN00123456/study.dcm", "MRN00123456", "病案号"),
    ("inpatient number", "/data/emr/住院号:20231234/x.pdf", "20231234", "住院号"),
    # the common forms (issue 14): environment variables, command options, headers, keys, config values
    ("pgpassword", "/etc/cron.d/pg:0 1 * * * postgres PGPASSWORD=Pg-S3cret pg_dump his", "Pg-S3cret", "secret"),
    ("db_password export", "export DB_PASSWORD='Db S3cret' && run", "Db S3cret", "secret"),
    ("mysql_pwd", "MYSQL_PWD=My5ql-pwd mysqldump his", "My5ql-pwd", "secret"),
    (
        "mysql -p",
        "/etc/cron.d/db:30 1 * * * root mysqldump -uroot -pHis-2026! his > /b/his.sql",
        "His-2026!",
        "password option",
    ),
    ("mariadb -p", "mariadb -h db -u app -pM4ria his", "M4ria", "password option"),
    ("sshpass", "sshpass -p 'Ssh-pa55' rsync -e ssh /data backup:/", "Ssh-pa55", "password option"),
    ("sshpass glued", "sshpass -pSshPa55 ssh ops@10.0.0.9", "SshPa55", "password option"),
    ("curl -u", "curl -s -u admin:Curl-Pa55 https://10.0.0.7/api", "Curl-Pa55", "password option"),
    ("curl --user", "curl --user=ops:Us3r-Pa55 -X POST https://x/", "Us3r-Pa55", "password option"),
    (
        "bearer",
        'curl -H "Authorization: Bearer eyJ0eXAiOiJKV1Qi.abc.def" https://x/',
        "eyJ0eXAiOiJKV1Qi",
        "authorization",
    ),
    ("basic", "Authorization: Basic YWRtaW46c2VjcmV0", "YWRtaW46c2VjcmV0", "authorization header"),
    ("bindpw blank", "/etc/nslcd.conf:bindpw Ld4p-Bind", "Ld4p-Bind", "secret"),
    ("sssd authtok", "/etc/sssd/sssd.conf:ldap_default_authtok = Sssd-T0k", "Sssd-T0k", "secret"),
    ("aws key id", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "cloud access key"),
    ("aws secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "secret"),
    ("yaml value", "/etc/his/app.yml:  db_password: Yaml-Pa55", "Yaml-Pa55", "secret"),
    ("ini value", "/etc/his/app.ini:password = Ini-Pa55", "Ini-Pa55", "secret"),
    ("json value", '/etc/his/app.json:{"user": "his", "db_password": "Js0n-Pa55"}', "Js0n-Pa55", "secret"),
    ("sql", "CREATE USER his IDENTIFIED BY 'Sql-Pa55';", "Sql-Pa55", "secret"),
    ("become pass", "ansible_become_pass=B3come-Pa55", "B3come-Pa55", "secret"),
]


@pytest.mark.parametrize(("case", "text", "secret", "kind"), REMOVED, ids=[c[0] for c in REMOVED])
def test_secrets_and_patient_identifiers_are_removed_and_named(redactor, case, text, secret, kind):
    redacted = redactor.text(text)
    assert secret not in redacted
    assert "[已脱敏 redacted: " in redacted and kind in redacted


KEPT = [
    "passwordauthentication yes\npermitemptypasswords no\npubkeyauthentication yes",
    "/etc/pam.d/common-password:password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt",
    "/etc/pam.d/common-auth:auth required pam_faillock.so preauth deny=5 unlock_time=900",
    "ii  libpam-pwquality 1.4.5-1+b1",
    "/etc/login.defs:PASS_MAX_DAYS 90",
    "Acquire::http::Proxy http://10.78.0.1:3142/;",
    "id 110105194912310021 fails its check digit; 123456789012345678 is no date",
    "/etc/login.defs:PASS_MIN_DAYS 1",
    "/etc/security/pwquality.conf:minlen = 10",
    "/etc/sudoers:Defaults passwd_timeout=1",
    "iptables -A INPUT -m comment --comment bypass=1",
    "/etc/cron.d/x:0 1 * * * root mysql -e 'select 1' his",
    "/etc/cron.d/x:0 1 * * * root curl -s https://mirror/health",
    "/etc/ssh/sshd_config:PasswordAuthentication no",
]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_evidence_is_left_intact(redactor, text):
    assert redactor.text(text) == text


def test_resident_id_check_character():
    assert is_resident_id("11010519491231002X")
    assert not is_resident_id("110105194912310021")


def test_documents_are_redacted_throughout_and_counted(redactor):
    document = {"probes": {"crontabs": {"output": "x --password=abc", "exit_code": 0}}, "list": ["MRN1234567"]}
    redacted = redactor.document(document)
    assert redacted["probes"]["crontabs"]["exit_code"] == 0
    assert "abc" not in str(redacted) and "MRN1234567" not in str(redacted)
    assert redactor.counts["secret"] >= 1


DEVICE_SECRETS = """snmp-agent community write private
snmp-agent community read cipher %^%#abcDEF123%^%#
snmp-server community SoMeThaNGwIErd RW 99
 local-user bob password irreversible-cipher $1c$abcdefghijklmnop$
 local-user carol password simple Huawei@123
 password hash $h$6$abcdefgh$ijklmnopqrstuvwxyz==
username cisco password 0 cisco123
username ntc privilege 15 secret 5 $1$aaaa$bbbbbbbbbbbbbbbbbbbbbb
enable password letmein
 password 7 0822455D0A16
 password letmein2
 set authentication password cipher %$%$abc%$%$
snmp-agent usm-user v3 nms g authentication-mode sha authkey PLAIN1 privacy-mode aes128 privkey PLAIN2
snmp-server user nms G v3 auth sha PLAIN3 priv aes 128 PLAIN4
tacacs-server key 7 0123ABCD
radius-server host 10.1.1.1 key S3cr3t
 key authentication cipher %$%$efgh
"""
DEVICE_VALUES = (
    "private", "abcDEF123", "SoMeThaNGwIErd", "abcdefghijklmnop", "Huawei@123", "ijklmnop", "cisco123", "bbbbbbbb",
    "letmein", "0822455D0A16", "%$%$abc", "PLAIN1", "PLAIN2", "PLAIN3", "PLAIN4", "0123ABCD", "S3cr3t", "efgh",
)  # fmt: skip


def test_device_passwords_communities_and_keys_lose_their_values_and_keep_their_forms():
    redacted = Redactor.from_policy([]).text(DEVICE_SECRETS)
    for value in DEVICE_VALUES:
        assert value not in redacted, value
    for form in (
        "password irreversible-cipher [",
        "password simple [",
        "password hash [",
        "secret 5 [",
        "password 7 [",
    ):
        assert form in redacted, form
    assert "snmp-server community [已脱敏 redacted: SNMP community] RW 99" in redacted


def test_linux_lines_that_look_alike_are_left_alone():
    lines = (
        "password    requisite     pam_pwquality.so retry=3\n"
        "password [success=1 default=ignore] pam_unix.so obscure yescrypt\n"
        "ssh server key-exchange dh_group14_sha1\nssh user admin assign rsa-key LinuxServer\n"
    )
    assert Redactor.from_policy([]).text(lines) == lines


def test_a_redacted_device_configuration_is_judged_as_before(repo):
    from compliance.devices.verdicts import configuration_verdicts
    from compliance.model.host_policy import policy_for_host

    settings = policy_for_host(repo, "core-sw-01").settings
    redactor = Redactor.from_policy([])
    configs = sorted((repo / "compliance" / "kinds" / "network_device" / "fixtures").glob("*/*.cfg"))

    for config in configs:
        text, platform = config.read_text(), config.parent.name
        before = configuration_verdicts(platform, text, settings)
        assert configuration_verdicts(platform, redactor.text(text), settings) == before, config.name
    assert any("redacted: device secret" in redactor.text(c.read_text()) for c in configs)
