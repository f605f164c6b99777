"""`dengbao review --base REF`: which hosts, checks, clauses, roles and waivers a change to the model touches.

  dengbao review --base origin/main                                  Markdown for the merge-request comment
  dengbao review --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --code-quality gl-code-quality-report.json
  dengbao review --base main --format json

Compares the committed model (HEAD) with the base commit's: every host of the hospital's
inventories whose effective settings changed, per policy topic (overrides by level and zone and the
host firewall's rules included), or that was added, removed, or moved to another level, zone or
system; the checks and clauses that read those topics and the roles that enforce them; waivers
added, changed, removed, or expiring within policies/evidence.yml's notice. The Code Quality
report puts an entry on each changed line of policies, waivers and inventories, and on each
validation problem, so GitLab shows them in the merge request's diff.

Exit codes: 0 reviewed; 2 bad input: an unknown base, uncommitted changes to the model, or a
model that does not validate (its problems are in the report; nothing should be applied).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import asdict
from datetime import date
from pathlib import Path

from compliance.commands import EXIT_USAGE, documented_command, usage_error
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


def as_json(impact: Impact | None, base: str, problems: list) -> dict:
    document: dict = {"base": base, "problems": [asdict(p) for p in problems]}
    if impact is not None:
        document |= {
            "hosts": [asdict(h) for h in impact.hosts],
            "topics": impact.topics,
            "checks": impact.checks,
            "clauses": impact.clauses,
            "roles": impact.roles,
            "waivers": {
                "added": [w.id for w in impact.waivers_added],
                "changed": [w.id for w in impact.waivers_changed],
                "removed": impact.waivers_removed,
                "expiring": [{"id": w.id, "expires": str(w.expires)} for w in impact.waivers_expiring],
            },
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
    except ReviewError as error:
        return usage_error(error.english, error.chinese)
    if args.code_quality:
        entries = code_quality(impact, changed, problems)
        args.code_quality.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.format == "json":
        print(json.dumps(as_json(impact, commit, problems), ensure_ascii=False, indent=1, default=str))
    else:
        print(render_markdown(impact or _empty(), commit, problems), end="")
    return EXIT_USAGE if problems or impact is None else 0


def _empty() -> Impact:
    return Impact([], [], [], [], [], [], [], [], [])
