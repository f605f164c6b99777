"""Finding and stopping the lab's long-running processes by pid, safely against pid reuse."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path


def command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def process_exited(pid: int) -> bool:
    """True when the process is gone or a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def process_alive(pid: int, marker: str) -> bool:
    """True when `pid` runs and its command line mentions `marker` (so a reused pid is not ours).

    The command line of a process that is just starting can read as empty for a moment;
    that is retried briefly rather than taken for "not ours".
    """
    for _ in range(50):
        if process_exited(pid):
            return False
        argv = command_line(pid)
        if argv:
            return any(marker in part for part in argv)
        time.sleep(0.01)
    return False


def find_processes(matches: Callable[[list[str]], bool]) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            argv = command_line(int(entry.name))
            if argv and matches(argv):
                found.append(int(entry.name))
    return found


def stop_process(pid: int, sig: signal.Signals, marker: str, timeout: float = 10.0) -> None:
    """Send `sig`, wait up to `timeout` seconds for the process to go, then kill it."""
    if not process_alive(pid, marker):
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not process_alive(pid, marker):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    while process_alive(pid, marker):
        _reap(pid)
        time.sleep(0.05)


def _reap(pid: int) -> None:
    """Collect the exit status when the process is our own child, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
