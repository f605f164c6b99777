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
