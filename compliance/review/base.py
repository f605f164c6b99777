"""The base commit's model, and the lines a change touched, from git."""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from pathlib import Path

from compliance.errors import BilingualError

MODEL_PATHS = ("policies", "inventory", "records", "ansible.cfg")
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


class ReviewError(BilingualError):
    """The review cannot be made (unknown base, uncommitted changes)."""


def git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60, check=False)


def check_clean(root: Path) -> None:
    """A review describes committed states: edits not yet committed would be reviewed as if they were."""
    status = git(root, "status", "--porcelain", "--untracked-files=no", "--", *MODEL_PATHS)
    if status.returncode != 0:
        raise ReviewError(f"{root} is not a git checkout", f"{root} 不是 git 仓库")
    if status.stdout.strip():
        shown = status.stdout.decode(errors="replace").strip().replace("\n", "; ")
        raise ReviewError(
            f"uncommitted changes to the model ({shown}): commit them, then review",
            f"模型有未提交的修改（{shown}）：请先提交再评审",
        )


def materialise(root: Path, base: str, into: Path) -> str:
    """Write the base commit's model under `into`; return the commit it resolved to."""
    resolved = git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    if resolved.returncode != 0:
        raise ReviewError(f"--base {base!r} names no commit here", f"--base {base!r} 不是本仓库中的提交")
    commit = resolved.stdout.decode().strip()
    present = [p for p in MODEL_PATHS if git(root, "cat-file", "-e", f"{commit}:{p}").returncode == 0]
    archive = git(root, "archive", "--format=tar", commit, *present)
    if archive.returncode != 0:
        raise ReviewError(f"git archive {commit} failed", f"git archive {commit} 失败")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return commit


def changed_lines(root: Path, commit: str) -> dict[str, list[int]]:
    """Per model file changed since the base commit: the first line of each changed hunk (line 1 for a
    file removed or changed only by deletions)."""
    names = git(root, "diff", "--name-only", commit, "HEAD", "--", *MODEL_PATHS).stdout.decode().split()
    found: dict[str, list[int]] = {}
    for name in names:
        diff = git(root, "diff", "-U0", commit, "HEAD", "--", name).stdout.decode(errors="replace")
        found[name] = sorted({max(int(m.group(1)), 1) for m in HUNK.finditer(diff)}) or [1]
    return found
