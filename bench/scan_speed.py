"""On-demand benchmark: how fast `dengbao scan` is, against two peers measured in the same run.

    python bench/scan_speed.py [--runs 3] [--sizes 1 5 10 20 50]

Brings up a benchmark lab of 20 hosts, or as many as the largest size (its own network, 10.79.0.0/24),
gives every host real package lists (`apt-get update` through the lab's apt proxy, as every server has; the
golden image ships none) and the patching role's apt hook with its record of pending updates (`--no-hook`:
hosts without the role), then:
  * ours: `dengbao scan -i <inventory> --limit <first N hosts>` end to end (process start,
    inventory, collection, every check and item, the run's evidence written, hashed and sealed),
    median of `--runs`, per size, without reports (`--report none`) and with every report format,
    with the cache warm (model, catalog and inventory listing unchanged since the last scan, the
    usual case for nightly and per-merge scans) and cold (`DENGBAO_CACHE=off`: all rebuilt);
  * peer (a): the same probes run one command per check through testinfra's SSH backend with no
    connection reuse (an ssh_config without ControlMaster), on one host;
  * peer (b): `lynis audit system --quick --cronjob` inside one host (lynis installed through
    the lab's apt proxy first), with DNS failing at once (resolv.conf pointed at a closed port) so
    that its name-service tests do not wait for time-outs;
  * peer (c): one bare batched SSH collection of the same host: the scan's own probe script through
    `ssh host sh -s` over a fresh connection, output discarded: the floor any scan over SSH pays;
  * the one-host scan again without the hook's record (the simulation `apt-get -s upgrade` the probe
    falls back to), and where a host's collection time goes, probe by probe, with and without it.
Prints seconds, ratios and the targets of issue #22; `docs/performance.md` records a run. Needs root.
Not part of the tests.
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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import testinfra
import yaml
from lab_startup import bench_paths  # the benchmark lab (10.79.0.0/24) both benchmarks use
from measure import in_use_mb, measure

from compliance.checks import all_checks
from compliance.kinds.linux import units_to_ask
from compliance.kinds.linux.probes import PROBES, collector_script, new_marker, scan_probes
from compliance.lab.lab import Lab
from compliance.lab.paths import LabPaths
from compliance.lab.plan import adhoc_hosts, first_hosts
from compliance.model.host_policy import policy_for_host

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


@dataclass(frozen=True)
class ScanTiming:
    wall: float  # the whole command
    slowest_collection: float  # the slowest host's collection, as the run records it
    peak_mb: float  # the command's process tree at its largest: the control node's memory
    machine_mb: float  # the machine's memory in use at its highest, above the start (control node and lab)


def time_scan(inventory: Path, names: list[str], output: Path, cold: bool = False, reports: str = "none") -> ScanTiming:
    limits = [argument for name in names for argument in ("--limit", name)]
    environment = {**os.environ, "DENGBAO_CACHE": "off"} if cold else None
    command = [*dengbao(), "scan", "-i", str(inventory), *limits, "-o", str(output), "--no-progress"]
    result = measure([*command, "--report", reports], ROOT, environment)
    if result.returncode == 2:
        raise SystemExit(result.stderr)
    document = json.loads((output / "results.json").read_text())
    collected = [h for h in document["hosts"] if h["status"] == "collected"]
    if len(collected) != len(names):
        raise SystemExit(f"only {len(collected)} of {len(names)} hosts collected")
    return ScanTiming(result.seconds, max(h["seconds"] for h in collected), result.tree_mb, result.machine_mb)


def time_testinfra_per_check(paths: LabPaths, host: str, directory: Path) -> float:
    """Every probe as its own command over a fresh SSH connection (testinfra's ssh backend, no reuse)."""
    target = testinfra.get_host(f"ssh://{host}", ssh_config=str(no_reuse_config(paths, directory)))
    started = time.monotonic()
    for probe in scans_probes(host):
        target.run(probe.command)
    return time.monotonic() - started


def ssh(paths: LabPaths, host: str, command: str, stdin: str | None = None, config: Path | None = None) -> str:
    result = subprocess.run(
        ["ssh", "-F", str(config or paths.ssh_config), host, command],
        input=stdin, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"{host}: {command[:60]}… failed ({result.returncode}): {result.stderr[-500:]}")
    return result.stdout


def no_reuse_config(paths: LabPaths, directory: Path) -> Path:
    """The lab's ssh_config without connection sharing: every command pays its own handshake."""
    config = directory / "ssh_config_no_reuse"
    lines = [line for line in paths.ssh_config.read_text().splitlines() if not line.strip().startswith("Control")]
    config.write_text("\n".join(lines) + "\n")
    return config


HOOK = ROOT / "roles" / "patching" / "files" / "dengbao-pending-updates"
HOOK_CONFIG = (ROOT / "roles" / "patching" / "templates" / "80dengbao-pending-updates.j2").read_text()
RECORD = "/var/lib/dengbao/patching/pending.json"


def prepare_hosts(paths: LabPaths, names: list[str], hook: bool) -> None:
    """Real package lists on every host and python3-apt, which the hook needs (lynis on the first), then the
    patching role's apt hook and its first record, as the role leaves a server.

    Only the first host fetches through the lab's apt proxy; the others get its package lists and packages
    copied over SSH. Fifty hosts updating through one proxy at once stalled it (a host's `apt-get update`
    did not finish in 15 minutes), and every host would fetch the same files."""
    first, others = names[0], names[1:]
    quiet = "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq"
    for attempt in range(3):
        try:
            ssh(paths, first, "timeout 300 apt-get update -qq")
            break
        except SystemExit:
            if attempt == 2:
                raise
    ssh(paths, first, f"apt-get clean && {quiet} python3-apt >/dev/null")
    bundle = subprocess.run(
        ["ssh", "-F", str(paths.ssh_config), first, "tar -C / -cf - var/lib/apt/lists var/cache/apt/archives"],
        capture_output=True, check=True, timeout=300,
    ).stdout  # fmt: skip

    def copy(host: str) -> None:
        subprocess.run(
            ["ssh", "-F", str(paths.ssh_config), host, "tar -C / -xf -"],
            input=bundle, capture_output=True, check=True, timeout=300,
        )  # fmt: skip
        ssh(paths, host, f"{quiet} --no-download python3-apt >/dev/null")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(copy, others))
    ssh(paths, first, f"{quiet} lynis >/dev/null")

    def install_hook(host: str) -> None:
        ssh(paths, host, "install -m 0755 /dev/stdin /usr/local/sbin/dengbao-pending-updates", HOOK.read_text())
        config = HOOK_CONFIG.replace("{{ ansible_managed }}", "benchmark")
        ssh(paths, host, "cat > /etc/apt/apt.conf.d/80dengbao-pending-updates", config)
        ssh(paths, host, f"/usr/local/sbin/dengbao-pending-updates && test -s {RECORD}")

    if hook:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(install_hook, names))


def scans_probes(host: str) -> tuple:
    """The probes a scan of `host` runs (the unit listing asks for the units its policy's checks read)."""
    return scan_probes(units_to_ask([policy_for_host(ROOT, host).settings]))


def time_bare_collection(paths: LabPaths, host: str, directory: Path) -> float:
    """The scan's probe script over one fresh SSH connection, output discarded."""
    script, config = collector_script(new_marker(), scans_probes(host)), no_reuse_config(paths, directory)
    started = time.monotonic()
    ssh(paths, host, "sh -s >/dev/null", script, config)
    return time.monotonic() - started


def probe_breakdown(paths: LabPaths, host: str) -> list[tuple[str, float]]:
    """Milliseconds each probe takes on the host itself, slowest first."""
    lines = ["export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    for probe in scans_probes(host):
        lines.append(f"s=$(date +%s%N); ( {probe.command} ) >/dev/null 2>&1 </dev/null; e=$(date +%s%N)")
        lines.append(f"echo {probe.name} $(( (e - s) / 1000 ))")
    output = ssh(paths, host, "sh -s", "\n".join(lines) + "\n")
    timings = [(name, int(micro) / 1000) for name, micro in (line.split() for line in output.splitlines())]
    return sorted(timings, key=lambda entry: -entry[1])


def time_lynis(paths: LabPaths, host: str) -> float:
    """lynis --quick inside the host, its resolver pointed at a closed port so DNS fails at once."""
    ssh(paths, host, "cp /etc/resolv.conf /etc/resolv.conf.bench && echo 'nameserver 127.0.0.1' > /etc/resolv.conf")
    try:
        started = time.monotonic()
        audit = "lynis audit system --quick --cronjob >/dev/null 2>&1"
        subprocess.run(["ssh", "-F", str(paths.ssh_config), host, audit], check=False)
        return time.monotonic() - started
    finally:
        ssh(paths, host, "mv /etc/resolv.conf.bench /etc/resolv.conf")


def fleet_arguments(description: str | None) -> argparse.Namespace:
    """--runs and --sizes, the options every fleet benchmark takes."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10, 20, 50])
    parser.add_argument("--no-hook", action="store_true", help="hosts without the patching role's apt hook")
    return parser.parse_args()


@dataclass(frozen=True)
class Fleet:
    paths: LabPaths
    names: list[str]
    directory: Path  # scratch space, removed afterwards
    inventory: Path  # names every host of the fleet
    before_mb: float  # the machine's memory in use before the lab came up


@contextmanager
def bench_fleet(size: int = FLEET) -> Iterator[Fleet]:
    """The benchmark lab's hosts up with an inventory naming them (the default topology's FLEET, then ad-hoc
    hosts in the management zone up to `size`); the lab down afterwards, always."""
    paths = bench_paths()
    lab = Lab(paths, inventory_file=None, log=lambda _line: None)
    planned = first_hosts(paths, min(size, FLEET))
    if size > FLEET:
        extra = [f"bench-{number:02d}" for number in range(FLEET + 1, size + 1)]
        planned += adhoc_hosts(paths, extra, {host.address for host in planned})
    names = [h.name for h in planned]
    before = in_use_mb()
    lab.up(planned)
    try:
        with tempfile.TemporaryDirectory() as temporary:
            directory = Path(temporary)
            yield Fleet(paths, names, directory, write_inventory(paths, names, directory), before)
    finally:
        lab.down()


def main() -> int:
    args = fleet_arguments(__doc__)
    with bench_fleet(max(FLEET, *args.sizes)) as fleet:
        paths, names, directory, inventory = fleet.paths, fleet.names, fleet.directory, fleet.inventory
        prepare_hosts(paths, names, hook=not args.no_hook)
        print(f"the lab's {len(names)} hosts at rest: {in_use_mb() - fleet.before_mb:.0f} MiB in use")
        time_scan(inventory, names[:1], directory / "warm-up")
        print(
            f"{'hosts':>5}  {'scan s warm':>11}  {'per host s':>10}  {'scan s cold':>11}"
            f"  {'warm + all reports s':>20}  {'slowest host collect s':>22}"
            f"  {'control node MiB':>16}  {'machine +MiB':>12}"
        )
        per_size: dict[int, float] = {}
        for size in args.sizes:
            runs = [time_scan(inventory, names[:size], directory / f"run-{size}-{i}") for i in range(args.runs)]
            cold = [
                time_scan(inventory, names[:size], directory / f"cold-{size}-{i}", cold=True).wall
                for i in range(args.runs)
            ]
            reported = [
                time_scan(inventory, names[:size], directory / f"reports-{size}-{i}", reports="all").wall
                for i in range(args.runs)
            ]
            wall = statistics.median(r.wall for r in runs)
            collect = statistics.median(r.slowest_collection for r in runs)
            peak, machine = max(r.peak_mb for r in runs), max(r.machine_mb for r in runs)
            per_size[size] = wall
            print(
                f"{size:>5}  {wall:>11.2f}  {wall / size:>10.2f}  {statistics.median(cold):>11.2f}"
                f"  {statistics.median(reported):>20.2f}  {collect:>22.2f}  {peak:>16.0f}  {machine:>12.0f}"
            )
        one = per_size.get(1) or time_scan(inventory, names[:1], directory / "one").wall
        one_cold = statistics.median(
            time_scan(inventory, names[:1], directory / f"one-cold-{i}", cold=True).wall for i in range(args.runs)
        )
        testinfra_seconds = statistics.median(
            time_testinfra_per_check(paths, names[0], directory) for _ in range(args.runs)
        )
        lynis_seconds = time_lynis(paths, names[0])
        bare = statistics.median(time_bare_collection(paths, names[0], directory) for _ in range(args.runs))
        with_record = probe_breakdown(paths, names[0])
        ssh(paths, names[0], f"mv {RECORD} {RECORD}.bench || true")
        try:
            without_record = statistics.median(
                time_scan(inventory, names[:1], directory / f"no-record-{i}").wall for i in range(args.runs)
            )
            simulated = probe_breakdown(paths, names[0])
        finally:
            ssh(paths, names[0], f"mv {RECORD}.bench {RECORD} || true")
        print(f"\none host, real package lists, {len(PROBES)} probes / {len(all_checks())} checks:")
        print(f"  dengbao scan (whole command), warm      {one:6.2f} s")
        print(f"  dengbao scan (whole command), cold      {one_cold:6.2f} s")
        print(f"  dengbao scan, warm, no apt-hook record  {without_record:6.2f} s")
        for label, seconds in (
            ("(a) testinfra, one command per check", testinfra_seconds),
            ("(b) lynis audit system --quick", lynis_seconds),
            ("(c) bare batched SSH collection", bare),
        ):
            print(
                f"  {label:<38}  {seconds:6.2f} s   ratio {seconds / one:5.1f}x warm, {seconds / one_cold:5.1f}x cold"
            )
        print("\nwhere one host's collection goes (ms on the host), with the hook's record / without:")
        simulated_ms = dict(simulated)
        for name, milliseconds in with_record[:8]:
            print(f"  {name:<18} {milliseconds:8.1f}  {simulated_ms.get(name, 0):8.1f}")
        print(f"  {'all probes':<18} {sum(m for _, m in with_record):8.1f}  {sum(simulated_ms.values()):8.1f}")
        fifty = per_size.get(50)
        print("\ntargets (issue #22):")
        for target, measured, met in (
            ("warm one-host scan within 1.5x of (c)", f"{one / bare:.2f}x", one <= 1.5 * bare),
            ("at least 15x faster than lynis", f"{lynis_seconds / one:.1f}x", lynis_seconds >= 15 * one),
            ("50 hosts in under 10 s", f"{fifty:.2f} s" if fifty else "not measured", bool(fifty and fifty < 10)),
        ):
            print(f"  {target:<40} {measured:>14}   {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
