"""The `dengbao` command: lab, validate, catalog, scan, inspect, ack, records, evidence, report, ledger, drift…"""

from __future__ import annotations

import sys

from compliance import __version__
from compliance.commands import EXIT_USAGE, usage_error
from compliance.commands import ack as ack_cli
from compliance.commands import catalog as catalog_cli
from compliance.commands import checks as checks_cli
from compliance.commands import device as device_cli
from compliance.commands import drift as drift_cli
from compliance.commands import evidence as evidence_cli
from compliance.commands import handover as handover_cli
from compliance.commands import inspect as inspect_cli
from compliance.commands import lab as lab_cli
from compliance.commands import ledger as ledger_cli
from compliance.commands import model as model_cli
from compliance.commands import records as records_cli
from compliance.commands import report as report_cli
from compliance.commands import review as review_cli
from compliance.commands import scan as scan_cli
from compliance.commands.arguments import BilingualParser
from compliance.errors import BilingualError
from compliance.lab.errors import LabError
from compliance.yamldoc.problems import ModelError

EXIT_FAILED = 1


def build_parser() -> BilingualParser:
    parser = BilingualParser(
        prog="dengbao",
        description=(
            "Hospital infrastructure-as-code and GB/T 22239-2019 compliance / 医院基础设施即代码与等保 2.0 合规工具"
        ),
    )
    parser.add_argument("--version", action="version", version=f"dengbao {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=BilingualParser)
    lab_cli.add_parser(subparsers)
    model_cli.add_parsers(subparsers)
    catalog_cli.add_parser(subparsers)
    checks_cli.add_parser(subparsers)
    device_cli.add_parser(subparsers)
    scan_cli.add_parser(subparsers)
    inspect_cli.add_parser(subparsers)
    ack_cli.add_parser(subparsers)
    records_cli.add_parser(subparsers)
    evidence_cli.add_parser(subparsers)
    report_cli.add_parser(subparsers)
    handover_cli.add_parser(subparsers)
    ledger_cli.add_parser(subparsers)
    drift_cli.add_parser(subparsers)
    review_cli.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "lab":
            return lab_cli.run(args)
        if args.command == "validate":
            return model_cli.run_validate(args)
        if args.command == "inventory":
            return model_cli.run_inventory(args)
        if args.command == "catalog":
            return catalog_cli.run(args)
        if args.command == "checks":
            return checks_cli.run(args)
        if args.command == "device":
            return device_cli.run(args)
        if args.command == "scan":
            return scan_cli.run(args)
        if args.command == "inspect":
            return inspect_cli.run(args)
        if args.command == "ack":
            return ack_cli.run(args)
        if args.command == "records":
            return records_cli.run(args)
        if args.command == "evidence":
            return evidence_cli.run(args)
        if args.command == "report":
            return report_cli.run(args)
        if args.command == "handover":
            return handover_cli.run(args)
        if args.command == "ledger":
            return ledger_cli.run(args)
        if args.command == "drift":
            return drift_cli.run(args)
        if args.command == "review":
            return review_cli.run(args)
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
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
