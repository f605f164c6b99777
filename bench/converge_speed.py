"""On-demand benchmark: a whole fleet's day, timed, with peak memory: converge, scan, inspect.

    python bench/converge_speed.py [--size 50] [--skip-converge]

Brings up the benchmark lab (its own network, as bench/scan_speed.py): the default topology's 20 hosts, then
ad-hoc hosts `bench-21`… in the management zone up to `--size`, all in the lab's inventory
(inventory/lab/hosts.yml: zone and system groups, the lab's group_vars), then measures, one after the other:
  1. `ansible-playbook playbooks/site.yml`: every role on every host, from a fresh Debian image (the mirrors,
     the baseline, patching, accounts, audit, logging, antivirus, time, hardening, SSH, the firewall, backups);
  2. `dengbao scan --report none` of every host, then with every report;
  3. `dengbao inspect --report none` of every host (the morning inspection).
Each with its wall time, its process tree's peak memory (the control node, Ansible's forks included) and the
machine's memory in use at its highest above the start (control node and lab). The lab's footprint at rest is
printed first. Needs root. Not part of the tests; `docs/performance.md` records a run.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

from inspection_speed import time_inspect
from lab_startup import bench_paths
from measure import in_use_mb, measure
from scan_speed import FLEET, time_scan

from compliance.lab.lab import Lab
from compliance.lab.plan import PlannedHost, adhoc_hosts, first_hosts

ROOT = Path(__file__).resolve().parents[1]
EXTRA_GROUPS = ("zone_mgmt", "system_infra")  # where the hosts beyond the topology's stand, as its bastion does


def fleet_plan(size: int) -> list[PlannedHost]:
    paths = bench_paths()
    planned = first_hosts(paths, min(size, FLEET))
    names = [f"bench-{number:02d}" for number in range(FLEET + 1, size + 1)]
    extra = adhoc_hosts(paths, names, {host.address for host in planned})
    return planned + [PlannedHost(host.name, host.address, EXTRA_GROUPS) for host in extra]


def report(label: str, seconds: float, tree_mb: float, machine_mb: float, hosts: int) -> None:
    print(f"{label:<34} {seconds:>8.1f} s  {seconds / hosts:>6.2f} s/host  {tree_mb:>7.0f} MiB  {machine_mb:>7.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--skip-converge", action="store_true", help="scan and inspect the fresh hosts only")
    parser.add_argument("--log", type=Path, help="where Ansible's output goes as it runs (default: discarded)")
    args = parser.parse_args()
    paths = bench_paths()
    planned = fleet_plan(args.size)
    names = [host.name for host in planned]
    # The lab's own inventory in this checkout, as `dengbao lab up` writes it: an inventory is part of the model
    # only there, and a host's firewall rules come from the zones of the inventory that names it (elsewhere the
    # example hospital's subnets would be taken, and the firewall role would rightly refuse to load them).
    inventory = ROOT / "inventory" / "lab" / "hosts.yml"
    if inventory.exists():
        raise SystemExit(f"{inventory} exists: another lab is up (`dengbao lab down` it first)")
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        lab = Lab(paths, inventory_file=inventory, log=lambda _line: None)
        before = in_use_mb()
        lab.up(planned)
        try:
            print(f"the lab's {len(names)} hosts at rest: {in_use_mb() - before:.0f} MiB in use")
            print(f"{'':<34} {'wall':>10}  {'':>13}  {'control node':>12}  {'machine +':>9}")
            environment = {**os.environ, "ANSIBLE_FORCE_COLOR": "0"}
            # The backup role refuses to run without a repository password (from the environment or the vault).
            environment.setdefault("DENGBAO_BACKUP_PASSWORD", secrets.token_urlsafe(24))
            if not args.skip_converge:
                playbook = ["ansible-playbook", "-i", str(inventory), "playbooks/site.yml"]
                converged = measure(playbook, ROOT, environment, log=args.log)
                report("converge (site.yml)", converged.seconds, converged.tree_mb, converged.machine_mb, len(names))
                if converged.returncode != 0:
                    print(converged.stdout[-4000:], file=sys.stderr)
                    return 1
            for label, reports in (("scan, --report none", "none"), ("scan, every report", "all")):
                scanned = time_scan(inventory, names, directory / f"scan-{reports}", reports=reports)
                report(label, scanned.wall, scanned.peak_mb, scanned.machine_mb, len(names))
            inspected = time_inspect(inventory, names, directory / "inspection")
            report("inspect, --report none", inspected.seconds, inspected.tree_mb, inspected.machine_mb, len(names))
        finally:
            lab.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
