"""TLS connections per endpoint for the six TLS and certificate requirements, minimal vs full.

Plain script; prints one JSON object:

    .venv/bin/python benchmarks/bench_tls_connections.py [--repeat 3]

On the clean bundled reference agency, NET-TLS-01/02/03 and NET-CRT-01/02/03 run through the
engine once with `tls_scan="minimal"` (the default: conformance/network/tls_handshakes.py) and
once with `tls_scan="full"` (`--tls-scan full`: sslyze's cipher-suite and certificate_info
plugins). Every socket sslyze's `SslConnection` opens is counted per host:port (its socket
opener, the one the run's rate cap paces), with the wall seconds and the outcomes.

Time lives here, never in a test: the test suite asserts verdicts, and this script reports what
they cost.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIX = ("NET-TLS-01", "NET-TLS-02", "NET-TLS-03", "NET-CRT-01", "NET-CRT-02", "NET-CRT-03")
COUNTS: collections.Counter[str] = collections.Counter()


def _count_sockets() -> None:
    """Count each socket sslyze opens, per host:port (inside the run's pacing hook)."""
    from sslyze.connection_helpers import tls_connection

    from conformance.network import tls_probe

    tls_probe._install_pacing()  # the pacing wrapper first, so that it wraps the counter's
    paced = tls_connection._open_socket

    def counted(location: Any, network_timeout: int) -> Any:
        COUNTS[f"{location.hostname}:{location.port}"] += 1
        return paced(location, network_timeout)

    setattr(tls_connection, "_open_socket", counted)  # noqa: B010


def _once(target: Any, mode: str) -> dict[str, Any]:
    from conformance.engine import Engine
    from conformance.inputs.profile import load_profile

    moded = dataclasses.replace(target, safety=dataclasses.replace(target.safety, tls_scan=mode))
    COUNTS.clear()
    started = time.monotonic()
    report = Engine(load_profile("network"), [moded], only=SIX, seed=1).run()
    wall = time.monotonic() - started
    return {
        "connections": sum(COUNTS.values()),
        "per_endpoint": dict(COUNTS),
        "wall_s": round(wall, 2),
        "outcomes": {r.requirement: r.outcome.value for r in report.results},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    from conformance.reference import running_reference

    _count_sockets()
    found: dict[str, list[dict[str, Any]]] = {"minimal": [], "full": []}
    with running_reference() as target:
        for _ in range(args.repeat):
            for mode in found:
                found[mode].append(_once(target, mode))
    summary = {
        mode: {
            "connections": runs[0]["connections"],
            "per_endpoint": runs[0]["per_endpoint"],
            "wall_s_median": statistics.median(r["wall_s"] for r in runs),
            "outcomes": runs[0]["outcomes"],
        }
        for mode, runs in found.items()
    }
    summary["same_outcomes"] = summary["minimal"]["outcomes"] == summary["full"]["outcomes"]
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
