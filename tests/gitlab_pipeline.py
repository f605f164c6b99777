"""Running `.gitlab-ci.yml` for real with gitlab-ci-local (shell executor, as the hospital's runner).

gitlab-ci-local reads committed files only, and runs shell jobs in the checkout itself, so each test
gets a scratch git repository holding the working tree's tracked files, with a GitLab remote. The jobs
use the Python environment running the tests (DENGBAO_VENV): it must be installed for this
pyproject.toml, or a job's `scripts/install-python-env` would reinstall it from the scratch copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

GITLAB_CI_LOCAL = Path(
    os.environ.get("DENGBAO_GITLAB_CI_LOCAL", "/opt/dengbao/tools/node_modules/.bin/gitlab-ci-local")
)
# Variables a real GitLab sets, which the tests set to play a merge request, a schedule or a branch.
PREDEFINED = ("CI_PIPELINE_SOURCE", "CI_COMMIT_BRANCH", "CI_DEFAULT_BRANCH", "CI_MERGE_REQUEST_DIFF_BASE_SHA")
REMOTE = "git@gitlab.hospital.example:xxzx/dengbao.git"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=ci", "-c", "user.email=ci@hospital.example", *args],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


def scratch_checkout(repo: Path, into: Path) -> Path:
    """The working tree's files (edits and files not yet added included, ignored ones left out) as a new
    repository on `main`, one commit."""
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    for name in filter(None, listed.decode().split("\0")):
        source = repo / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    git(into, "init", "-q", "-b", "main")
    git(into, "add", "-A")
    git(into, "commit", "-qm", "base")
    git(into, "remote", "add", "origin", REMOTE)
    return into


def python_environment() -> Path:
    """The environment running the tests, checked to be installed for this checkout's pyproject.toml."""
    venv = Path(sys.prefix)
    stamp = venv / ".installed[dev]"
    wanted = hashlib.sha256((Path(__file__).parents[1] / "pyproject.toml").read_bytes()).hexdigest()[:16]
    found = stamp.read_text().strip() if stamp.is_file() else "none"
    assert found == wanted, f"{venv} was installed for another pyproject.toml: run scripts/install-python-env --dev"
    return venv


def options(variables: dict[str, str]) -> list[str]:
    given = [f"--variable={name}={value}" for name, value in variables.items()]
    return ["--color=false", "--ignore-predefined-vars", ",".join(PREDEFINED), *given]


def listed_jobs(checkout: Path, variables: dict[str, str]) -> dict[str, str]:
    """The jobs the rules select for a pipeline with these variables, with their `when`."""
    done = subprocess.run(
        [str(GITLAB_CI_LOCAL), "--list-json", *options(variables)],
        cwd=checkout, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return {job["name"]: job["when"] for job in json.loads(done.stdout) if job["when"] != "never"}


def run_pipeline(
    checkout: Path, *jobs: str, variables: dict[str, str], env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the named jobs (or the whole pipeline) in the scratch checkout; a run past `timeout` is killed
    with everything it started, and raises."""
    variables = {"DENGBAO_VENV": str(python_environment()), **variables}
    process = subprocess.Popen(
        [str(GITLAB_CI_LOCAL), *options(variables), *jobs],
        cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise AssertionError(f"the pipeline ran past {timeout} s:\n{output[-4000:]}") from None
    return subprocess.CompletedProcess(process.args, process.returncode, output, "")


def job_log(checkout: Path, job: str) -> str:
    return (checkout / ".gitlab-ci-local" / "output" / f"{job}.log").read_text()
