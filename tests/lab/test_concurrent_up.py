"""Two `dengbao lab up --host` at once (molecule scenarios run side by side) get different addresses.

The addresses of ad-hoc hosts are planned under the lab's lock; planned before it, both runs took
the first free address and the second was refused (a clash the full test run met).
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import dengbao_command

pytestmark = pytest.mark.lab


def test_two_ups_at_once_get_different_addresses(test_lab_env, run_lab):
    run_lab("down")

    def up(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*dengbao_command(), "lab", "up", "--json", f"--host={name}"],
            env=test_lab_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(up, ["conc-a", "conc-b"]))
        for result in results:
            assert result.returncode == 0, result.stderr[-2000:]
        addresses = [json.loads(result.stdout)[0]["address"] for result in results]
        assert len(set(addresses)) == 2, addresses
    finally:
        run_lab("down")
