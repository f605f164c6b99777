"""network_device.default_accounts, 8.1.4.2 b): No account the vendor ships by default is kept on the device.

设备不保留厂商默认账户（应重命名或删除）。

A local account named like one of the vendors' factory accounts (network_devices.yml `factory_accounts`:
VRP admin, huawei, root; Comware admin, h3c; IOS cisco), whatever its case, fails: its name is known to
everyone, and often its password too. Only local accounts are read (VRP `local-user` under `aaa`, Comware
`local-user`, IOS `username`); accounts of a RADIUS or TACACS server are that server's to show.
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check
from compliance.kinds.network_device.facts import DeviceFacts, quote


@check(
    id="network_device.default_accounts",
    kind="network_device",
    clauses=("8.1.4.2 b)",),
    policies=("network_devices",),
    zh="设备不保留厂商默认账户",
    en="No vendor default account is kept on the device",
    high_risk=False,
    remediation=(),
)
def default_accounts(facts: DeviceFacts, policy: Settings) -> Outcome:
    factory = {name.lower() for name in policy["network_devices"]["factory_accounts"]}
    users = facts.local_users()
    kept = {name: line for name, line in users.items() if name.lower() in factory}
    problems = Problems()
    for name, line in kept.items():
        problems.add(
            f"the vendor default account {name} is kept ({quote(line)}): rename or delete it",
            f"保留了厂商默认账户 {name}（{quote(line)}），应重命名或删除",
        )
    if not users:
        ok_en, ok_zh = "the device keeps no local account", "设备未配置本地账户"
    else:
        ok_en = f"none of the {len(users)} local accounts is a vendor default"
        ok_zh = f"{len(users)} 个本地账户中没有厂商默认账户"
    return problems.outcome({"local_accounts": sorted(users)}, {"none named": ", ".join(sorted(factory))}, ok_en, ok_zh)
