"""network_device.password_policy, 8.1.4.1 a): Local passwords follow the policy's length, classes and ageing.

设备本地口令满足长度、复杂度与定期更换要求。

accounts.yml's `password_min_length`, `password_min_classes` and `password_max_age_days` apply to devices as
to hosts. Comware: `password-control enable` with `length`, `composition type-number` and `aging` (its
defaults once enabled: 10 characters, one class, 90 days). VRP: `local-aaa-user password policy
administrator` with `password expire` (0 never expires); VRP checks a new password's complexity itself
(8 characters of two classes), which is no configuration line, so the length and classes are 部分符合
for the evaluator to see. IOS: `security passwords min-length` and `aaa common-criteria policy`. The check
sees the rules, not the accounts: the evaluator must still see that identities are unique.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, partial
from compliance.kinds.network_device.facts import DeviceFacts, quote

UNREAD_ZH = {"length": "长度", "classes": "复杂度"}


@check(
    id="network_device.password_policy",
    kind="network_device",
    clauses=("8.1.4.1 a)",),
    policies=("accounts",),
    zh="设备本地口令满足长度、复杂度与定期更换要求",
    en="Local passwords follow the policy's length, classes and ageing",
    high_risk=False,
    remediation=(),
    partly={"8.1.4.1 a)": ("that each administrator has an account of their own", "管理员账户唯一、不共用")},
)
def password_policy(facts: DeviceFacts, policy: Settings) -> Outcome:
    accounts = policy["accounts"]
    length, classes, age = (
        accounts["password_min_length"],
        accounts["password_min_classes"],
        accounts["password_max_age_days"],
    )
    rules = facts.password_rules()
    observed = {
        "policy": "on" if rules.enabled else "not configured",
        "min_length": rules.min_length if rules.min_length is not None else "not set",
        "min_classes": rules.min_classes if rules.min_classes is not None else "not set",
        "max_age_days": rules.max_age_days if rules.max_age_days is not None else "not set",
        "lines": [quote(line) for line in rules.lines],
    }
    expected = {"min_length": f">= {length}", "min_classes": f">= {classes}", "max_age_days": f"1..{age}"}
    problems = Problems()
    if not rules.enabled:
        problems.add("no password policy is configured", "未配置口令策略")
        return problems.outcome(observed, expected, "", "")
    if rules.min_length is not None and rules.min_length < length:
        problems.add(
            f"passwords may be {rules.min_length} characters, fewer than {length}",
            f"口令最短 {rules.min_length} 位，少于 {length} 位",
        )
    if rules.min_classes is not None and rules.min_classes < classes:
        problems.add(
            f"passwords need {rules.min_classes} character classes, fewer than {classes}",
            f"口令仅需 {rules.min_classes} 类字符，少于 {classes} 类",
        )
    if rules.max_age_days is None or rules.max_age_days <= 0:
        problems.add("passwords never expire", "口令永不过期")
    elif rules.max_age_days > age:
        problems.add(
            f"passwords expire after {rules.max_age_days} days, more than {age}",
            f"口令 {rules.max_age_days} 天后才过期，超过 {age} 天",
        )
    outcome = problems.outcome(observed, expected, "the password policy meets the hospital's", "口令策略符合要求")
    unread = [name for name, value in (("length", rules.min_length), ("classes", rules.min_classes)) if value is None]
    if problems.english or not unread:
        return outcome
    return partial(
        observed,
        expected,
        f"ageing is configured, but the firmware's own {' and '.join(unread)} rules are no configuration line: "
        "the evaluator must still see them (VRP: 8 characters of two classes at least)",
        f"已配置口令有效期，但口令{'与'.join(UNREAD_ZH[n] for n in unread)}由固件内置规则决定，"
        "测评人员还需核查（VRP：至少 8 位、两类字符）",
    )
