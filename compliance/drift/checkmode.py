"""Running a playbook in check mode with diff and reading what it would change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from compliance.errors import BilingualError

CHECK_OUTPUT_ENV = "DENGBAO_CHECK_OUTPUT"


class DriftError(BilingualError):
    """The drift check could not run (bad input, or Ansible did not finish)."""


def ansible_playbook() -> str:
    """The ansible-playbook beside this Python (the project's environment), else the one on PATH."""
    beside = Path(sys.executable).parent / "ansible-playbook"
    return str(beside) if beside.exists() else "ansible-playbook"


def check_run(root: Path, inventory: Path, playbook: Path, limit: str | None, timeout: float = 3600) -> dict[str, Any]:
    """`ansible-playbook --check --diff` from the repository; the callback's document of what would change."""
    with tempfile.TemporaryDirectory(prefix="dengbao-drift-") as scratch:
        output = Path(scratch) / "check.json"
        environment = {k: v for k, v in os.environ.items() if k != "DENGBAO_LEDGER"}
        environment |= {CHECK_OUTPUT_ENV: str(output), "ANSIBLE_CONFIG": str(root / "ansible.cfg")}
        command = [ansible_playbook(), "-i", str(inventory), str(playbook), "--check", "--diff"]
        command += ["--limit", limit] if limit else []
        try:
            done = subprocess.run(command, cwd=root, env=environment, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise DriftError(
                f"ansible-playbook --check did not finish within {timeout:.0f} s",
                f"ansible-playbook --check 未在 {timeout:.0f} 秒内完成",
            ) from error
        if not output.is_file():
            tail = (done.stderr.strip() or done.stdout.strip())[-1500:]
            raise DriftError(
                f"ansible-playbook --check stopped before its end (exit {done.returncode}): {tail}",
                f"ansible-playbook --check 未执行完毕（退出码 {done.returncode}）：{tail}",
            )
        return json.loads(output.read_text(encoding="utf-8"))
