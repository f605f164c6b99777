"""Pushing a device's intended configuration safely: saved first, shown as a diff, checked after, rolled back.

NAPALM's drivers cannot do this for these platforms (its VRP driver merges but has no replace and only a
same-session rollback, its Comware driver has getters only), so a push is a netmiko command set with an
explicit rollback plan, worked out before anything is sent:

1. the running configuration is read and kept, with its time and SHA-256, as the push's evidence;
2. the change set is the intended lines the running configuration lacks, each in its section (a merge:
   lines the intended configuration does not name are left as they are); each change records the line
   it replaces, so the rollback plan sends that line back, or the change's negation (`undo`/`no`) where
   it replaced nothing. With `remove_extra` it also takes out the lines drift reports as extra (a line
   the intended configuration does not name that changes a check's verdict, such as a `permit` added by
   hand), and the rollback sends each back;
3. a dry run prints the change set and the rollback plan and sends nothing;
4. otherwise the change set is sent; then a new session reads the running configuration again (the
   management path still works) and every device check judges it. A refused command, a lost session or
   a failing check rolls the device back, and the configuration read after the rollback is compared with
   the one saved first, so the push says whether the rollback restored it.

IOS is planned and sent the same way, in its configuration mode (`configure terminal`, sections, `end`).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.devices.verdicts import configuration_verdicts
from compliance.digest import sha256_file
from compliance.kinds.network_device.collect import ERROR_PATTERN, close, collect_one, connect, platform_of
from compliance.kinds.network_device.config import ConfigLine, DeviceConfig, parse_config

# Settings that hold one value per section: a new line replaces the one with the same key (its first
# words, as many as listed), so the rollback sends the old line back. Anything else is added beside the
# lines already there (log hosts, NTP servers, users) and rolled back by its negation.
SINGLE_VALUED = (
    ("sysname",),
    ("hostname",),
    ("clock", "timezone"),
    ("idle-timeout",),
    ("exec-timeout",),
    ("authentication-mode",),
    ("protocol", "inbound"),
    ("transport", "input"),
    ("acl",),
    ("access-class",),
    ("ip", "address"),  # an interface's primary address
    ("header", "login"),
    ("banner", "login"),
    ("local-aaa-user", "wrong-password"),
    ("password", "expire"),
    ("password", "history"),
    ("password-control", "length"),
    ("password-control", "aging"),
    ("password-control", "history"),
    ("password-control", "composition"),
    ("password-control", "login-attempt"),
    ("snmp-agent", "sys-info", "version"),
    ("ssh", "server", "port"),
    ("ssh", "server", "acl"),
    ("aaa", "local", "authentication", "attempts"),
    ("security", "passwords", "min-length"),
    ("min-length",),
    ("lifetime",),
    ("ip", "ssh", "version"),
)


def negation(platform: str) -> str:
    return "no" if platform == "cisco_ios" else "undo"


def setting_key(platform: str, text: str) -> tuple[str, ...]:
    """What a line sets: `undo X` and `X` set the same thing; a single-valued setting is keyed by its first
    words, a rule by its number, anything else by the whole line."""
    words = text.split()
    if words[:1] == [negation(platform)]:
        words = words[1:]
    if words[:1] == ["rule"] and len(words) > 1:
        return ("rule", words[1])
    for prefix in SINGLE_VALUED:
        if tuple(words[: len(prefix)]) == prefix:
            return prefix
    return tuple(words)


def negate(platform: str, text: str) -> str:
    """The line that undoes `text`: `undo X` for X, X for `undo X` (VRP and Comware; IOS with `no`)."""
    word = negation(platform)
    words = text.split(" ", 1)
    return words[1] if words[0] == word and len(words) > 1 else f"{word} {text}"


@dataclass(frozen=True)
class Change:
    section: tuple[str, ...]  # the section heads to enter, outermost first
    line: str
    replaces: str | None  # the line with the same setting it replaces, if any
    opens_section: bool  # the line is a section head the running configuration lacked
    removes: str | None = None  # a device line this change takes out (`line` is then the command that does it)

    def shown(self) -> str:
        where = " > ".join(self.section)
        if self.removes is not None:
            return f"{where + ' > ' if where else ''}- {self.removes}   ({self.line})"
        was = f"   (was: {self.replaces})" if self.replaces else ""
        return f"{where + ' > ' if where else ''}+ {self.line}{was}"


@dataclass
class Plan:
    platform: str
    changes: list[Change] = field(default_factory=list)

    def commands(self, changes: list[Change] | None = None) -> list[str]:
        """The change set as commands, from system view / configuration mode."""
        return _in_sections(
            self.platform, [(c.section, c.line) for c in (self.changes if changes is None else changes)]
        )

    def rollback(self, applied: int | None = None) -> list[str]:
        """The rollback plan: each change (of the first `applied`) undone, last first."""
        steps = []
        for change in reversed(self.changes[:applied]):
            if change.removes is not None:
                steps.append((change.section, change.removes))
            elif change.opens_section:
                steps.append((change.section, negate(self.platform, change.line)))
            elif change.replaces is not None:
                steps.append((change.section, change.replaces))
            else:
                steps.append((change.section, negate(self.platform, change.line)))
        return _in_sections(self.platform, steps)


def _in_sections(platform: str, steps: list[tuple[tuple[str, ...], str]]) -> list[str]:
    """Commands that enter each step's section, send its line and leave again."""
    leave = "exit" if platform == "cisco_ios" else "quit"
    commands: list[str] = []
    for section, line in steps:
        commands += [*section, line, *([leave] * len(section))]
    return commands


def _children(lines: tuple[ConfigLine, ...]) -> dict[str, ConfigLine]:
    return {line.text: line for line in lines}


def plan_changes(running: DeviceConfig, intended: DeviceConfig) -> Plan:
    """The intended lines the running configuration lacks, each with the line it replaces."""
    plan = Plan(running.platform)

    def walk(wanted: tuple[ConfigLine, ...], present: tuple[ConfigLine, ...], section: tuple[str, ...]) -> None:
        have = _children(present)
        for line in wanted:
            if line.text.startswith(("#", "!")):
                continue
            found = have.get(line.text)
            if found is None:
                key = setting_key(running.platform, line.text)
                same = [p for p in present if setting_key(running.platform, p.text) == key and not p.children]
                replaces = same[-1].text if same and not line.children else None
                plan.changes.append(Change(section, line.text, replaces, bool(line.children)))
                if line.children:
                    walk(line.children, (), (*section, line.text))
                continue
            if line.children:
                walk(line.children, found.children, (*section, line.text))

    walk(intended.lines, running.lines, ())
    return plan


def removal(platform: str, line: str) -> str:
    """The command that takes one line out: `undo rule 5` for a VRP or Comware rule (by its number), else the
    line's negation (`undo X`, IOS `no X`)."""
    words = line.split()
    if platform != "cisco_ios" and words[:1] == ["rule"] and len(words) > 1 and words[1].isdigit():
        return f"{negation(platform)} rule {words[1]}"
    return negate(platform, line)


def plan_removals(platform: str, lines: list[tuple[tuple[str, ...], str]]) -> list[Change]:
    """Changes that take these device lines (each in its section) out; the rollback sends each back."""
    return [Change(section, removal(platform, line), None, False, removes=line) for section, line in lines]


def differences(before: DeviceConfig, after: DeviceConfig) -> list[str]:
    """Lines (with their sections) in one configuration and not the other, as `- line` / `+ line`."""

    def flat(lines: tuple[ConfigLine, ...], section: tuple[str, ...] = ()) -> set[str]:
        found: set[str] = set()
        for line in lines:
            path = " > ".join((*section, line.text))
            found.add(path)
            found |= flat(line.children, (*section, line.text))
        return found

    old, new = flat(before.lines), flat(after.lines)
    return [f"- {line}" for line in sorted(old - new)] + [f"+ {line}" for line in sorted(new - old)]


# Running a push ---------------------------------------------------------------------------------------

# Entering and leaving configuration mode: the command, and the prompt that shows it took. netmiko's own
# config_mode() first probes the mode by waiting two seconds of silence; the prompt is enough.
ENTER = {
    "huawei_vrp": ("system-view", r"\]"),
    "h3c_comware": ("system-view", r"\]"),
    "cisco_ios": ("configure terminal", r"\(config"),
}
LEAVE = {"huawei_vrp": ("return", r">"), "h3c_comware": ("return", r">"), "cisco_ios": ("end", r"#")}
# The prompt of configuration mode, in any section: `[name]`, `[name-aaa]`; IOS `name(config-line)#`.
CONFIG_PROMPT = {"huawei_vrp": r"\][ \t]*$", "h3c_comware": r"\][ \t]*$", "cisco_ios": r"\)#[ \t]*$"}
FAILING = ("fail", "error")


@dataclass
class PushResult:
    """What a push did, kept as its evidence (`push.json`)."""

    device: str
    platform: str
    started: str
    outcome: str  # dry-run | unchanged | applied | rolled-back | rollback-incomplete | not-started
    before_sha256: str | None = None
    changes: list[str] = field(default_factory=list)
    rollback_plan: list[str] = field(default_factory=list)
    post_check: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    left_over: list[str] = field(default_factory=list)  # differences from the saved configuration after a rollback

    @property
    def exit_code(self) -> int:
        return 0 if self.outcome in ("dry-run", "unchanged", "applied") else 1


def _running(target: Any, timeout: float) -> tuple[str | None, str]:
    """The device's running configuration read in a session of its own; None and why where it cannot be read."""
    collected = collect_one(target, timeout)
    if collected.collection is None:
        return None, f"{collected.status}: {collected.error}"
    return collected.collection.probes["running_config"].output, ""


class Interrupted(Exception):
    """A command set stopped part way: how many of its groups were applied, and why it stopped."""

    def __init__(self, applied: int, why: str) -> None:
        super().__init__(why)
        self.applied = applied


class Refused(Exception):
    """The device answered a configuration line with an error."""


def _configure(session: Any, platform: str, command: str, timeout: float) -> None:
    """One configuration line, read up to the next configuration prompt. (netmiko's send_config_set() waits
    for two seconds of silence after each line on some platforms.)"""
    session.write_channel(session.normalize_cmd(command))
    answer = session.read_until_pattern(pattern=CONFIG_PROMPT[platform], read_timeout=timeout, re_flags=re.M)
    if re.search(ERROR_PATTERN, answer, flags=re.M):
        said = [line.strip() for line in answer.splitlines() if re.search(ERROR_PATTERN, line)]
        raise Refused(f"{command}: {said[0] if said else answer.strip()}")


def _send(target: Any, groups: list[list[str]], timeout: float) -> None:
    """Send each group of commands in configuration mode, in one session; raise `Interrupted` (with the number
    of groups applied) on a refused command or a lost session."""
    from netmiko.exceptions import NetmikoTimeoutException, ReadTimeout

    applied = 0
    try:
        session = connect(target, timeout)
    except (NetmikoTimeoutException, OSError) as error:
        raise Interrupted(0, f"no session: {error}") from error
    platform = platform_of(target)
    try:
        session.write_channel(session.normalize_cmd(ENTER[platform][0]))
        session.read_until_pattern(pattern=ENTER[platform][1], read_timeout=timeout)
        for group in groups:
            for command in group:
                _configure(session, platform, command, timeout)
            applied += 1
        session.write_channel(session.normalize_cmd(LEAVE[platform][0]))
        session.read_until_pattern(pattern=LEAVE[platform][1], read_timeout=timeout)
    except Refused as error:
        raise Interrupted(applied, f"the device refused a command: {error}") from error
    except (NetmikoTimeoutException, ReadTimeout, OSError, EOFError) as error:
        raise Interrupted(applied, f"the session was lost: {error}") from error
    finally:
        close(session, platform)


def push(
    target: Any,
    intended_text: str,
    settings: dict[str, Any],
    evidence: Path,
    *,
    dry_run: bool,
    timeout: float = 30.0,
    remove_extra: bool = False,
) -> PushResult:
    """Push one device's intended configuration (see the module's docstring); evidence files go to `evidence`.
    `remove_extra`: also take out the device lines drift reports as extra (those that change a check's verdict)."""
    platform = platform_of(target)
    result = PushResult(target.name, platform, datetime.now(UTC).isoformat(timespec="seconds"), "not-started")
    evidence.mkdir(parents=True, exist_ok=True)
    before, why = _running(target, timeout)
    if before is None:
        result.reason = f"the running configuration could not be read: {why}"
        return _kept(result, evidence)
    (evidence / "before.cfg").write_text(before, encoding="utf-8")
    result.before_sha256 = sha256_file(evidence / "before.cfg")
    plan = plan_changes(parse_config(platform, before), parse_config(platform, intended_text))
    if remove_extra:
        from compliance.devices.drift import device_drift  # drift plans with this module: imported when asked

        found = device_drift(platform, intended_text, before, settings)
        plan.changes += plan_removals(
            platform, [(d.section, d.running) for d in found if d.kind == "extra" and d.running]
        )
    result.changes = [change.shown() for change in plan.changes]
    result.rollback_plan = plan.rollback()
    (evidence / "changes.txt").write_text("\n".join(plan.commands()) + "\n", encoding="utf-8")
    (evidence / "rollback.txt").write_text("\n".join(result.rollback_plan) + "\n", encoding="utf-8")
    if not plan.changes:
        result.outcome, result.reason = "unchanged", "the running configuration already holds every intended line"
        return _kept(result, evidence)
    if dry_run:
        result.outcome, result.reason = "dry-run", f"{len(plan.changes)} change(s) shown, nothing sent"
        return _kept(result, evidence)
    failure, applied = "", len(plan.changes)
    try:
        _send(target, [plan.commands([change]) for change in plan.changes], timeout)
    except Interrupted as stopped:
        failure, applied = stopped.args[0], stopped.applied
    if not failure:
        after, why = _running(target, timeout)
        if after is None:
            failure = f"the management session was lost after the push: {why}"
        else:
            (evidence / "after.cfg").write_text(after, encoding="utf-8")
            verdicts = configuration_verdicts(platform, after, settings)
            result.post_check = {check_id: verdict.value for check_id, verdict in verdicts.items()}
            failing = sorted(c for c, verdict in result.post_check.items() if verdict in FAILING)
            if failing:
                failure = f"the post-check failed: {', '.join(failing)}"
    if not failure:
        result.outcome, result.reason = "applied", f"{len(plan.changes)} change(s) applied; every device check met"
        return _kept(result, evidence)
    return _rolled_back(result, target, plan, applied, before, failure, evidence, timeout)


def _rolled_back(
    result: PushResult,
    target: Any,
    plan: Plan,
    applied: int,
    before: str,
    failure: str,
    evidence: Path,
    timeout: float,
) -> PushResult:
    result.reason = failure
    steps = plan.rollback(applied)
    (evidence / "rolled-back.txt").write_text("\n".join(steps) + "\n", encoding="utf-8")
    try:
        _send(target, [steps], timeout)
    except Interrupted as stopped:
        result.reason += f"; the rollback was interrupted: {stopped.args[0]}"
    restored, why = _running(target, timeout)
    if restored is None:
        result.outcome = "rollback-incomplete"
        result.reason += f"; the configuration after the rollback could not be read ({why}): restore before.cfg by hand"
        return _kept(result, evidence)
    (evidence / "after-rollback.cfg").write_text(restored, encoding="utf-8")
    result.left_over = differences(parse_config(result.platform, before), parse_config(result.platform, restored))
    result.outcome = "rolled-back" if not result.left_over else "rollback-incomplete"
    return _kept(result, evidence)


def _kept(result: PushResult, evidence: Path) -> PushResult:
    (evidence / "push.json").write_text(
        json.dumps(asdict(result), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return result
