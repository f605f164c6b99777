"""The `dengbao` subcommands, one module each (the top layer: they may use every other package).

What they share: how a usage error is printed, and how a subcommand documented by its module
docstring is registered."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compliance.model.validate import Repository

EXIT_USAGE = 2


def usage_error(english: str, chinese: str) -> int:
    """Print a usage error in both languages on stderr; return the usage exit code (2)."""
    print(f"错误：{chinese}\nerror: {english}", file=sys.stderr)
    return EXIT_USAGE


def load_model(root: Path) -> Repository | None:
    """The checkout's model; None after printing its problems and the usage error (the caller exits 2)."""
    from compliance.model.host_policy import InvalidModel, repository

    try:
        return repository(root)
    except InvalidModel as error:
        print(str(error), file=sys.stderr)
        usage_error("the model does not validate; run `dengbao validate`", "模型校验未通过，请运行 dengbao validate")
        return None


def documented_command(
    subparsers: argparse._SubParsersAction, name: str, help_text: str, doc: str | None
) -> argparse.ArgumentParser:
    """A subcommand whose --help shows its module docstring as written (examples, exit codes)."""
    return subparsers.add_parser(
        name, help=help_text, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def inventory_path(root: Path, name: str) -> Path:
    """An inventory given on the command line: a path that exists, else a name under the checkout's inventory/."""
    path = Path(name)
    if path.exists():
        return path
    return root / "inventory" / name
