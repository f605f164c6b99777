"""linux.remote_admin_encrypted, 8.1.4.1 c): Remote administration only over encrypted channels (no telnet, rsh and the
like).

远程管理仅经加密通道（无 telnet/rsh 等明文服务）。
"""

from __future__ import annotations

from compliance.checks import Outcome, Problems, Settings, check, not_applicable
from compliance.kinds.linux.facts import HostFacts
from compliance.kinds.linux.facts.text import as_int

PLAINTEXT_ADMIN_PORTS = {23: "telnet", 512: "rexec", 513: "rlogin", 514: "rsh"}


@check(
    id="linux.remote_admin_encrypted",
    clauses=("8.1.4.1 c)",),
    policies=("host_hardening",),
    zh="远程管理仅经加密通道（无 telnet/rsh 等明文服务）",
    en="Remote administration only over encrypted channels (no telnet, rsh and the like)",
    high_risk=True,
    remediation=("hardening:minimal_installation", "sshd:sshd"),
)
def remote_admin_encrypted(facts: HostFacts, policy: Settings) -> Outcome:
    forbidden = set(policy["host_hardening"]["forbidden_packages"])
    plaintext = sorted(
        {
            f"{PLAINTEXT_ADMIN_PORTS[item.port]}/{item.port}"
            for item in facts.listeners
            if item.port in PLAINTEXT_ADMIN_PORTS
        }
    )
    installed = sorted(name for name in facts.packages if name in forbidden and ("telnet" in name or "rsh" in name))
    ssh_listening = bool(facts.sshd) and any(
        item.port in {as_int(p) for p in facts.sshd.get("port", ["22"])} for item in facts.listeners
    )
    observed = {
        "plaintext_listeners": plaintext,
        "plaintext_servers_installed": installed,
        "sshd_listening": ssh_listening,
    }
    expected = {"plaintext_listeners": [], "plaintext_servers_installed": [], "sshd_listening": True}
    problems = Problems()
    if plaintext:
        problems.add(
            f"plaintext remote login listening: {', '.join(plaintext)}",
            f"明文远程登录服务在监听：{', '.join(plaintext)}",
        )
    if installed:
        problems.add(
            f"plaintext remote login servers installed: {', '.join(installed)}",
            f"安装了明文远程登录服务：{', '.join(installed)}",
        )
    if not plaintext and not installed and facts.ssh_server == "absent":
        return not_applicable(
            observed,
            "no remote login service at all (no SSH server, no plaintext one): nothing is administered remotely",
            "既无 SSH 服务端也无明文远程登录服务：不存在远程管理",
        )
    if not ssh_listening:
        problems.add("sshd is not listening", "sshd 未监听")
    return problems.outcome(observed, expected, "remote administration uses SSH only", "远程管理仅使用 SSH")
