"""Policies: one YAML file per topic under `policies/`, the single source of every threshold.

A policy has base `settings` and an ordered list of `overrides`. The settings that apply
to a host are the base settings, then every override whose `when` matches the host, in
file order (a later match wins). `when` may name a `level` (2 or 3), a `zone`, or both;
both must then match. Roles receive the result through the `dengbao_policy` variable and
checks compare against the same result, so one file decides what is enforced and checked.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.model.schema_files import load_schema
from compliance.yamldoc.problems import ModelError, Problem, display_path
from compliance.yamldoc.schema import check
from compliance.yamldoc.yamlpos import Positioned, load

TOPICS = (
    "accounts",
    "ssh",
    "admin_roles",
    "audit",
    "time",
    "antivirus",
    "patching",
    "backup",
    "access_rules",
    "network_devices",
    "host_hardening",
    "evidence",
    "operations",
    "inspection",
    "assessment",
)
CLAUSE_PATTERN = r"^[78]\.1\.\d{1,2}\.\d{1,2} [a-j]\)$"
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
INTERNET = "internet"  # the outside, a valid end of an access rule though not a zone


@dataclass
class Policy:
    topic: str
    document: Positioned

    @property
    def settings(self) -> dict[str, Any]:
        return self.document.data["settings"]

    @property
    def overrides(self) -> list[dict[str, Any]]:
        return self.document.data.get("overrides") or []

    def effective(self, level: int, zone: str) -> dict[str, Any]:
        """The settings for a host of this level in this zone."""
        result = copy.deepcopy(self.settings)
        for override in self.overrides:
            when = override["when"]
            if when.get("level", level) == level and when.get("zone", zone) == zone:
                result.update(copy.deepcopy(override["settings"]))
        return result


@dataclass
class PolicySet:
    policies: dict[str, Policy] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    _effective: dict[tuple[int, str], dict[str, dict[str, Any]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def effective(self, level: int, zone: str) -> dict[str, dict[str, Any]]:
        """Every topic's settings for a host: the value of `dengbao_policy` in Ansible. Worked out once per
        level and zone (a thousand hosts share a handful); the topics' settings are shared between hosts,
        so a caller must not change them in place."""
        if (level, zone) not in self._effective:
            self._effective[(level, zone)] = {
                topic: policy.effective(level, zone) for topic, policy in sorted(self.policies.items())
            }
        return dict(self._effective[(level, zone)])

    def zone_references(self) -> list[tuple[Policy, tuple[Any, ...], str]]:
        """(policy, field path, zone name) for every zone a policy names, overrides included."""
        found = []
        for policy in self.policies.values():
            for index, override in enumerate(policy.overrides):
                if "zone" in override.get("when", {}):
                    found.append((policy, ("overrides", index, "when", "zone"), override["when"]["zone"]))
            settings = policy.settings
            for key in ("management_zones", "internet_denied_zones"):
                for index, zone in enumerate(settings.get(key, [])):
                    found.append((policy, ("settings", key, index), zone))
            for index, rule in enumerate(settings.get("rules", [])):
                for end in ("from", "to"):
                    if rule[end] != INTERNET:
                        found.append((policy, ("settings", "rules", index, end), rule[end]))
        return found

    def host_references(self) -> list[tuple[Policy, tuple[Any, ...], str]]:
        """(policy, field path, host name) for every host a policy names."""
        keys = ("central_log_host", "mirror_host", "offsite_target_host")
        found = []
        for policy in self.policies.values():
            for key in keys:
                if key in policy.settings:
                    found.append((policy, ("settings", key), policy.settings[key]))
            for index, name in enumerate(policy.settings.get("ntp_servers", [])):
                found.append((policy, ("settings", "ntp_servers", index), name))
        return found


def envelope_schema(topic: str) -> dict[str, Any]:
    settings = load_schema(f"policy_{topic}")
    optional = {name: {k: v for k, v in rules.items() if k != "required"} for name, rules in settings.items()}
    return {
        "policy": {"type": "string", "required": True, "allowed": [topic]},
        "title_zh": {"type": "string", "required": True, "empty": False},
        "title_en": {"type": "string", "required": True, "empty": False},
        "clauses": {
            "type": "list",
            "required": True,
            "minlength": 1,
            "schema": {"type": "string", "regex": CLAUSE_PATTERN},
            "meta": {
                "expect_en": "GB/T 22239-2019 item ids such as '8.1.4.1 a)'",
                "expect_zh": "条款编号，如“8.1.4.1 a)”",
            },
        },
        "settings": {"type": "dict", "required": True, "schema": settings},
        "overrides": {
            "type": "list",
            "schema": {
                "type": "dict",
                "schema": {
                    "when": {
                        "type": "dict",
                        "required": True,
                        "empty": False,
                        "schema": {
                            "level": {"type": "integer", "allowed": [2, 3]},
                            "zone": {"type": "string", "regex": NAME_PATTERN},
                        },
                    },
                    "settings": {"type": "dict", "required": True, "empty": False, "schema": optional},
                },
            },
        },
    }


def load_policies(directory: Path, root: Path | None) -> PolicySet:
    """Load and check every `*.yml` in the directory; unknown or missing topics are problems."""
    result = PolicySet()
    present = {path.stem: path for path in sorted(directory.glob("*.yml"))}
    for topic, path in present.items():
        document, problems = read_policy(path, topic, display_path(path, root))
        result.problems.extend(problems)
        if document is not None and not problems:
            result.policies[topic] = Policy(topic, document)
    for path in sorted(directory.glob("*.yaml")):
        result.problems.append(
            Problem(
                display_path(path, root),
                1,
                1,
                "",
                f"policy files end in .yml; rename it to {path.stem}.yml (a .yaml policy is never read)",
                f"策略文件须以 .yml 结尾；请改名为 {path.stem}.yml（.yaml 文件不会被读取）",
            )
        )
    for topic in TOPICS:
        if topic not in present:
            shown = display_path(directory / f"{topic}.yml", root)
            result.problems.append(
                Problem(shown, 1, 1, "", f"policy file {topic}.yml is missing", f"缺少策略文件 {topic}.yml")
            )
    return result


def read_policy(path: Path, topic: str, shown: str) -> tuple[Positioned | None, list[Problem]]:
    """Load and check one policy file; its topic (the file name) must be one of TOPICS."""
    if topic not in TOPICS:
        english = f"unknown policy topic {topic!r}; expected one of: {', '.join(TOPICS)}"
        chinese = f"未知的策略主题 {topic!r}；允许的主题：{', '.join(TOPICS)}"
        return None, [Problem(shown, 1, 1, "", english, chinese)]
    try:
        document = load(path, shown)
    except ModelError as error:
        return None, [error.problem]
    return document, check(document, envelope_schema(topic))
