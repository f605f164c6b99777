"""On-demand benchmark: how long `dengbao lab up N` takes with a warm image, and what overlays save.

    python bench/lab_startup.py [--runs 3] [--sizes 1 5 20]

For each size it brings the benchmark lab (its own state and bridges, the lab model's zones) up and down
`--runs` times and prints the median time until every host answers SSH. The peer,
measured in the same run, is what a host would cost without overlayfs: a full copy of the
golden root filesystem (`cp -a`), timed for one host; the ratio says how many hosts the
lab starts in the time one copied root takes to prepare. Needs root. Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compliance.lab.image import ImageRecipe, configured_mirror, ensure_image
from compliance.lab.lab import Lab
from compliance.lab.paths import LabPaths
from compliance.lab.plan import first_hosts
from compliance.lab.zones import load_layout


def bench_paths() -> LabPaths:
    return LabPaths(
        state=Path("/var/lib/dengbao-lab-bench"),
        cache=Path(os.environ.get("DENGBAO_LAB_CACHE", "/var/cache/dengbao-lab")),
        layout=load_layout(Path(__file__).resolve().parents[1], "dgbbench0"),
        bridge="dgbbench0",
    )


def time_up(lab: Lab, paths: LabPaths, size: int) -> float:
    planned = first_hosts(paths, size)
    began = time.monotonic()
    lab.up(planned)
    elapsed = time.monotonic() - began
    lab.down()
    return elapsed


def time_full_copy(image: Path) -> float:
    with tempfile.TemporaryDirectory(dir=image.parent) as scratch:
        began = time.monotonic()
        subprocess.run(["cp", "-a", str(image), str(Path(scratch) / "root")], check=True)
        return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20])
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root", file=sys.stderr)
        return 2
    paths = bench_paths()
    lab = Lab(paths, inventory_file=None, log=lambda _line: None)
    image = ensure_image(paths, ImageRecipe(mirror=configured_mirror()))
    lab.down()
    time_up(lab, paths, 1)  # warm-up: proxy start, page cache
    copy = statistics.median(time_full_copy(image) for _ in range(args.runs))
    print(f"peer: full copy of the golden root for one host: {copy:.2f} s (median of {args.runs})")
    print(f"{'hosts':>5} {'up (median)':>12} {'per host':>9} {'hosts per full copy':>20}")
    for size in args.sizes:
        median = statistics.median(time_up(lab, paths, size) for _ in range(args.runs))
        print(f"{size:>5} {median:>11.2f}s {median / size:>8.2f}s {copy / (median / size):>20.1f}x")
    shutil.rmtree(paths.state, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
