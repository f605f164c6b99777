"""What validation reports: one problem per finding, with its place and both languages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """A finding in a model file: where it is (file, line, column, field path) and what is wrong."""

    file: str
    line: int
    column: int
    field: str
    english: str
    chinese: str

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        field = f" [{self.field}]" if self.field else ""
        return f"{where}{field}\n  错误：{self.chinese}\n  error: {self.english}"


class ModelError(Exception):
    """Raised when a file cannot be read as a model document at all (syntax, duplicate keys)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


def display_path(path: Path, root: Path | None) -> str:
    """The path as a reviewer reads it: relative to the repository when it is inside."""
    if root is not None:
        try:
            return str(_resolved(path).relative_to(_resolved(root)))
        except ValueError:
            pass
    return str(path)


def field_name(path: tuple[object, ...]) -> str:
    """`('settings', 'rules', 2, 'to')` → `settings.rules[2].to`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _resolved(path: Path) -> Path:
    """The real path; for a symbolic-link loop (which cannot be resolved) the absolute one."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()
