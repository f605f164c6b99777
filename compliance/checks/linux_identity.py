"""8.1.4.1 身份鉴别 / Identification and authentication, on Linux hosts."""

from __future__ import annotations

from collections import Counter

from compliance.checks import Outcome, Problems, Settings, check, failed, not_applicable, passed
from compliance.scan.facts import HostFacts

PASSWORD_QUALITY_MODULES = ("pam_pwquality.so", "pam_cracklib.so")
CLASS_CREDITS = ("dcredit", "ucredit", "lcredit", "ocredit")
SECOND_FACTOR_MODULES = ("pam_google_authenticator.so", "pam_oath.so", "pam_u2f.so", "pam_radius_auth.so")
PLAINTEXT_ADMIN_PORTS = {23: "telnet", 512: "rexec", 513: "rlogin", 514: "rsh"}


def _number(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@check(
    id="linux.password_complexity",
    clauses=("8.1.4.1 a)",),
    policies=("accounts",),
    zh="口令复杂度（长度与字符类别）",
    en="Password complexity (length and character classes)",
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
    minlen = _number(settings.get("minlen")) or 0
    minclass = _number(settings.get("minclass")) or 0
    required_by_credit = sum(1 for key in CLASS_CREDITS if (_number(settings.get(key)) or 0) < 0)
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


@check(
    id="linux.password_aging",
    clauses=("8.1.4.1 a)",),
    policies=("accounts",),
    zh="口令定期更换与历史口令",
    en="Password ageing and reuse",
)
def password_aging(facts: HostFacts, policy: Settings) -> Outcome:
    accounts = policy["accounts"]
    defs = facts.login_defs
    max_days = _number(defs.get("PASS_MAX_DAYS"))
    min_days = _number(defs.get("PASS_MIN_DAYS"))
    warn_days = _number(defs.get("PASS_WARN_AGE"))
    history_lines = facts.pam_modules("password", "pam_pwhistory.so") + facts.pam_modules("password", "pam_unix.so")
    remembered = max((_number(line.argument("remember")) or 0 for line in history_lines), default=0)
    stale = sorted(
        entry.name
        for entry in facts.shadow.values()
        if entry.state == "hash" and (entry.max_days is None or entry.max_days > accounts["password_max_age_days"])
    )
    observed = {
        "PASS_MAX_DAYS": max_days,
        "PASS_MIN_DAYS": min_days,
        "PASS_WARN_AGE": warn_days,
        "remember": remembered,
        "accounts_without_expiry": stale,
    }
    expected = {
        "PASS_MAX_DAYS": f"<= {accounts['password_max_age_days']}",
        "PASS_MIN_DAYS": f">= {accounts['password_min_age_days']}",
        "PASS_WARN_AGE": f">= {accounts['password_warn_age_days']}",
        "remember": f">= {accounts['password_history']}",
        "accounts_without_expiry": [],
    }
    problems = Problems()
    if max_days is None or max_days > accounts["password_max_age_days"]:
        problems.add(f"PASS_MAX_DAYS is {max_days}", f"PASS_MAX_DAYS 为 {max_days}")
    if min_days is None or min_days < accounts["password_min_age_days"]:
        problems.add(f"PASS_MIN_DAYS is {min_days}", f"PASS_MIN_DAYS 为 {min_days}")
    if warn_days is None or warn_days < accounts["password_warn_age_days"]:
        problems.add(f"PASS_WARN_AGE is {warn_days}", f"PASS_WARN_AGE 为 {warn_days}")
    if remembered < accounts["password_history"]:
        problems.add(f"only {remembered} previous passwords are refused", f"仅禁止重复使用最近 {remembered} 个口令")
    if stale:
        problems.add(
            f"accounts whose password never has to change: {', '.join(stale)}",
            f"口令未设置有效期的账户：{', '.join(stale)}",
        )
    return problems.outcome(observed, expected, "passwords age as required", "口令定期更换符合策略")


@check(
    id="linux.unique_identities",
    clauses=("8.1.4.1 a)", "8.1.4.2 c)"),
    policies=(),
    zh="身份标识唯一（无重复 UID、无共享超级用户）",
    en="Unique identities (no duplicate UIDs, no shared superuser)",
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


@check(
    id="linux.no_empty_passwords",
    clauses=("8.1.4.1 a)",),
    policies=(),
    zh="无空口令账户，PAM 不接受空口令",
    en="No empty passwords, and PAM refuses them",
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


@check(
    id="linux.login_failure_lockout",
    clauses=("8.1.4.1 b)",),
    policies=("accounts",),
    zh="登录失败锁定（pam_faillock）",
    en="Lockout after failed logins (pam_faillock)",
)
def login_failure_lockout(facts: HostFacts, policy: Settings) -> Outcome:
    accounts = policy["accounts"]
    expected = {
        "deny": f"1..{accounts['lockout_deny']}",
        "unlock_time": f">= {accounts['lockout_unlock_seconds']} (0 = until an administrator unlocks)",
        "even_deny_root": accounts["lockout_include_root"],
    }
    lines = facts.pam_modules("auth", "pam_faillock.so")
    if not lines:
        return failed(
            {"pam_faillock": None},
            {"pam_faillock": "in the auth stack", **expected},
            "pam_faillock is not in the PAM auth stack",
            "PAM 认证栈未启用 pam_faillock",
        )
    settings = dict(facts.faillock_conf)
    for line in lines:
        for argument in line.arguments:
            key, _, value = argument.partition("=")
            settings[key] = value
    deny = _number(settings.get("deny")) or 3  # pam_faillock's built-in default
    unlock = _number(settings.get("unlock_time"))
    unlock = 600 if unlock is None else unlock
    even_root = "even_deny_root" in settings
    has_preauth = any("preauth" in line.arguments for line in lines)
    has_authfail = any("authfail" in line.arguments for line in lines)
    observed = {
        "deny": deny,
        "unlock_time": unlock,
        "even_deny_root": even_root,
        "preauth": has_preauth,
        "authfail": has_authfail,
    }
    problems = Problems()
    if not (has_preauth and has_authfail):
        problems.add("pam_faillock must run both preauth and authfail", "pam_faillock 须同时配置 preauth 与 authfail")
    if not 0 < deny <= accounts["lockout_deny"]:
        problems.add(f"deny={deny}", f"deny={deny}")
    if unlock != 0 and unlock < accounts["lockout_unlock_seconds"]:
        problems.add(f"unlock_time={unlock}s", f"unlock_time={unlock} 秒")
    if accounts["lockout_include_root"] and not even_root:
        problems.add(
            "root is never locked out (even_deny_root missing)", "root 账户不受锁定限制（缺少 even_deny_root）"
        )
    return problems.outcome(observed, expected, "failed logins lock the account", "登录失败锁定符合策略")


@check(
    id="linux.session_timeout",
    clauses=("8.1.4.1 b)",),
    policies=("accounts",),
    zh="登录超时自动退出（TMOUT）",
    en="Idle sessions log out (TMOUT)",
)
def session_timeout(facts: HostFacts, policy: Settings) -> Outcome:
    limit = policy["accounts"]["idle_timeout_seconds"]
    settings: dict[str, int] = {}
    readonly = False
    for line in facts.text("shell_timeout").splitlines():
        path, _, text = line.partition(":")
        code = text.split("#", 1)[0]
        for word in code.replace(";", " ").split():
            if word.startswith("TMOUT=") and _number(word[len("TMOUT=") :]) is not None:
                settings[path] = int(word[len("TMOUT=") :])
        if "readonly TMOUT" in code or "declare -r TMOUT" in code or "typeset -r TMOUT" in code:
            readonly = True
    values = sorted(set(settings.values()))
    observed = {"TMOUT": settings, "readonly": readonly}
    expected = {"TMOUT": f"1..{limit} seconds, in /etc/profile or /etc/profile.d", "readonly": True}
    problems = Problems()
    if not values:
        problems.add("no TMOUT is set for login shells", "登录 Shell 未设置 TMOUT")
    elif any(value <= 0 or value > limit for value in values):
        problems.add(f"TMOUT values {values} exceed {limit}s", f"TMOUT 取值 {values} 超过 {limit} 秒")
    if values and not readonly:
        problems.add("TMOUT is not read-only, users can lift it", "TMOUT 未设为只读，用户可自行取消")
    return problems.outcome(observed, expected, "idle shells log out", "空闲会话自动退出")


@check(
    id="linux.ssh_login_limits",
    clauses=("8.1.4.1 b)",),
    policies=("ssh",),
    zh="SSH 登录尝试次数限制与空口令禁止",
    en="SSH limits login attempts and refuses empty passwords",
)
def ssh_login_limits(facts: HostFacts, policy: Settings) -> Outcome:
    ssh = policy["ssh"]
    tries = _number(facts.sshd_value("maxauthtries"))
    empty = facts.sshd_value("permitemptypasswords")
    observed = {"MaxAuthTries": tries, "PermitEmptyPasswords": empty}
    expected = {"MaxAuthTries": f"1..{ssh['max_auth_tries']}", "PermitEmptyPasswords": "no"}
    if tries is None:
        return failed(observed, expected, "sshd configuration could not be read", "无法读取 sshd 配置")
    problems = Problems()
    if not 0 < tries <= ssh["max_auth_tries"]:
        problems.add(f"MaxAuthTries is {tries}", f"MaxAuthTries 为 {tries}")
    if empty != "no":
        problems.add(f"PermitEmptyPasswords is {empty}", f"PermitEmptyPasswords 为 {empty}")
    return problems.outcome(observed, expected, "SSH login attempts are limited", "SSH 登录尝试受限")


@check(
    id="linux.remote_admin_encrypted",
    clauses=("8.1.4.1 c)",),
    policies=("host_hardening",),
    zh="远程管理仅经加密通道（无 telnet/rsh 等明文服务）",
    en="Remote administration only over encrypted channels (no telnet, rsh and the like)",
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
        item.port in {_number(p) for p in facts.sshd.get("port", ["22"])} for item in facts.listeners
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
    if not ssh_listening:
        problems.add("sshd is not listening", "sshd 未监听")
    return problems.outcome(observed, expected, "remote administration uses SSH only", "远程管理仅使用 SSH")


@check(
    id="linux.admin_two_factor",
    clauses=("8.1.4.1 d)",),
    policies=("accounts",),
    zh="管理员双因素鉴别",
    en="Two-factor authentication for administrators",
)
def admin_two_factor(facts: HostFacts, policy: Settings) -> Outcome:
    methods = facts.sshd.get("authenticationmethods", [])
    combined = [m for value in methods for m in value.split() if "," in m]
    modules = sorted(
        {line.module for line in facts.pam if line.kind == "auth" and line.module in SECOND_FACTOR_MODULES}
    )
    observed = {"AuthenticationMethods": methods, "second_factor_pam_modules": modules}
    if not policy["accounts"]["two_factor_for_admins"]:
        return not_applicable(observed, "the policy does not require two factors here", "策略未要求此处使用双因素")
    expected = {
        "AuthenticationMethods": "every method list combines two methods, e.g. publickey,keyboard-interactive",
        "second_factor_pam_modules": f"one of {', '.join(SECOND_FACTOR_MODULES)} when keyboard-interactive is used",
    }
    every_list_combined = bool(methods) and all("," in m for value in methods for m in value.split())
    if every_list_combined and (modules or any(m.startswith("publickey,") for m in combined)):
        return passed(observed, expected, "SSH logins need two factors", "SSH 登录需两种鉴别因素（其一为密码技术）")
    return failed(
        observed,
        expected,
        "SSH accepts a single factor (AuthenticationMethods does not require two)",
        "SSH 仅需单一鉴别因素（AuthenticationMethods 未要求两种方式组合）",
    )
