"""Ansible callback: what each playbook run changed, or in check mode would change, per host and task.

Enabled in ansible.cfg, and inert unless asked:
- an apply run (not `--check`) with DENGBAO_LEDGER naming the ledger file (scripts/apply sets it)
  appends one hash-chained record to the change ledger (compliance.ledger, docs/change-ledger.md);
- a `--check` run with DENGBAO_CHECK_OUTPUT naming a file writes there, as JSON, every task that
  would change each host (`dengbao drift` reads it, docs/drift.md).
Molecule and the tests converge lab hosts without either. Task diffs go in as counts and file
names, never contents (a template's diff can hold a secret).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ansible import context
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: dengbao_runs
    type: aggregate
    short_description: records apply runs in the change ledger and check runs for dengbao drift
    description:
      - When DENGBAO_LEDGER names a file, appends one hash-chained record per playbook run not in check mode
        (GB/T 22239-2019 8.1.10.10, 8.1.10.6).
      - When DENGBAO_CHECK_OUTPUT names a file, a check-mode run writes there what would change, as JSON.
    requirements:
      - the dengbao package (compliance.ledger)
"""


COUNTS = ("ok", "changed", "failures", "unreachable")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _diff_summary(diffs: Any) -> list[dict[str, Any]]:
    """Each diff as the file it names and the lines it adds and removes."""
    found = []
    for diff in diffs if isinstance(diffs, list) else [diffs]:
        if not isinstance(diff, dict):
            continue
        before, after = diff.get("before", ""), diff.get("after", "")
        # before_header names the file on the host; after_header may be a template's temporary copy.
        entry: dict[str, Any] = {"file": diff.get("before_header") or diff.get("after_header") or ""}
        if isinstance(before, str) and isinstance(after, str):
            old, new = before.splitlines(), after.splitlines()
            in_old, in_new = set(old), set(new)
            entry["lines_removed"] = len([line for line in old if line not in in_new])
            entry["lines_added"] = len([line for line in new if line not in in_old])
        elif "prepared" in diff:
            entry["prepared"] = True
        found.append(entry)
    return found


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "dengbao_runs"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self.ledger = os.environ.get("DENGBAO_LEDGER", "")
        self.check_output = os.environ.get("DENGBAO_CHECK_OUTPUT", "")
        self.started = _now()
        self.playbook = ""
        self.changes: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []

    def v2_playbook_on_start(self, playbook: Any) -> None:
        self.playbook = str(playbook._file_name)

    def _task(self, result: Any) -> dict[str, Any]:
        task = result._task
        role = task._role.get_name() if getattr(task, "_role", None) else ""
        return {
            "host": result._host.get_name(),
            "task": task.name or task.action,  # without the role's prefix: the role has its own field
            "role": role,
            "action": task.action,
            "tags": sorted(str(tag) for tag in task.tags),
        }

    def v2_runner_on_ok(self, result: Any) -> None:
        outcome = result._result
        if not outcome.get("changed"):
            return
        diffs = outcome.get("diff") or [item.get("diff") for item in outcome.get("results", []) if item.get("changed")]
        self.changes.append({**self._task(result), "diff": _diff_summary(diffs)})

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        if not ignore_errors:
            message = str(result._result.get("msg", ""))[:300]
            self.failures.append({**self._task(result), "message": message})

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self.failures.append({**self._task(result), "message": "unreachable / 不可达"})

    def _outcome(self, stats: Any) -> dict[str, Any]:
        hosts = sorted(stats.processed)
        summary = {host: stats.summarize(host) for host in hosts}
        failed = any(s["failures"] or s["unreachable"] for s in summary.values())
        return {
            "playbook": self.playbook,
            "limit": context.CLIARGS.get("subset") or "",
            "inventory": [str(source) for source in context.CLIARGS.get("inventory") or []],
            "hosts": {host: {key: summary[host][key] for key in COUNTS} for host in hosts},
            "changes": self.changes,
            "failures": self.failures,
            "result": "failed" if failed else "ok",
            "started": self.started,
            "ended": _now(),
        }

    def v2_playbook_on_stats(self, stats: Any) -> None:
        if context.CLIARGS.get("check"):
            if self.check_output:
                document = {"kind": "check", **self._outcome(stats)}
                Path(self.check_output).write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
            return
        if not self.ledger:
            return
        from compliance.ledger import append, provenance

        directory = Path(self.playbook).resolve().parent if self.playbook else Path.cwd()
        record = {
            "kind": "apply",
            **provenance(directory),
            **self._outcome(stats),
        }
        written = append(Path(self.ledger), record)
        shown = f"record {written['seq']} {written['hash'][:16]} in {self.ledger}"
        self._display.display(f"change ledger / 变更台账: {shown}")
