"""A generated corpus of mutations of the example hospital: `dengbao validate` answers 0 or 2, never a traceback.

The corpus is built from a fixed seed, so a failure names a case that can be rerun alone. Each
mutation edits one model file the way a careless editor or a hostile one might: lines dropped,
doubled, swapped or re-indented, bytes and tricky values planted, the file cut short. Where
validation refuses the model, a scan of it must refuse too, before anything is written.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from compliance.cli import main

REPO = Path(__file__).resolve().parents[2]
SEED = 22239
CORPUS_SIZE = 160
FILES = [
    "inventory/example-hospital/hosts.yml",
    "inventory/example-hospital/group_vars/all/dengbao.yml",
    "inventory/example-hospital/group_vars/all/connection.yml",
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "policies").glob("*.yml")),
]
TRICKY_VALUES = [
    "no",
    "yes",
    "027",
    "0640",
    "1e999",
    "~",
    "[]",
    "{}",
    "''",
    "!!int x",
    "!!float x",
    "!!bool x",
    "!!timestamp x",
    "*undefined",
    "&anchor",
    "!vault x",
    "!!python/object:os.system",
    "2027-02-30",
    "2026-01-01 10:00:00",
    "999.999.999.999",
    "-1",
    "99999999999999999999999",
    '"\\x00"',
    "'\t'",
    "x" * 5000,
    "[" * 200,
    "{a: 1, a: 2}",
    "<<: {a: 1}",
    "? [a]",
    "|",
    ">-",
    "%YAML 1.1",
    "---",
    "...",
    "\x00",
    "\x1b",
    "\ufeff",
    "\udcff",
]


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str
    edit: Callable[[list[str], random.Random], list[str]]


def _drop(lines: list[str], rng: random.Random) -> list[str]:
    del lines[rng.randrange(len(lines))]
    return lines


def _double(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines))
    return [*lines[: index + 1], lines[index], *lines[index + 1 :]]


def _swap(lines: list[str], rng: random.Random) -> list[str]:
    a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return lines


def _indent(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines))
    lines[index] = (" " * rng.choice([1, 2, 3])) + lines[index] if rng.random() < 0.5 else lines[index].lstrip()
    return lines


def _plant_value(lines: list[str], rng: random.Random) -> list[str]:
    candidates = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
    index = rng.choice(candidates or [0])
    key = lines[index].split(": ", 1)[0]
    lines[index] = f"{key}: {rng.choice(TRICKY_VALUES)}"
    return lines


def _plant_byte(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines))
    line = lines[index]
    cut = rng.randrange(len(line) + 1)
    lines[index] = line[:cut] + rng.choice(["\x00", "\x07", "\x1b", "\x7f", "\t", "\ufeff", "\udcfe"]) + line[cut:]
    return lines


def _truncate(lines: list[str], rng: random.Random) -> list[str]:
    text = "\n".join(lines)
    return text[: rng.randrange(len(text) + 1)].split("\n")


EDITS = [_drop, _double, _swap, _indent, _plant_value, _plant_byte, _truncate]


def corpus() -> list[Mutation]:
    rng = random.Random(SEED)
    return [
        Mutation(f"{n:03d}-{edit.__name__.strip('_')}-{Path(file).stem}", file, edit)
        for n in range(CORPUS_SIZE)
        for file, edit in [(rng.choice(FILES), rng.choice(EDITS))]
    ]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    for name in ("ansible.cfg", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    for name in ("policies", "plugins"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "inventory" / "example-hospital", root / "inventory" / "example-hospital")
    return root


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def test_the_corpus_is_large_and_distinct():
    cases = corpus()
    assert len({case.id for case in cases}) == len(cases) >= 100
    assert {case.edit for case in cases} == set(EDITS)


@pytest.mark.parametrize("mutation", corpus(), ids=lambda m: m.id)
def test_a_mutated_model_is_judged_without_a_traceback(mutation, pristine, tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(pristine, root)
    target = root / mutation.file
    lines = target.read_text(encoding="utf-8").split("\n")
    rng = random.Random(f"{SEED}-{mutation.id}")
    edited = "\n".join(mutation.edit(lines, rng))
    target.write_bytes(edited.encode("utf-8", "surrogateescape"))

    code, errors = _run(["validate", str(root)])  # any exception fails the test with its traceback

    assert code in (0, 2), errors
    if code == 2:
        assert "错误：" in errors and "error: " in errors
        assert "Traceback" not in errors
        for line in errors.splitlines():
            if line.strip().startswith("错误："):  # the Chinese line explains in Chinese, not in a library's English
                assert re.search(r"[\u4e00-\u9fff]", line.strip()[3:]), line
        if int(mutation.id[:3]) % 8 == 0:  # a scan of a refused model writes nothing
            monkeypatch.chdir(root)
            run_dir = tmp_path / "run"
            scan_code, _ = _run(["scan", "-i", "example-hospital", "--report", "none", "-o", str(run_dir)])
            assert scan_code == 2
            assert not run_dir.exists()
