"""The checkout's own facts: `git_output` answers or says it cannot, and never holds a run."""

from __future__ import annotations

import os
import subprocess

import compliance.project as project


def test_git_output_reads_the_checkout_and_is_none_outside_one(repo, tmp_path):
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert project.git_output(repo, "rev-parse", "HEAD") == head.strip()
    assert project.git_output(tmp_path, "rev-parse", "HEAD") is None  # not a checkout: git fails


def test_a_git_that_does_not_answer_is_given_up_on_not_waited_for(repo, tmp_path, monkeypatch):
    # A stalled network file system cannot be made here; a `git` that never answers stands in for it.
    stalled = tmp_path / "bin"
    stalled.mkdir()
    (stalled / "git").write_text("#!/bin/sh\nexec sleep 60\n")
    (stalled / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{stalled}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(project, "GIT_TIMEOUT", 0.5)
    assert project.git_output(repo, "rev-parse", "HEAD") is None
