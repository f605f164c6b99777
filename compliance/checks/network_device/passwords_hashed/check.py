"""network_device.passwords_hashed, 8.1.4.8 a): Passwords in the configuration are one-way hashes.

设备配置中的口令以不可逆方式存储。

Credentials are important data whose stored form must be protected by cryptography. A password kept in
clear (VRP/Comware `simple`, IOS `password 0` without `service password-encryption`) fails, and so does a
reversible one (VRP/Comware `cipher`, IOS type 7, which anyone can decode): VRP `irreversible-cipher`,
Comware `hash` and IOS `secret` (types 5, 8, 9) pass. The check sees the device's own credentials; the
evaluator must still see how business data and personal information are stored.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DeviceFacts, quote


@check(
    id="network_device.passwords_hashed",
    kind="network_device",
    clauses=("8.1.4.8 a)",),
    policies=("network_devices",),
    zh="设备配置中的口令以不可逆方式存储",
    en="Passwords in the configuration are one-way hashes",
    high_risk=False,
    remediation=(),
    partly={
        "8.1.4.8 a)": ("how business data and personal information are stored", "重要业务数据与个人信息的存储保密性")
    },
)
def passwords_hashed(facts: DeviceFacts, policy: Settings) -> Outcome:
    secrets = facts.stored_secrets()
    observed = {"passwords": {f"{s.owner} ({quote(s.line)})": s.form for s in secrets}}
    expected = {"every password": "hashed (irreversible-cipher, hash, secret 5/8/9)"}
    problems = Problems()
    for secret in secrets:
        if secret.form == "plaintext":
            problems.add(f"{secret.owner}: password kept in clear", f"{secret.owner}：口令明文存储")
        elif secret.form == "reversible":
            problems.add(f"{secret.owner}: password kept in a reversible form", f"{secret.owner}：口令以可逆方式存储")
    if not secrets:
        return problems.outcome(
            {"passwords": "none in the configuration"},
            expected,
            "no password is kept in the configuration (remote authentication)",
            "配置中未保存口令（远程认证）",
        )
    return problems.outcome(observed, expected, "every password is hashed", "口令均以不可逆方式存储")
