"""linux.password_complexity, 8.1.4.1 a): Password complexity (length and character classes).

口令复杂度（长度与字符类别）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, failed
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.text import as_int

PASSWORD_QUALITY_MODULES = ("pam_pwquality.so", "pam_cracklib.so")


CLASS_CREDITS = ("dcredit", "ucredit", "lcredit", "ocredit")


@check(
    id="linux.password_complexity",
    clauses=("8.1.4.1 a)",),
    policies=("accounts",),
    zh="口令复杂度（长度与字符类别）",
    en="Password complexity (length and character classes)",
    high_risk=True,
    remediation=("accounts:pam",),
)
def password_complexity(facts: HostFacts, policy: Settings) -> Outcome:
    accounts = policy["accounts"]
    expected = {"minlen": f">= {accounts['password_min_length']}", "minclass": f">= {accounts['password_min_classes']}"}
    modules = [line for m in PASSWORD_QUALITY_MODULES for line in facts.pam_modules("password", m)]
    if not modules:
        return failed(
            {"password_stack_module": None},
            {"password_stack_module": " or ".join(PASSWORD_QUALITY_MODULES), **expected},
            "no password-quality module (pam_pwquality) in the PAM password stack",
            "PAM 口令栈中未启用口令质量模块（pam_pwquality）",
        )
    settings = dict(facts.pwquality)
    for argument in modules[0].arguments:
        key, _, value = argument.partition("=")
        settings[key] = value
    minlen = as_int(settings.get("minlen")) or 0
    minclass = as_int(settings.get("minclass")) or 0
    required_by_credit = sum(1 for key in CLASS_CREDITS if (as_int(settings.get(key)) or 0) < 0)
    classes = max(minclass, required_by_credit)
    observed = {"module": modules[0].module, "minlen": minlen, "minclass": classes}
    problems = Problems()
    if minlen < accounts["password_min_length"]:
        problems.add(
            f"minimum length {minlen} < {accounts['password_min_length']}",
            f"最小长度 {minlen} 小于 {accounts['password_min_length']}",
        )
    if classes < accounts["password_min_classes"]:
        problems.add(
            f"character classes required {classes} < {accounts['password_min_classes']}",
            f"要求的字符类别数 {classes} 小于 {accounts['password_min_classes']}",
        )
    return problems.outcome(observed, expected, "password quality meets the policy", "口令复杂度符合策略")
