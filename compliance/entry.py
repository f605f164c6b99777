"""The `dengbao` console entry point.

A scan collects from many hosts at once on gevent, and its per-host deadlines can only
interrupt a blocked socket once the standard library is monkey-patched. Patching has to
happen before anything imports `socket`, `ssl` or `threading`, so it is done here, first,
and only for the commands that collect (scan, inspect).
"""

from __future__ import annotations

import sys


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("scan", "inspect"):
        from gevent import monkey

        monkey.patch_all()
    from compliance.cli import main as dengbao

    return dengbao()
