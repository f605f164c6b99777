"""Wall time and peak memory of one command, for the benchmarks.

Two memory figures, sampled every 50 ms while the command runs:
  * the command's process tree at its peak: the largest sum of resident sets of the command and its descendants at one
    sample (Ansible's forks, `ansible-inventory`): the control node's cost;
  * the machine's memory in use (MemTotal − MemAvailable) at its highest, above where it stood when the run
    began: the control node and the lab's hosts together, as the command makes them work (sshd sessions, the
    probes).
`wait4`'s ru_maxrss would not do: a child forked from this benchmark's large process keeps that size as its
high-water mark across exec. `in_use_mb()` alone gives the lab's footprint at rest.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Measured:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    tree_mb: float  # the command's process tree at its largest
    machine_mb: float  # the machine's memory in use at its highest, above the start


def in_use_mb() -> float:
    """The machine's memory in use: MemTotal − MemAvailable, in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return (int(fields["MemTotal"].split()[0]) - int(fields["MemAvailable"].split()[0])) / 1024


def _resident_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants, through each task's `children` list."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        try:
            waiting.extend(int(child) for child in Path(f"/proc/{current}/task/{current}/children").read_text().split())
        except (OSError, ValueError):
            continue
    return found


def measure(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None, log: Path | None = None) -> Measured:
    """Run `command` to its end; its wall seconds, exit code, output and peak memory. `log`: its standard output
    goes there as it comes (to follow a long run), and is read back from there."""
    start_in_use = in_use_mb()
    highest = {"machine": start_in_use, "tree": 0.0}
    done = threading.Event()

    def sample(pid: int) -> None:
        while not done.wait(SAMPLE_SECONDS):
            highest["machine"] = max(highest["machine"], in_use_mb())
            highest["tree"] = max(highest["tree"], sum(_resident_kib(p) for p in _tree(pid)) / 1024)

    with log.open("w+") if log else tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        sampler = threading.Thread(target=sample, args=(process.pid,), daemon=True)
        sampler.start()
        returncode = process.wait()
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        return Measured(
            seconds,
            returncode,
            out.read(),
            err.read(),
            highest["tree"],
            max(highest["machine"], in_use_mb()) - start_in_use,
        )
