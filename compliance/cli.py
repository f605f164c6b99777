"""The `dengbao` command: lab, validate, catalog, scan, inspect, ack, records, evidence, report, ledger, drift…"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from compliance import __version__
from compliance.commands import EXIT_USAGE, usage_error
from compliance.commands.arguments import BilingualParser
from compliance.errors import BilingualError
from compliance.lab.errors import LabError
from compliance.yamldoc.problems import ModelError

EXIT_FAILED = 1
# Each command and the module (under compliance.commands) that defines and runs it, in the order `--help` lists
# them. A run imports only its command's module: a scan does not load the report, review or lab code.
COMMANDS = {
    "lab": "lab",
    "validate": "model",
    "inventory": "model",
    "catalog": "catalog",
    "checks": "checks",
    "device": "device",
    "scan": "scan",
    "inspect": "inspect",
    "ack": "ack",
    "records": "records",
    "evidence": "evidence",
    "report": "report",
    "handover": "handover",
    "ledger": "ledger",
    "drift": "drift",
    "review": "review",
}
# The model module names its two commands' runners itself.
RUNNERS = {"validate": "run_validate", "inventory": "run_inventory"}


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"compliance.commands.{name}")


def build_parser(command: str | None = None) -> BilingualParser:
    """Every command's parser, or only `command`'s (with the others' modules left unloaded)."""
    parser = BilingualParser(
        prog="dengbao",
        description=(
            "Hospital infrastructure-as-code and GB/T 22239-2019 compliance / 医院基础设施即代码与等保 2.0 合规工具"
        ),
    )
    parser.add_argument("--version", action="version", version=f"dengbao {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=BilingualParser)
    wanted = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in wanted:
        module = _module(name)
        (module.add_parsers if hasattr(module, "add_parsers") else module.add_parser)(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    args = build_parser(given[0] if given else None).parse_args(given)
    try:
        module = _module(COMMANDS[args.command])
        return int(getattr(module, RUNNERS.get(args.command, "run"))(args))
    except LabError as error:
        print(f"错误 error: {error.chinese}\n  {error.english}", file=sys.stderr)
        return EXIT_FAILED
    except ModelError as error:
        print(error.problem.render(), file=sys.stderr)
        return EXIT_USAGE
    except BilingualError as error:
        return usage_error(error.english, error.chinese)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
