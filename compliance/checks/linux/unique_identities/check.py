"""linux.unique_identities, 8.1.4.1 a), 8.1.4.2 c): Unique identities (no duplicate UIDs, no shared superuser).

身份标识唯一（无重复 UID、无共享超级用户）。
"""

from __future__ import annotations

from collections import Counter

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.unique_identities",
    clauses=("8.1.4.1 a)", "8.1.4.2 c)"),
    policies=(),
    zh="身份标识唯一（无重复 UID、无共享超级用户）",
    en="Unique identities (no duplicate UIDs, no shared superuser)",
    high_risk=False,
    remediation=(),
)
def unique_identities(facts: HostFacts, policy: Settings) -> Outcome:
    del policy
    uids = Counter(account.uid for account in facts.accounts)
    names = Counter(account.name for account in facts.accounts)
    duplicate_uids = sorted(uid for uid, count in uids.items() if count > 1)
    duplicate_names = sorted(name for name, count in names.items() if count > 1)
    superusers = sorted(account.name for account in facts.accounts if account.uid == 0)
    observed = {"duplicate_uids": duplicate_uids, "duplicate_names": duplicate_names, "uid_0": superusers}
    expected = {"duplicate_uids": [], "duplicate_names": [], "uid_0": ["root"]}
    problems = Problems()
    if duplicate_uids:
        problems.add(f"UIDs shared by several accounts: {duplicate_uids}", f"多个账户共用 UID：{duplicate_uids}")
    if duplicate_names:
        problems.add(f"account names listed twice: {duplicate_names}", f"账户名重复：{duplicate_names}")
    if superusers != ["root"]:
        problems.add(f"accounts with UID 0: {superusers}", f"UID 为 0 的账户：{superusers}")
    return problems.outcome(observed, expected, "every identity is unique", "身份标识唯一")
