"""The `conformance` command: a thin adapter over the engine, the pytest plugin and the writers.

Each command lives in the module named for what it does; importing them registers them on
`main`.
"""

from conformance.cli import catalogue, config, init, reference, reports, run
from conformance.cli.base import main

__all__ = ["catalogue", "config", "init", "main", "reference", "reports", "run"]
