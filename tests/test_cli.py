"""The `dengbao` command's exit codes and bilingual errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from compliance import __version__


def dengbao(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compliance.cli", *args], capture_output=True, text=True, env=env, check=False
    )


def test_version():
    result = dengbao("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"dengbao {__version__}"


@pytest.mark.parametrize("args", [[], ["lab"], ["lab", "up", "five"], ["nonsense"]])
def test_usage_errors_exit_2(args):
    assert dengbao(*args).returncode == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="the lab's checks run after its root check")
def test_too_many_hosts_is_refused_in_both_languages_before_anything_starts(tmp_path):
    env = dict(os.environ, DENGBAO_LAB_STATE=str(tmp_path / "state"))
    result = dengbao("lab", "up", "21", env=env)
    assert result.returncode == 1
    assert "the default lab has 1 to 20 hosts; asked for 21" in result.stderr
    assert "默认实验环境可启动 1 至 20 台主机" in result.stderr
    assert not (tmp_path / "state" / "hosts").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the lab's checks run after its root check")
def test_a_bridge_prefix_too_long_for_the_zone_bridges_is_refused(tmp_path):
    env = dict(os.environ, DENGBAO_LAB_STATE=str(tmp_path), DENGBAO_LAB_BRIDGE="hospital-lab0")
    result = dengbao("lab", "status", env=env)
    assert result.returncode == 1
    assert "must have 1 to 11 characters" in result.stderr and "长度须为 1 至 11 个字符" in result.stderr


def test_the_command_starts_without_the_report_libraries():
    """compliance-trestle and openpyxl load only when an OSCAL or XLSX report is rendered (about a second)."""
    loaded = "sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'trestle'})"
    probe = f"import sys, compliance.cli; print({loaded})"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
