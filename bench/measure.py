"""Wall time and peak memory of one command, for the benchmarks.

Two memory figures: the command's own peak (the largest resident set of its process tree, from `wait4`: the
control node's cost), and the machine's memory in use (MemTotal − MemAvailable) at its highest during the run,
above where it stood when the run began: the control node and the lab's hosts together, as the command makes
them work (sshd sessions, the probes). `in_use_mb()` alone gives the lab's footprint at rest.
"""

from __future__ import annotations

import os
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
    peak_mb: float  # the command's largest process
    machine_mb: float  # the machine's memory in use at its highest, above the start


def in_use_mb() -> float:
    """The machine's memory in use: MemTotal − MemAvailable, in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return (int(fields["MemTotal"].split()[0]) - int(fields["MemAvailable"].split()[0])) / 1024


def measure(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Run `command` to its end; its wall seconds, exit code, output and peak memory."""
    start_in_use = in_use_mb()
    highest = [start_in_use]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            highest[0] = max(highest[0], in_use_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        sampler.start()
        started = time.monotonic()
        process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        return Measured(
            seconds,
            process.returncode,
            out.read(),
            err.read(),
            usage.ru_maxrss / 1024,
            max(highest[0], in_use_mb()) - start_in_use,
        )
