"""`dengbao review --base REF`: which hosts, checks, clauses, roles and waivers a change to the model touches.

  dengbao review --base origin/main                                  Markdown for the merge-request comment
  dengbao review --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --code-quality gl-code-quality-report.json
  dengbao review --base main --format json

Compares the committed model (HEAD) with the base commit's: every host of the hospital's
inventories whose effective settings changed, per policy key (overrides by level and zone and the
host firewall's rules included), or that was added, removed, or moved to another level, zone or
system; the checks and clauses that read those keys and the roles that enforce them; waivers
added, changed, removed, or expiring within policies/evidence.yml's notice. The Code Quality
report puts an entry on each changed line of policies, waivers and inventories, and on each
validation problem, so GitLab shows them in the merge request's diff.

Exit codes: 0 reviewed; 2 bad input: an unknown base, uncommitted changes to the model, or a
model that does not validate (its problems are in the report; nothing should be applied).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from dataclasses import asdict
from datetime import date
from pathlib import Path

import yaml

from compliance.checks import all_checks
from compliance.commands import EXIT_USAGE, documented_command, inventory_path, usage_error
from compliance.drift.checkmode import DriftError, ansible_playbook, check_run
from compliance.drift.document import drift_document, task_table
from compliance.model.validate import load_repository, waiver_problems
from compliance.project import NO_CHECKOUT, project_root
from compliance.review.base import ReviewError, changed_lines, check_clean, materialise
from compliance.review.impact import Impact, impact_of
from compliance.review.render import code_quality, render_markdown


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = documented_command(subparsers, "review", "what a change touches / 变更影响评审", __doc__)
    parser.add_argument("--base", required=True, help="the commit the change is compared with (a branch, tag or hash)")
    parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
    parser.add_argument("--code-quality", type=Path, help="also write a GitLab Code Quality report here")
    parser.add_argument(
        "--check-on",
        metavar="INVENTORY",
        help="also run site.yml in check mode with diff on the affected hosts this inventory has (the lab)",
    )


def as_json(impact: Impact | None, base: str, problems: list) -> dict:
    document: dict = {"base": base, "problems": [asdict(p) for p in problems]}
    if impact is not None:
        document |= {
            "hosts": [asdict(h) for h in impact.hosts],
            "topics": impact.topics,
            "keys": impact.keys,
            "checks": impact.checks,
            "clauses": impact.clauses,
            "roles": impact.roles,
            "waivers": {
                "added": [w.id for w in impact.waivers_added],
                "changed": [w.id for w in impact.waivers_changed],
                "removed": impact.waivers_removed,
                "expiring": [{"id": w.id, "expires": str(w.expires)} for w in impact.waivers_expiring],
            },
            "records": impact.records,
        }
    return document


def run(args: argparse.Namespace) -> int:
    root = project_root()
    if root is None:
        return usage_error(*NO_CHECKOUT)
    try:
        check_clean(root)
        with tempfile.TemporaryDirectory(prefix="dengbao-review-") as scratch:
            commit = materialise(root, args.base, Path(scratch))
            changed = changed_lines(root, commit)
            repository = load_repository(root)
            problems = [*repository.problems, *waiver_problems(repository)]
            impact = None if problems else impact_of(Path(scratch), root, date.today())
        checked = check_on(root, args.check_on, impact) if args.check_on and impact else None
    except (ReviewError, DriftError) as error:
        return usage_error(error.english, error.chinese)
    if args.code_quality:
        entries = code_quality(impact, changed, problems)
        args.code_quality.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.format == "json":
        document = as_json(impact, commit, problems) | ({"check": checked} if checked else {})
        print(json.dumps(document, ensure_ascii=False, indent=1, default=str))
    else:
        print(render_markdown(impact or _empty(), commit, problems), end="")
        print(render_check(checked) if checked else "", end="")
    return EXIT_USAGE if problems or impact is None else 0


LINUX = "linux_servers.yml"  # the play every Linux playbook imports first


def check_on(root: Path, name: str, impact: Impact) -> dict:
    """The affected roles in check mode with diff on the affected hosts that the inventory holds: site.yml's
    baseline play cut down to those roles (their conditions kept). Nothing changes on any host."""
    inventory = inventory_path(root, name)
    if not inventory.exists():
        raise ReviewError(f"no inventory at {inventory}", f"清单不存在：{inventory}")
    present = set(json.loads(ansible_inventory_list(inventory)).get("_meta", {}).get("hostvars", {}))
    hosts = sorted({h.host for h in impact.hosts} & present)
    roles, left_out = baseline_roles(root, impact.roles)
    checked: dict = {"inventory": str(inventory), "hosts": hosts, "roles": [r["role"] for r in roles], "tasks": []}
    checked |= {"failures": [], "left_out": left_out}
    if not hosts or not roles:
        why = (
            "none of the affected hosts is in this inventory / 该清单中没有受影响的主机"
            if not hosts
            else ("no role of site.yml's baseline play reads the changed settings / 基线剧本中没有角色读取变更的设置")
        )
        return checked | {"note": why}
    # Beside the checkout's playbooks, so Ansible reads the checkout's policies for the playbook's
    # directory too (a playbook elsewhere would get whatever checkout $DENGBAO_REPO names).
    playbook = root / "playbooks" / f".dengbao-review-check-{os.getpid()}.yml"
    plays = [
        {"name": "Select the Linux hosts", "ansible.builtin.import_playbook": LINUX},
        {"name": "The roles the change reaches", "hosts": "dengbao_linux", "roles": roles},
    ]
    playbook.write_text(yaml.safe_dump(plays, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        found = check_run(root, inventory, playbook, ",".join(hosts))
    finally:
        playbook.unlink(missing_ok=True)
    document = drift_document(found, all_checks(), [], None)
    return checked | {"tasks": document["tasks"], "failures": document["failures"]}


def baseline_roles(root: Path, wanted: list[str]) -> tuple[list[dict], list[str]]:
    """site.yml's role entries (with their conditions) for the wanted roles, in site.yml's order; and the
    wanted roles that play does not hold (mirrors, backups: they need their peers in the same run)."""
    plays = yaml.safe_load((root / "playbooks" / "site.yml").read_text(encoding="utf-8"))
    entries = [entry for play in plays for entry in play.get("roles", [])]
    kept = [entry for entry in entries if entry["role"] in wanted]
    return kept, sorted(set(wanted) - {entry["role"] for entry in kept})


def ansible_inventory_list(inventory: Path) -> str:
    command = [str(Path(ansible_playbook()).with_name("ansible-inventory")), "-i", str(inventory), "--list"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise ReviewError(f"ansible-inventory could not read {inventory}", f"ansible-inventory 无法读取 {inventory}")
    return done.stdout


def render_check(checked: dict) -> str:
    lines = ["", f"### 检查模式 / Check mode on `{checked['inventory']}`: site.yml --check --diff", ""]
    if checked["left_out"]:
        shown = ", ".join(checked["left_out"])
        lines += [f"Not checked here 此处未检查 (run `dengbao drift` on the whole inventory): {shown}", ""]
    if checked.get("note"):
        return "\n".join([*lines, checked["note"]]) + "\n"
    count = len(checked["tasks"])
    lines.append(f"Hosts 主机: {', '.join(checked['hosts'])} · {count} task(s) would change / 项任务将变更")
    if checked["tasks"]:
        lines += ["", *task_table(checked["tasks"])]
    lines += [f"- 未完成 not checked: {f['host']}: {f['task']}: {f['message']}" for f in checked["failures"]]
    return "\n".join(lines) + "\n"


def _empty() -> Impact:
    return Impact([], [], [], [], [], [], [], [], [], [])
