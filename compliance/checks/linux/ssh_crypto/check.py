"""linux.ssh_crypto, 8.1.4.1 c), 8.1.4.7 a), 8.1.4.8 a): SSH uses only the ciphers, MACs and key exchanges the policy
allows.

SSH 仅使用策略允许的加密、完整性与密钥交换算法。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, requires_ssh_server
from compliance.kinds.linux.facts import HostFacts


@check(
    id="linux.ssh_crypto",
    clauses=("8.1.4.1 c)", "8.1.4.7 a)", "8.1.4.8 a)"),
    policies=("ssh",),
    zh="SSH 仅使用策略允许的加密、完整性与密钥交换算法",
    en="SSH uses only the ciphers, MACs and key exchanges the policy allows",
    high_risk=False,
    remediation=("sshd:sshd",),
    partly={
        "8.1.4.7 a)": (
            "the integrity of the other important data in transit: application, database and interface traffic",
            "其他重要数据传输的完整性：应用、数据库与接口通信",
        ),
        "8.1.4.8 a)": (
            "the confidentiality of the other important data in transit: application, database and interface traffic",
            "其他重要数据传输的保密性：应用、数据库与接口通信",
        ),
    },
)
@requires_ssh_server
def ssh_crypto(facts: HostFacts, policy: Settings) -> Outcome:
    ssh = policy["ssh"]
    observed: dict[str, list[str]] = {}
    expected: dict[str, list[str]] = {}
    problems = Problems()
    for keyword, allowed in (
        ("ciphers", ssh["ciphers"]),
        ("macs", ssh["macs"]),
        ("kexalgorithms", ssh["kex_algorithms"]),
    ):
        offered = [name for value in facts.sshd.get(keyword, []) for name in value.split(",")]
        observed[keyword] = offered
        expected[keyword] = allowed
        extra = [name for name in offered if name not in allowed]
        if not offered:
            problems.add(f"{keyword}: not readable", f"{keyword}：无法读取")
        elif extra:
            problems.add(
                f"{keyword} outside the policy: {', '.join(extra)}", f"{keyword} 含策略外算法：{', '.join(extra)}"
            )
    return problems.outcome(observed, expected, "SSH algorithms match the policy", "SSH 算法符合策略")
