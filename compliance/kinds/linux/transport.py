"""Running the collector on many hosts at once, through pyinfra's connectors.

pyinfra supplies the transport: its SSH connector (paramiko, honouring the ssh_config file,
known_hosts and keys the Ansible inventory names) and its local connector for the machine
itself. Each host gets exactly one command, the batched collector script on stdin, so a
host costs one connection and one round trip. Hosts run concurrently in a bounded gevent
pool; each has its own deadline covering connect and collection. A host that refuses,
times out or drops the connection is `unreachable`, with the error, and the others go on.

Time-outs need gevent's monkey-patching to interrupt blocking sockets: `dengbao scan`
patches at start-up (see `compliance.entry`), as pyinfra's own command line does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import gevent
import gevent.pool
from pyinfra.api import Config, Inventory, State, StringCommand
from pyinfra.api.exceptions import ConnectError

from compliance.kinds.collection import Collected, Collection
from compliance.kinds.linux.probes import (
    PROBES,
    CollectorOutputError,
    Probe,
    collector_script,
    new_marker,
    split_output,
)

if TYPE_CHECKING:
    from compliance.kinds.target import Target

CONNECT_TIMEOUT = 10

logging.getLogger("pyinfra").setLevel(logging.CRITICAL)
logging.getLogger("paramiko").setLevel(logging.CRITICAL)


class _Deadline(Exception):
    pass


def collect(
    targets: list[Target],
    workers: int,
    timeout: float,
    on_done: Callable[[Collected], None] | None = None,
    probes: tuple[Probe, ...] = PROBES,
) -> dict[str, Collected]:
    """Collect `probes` (the scan's by default) from every target concurrently; never raises for a host's failure."""
    marker = new_marker()
    script = collector_script(marker, probes)
    names = [t.name if t.connection == "ssh" else "@local" for t in targets]
    host_data = [{k: v for k, v in t.data.items() if not k.startswith("_")} for t in targets]
    inventory = Inventory((list(zip(names, host_data, strict=True)), {}))
    # Binds every host to a state carrying the connect time-out; the hosts are used directly below.
    State(inventory, Config(CONNECT_TIMEOUT=min(CONNECT_TIMEOUT, int(timeout) or 1), PARALLEL=workers))
    hosts = dict(zip(names, (inventory.get_host(name) for name in names), strict=True))
    results: dict[str, Collected] = {}

    def run(target: Target, name: str) -> None:
        result = _collect_one(hosts[name], target, marker, script, timeout, probes)
        results[target.name] = result
        if on_done is not None:
            on_done(result)

    pool = gevent.pool.Pool(max(1, workers))
    for target, name in zip(targets, names, strict=True):
        pool.spawn(run, target, name)
    pool.join()
    return {t.name: results[t.name] for t in targets}


def _collect_one(
    host,  # noqa: ANN001
    target: Target,
    marker: str,
    script: str,
    timeout: float,
    probes: tuple[Probe, ...],
) -> Collected:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.monotonic()

    def finish(status: str, collection: Collection | None = None, error: str | None = None) -> Collected:
        return Collected(target, status, collection, error, started, round(time.monotonic() - clock, 3))

    try:
        with gevent.Timeout(timeout, _Deadline):
            host.connect(show_errors=False, raise_exceptions=True)
            _ok, output = host.run_shell_command(
                StringCommand("sh", "-s"),
                _stdin=script,
                _sudo=bool(target.data.get("_sudo")),
                _sudo_password=target.data.get("_sudo_password", ""),
                _timeout=timeout,
            )
    except _Deadline:
        _disconnect(host)
        return finish("unreachable", error=f"no complete answer within {timeout:g} s")
    except ConnectError as error:
        return finish("unreachable", error=str(error.args[0]) if error.args else "connection failed")
    except Exception as error:
        _disconnect(host)
        return finish("unreachable", error=f"{type(error).__name__}: {error}")
    _disconnect(host)
    try:
        collection = split_output(marker, output.stdout_lines, probes)
    except CollectorOutputError as error:
        stderr = output.stderr.strip()[-500:]
        return finish("error", error=f"{error}; stderr: {stderr}" if stderr else str(error))
    return finish("collected", collection)


def _disconnect(host) -> None:  # noqa: ANN001
    try:
        if host.connected:
            host.disconnect()
    except Exception:
        pass
