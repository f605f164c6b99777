"""On-demand benchmark: rendering the reports of a 1,000-host run, against reading and writing its data.

    python bench/report_speed.py [--hosts 1000] [--formats html,md,junit,xlsx,oscal,json] [--runs 1]

Scans this machine once (`dengbao scan --report none`), then builds a synthetic sealed run from it:
the host and its raw evidence copied to N hosts (srv-0001 …), each with a row for every level-3
item (its scanned rows, and the other catalog items as manual rows), the results' summary kept as
scanned. Then times, in the same run and on the same files:
  * ours: `dengbao report RUN --format FORMATS` (verify the seal, load, render every format);
  * peer: the same results.json and evidence files read and written back as JSON by one Python
    process (the floor any report of this data pays);
  * the merge's floor: `dengbao scan --from-run RUN --report none`, every host's stored evidence judged
    again into a new sealed run, as the merge of an AWX job's slices does.
Prints wall time and peak memory (the child's maximum resident set) of each, the ratio, and the
issue's targets (1,000 hosts × every item in under 5 s and 500 MB). Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET_SECONDS, TARGET_MB = 5.0, 500
PEER = """
import json, sys
from pathlib import Path
run, out = Path(sys.argv[1]), Path(sys.argv[2])
results = json.loads((run / "results.json").read_text())
(out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
for host in results["hosts"]:
    evidence = json.loads((run / host["evidence_file"]).read_text())
    (out / Path(host["evidence_file"]).name).write_text(json.dumps(evidence, ensure_ascii=False))
"""


def synthetic_run(source: Path, into: Path, hosts: int) -> tuple[int, int]:
    """N copies of the scanned host, sealed; returns (hosts, item rows)."""
    sys.path.insert(0, str(ROOT))
    from compliance.evidence.store import seal

    results = json.loads((source / "results.json").read_text())
    [host] = results["hosts"]
    evidence = (source / host["evidence_file"]).read_text()
    own_items = [item for item in results["items"] if item["object"] == host["name"]]
    own_items += padding(own_items)
    other_items = [item for item in results["items"] if item["object"] != host["name"]]
    (into / "evidence").mkdir(parents=True)
    results["hosts"], results["items"] = [], list(other_items)
    for number in range(1, hosts + 1):
        name = f"srv-{number:04d}"
        results["hosts"].append(host | {"name": name, "evidence_file": f"evidence/{name}.json"})
        (into / "evidence" / f"{name}.json").write_text(evidence.replace(f'"{host["name"]}"', f'"{name}"'))
        results["items"] += [item | {"object": name} for item in own_items]
    (into / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    for name in ("provenance.json", "summary.txt"):
        shutil.copy(source / name, into / name)
    seal(into, None)
    return hosts, len(results["items"])


def padding(rows: list[dict]) -> list[dict]:
    """A manual row for each level-3 catalog item the host has no row for."""
    from compliance.scan.coverage import covered_items

    template = rows[0]
    present = {row["item"] for row in rows}
    return [
        template | {"item": item.id, "level": item.level, "twin": item.twin, "category": item.category_id,
                    "category_zh": item.category_zh, "category_en": item.category_en,
                    "control_point": item.control_point_id, "control_point_zh": item.control_point_zh,
                    "control_point_en": item.control_point_en, "test_unit": item.test_unit, "text_zh": item.zh,
                    "text_en": item.en, "verdict": "manual", "verdict_zh": "人工核查", "original_verdict": None,
                    "finding": False, "checks": [], "reason_en": "manual: synthetic row", "reason_zh": "需人工核查",
                    "waiver": None}
        for item in covered_items(3) if item.id not in present
    ]  # fmt: skip


# Runs the command as its own child, so the peak resident set is the command's alone.
MEASURE = """
import resource, subprocess, sys, time
began = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(time.perf_counter() - began, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, done.returncode)
sys.stderr.write(done.stderr[-2000:])
"""


def timed(command: list[str], accepted: tuple[str, ...] = ("0",)) -> tuple[float, float]:
    """Wall seconds and the peak resident set (MB) of the command; `accepted`: its exit codes that are not a failure."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=False)
    elapsed, peak, code = done.stdout.split()
    if code not in accepted:
        raise SystemExit(f"{command[0]} failed ({code}):\n{done.stderr}")
    return float(elapsed), float(peak)


def report_command(work: Path, formats: str) -> list[str]:
    output = work / f"out-{formats.replace(',', '-')}"
    return [str(BIN / "dengbao"), "report", str(work / "run"), "--format", formats, "--alone", "-o", str(output)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--formats", default="html,md,junit,xlsx,oscal,json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dengbao-report-bench-") as scratch:
        work = Path(scratch)
        scanned = subprocess.run(
            [str(BIN / "dengbao"), "scan", "--report", "none", "--no-progress", "-o", str(work / "source")],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if scanned.returncode not in (0, 1):
            raise SystemExit(f"the scan failed:\n{scanned.stderr[-2000:]}")
        hosts, rows = synthetic_run(work / "source", work / "run", args.hosts)
        (work / "peer").mkdir()
        peer = timed([sys.executable, "-c", PEER, str(work / "run"), str(work / "peer")])
        ours = timed(report_command(work, args.formats))
        each = {fmt: timed(report_command(work, fmt)) for fmt in args.formats.split(",")}
        judged = timed([str(BIN / "dengbao"), "scan", "--from-run", str(work / "run"), "--report", "none",
                        "--no-progress", "-o", str(work / "judged")], accepted=("0", "1"))  # fmt: skip
        written = work / f"out-{args.formats.replace(',', '-')}"
        sizes = {p.name: p.stat().st_size for p in written.iterdir()}
    print(f"{hosts} hosts, {rows} item rows; formats {args.formats}")
    print(f"  dengbao report      {ours[0]:6.2f} s  peak {ours[1]:6.0f} MB")
    print(f"  JSON read + write   {peer[0]:6.2f} s  peak {peer[1]:6.0f} MB   (peer)")
    print(f"  ratio {ours[0] / peer[0]:.1f}x the peer's time")
    for fmt, (seconds, peak) in each.items():
        print(f"    --format {fmt:<8} {seconds:6.2f} s  peak {peak:6.0f} MB")
    print(f"  scan --from-run     {judged[0]:6.2f} s  peak {judged[1]:6.0f} MB   (every host judged again)")
    print(f"  target: under {TARGET_SECONDS:g} s and {TARGET_MB} MB: "
          f"{'met' if ours[0] < TARGET_SECONDS and ours[1] < TARGET_MB else 'NOT met'}")  # fmt: skip
    for name, size in sorted(sizes.items()):
        print(f"    {name:<40} {size / 1e6:8.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
