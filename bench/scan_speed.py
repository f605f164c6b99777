"""On-demand benchmark: how fast `dengbao scan` is, against two peers measured in the same run.

    python bench/scan_speed.py [--runs 3] [--sizes 1 5 10 20]

Brings up a benchmark lab of 20 hosts (its own network, 10.79.0.0/24), then:
  * ours: `dengbao scan -i <inventory> --limit <first N hosts>` end to end (process start,
    inventory, collection, every check and item, the run's evidence written, hashed and sealed),
    median of `--runs`, per size, without reports (`--report none`) and with every report format,
    with the cache warm (model, catalog and inventory listing unchanged since the last scan, the
    usual case for nightly and per-merge scans) and cold (`DENGBAO_CACHE=off`: all rebuilt);
  * peer (a): the same probes run one command per check through testinfra's SSH backend with no
    connection reuse (an ssh_config without ControlMaster), on one host;
  * peer (b): `lynis audit system --quick --cronjob` inside one host (lynis installed through
    the lab's apt proxy first).
Prints seconds and ratios; `docs/performance.md` records a run. Needs root. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import testinfra
import yaml
from lab_startup import bench_paths  # the benchmark lab (10.79.0.0/24) both benchmarks use

from compliance.checks import all_checks
from compliance.kinds.linux.probes import PROBES
from compliance.lab.lab import Lab
from compliance.lab.paths import LabPaths
from compliance.lab.plan import first_hosts

ROOT = Path(__file__).resolve().parents[1]
FLEET = 20


def dengbao() -> list[str]:
    return [str(Path(sys.executable).parent / "dengbao")]


def write_inventory(paths: LabPaths, names: list[str], directory: Path) -> Path:
    inventory = directory / "hosts.yml"
    document = {
        "all": {
            "hosts": {name: None for name in names},
            "vars": {"ansible_user": "root", "ansible_ssh_args": f"-F {paths.ssh_config}"},
        }
    }
    inventory.write_text(yaml.safe_dump(document))
    return inventory


def time_scan(
    inventory: Path, names: list[str], output: Path, cold: bool = False, reports: str = "none"
) -> tuple[float, float]:
    """(wall seconds of the whole command, slowest host's collection seconds)."""
    limits = [argument for name in names for argument in ("--limit", name)]
    environment = {**os.environ, "DENGBAO_CACHE": "off"} if cold else None
    started = time.monotonic()
    result = subprocess.run(
        [*dengbao(), "scan", "-i", str(inventory), *limits, "-o", str(output), "--no-progress", "--report", reports],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    wall = time.monotonic() - started
    if result.returncode == 2:
        raise SystemExit(result.stderr)
    document = json.loads((output / "results.json").read_text())
    collected = [h for h in document["hosts"] if h["status"] == "collected"]
    if len(collected) != len(names):
        raise SystemExit(f"only {len(collected)} of {len(names)} hosts collected")
    return wall, max(h["seconds"] for h in collected)


def time_testinfra_per_check(paths: LabPaths, host: str, directory: Path) -> float:
    """Every probe as its own command over a fresh SSH connection (testinfra's ssh backend, no reuse)."""
    config = directory / "ssh_config_no_reuse"
    lines = [line for line in paths.ssh_config.read_text().splitlines() if not line.strip().startswith("Control")]
    config.write_text("\n".join(lines) + "\n")
    target = testinfra.get_host(f"ssh://{host}", ssh_config=str(config))
    started = time.monotonic()
    for probe in PROBES:
        target.run(probe.command)
    return time.monotonic() - started


def time_lynis(paths: LabPaths, host: str) -> float:
    ssh = ["ssh", "-F", str(paths.ssh_config), host]
    install = "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lynis >/dev/null"
    subprocess.run([*ssh, install], check=True, capture_output=True)
    started = time.monotonic()
    subprocess.run([*ssh, "lynis audit system --quick --cronjob >/dev/null 2>&1"], check=False)
    return time.monotonic() - started


def fleet_arguments(description: str | None) -> argparse.Namespace:
    """--runs and --sizes, the options every fleet benchmark takes."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10, 20])
    return parser.parse_args()


@dataclass(frozen=True)
class Fleet:
    paths: LabPaths
    names: list[str]
    directory: Path  # scratch space, removed afterwards
    inventory: Path  # names every host of the fleet


@contextmanager
def bench_fleet() -> Iterator[Fleet]:
    """The benchmark lab's FLEET hosts up with an inventory naming them; the lab down afterwards, always."""
    paths = bench_paths()
    lab = Lab(paths, inventory_file=None, log=lambda _line: None)
    planned = first_hosts(paths, FLEET)
    names = [h.name for h in planned]
    lab.up(planned)
    try:
        with tempfile.TemporaryDirectory() as temporary:
            directory = Path(temporary)
            yield Fleet(paths, names, directory, write_inventory(paths, names, directory))
    finally:
        lab.down()


def main() -> int:
    args = fleet_arguments(__doc__)
    with bench_fleet() as fleet:
        paths, names, directory, inventory = fleet.paths, fleet.names, fleet.directory, fleet.inventory
        time_scan(inventory, names[:1], directory / "warm-up")
        print(
            f"{'hosts':>5}  {'scan s warm':>11}  {'per host s':>10}  {'scan s cold':>11}"
            f"  {'warm + all reports s':>20}  {'slowest host collect s':>22}"
        )
        per_size: dict[int, float] = {}
        for size in args.sizes:
            runs = [time_scan(inventory, names[:size], directory / f"run-{size}-{i}") for i in range(args.runs)]
            cold = [
                time_scan(inventory, names[:size], directory / f"cold-{size}-{i}", cold=True)[0]
                for i in range(args.runs)
            ]
            reported = [
                time_scan(inventory, names[:size], directory / f"reports-{size}-{i}", reports="all")[0]
                for i in range(args.runs)
            ]
            wall = statistics.median(r[0] for r in runs)
            collect = statistics.median(r[1] for r in runs)
            per_size[size] = wall
            print(
                f"{size:>5}  {wall:>11.2f}  {wall / size:>10.2f}  {statistics.median(cold):>11.2f}"
                f"  {statistics.median(reported):>20.2f}  {collect:>22.2f}"
            )
        one = per_size.get(1) or time_scan(inventory, names[:1], directory / "one")[0]
        one_cold = statistics.median(
            time_scan(inventory, names[:1], directory / f"one-cold-{i}", cold=True)[0] for i in range(args.runs)
        )
        testinfra_seconds = statistics.median(
            time_testinfra_per_check(paths, names[0], directory) for _ in range(args.runs)
        )
        lynis_seconds = time_lynis(paths, names[0])
        print(f"\none host, {len(PROBES)} probes / {len(all_checks())} checks:")
        print(f"  dengbao scan (whole command), warm      {one:6.2f} s")
        print(f"  dengbao scan (whole command), cold      {one_cold:6.2f} s")
        for label, seconds in (
            ("(a) testinfra, one command per check", testinfra_seconds),
            ("(b) lynis audit system --quick", lynis_seconds),
        ):
            print(
                f"  {label:<38}  {seconds:6.2f} s   ratio {seconds / one:5.1f}x warm, {seconds / one_cold:5.1f}x cold"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
