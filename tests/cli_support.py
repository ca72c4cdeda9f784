"""Helpers of the tests that drive the command line as users do (real processes, loopback).

Imported as `from cli_support import ...`: pytest's default ("prepend") import mode puts this
directory, which has no __init__.py, on sys.path before it imports the test modules here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def conformance(
    *args: str, cwd: Path, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `conformance ARGS` in `cwd` as a separate process (`env` added to the environment);
    its exit code and output."""
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    """A loopback TCP port nothing listens on (at the time of asking)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
