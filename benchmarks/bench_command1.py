"""README command 1: the full profile on the bundled reference agency, as a new user runs it.

Plain script; prints one JSON object:

    .venv/bin/python benchmarks/bench_command1.py [--repeat 3]

Two measurements, each repeated:

- `command`: `conformance run --out DIR` exactly as README command 1 runs it after install, in a
  child process: wall seconds, CPU seconds (user + system, from the child's resource usage) and
  peak resident memory (MiB), with its exit code and verdict;
- `counted`: the same command in this process (`conformance.cli.main`), with the requests the
  reference agency received counted server-side (`Store.count_request`) and the TLS handshakes
  the suite started counted client-side: every `SSLContext.wrap_socket` (the HTTP clients, the
  mutual-TLS probes) plus every connection sslyze opens (`SslConnection.connect`).

Time lives here, never in a test: the test suite asserts verdicts, and this script reports what
they cost.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = Path(sys.executable).parent / "conformance"


def _command_once() -> dict[str, Any]:
    """Run `conformance run --out DIR` in a child process; its wall, CPU and peak memory."""
    with tempfile.TemporaryDirectory(prefix="bench-command1-") as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        done = subprocess.run(
            [str(CONFORMANCE), "run", "--out", out],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        verdict = json.loads((Path(out) / "run.json").read_text("utf-8"))["verdict"]
    return {
        "exit_code": done.returncode,
        "verdict": verdict,
        "wall_s": round(wall, 2),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2),
        # ru_maxrss is the largest child's peak so far (KiB on Linux): the first run sets it
        "peak_rss_mib": round(after.ru_maxrss / 1024, 1),
    }


class _Counters:
    """Requests the agency received and TLS handshakes the suite started (benchmark only)."""

    def __init__(self) -> None:
        self.requests = 0
        self.handshakes = 0
        self._lock = threading.Lock()

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    @contextlib.contextmanager
    def installed(self) -> Any:
        from reference_agency.store import Store
        from sslyze.connection_helpers.tls_connection import SslConnection

        patched = [
            (Store, "count_request"),
            (ssl.SSLContext, "wrap_socket"),
            (SslConnection, "connect"),
        ]
        originals = [(owner, name, getattr(owner, name)) for owner, name in patched]
        counts = {"count_request": "requests", "wrap_socket": "handshakes", "connect": "handshakes"}

        def counting(name: str, fn: Any) -> Any:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                self.add(counts[name])
                return fn(*args, **kwargs)

            return wrapper

        try:
            for owner, name, fn in originals:
                setattr(owner, name, counting(name, fn))
            yield self
        finally:
            for owner, name, fn in originals:
                setattr(owner, name, fn)


def _counted_once() -> dict[str, Any]:
    """Run the command in this process and count requests and TLS handshakes."""
    from conformance.cli import main

    counters = _Counters()
    with tempfile.TemporaryDirectory(prefix="bench-command1-") as out, counters.installed():
        started = time.monotonic()
        try:
            main(["run", "--out", out, "--format", "json"], standalone_mode=False)
        except SystemExit as exc:
            code = exc.code
        else:
            code = 0
        wall = time.monotonic() - started
    return {
        "exit_code": code,
        "wall_s": round(wall, 2),
        "requests": counters.requests,
        "tls_handshakes": counters.handshakes,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    commands = [_command_once() for _ in range(args.repeat)]
    counted = [_counted_once() for _ in range(args.repeat)]
    summary = {
        "benchmark": "README command 1: conformance run (full profile, reference agency)",
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "wall_s_median": statistics.median(c["wall_s"] for c in commands),
        "cpu_s_median": statistics.median(c["cpu_s"] for c in commands),
        "peak_rss_mib": max(c["peak_rss_mib"] for c in commands),
        "requests_median": statistics.median(c["requests"] for c in counted),
        "tls_handshakes_median": statistics.median(c["tls_handshakes"] for c in counted),
        "command": commands,
        "counted": counted,
    }
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
