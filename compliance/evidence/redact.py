"""Taking secrets and personal data out of evidence before it is stored.

A command's output may show what must never sit in an evidence package handed to an
evaluator: password hashes, private keys, passwords in configuration lines or URLs,
resident ID numbers and patient identifiers in file names. Each match is replaced by a
marker naming what was removed, `[已脱敏 redacted: <kind>]`, so the evaluator sees that
something was there and what kind of thing it was. The hospital's own patient-identifier
patterns come from `policies/evidence.yml`; the rest are built in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

MARK = "[已脱敏 redacted: {}]"
# Texts up to this length are remembered per redactor (most strings of a run's results repeat across hosts); a
# probe's output, longer and different on every host, is not kept.
MEMO_LENGTH = 512
SECRET_VALUE = r"(?!\[已脱敏)(?:\"[^\"]*\"|'[^']*'|[^\s,;]+)"
SECRET_KEYS = (
    r"password|passwd|passphrase|pwd|_pass|secret|token|api[_-]?key|access[_-]?key|bindpw|rootpw|authtok"
    r"|credentials?|auth[_-]?key"
)
# A key that ends in one of those words: `PGPASSWORD`, `DB_PASSWORD`, `MYSQL_PWD`, `ldap_default_authtok`,
# `aws_secret_access_key`; not `password_max_age_days` nor `PasswordAuthentication`.
SECRET_NAME = rf"(?<![A-Za-z0-9_])[A-Za-z0-9_]*(?:{SECRET_KEYS})(?![A-Za-z0-9_])"

# Resident ID (GB 11643): 6-digit region, birth date, 3-digit sequence, check character.
RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])(\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?!\d)"
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def is_resident_id(number: str) -> bool:
    """Whether an 18-character number carries a valid GB 11643 check character."""
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17].upper()


@dataclass(frozen=True)
class Rule:
    """A pattern and what replaces its matches. `needs`: literals of which a text must hold one for the pattern
    to match at all (compared with the text lower-cased when `folded`), so most of a run's short strings are
    passed over without running the pattern; `shortest`: the fewest characters a match has."""

    kind: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str], str], str]
    needs: tuple[str, ...] = ()
    folded: bool = False
    shortest: int = 0

    def may_match(self, text: str, lowered: str) -> bool:
        if len(text) < self.shortest:
            return False
        haystack = lowered if self.folded else text
        return not self.needs or any(needle in haystack for needle in self.needs)


def _whole(match: re.Match[str], mark: str) -> str:
    return mark


def _value_only(match: re.Match[str], mark: str) -> str:
    """Keep the key and separator, replace the value."""
    return match.group("keep") + mark


def _resident_id(match: re.Match[str], mark: str) -> str:
    return mark if is_resident_id(match.group(1)) else match.group(0)


BUILT_IN: tuple[Rule, ...] = (
    Rule(
        "private key",
        re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.DOTALL),
        _whole,
        needs=("PRIVATE KEY-----",),
    ),
    # Network devices' running configurations (VRP, Comware, IOS). The value goes, its form stays (`cipher`,
    # `irreversible-cipher`, `hash`, `simple`, IOS `0`/`5`/`7`/`9`), so a stored configuration is judged again
    # with the same verdicts (tests/evidence/test_redaction.py).
    Rule(
        "device secret",
        # `password irreversible-cipher X`, `local-user u password cipher X`, `set authentication password simple X`,
        # `super password hash X`, `username u secret 5 X`, `enable secret 9 X`, ` password 7 X`.
        re.compile(
            r"(?m)^(?P<keep>[ \t]*(?:(?:local-user|username)[ \t]+\S+[ \t]+(?:privilege[ \t]+\d+[ \t]+)?"
            r"|set[ \t]+authentication[ \t]+|super[ \t]+|enable[ \t]+)?(?:password|secret)[ \t]+"
            r"(?:level[ \t]+\d+[ \t]+)?(?:irreversible-cipher|cipher|simple|hash|[0-9])[ \t]+)[^\s\[]\S*"
        ),
        _value_only,
        needs=("password", "secret"),
    ),
    Rule(
        "device secret",
        # IOS without a type: `enable password X`, a line's ` password X`, `username u password X` (whole line).
        re.compile(r"(?m)^(?P<keep>[ \t]*(?:enable[ \t]+|username[ \t]+\S+[ \t]+)?password[ \t]+)[^\s\[]\S*[ \t]*$"),
        _value_only,
        needs=("password",),
    ),
    Rule(
        "SNMP community",
        re.compile(
            r"(?m)^(?P<keep>[ \t]*(?:snmp-agent[ \t]+community[ \t]+(?:read|write)[ \t]+(?:cipher[ \t]+|simple[ \t]+)?"
            r"|snmp-server[ \t]+community[ \t]+))[^\s\[]\S*"
        ),
        _value_only,
        needs=("community",),
    ),
    Rule(
        "device secret",
        # SNMPv3 and AAA keys: `authentication-mode sha cipher X`, `authkey X`, `shared-key cipher X`,
        # `tacacs-server key 7 X`, `radius-server host h key X`, IOS `snmp-server user … auth sha X priv aes 128 X`.
        re.compile(
            r"(?P<keep>(?:\b(?:authkey|privkey|auth-password|priv-password|shared-key)"
            r"|(?<![\w-])key(?:[ \t]+(?:authentication|accounting|authorization))?"
            r"|\bauthentication-mode[ \t]+(?:md5|sha\S*)|\bprivacy-mode[ \t]+\S+|\bauth[ \t]+(?:md5|sha)"
            r"|\bpriv[ \t]+(?:des|3des|aes(?:[ \t]+\d+)?))[ \t]+(?:cipher[ \t]+|simple[ \t]+|[0-9][ \t]+)?)"
            r"(?=[^\s\[])"
            r"(?!(?:cipher|simple|authkey|privkey|authentication|accounting|authorization|chain|config-key|string)\b)\S+"
        ),
        _value_only,
        needs=("key", "auth", "priv"),
    ),
    Rule(
        "password hash",
        re.compile(r"\$(?:1|2[abxy]?|5|6|7|y|gy|sha1|md5)\$[^\s:$]*\$?[./A-Za-z0-9$]{8,}"),
        _whole,
        needs=("$",),
    ),
    Rule(
        "password in URL",
        re.compile(r"(?P<keep>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(?=@)", re.IGNORECASE),
        _value_only,
        needs=("://",),
    ),
    Rule(
        "secret",
        # `--password=x`, `bindpw = x`, `PGPASSWORD=x`, `export DB_PASSWORD='x'`; not `PasswordAuthentication`.
        re.compile(rf"(?P<keep>{SECRET_NAME}\s*=\s*){SECRET_VALUE}", re.IGNORECASE),
        _value_only,
        needs=("=",),
    ),
    Rule(
        "secret",
        # `token: x` at the start of a line or of a `path:` line (YAML); not a file name such as
        # `common-password:` nor a PAM `password` stack line.
        re.compile(
            rf"(?P<keep>(?:^|(?<=[\s:]))[A-Za-z0-9_]*(?:{SECRET_KEYS}):[ \t]+){SECRET_VALUE}",
            re.IGNORECASE | re.MULTILINE,
        ),
        _value_only,
        needs=(":",),
    ),
    Rule(
        "secret",
        # JSON: `"db_password": "x"`.
        re.compile(rf'(?P<keep>"[A-Za-z0-9_]*(?:{SECRET_KEYS})"\s*:\s*)"[^"]*"', re.IGNORECASE),
        _value_only,
        needs=('"',),
    ),
    Rule(
        "secret",
        # A keyword and its value separated by blanks, as nslcd.conf, slapd.conf and ldap.conf write them.
        re.compile(
            r"(?P<keep>(?:^|(?<=:))[ \t]*(?:bindpw|rootpw|ldap_default_authtok)[ \t]+)(?![=:])\S+", re.MULTILINE
        ),
        _value_only,
        needs=("bindpw", "rootpw", "ldap_default_authtok"),
    ),
    Rule(
        "password option",
        # `mysql -pSECRET`, `mysqldump -uroot -pSECRET`: the password glued to -p.
        re.compile(
            r"(?P<keep>\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mariadb|mariadb-dump|mariadb-admin)\b[^\n]*?"
            r"\s-p)(?!\s)[^\s;|&]+"
        ),
        _value_only,
        needs=("-p",),
    ),
    Rule(
        "password option",
        # `sshpass -p SECRET ssh …`
        re.compile(r"(?P<keep>\bsshpass\b(?:\s+-[a-oq-zA-Z]\S*)*\s+-p\s*)[^\s;|&]+"),
        _value_only,
        needs=("sshpass",),
    ),
    Rule(
        "password option",
        # `curl -u user:SECRET`, `curl --user=user:SECRET`, `wget --password SECRET` is handled above.
        re.compile(r"(?P<keep>\b(?:curl|wget)\b[^\n]*?\s(?:-u|--user)[\s=]*['\"]?[^\s:'\"]+:)[^\s'\"@]+"),
        _value_only,
        needs=("curl", "wget"),
    ),
    Rule(
        "authorization header",
        re.compile(r"(?P<keep>\bAuthorization:\s*(?:Bearer|Basic|Token|Digest)\s+)[^\s'\"]+", re.IGNORECASE),
        _value_only,
        needs=("authorization:",),
        folded=True,
    ),
    Rule(
        "cloud access key",
        re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
        _whole,
        needs=("AKIA", "ASIA", "AGPA", "AIDA", "AROA"),
    ),
    Rule(
        "secret",
        # SQL: `IDENTIFIED BY 'x'`.
        re.compile(r"(?P<keep>\bidentified\s+by\s+)(?:'[^']*'|\"[^\"]*\")", re.IGNORECASE),
        _value_only,
        needs=("identified",),
        folded=True,
    ),
    Rule("resident ID number", RESIDENT_ID, _resident_id, shortest=18),
)


@dataclass
class Redactor:
    """Built-in rules, then the hospital's patient-identifier patterns; counts what it removed."""

    rules: tuple[Rule, ...] = BUILT_IN
    counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_policy(cls, patient_identifiers: Iterable[dict[str, str]]) -> Redactor:
        extra = tuple(
            Rule(f"patient identifier ({entry['zh']} {entry['name']})", re.compile(entry["regex"]), _whole)
            for entry in patient_identifiers
        )
        return cls(BUILT_IN + extra)

    memo: dict[str, tuple[str, Counter[str]]] = field(default_factory=dict)

    def text(self, value: str) -> str:
        """The text with every match replaced. A short text already seen (a verdict, a clause id, a reason
        repeated on every host) is answered from memory, its removals counted again."""
        known = self.memo.get(value)
        if known is None:
            known = self._redact(value)
            if len(value) <= MEMO_LENGTH:
                self.memo[value] = known
        redacted, removed = known
        if removed:
            self.counts.update(removed)
        return redacted

    def _redact(self, value: str) -> tuple[str, Counter[str]]:
        removed: Counter[str] = Counter()
        lowered = value.lower()
        for rule in self.rules:
            if not rule.may_match(value, lowered):
                continue
            mark = MARK.format(rule.kind)

            def substitute(match: re.Match[str], rule: Rule = rule, mark: str = mark) -> str:
                replaced = rule.replace(match, mark)
                if replaced != match.group(0):
                    removed[rule.kind] += 1
                return replaced

            changed = rule.pattern.sub(substitute, value)
            if changed is not value and changed != value:
                value, lowered = changed, changed.lower()
        return value, removed

    def document(self, value: Any) -> Any:
        """Every string inside a JSON-like document, redacted; the structure is kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.document(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.document(item) for item in value]
        return value
