"""On-demand benchmark: `dengbao validate` of a 1,000-host inventory, against Ansible reading the same inventory.

    python bench/validate_speed.py [--hosts 1000] [--runs 3]

Copies the repository's model into a scratch directory and adds N servers to the example
hospital's application zone (a /22 more for their addresses, each in system_his), then times, in
the same run and on the same files:
  * ours: `dengbao validate` (every policy and inventory: schemas, zones, references, floors);
  * peer (a): `ansible-inventory -i <the inventory> --graph` (Ansible reading its groups and hosts);
  * peer (b): `ansible-inventory -i <the inventory> --list` (and every host's variables, the
    project's vars plugin resolving each host's policy, dumped as JSON).
Prints medians, the ratio, and the issue's target (under 2 s for 1,000 hosts). Not part of the tests.
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

import yaml

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0
BIN = Path(sys.executable).parent


def build_model(into: Path, hosts: int) -> Path:
    for name in ("policies", "plugins", "ansible.cfg", "pyproject.toml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, into / name)
    inventory = into / "inventory" / "example-hospital"
    shutil.copytree(ROOT / "inventory" / "example-hospital", inventory)
    hosts_file = inventory / "hosts.yml"
    document = yaml.safe_load(hosts_file.read_text())
    groups = document["all"]["children"]
    system = next(name for name in groups if name.startswith("system_"))
    groups[system].setdefault("hosts", {})
    for index in range(hosts):
        name = f"bench-app-{index:04d}"
        address = f"10.10.{24 + index // 250}.{index % 250 + 1}"
        server = {"ansible_host": address, "dengbao_os": "debian", "dengbao_device": "server"}
        groups["zone_app"]["hosts"][name] = server
        groups[system]["hosts"][name] = None
    hosts_file.write_text(yaml.safe_dump(document, allow_unicode=True))
    zones = inventory / "group_vars" / "all" / "zones.yml"
    text = zones.read_text()
    marker = "subnets: [10.10.20.0/24"
    assert marker in text, "the example hospital's application zone starts at 10.10.20.0/24"
    zones.write_text(text.replace(marker, f"{marker}, 10.10.24.0/{22 if hosts <= 1000 else 20}", 1))
    return inventory


def timed(command: list[str], cwd: Path) -> float:
    began = time.monotonic()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=dict(os.environ, DENGBAO_CACHE="off"))
    elapsed = time.monotonic() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dengbao-bench-validate-") as scratch:
        root = Path(scratch)
        inventory = build_model(root, args.hosts)
        ours = [timed([str(BIN / "dengbao"), "validate"], root) for _ in range(args.runs)]
        reading = [str(BIN / "ansible-inventory"), "-i", str(inventory)]
        graph = [timed([*reading, "--graph"], root) for _ in range(args.runs)]
        listed = [timed([*reading, "--list"], root) for _ in range(args.runs)]
    ours_median = statistics.median(ours)
    total = args.hosts + 31
    print(f"hosts: {total} ({args.hosts} added to the example hospital), medians of {args.runs}")
    print(f"dengbao validate:           {ours_median:6.2f} s  ({1000 * ours_median / total:.2f} ms a host)")
    for name, runs in (("ansible-inventory --graph", graph), ("ansible-inventory --list", listed)):
        median = statistics.median(runs)
        print(f"{name + ':':27} {median:6.2f} s  (peer; ours / peer {ours_median / median:.2f})")
    verdict = "met" if ours_median < TARGET_SECONDS else "NOT met"
    print(f"target (under {TARGET_SECONDS:.0f} s for 1,000 hosts): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
