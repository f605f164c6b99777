"""A device's drift: its running configuration against its intended one, line by line, with the clauses touched.

The comparison is by section and line, so the order of lines does not matter (`info-center loghost` may move,
an access list's rules may be listed in another order). Three kinds of difference are reported:

- **missing**: an intended line the device does not have;
- **contrary**: a device line that sets what an intended line sets, to something else (`idle-timeout 30 0`
  where `idle-timeout 10 0` is intended, `telnet server enable` against `undo telnet server enable`);
- **extra**: a device line the intended configuration does not name, reported only where it changes a check's
  verdict (a `permit any` rule in the management access list); VLANs, interfaces and the rest are not drift.

Which clauses a difference touches is worked out by the checks themselves, not by a table: the intended
configuration is judged with the difference applied alone, and every check whose verdict changes names its
clauses. A difference no check reads is still reported, with no clause: it is drift from the baseline only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.devices.push import plan_changes, setting_key
from compliance.devices.verdicts import configuration_verdicts
from compliance.kinds.network_device.config import ConfigLine, DeviceConfig, parse_config
from compliance.results.verdicts import Verdict


@dataclass(frozen=True)
class Difference:
    kind: str  # missing | contrary | extra
    section: tuple[str, ...]
    intended: str | None  # the intended line (missing, contrary)
    running: str | None  # the device's line (contrary, extra)
    checks: tuple[str, ...]  # the checks whose verdict it changes
    clauses: tuple[str, ...]

    def shown(self) -> str:
        where = " > ".join(self.section)
        prefix = f"{where} > " if where else ""
        intended, running = (_first_line(text) for text in (self.intended, self.running))
        said = {
            "missing": f"- {intended}",
            "contrary": f"~ {running}   (intended: {intended})",
            "extra": f"+ {running}",
        }[self.kind]
        clauses = ", ".join(self.clauses) or "no clause (baseline only)"
        return f"{prefix}{said}   [{clauses}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "section": list(self.section),
            "intended": self.intended,
            "running": self.running,
            "checks": list(self.checks),
            "clauses": list(self.clauses),
        }


def _first_line(text: str | None) -> str:
    """A banner spans lines: its first stands for it."""
    lines = (text or "").splitlines()
    return lines[0] + (" …" if len(lines) > 1 else "") if lines else ""


def _tree(line: ConfigLine) -> tuple[str, list[Any]]:
    return (line.text, [_tree(child) for child in line.children])


def _edited(
    lines: tuple[ConfigLine, ...], section: tuple[str, ...], remove: str | None, add: ConfigLine | None
) -> list[Any]:
    """The tree as (text, children) pairs, with one line removed and/or one line (with its section) added."""
    found: list[Any] = []
    for line in lines:
        if section and line.text == section[0]:
            found.append((line.text, _edited(line.children, section[1:], remove, add)))
        elif not section and line.text == remove:
            continue
        else:
            found.append(_tree(line))
    if not section and add is not None:
        found.append(_tree(add))
    return found


def _text(platform: str, tree: list[Any]) -> str:
    separator, end = ("!", "end") if platform == "cisco_ios" else ("#", "return")

    def block(text: str, children: list[Any], depth: int) -> list[str]:
        return [" " * depth + text, *(line for c, k in children for line in block(c, k, depth + 1))]

    lines: list[str] = []
    for text, children in tree:
        lines += [separator, *block(text, children, 0)]
    return "\n".join([*lines, separator, end]) + "\n"


class _Judge:
    """Verdicts of every device check on the intended configuration with one edit applied."""

    def __init__(self, config: DeviceConfig, settings: dict[str, Any]) -> None:
        from compliance.checks import checks_of

        self.config = config
        self.settings = settings
        self.checks = checks_of("network_device")
        self.base = self.verdicts(_text(config.platform, _edited(config.lines, (), None, None)))

    def verdicts(self, text: str) -> dict[str, Verdict]:
        return configuration_verdicts(self.config.platform, text, self.settings)

    def touched(
        self, section: tuple[str, ...], remove: str | None, add: ConfigLine | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        text = _text(self.config.platform, _edited(self.config.lines, section, remove, add))
        after = self.verdicts(text)
        changed = tuple(sorted(c for c in after if after[c] is not self.base[c]))
        clauses = tuple(sorted({clause for c in changed for clause in self.checks[c].clauses}))
        return changed, clauses


def device_drift(platform: str, intended_text: str, running_text: str, settings: dict[str, Any]) -> list[Difference]:
    """Every difference between the intended and the running configuration of one device (see the module).

    Missing and contrary lines are what a push would change (compliance.devices.push.plan_changes), so drift
    and push never disagree on what differs; a section the device lacks stands for its lines."""
    intended = parse_config(platform, intended_text)
    running = parse_config(platform, running_text)
    judge = _Judge(intended, settings)
    found: list[Difference] = []
    opened: set[tuple[str, ...]] = set()
    for change in plan_changes(running, intended).changes:
        if any(change.section[:depth] in opened for depth in range(1, len(change.section) + 1)):
            continue
        if change.opens_section:
            opened.add((*change.section, change.line))
        rival = ConfigLine(change.replaces, 0) if change.replaces is not None else None
        checks, clauses = judge.touched(change.section, change.line, rival)
        kind = "missing" if rival is None else "contrary"
        found.append(Difference(kind, change.section, change.line, change.replaces, checks, clauses))

    def extras(wanted: tuple[ConfigLine, ...], present: tuple[ConfigLine, ...], section: tuple[str, ...]) -> None:
        named = {line.text for line in wanted}
        keys = {setting_key(platform, line.text) for line in wanted if not line.children}
        sections = {line.text: line for line in wanted if line.children}
        for line in present:
            if line.text in sections:
                extras(sections[line.text].children, line.children, (*section, line.text))
            elif line.text not in named and (line.children or setting_key(platform, line.text) not in keys):
                checks, clauses = judge.touched(section, None, line)
                if checks:
                    found.append(Difference("extra", section, None, line.text, checks, clauses))

    extras(intended.lines, running.lines, ())
    return found


def keep_history(history: Path, device: str, text: str, when: str) -> bool:
    """Keep a collected running configuration in a git repository of configurations, one file per device, one
    commit per change (as Oxidized keeps them). Returns whether it changed since the last one kept."""
    import subprocess

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(history), *args], capture_output=True, text=True, check=False)

    history.mkdir(parents=True, exist_ok=True)
    if not (history / ".git").exists():
        git("init", "-q")
    (history / f"{device}.cfg").write_text(text, encoding="utf-8")
    git("add", f"{device}.cfg")
    if git("diff", "--cached", "--quiet").returncode == 0:
        return False
    identity = ["-c", "user.name=dengbao", "-c", "user.email=dengbao@localhost"]
    committed = git(*identity, "commit", "-q", "-m", f"{device}: running configuration collected {when}")
    if committed.returncode != 0:
        raise OSError(f"{history}: git commit failed: {committed.stderr.strip()}")
    return True
