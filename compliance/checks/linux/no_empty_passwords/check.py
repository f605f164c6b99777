"""linux.no_empty_passwords, 8.1.4.1 a): No empty passwords, and PAM refuses them.

无空口令账户，PAM 不接受空口令。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.no_empty_passwords",
    clauses=("8.1.4.1 a)",),
    policies=(),
    zh="无空口令账户，PAM 不接受空口令",
    en="No empty passwords, and PAM refuses them",
    high_risk=True,
    remediation=("accounts:pam",),
)
def no_empty_passwords(facts: HostFacts, policy: Settings) -> Outcome:
    del policy
    empty = sorted(entry.name for entry in facts.shadow.values() if entry.state == "empty")
    nullok = sorted({line.file for line in facts.pam if line.module == "pam_unix.so" and "nullok" in line.arguments})
    observed = {"empty_password_accounts": empty, "pam_nullok_files": nullok}
    expected = {"empty_password_accounts": [], "pam_nullok_files": []}
    problems = Problems()
    if empty:
        problems.add(f"accounts with an empty password: {', '.join(empty)}", f"空口令账户：{', '.join(empty)}")
    if nullok:
        problems.add(
            f"pam_unix accepts empty passwords (nullok) in {', '.join(nullok)}",
            f"pam_unix 允许空口令（nullok）：{', '.join(nullok)}",
        )
    return problems.outcome(observed, expected, "no account can log in without a password", "无空口令")
