"""`dengbao checks`: the check registry, as a table, JSON, or the Markdown of docs/checks.md.

docs/checks.md is this command's Markdown output (`dengbao checks --format markdown`); a test
holds the two equal, so the documented list of checks is never kept by hand.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import yaml

from compliance.checks import Check, all_checks
from compliance.kinds import all_kinds

MARKDOWN_HEAD = """# Checks / 检查项

Generated from the check registry by `dengbao checks --format markdown`; do not edit by hand (a
test compares this file with the registry). Each check is one unit, `compliance/checks/<kind>/<name>/`:
`check.py` (the function and its registration: clauses, policy topics, kind, high-risk, remediation),
`compliant.sh.j2` (the lab state where it passes), `scenarios/` (lab states where it fails or varies)
and `fixtures/` (probe outputs recorded from those lab hosts, judged again by the fast tier). A
network device check has no lab scenario: its `fixtures/verdicts.yml` names its verdict on each device
configuration of `compliance/kinds/network_device/fixtures/` (real published configurations and the
intended ones the templates render), which simulated devices also serve over SSH in the tests.

高风险 marks a check whose failure is a high-risk condition an evaluator records (one unresolved
high-risk finding makes a system's conclusion 差). Remediation names the role and tag that put it
right (`ansible-playbook playbooks/site.yml --tags TAG`); — where no role does yet.
"""


def describe(check: Check) -> dict[str, Any]:
    scenarios = sorted(p.name for p in (check.unit / "scenarios").glob("*.sh"))
    fixtures = sorted(p.name for p in (check.unit / "fixtures").glob("*.json"))
    table = check.unit / "fixtures" / "verdicts.yml"
    configurations = sorted(yaml.safe_load(table.read_text())) if table.is_file() else []
    return {
        "id": check.id,
        "kind": check.kind,
        "clauses": list(check.clauses),
        "policies": list(check.policies),
        "title_zh": check.title_zh,
        "title_en": check.title_en,
        "high_risk": check.high_risk,
        "remediation": list(check.remediation),
        "unit": str(check.unit.relative_to(check.unit.parents[2])),
        "scenarios": scenarios,
        "fixtures": fixtures,
        "configurations": configurations,
    }


def markdown() -> str:
    lines = [MARKDOWN_HEAD]
    checks = all_checks()
    for kind in all_kinds().values():
        members = [c for c in checks.values() if c.kind == kind.name]
        if not members:
            continue
        lines.append(f"\n## {kind.title_en} / {kind.title_zh} ({len(members)} checks)\n")
        rows = [describe(check) for check in members]
        tested = "scenarios" if any(row["scenarios"] for row in rows) else "configurations"
        lines.append(f"| check | clauses | title | policy | 高风险 | remediation | {tested} |")
        lines.append("|---|---|---|---|---|---|---|")
        for check, row in zip(members, rows, strict=True):
            lines.append(
                f"| `{check.name}` | {', '.join(check.clauses)} | {check.title_zh}<br>{check.title_en} "
                f"| {', '.join(check.policies) or '—'} | {'yes' if check.high_risk else ''} "
                f"| {', '.join(check.remediation) or '—'} | {len(row[tested])} |"
            )
    return "\n".join(lines) + "\n"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("checks", help="the automated checks / 自动化检查项")
    parser.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    parser.add_argument("--kind", help="only the checks of this kind of object, e.g. linux")


def run(args: argparse.Namespace) -> int:
    checks = [c for c in all_checks().values() if args.kind in (None, c.kind)]
    if args.format == "json":
        print(json.dumps({"count": len(checks), "checks": [describe(c) for c in checks]}, ensure_ascii=False, indent=1))
    elif args.format == "markdown":
        print(markdown(), end="")
    else:
        width = max((len(check.id) for check in checks), default=0)
        for check in checks:
            risk = " 高风险" if check.high_risk else ""
            print(f"{check.id:{width}} {', '.join(check.clauses):40} {check.title_zh}{risk}")
        print(f"{len(checks)} checks / 项检查")
    return 0
