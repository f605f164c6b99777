"""On-demand benchmark: how fast `dengbao inspect` is, against the same items collected one command per item.

    python bench/inspection_speed.py [--runs 3] [--sizes 1 5 10 20 50]

Brings up the benchmark lab of 20 hosts (its own network, 10.79.0.0/24, as bench/scan_speed.py), then:
  * ours: `dengbao inspect -i <inventory> --limit <first N hosts> --report none` end to end (process
    start, inventory, one script per host over SSH, every item, the run written and sealed), median of
    `--runs`, per size; and the same with both reports (Markdown and HTML with trends);
  * peer: the same probes, one SSH command per probe with a fresh connection each (an ssh_config
    without ControlMaster, as a script that logs in for each check does), the hosts 20 at a time, as
    the inspection's workers are; the outputs are not even parsed.
Prints seconds and ratios; `docs/performance.md` records a run. Needs root. Not part of the tests.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from measure import Measured, measure
from scan_speed import FLEET, bench_fleet, dengbao, fleet_arguments

from compliance.kinds.linux.probes import INSPECTION_PROBES
from compliance.lab.paths import LabPaths

ROOT = Path(__file__).resolve().parents[1]


def time_inspect(inventory: Path, names: list[str], output: Path, reports: str = "none") -> Measured:
    limits = [argument for name in names for argument in ("--limit", name)]
    command = [*dengbao(), "inspect", "-i", str(inventory), *limits, "-o", str(output), "--report", reports]
    result = measure(command, ROOT)
    document = json.loads((output / "inspection.json").read_text())
    answered = [host for host in document["hosts"] if host["status"] == "collected"]
    if len(answered) != len(names):
        raise SystemExit(f"only {len(answered)} of {len(names)} hosts answered:\n{result.stderr[-2000:]}")
    return result


def time_one_command_per_item(paths: LabPaths, names: list[str], directory: Path) -> float:
    config = directory / "ssh_config_no_reuse"
    lines = [line for line in paths.ssh_config.read_text().splitlines() if not line.strip().startswith("Control")]
    config.write_text("\n".join(lines) + "\n")

    def one_host(name: str) -> None:
        for probe in INSPECTION_PROBES:
            subprocess.run(["ssh", "-F", str(config), name, probe.command], capture_output=True, check=False)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=FLEET) as pool:
        list(pool.map(one_host, names))
    return time.monotonic() - started


def main() -> int:
    args = fleet_arguments(__doc__)
    with bench_fleet(max(FLEET, *args.sizes)) as fleet:
        paths, names, directory, inventory = fleet.paths, fleet.names, fleet.directory, fleet.inventory
        time_inspect(inventory, names[:1], directory / "warm-up")
        print(f"{len(INSPECTION_PROBES)} probes per host")
        print(
            f"{'hosts':>5}  {'inspect s':>9}  {'+ reports s':>11}  {'one command per item s':>22}  {'ratio':>6}"
            f"  {'control node MiB':>16}  {'machine +MiB':>12}"
        )
        for size in args.sizes:
            runs = [time_inspect(inventory, names[:size], directory / "runs" / f"{size}-{i}") for i in range(args.runs)]
            ours = statistics.median(run.seconds for run in runs)
            peak, machine = max(run.tree_mb for run in runs), max(run.machine_mb for run in runs)
            reported = statistics.median(
                time_inspect(inventory, names[:size], directory / "runs" / f"r{size}-{i}", "all").seconds
                for i in range(args.runs)
            )
            peer = statistics.median(
                time_one_command_per_item(paths, names[:size], directory) for _ in range(args.runs)
            )
            print(
                f"{size:>5}  {ours:>9.2f}  {reported:>11.2f}  {peer:>22.2f}  {peer / ours:>5.1f}x"
                f"  {peak:>16.0f}  {machine:>12.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
