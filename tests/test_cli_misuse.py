"""Misuses of the command line: each exits 2 with a Chinese and an English line naming what is wrong.

Run in-process (argparse exits through SystemExit), so a traceback fails the test with its stack.
Output-directory misuses are refused before any host is contacted: the scan's target here is
this machine, and a refusal must come before its collection (which would print its summary).
"""

from __future__ import annotations

import contextlib
import io
import subprocess
from pathlib import Path

import pytest

from compliance.cli import main

README = "README.md"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


MISUSES = [  # (id, argv, a fragment the English line must contain, one the Chinese line must contain)
    ("no_command", [], "the following arguments are required", "缺少必需的参数"),
    ("unknown_command", ["nonsense"], "invalid choice", "无效"),
    ("unknown_flag", ["scan", "--bogus"], "unrecognized arguments: --bogus", "无法识别的参数：--bogus"),
    ("timeout_nan", ["scan", "--timeout", "nan"], "--timeout: 'nan' is not a number", "nan 不是大于 0 的秒数"),
    ("timeout_inf", ["scan", "--timeout", "inf"], "--timeout: 'inf' is not a number", "不是大于 0 的秒数"),
    ("timeout_zero", ["scan", "--timeout", "0"], "--timeout: '0' is not a number", "不是大于 0 的秒数"),
    ("timeout_negative", ["scan", "--timeout=-5"], "--timeout: '-5' is not a number", "不是大于 0 的秒数"),
    ("timeout_text", ["scan", "--timeout", "soon"], "--timeout: 'soon'", "不是大于 0 的秒数"),
    ("workers_zero", ["scan", "--workers", "0"], "--workers: '0' is not a whole number", "不是大于 0 的整数"),
    ("workers_float", ["scan", "--workers", "2.5"], "--workers: '2.5'", "不是大于 0 的整数"),
    ("level_four", ["scan", "--level", "4"], "argument --level: invalid choice", "参数 --level 取值"),
    ("level_text", ["catalog", "--level", "three"], "argument --level: invalid int value", "不是有效的整数"),
    ("timeout_without_value", ["scan", "--timeout"], "expected one argument", "参数 --timeout 需要一个取值"),
    ("output_exists", ["scan", "-o", README], "exists already", "已存在"),
    ("output_under_a_file", ["scan", "-o", f"{README}/run"], "which is a file, not a directory", "位于文件"),
    ("output_deep_under_a_file", ["scan", "-o", f"{README}/a/b/run"], "lies under README.md", "位于文件"),
    ("inventory_missing", ["scan", "-i", "no-such-inventory"], "no such inventory", "清单不存在"),
    ("inventory_empty", ["scan", "-i", ""], "-i/--inventory is empty", "为空"),
    ("inventory_not_an_inventory", ["scan", "-i", "docs/model.md"], "no hosts in it", "其中没有主机"),
    ("limit_without_inventory", ["scan", "--limit", "his-*"], "--limit and --system need an inventory", "需配合 -i"),
    (
        "from_run_with_inventory",
        ["scan", "--from-run", "docs", "-i", "example-hospital"],
        "takes no inventory",
        "不能与 -i",
    ),
    ("from_run_not_a_run", ["scan", "--from-run", "docs"], "docs", "docs"),
    ("catalog_unknown_category", ["catalog", "--category", "9.9"], "--category 9.9: no item", "没有该类别"),
    ("catalog_bad_format", ["catalog", "--format", "pdf"], "argument --format: invalid choice", "参数 --format"),
    ("report_unknown_format", ["report", "docs", "--format", "pdf"], "pdf", "pdf"),
    ("verify_not_a_run", ["evidence", "verify", "docs"], "docs", "docs"),
    ("verify_missing_key", ["evidence", "verify", "docs", "--public-key", "no-such.pub"], "docs", "docs"),
    ("inventory_unknown_name", ["inventory", "-i", "nowhere"], "nowhere", "nowhere"),
    ("validate_missing_path", ["validate", "no/such/path"], "no such file or directory", "文件或目录不存在"),
    ("lab_unknown_action", ["lab", "dance"], "invalid choice", "无效"),
    ("records_unknown_type", ["records", "new", "drills", "-i", "example-hospital"], "unknown record type", "未知"),
    ("records_no_category", ["records", "new", "document", "-i", "example-hospital"], "needs --category", "需要"),
    ("records_no_inventory", ["records", "list", "-i", "nowhere"], "no such inventory", "清单不存在"),
    (
        "records_attachment_missing",
        ["records", "new", "drill", "-i", "example-hospital", "--attach", "no-such.pdf"],
        "no such file to attach",
        "要附加的文件不存在",
    ),
    ("handover_not_a_run", ["handover", "docs", "--system", "his"], "docs", "docs"),
]


@pytest.mark.parametrize(("argv", "english", "chinese"), [m[1:] for m in MISUSES], ids=[m[0] for m in MISUSES])
def test_misuse_exits_2_in_both_languages(argv, english, chinese, tmp_path, monkeypatch, repo):
    monkeypatch.chdir(repo)
    monkeypatch.setenv("DENGBAO_CACHE", str(tmp_path / "cache"))
    code, out, err = run(argv)
    assert code == 2, (out, err)
    lines = err.splitlines()
    chinese_lines = [line for line in lines if line.startswith(("错误", "  错误"))]
    english_lines = [line for line in lines if line.lstrip().startswith("error")]
    assert chinese_lines and english_lines, err
    assert any(english in line for line in english_lines), err
    assert any(chinese in line for line in chinese_lines), err
    assert "Traceback" not in err
    assert "等保测评结果汇总" not in out, "the refusal must come before any collection"


def test_there_are_many_misuses():
    assert len({m[0] for m in MISUSES}) == len(MISUSES) >= 25


def test_outside_a_checkout_no_other_checkouts_model_is_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DENGBAO_REPO", raising=False)
    for argv in (["validate"], ["scan", "-o", str(tmp_path / "run")], ["inventory"]):
        code, _, err = run(argv)
        assert code == 2
        assert "DENGBAO_REPO" in err and "没有仓库" in err
    assert not (tmp_path / "run").exists()


def test_dengbao_repo_names_the_checkout_to_use(tmp_path, monkeypatch, repo):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DENGBAO_REPO", str(repo))
    code, out, _ = run(["validate"])
    assert code == 0 and "valid" in out


def test_the_ansible_tools_of_the_running_environment_are_used(monkeypatch, tmp_path):
    from compliance.scan.targets import ansible_tool

    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: the venv's own tool is found
    found = Path(ansible_tool("ansible-inventory"))
    assert found.name == "ansible-inventory" and found.is_file()


@pytest.fixture
def read_only_directory(tmp_path):
    """A read-only file system (a tmpfs mounted ro), where root too cannot write."""
    place = tmp_path / "ro"
    place.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(place)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("this machine cannot mount a tmpfs here")
    yield place
    subprocess.run(["umount", str(place)], check=False)


def test_an_output_on_a_read_only_file_system_is_refused_before_the_scan(read_only_directory, monkeypatch, repo):
    monkeypatch.chdir(repo)
    code, out, err = run(["scan", "-o", str(read_only_directory / "run")])
    assert code == 2
    assert "is not writable (permissions or a read-only file system)" in err and "只读文件系统" in err
    assert "等保测评结果汇总" not in out
